"""Re-check dates (R10, R11) as pure functions: every page, task and test calls these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PUBLISH_DAYS_BEFORE = 30  # R10: 复核工作开始前 30 日在校园网公示
SUBMIT_DAYS_BEFORE = 15  # R10: 复核工作开始前 15 日报送省教育评估研究中心


@dataclass(frozen=True)
class RecheckDeadlines:
    """The two R10 deadlines of a re-check starting on ``start``."""

    publish_by: date  # materials public (in the disclosure column) on or before this day
    submit_by: date  # materials submitted to the evaluation centre on or before this day


def recheck_deadlines(start: date) -> RecheckDeadlines:
    """R10: publish at least 30 days, submit at least 15 days before the re-check starts."""
    return RecheckDeadlines(
        publish_by=start - timedelta(days=PUBLISH_DAYS_BEFORE),
        submit_by=start - timedelta(days=SUBMIT_DAYS_BEFORE),
    )


def rectification_due(recheck_end: date) -> date:
    """R11: rectification completed within one year of the re-check's end (29 Feb → 28 Feb)."""
    try:
        return recheck_end.replace(year=recheck_end.year + 1)
    except ValueError:  # 29 February in a leap year has no twin next year
        return recheck_end.replace(year=recheck_end.year + 1, day=28)


def cycle_self_diagnosis_due(end_year: int) -> date:
    """R8/R15: a cycle's self-diagnosis is due by 31 December of its last year."""
    return date(end_year, 12, 31)


def minimum_sample(total_schools: int) -> int:
    """R8: at least ⌈n/3⌉ of all schools are re-checked in each 3-year cycle."""
    return -(-total_schools // 3)
