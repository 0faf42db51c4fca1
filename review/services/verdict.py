"""The verdict rule (R12–R17) as pure functions, no database.

Views, tasks, the PDF and the tests all call these; nothing else decides a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from django.db import models

from review.services.deadlines import rectification_due

ELEMENT_COUNT = 15  # 诊断要素共 15 项
EFFECTIVE_MIN_MATCHED = 12  # 有效: 相符 ≥ 12 项
ABNORMAL_BELOW_MATCHED = 10  # 异常: 相符 < 10 项


class Verdict(models.TextChoices):
    EFFECTIVE = "effective", "有效"
    ABNORMAL = "abnormal", "异常"
    NEEDS_IMPROVEMENT = "needs_improvement", "待改进"


class MeasuresRating(models.TextChoices):
    """R13: the panel's rating of the school's improvement measures as a whole."""

    STRONG = "strong", "针对性强、切实可行、成效明显"
    ADEQUATE = "adequate", "一般"
    WEAK = "weak", "针对性不强、力度不够"


def decide_verdict(
    matched: int, measures: MeasuresRating, *, diagnosed_on_time: bool = True
) -> Verdict:
    """R14 (and R15): the verdict from the consistent elements and the measures rating.

    有效 when matched ≥ 12 and measures strong; 异常 when matched < 10 and measures weak;
    待改进 otherwise. A school that did not carry out its self-diagnosis in time is 异常.
    """
    if not 0 <= matched <= ELEMENT_COUNT:
        raise ValueError(f"matched must be 0…{ELEMENT_COUNT}, got {matched}")
    measures = MeasuresRating(measures)
    if not diagnosed_on_time:
        return Verdict.ABNORMAL
    if matched >= EFFECTIVE_MIN_MATCHED and measures == MeasuresRating.STRONG:
        return Verdict.EFFECTIVE
    if matched < ABNORMAL_BELOW_MATCHED and measures == MeasuresRating.WEAK:
        return Verdict.ABNORMAL
    return Verdict.NEEDS_IMPROVEMENT


def explain_verdict(
    matched: int, measures: MeasuresRating, *, diagnosed_on_time: bool = True
) -> list[str]:
    """Why the rule gives this verdict, in Chinese, one sentence per deciding condition."""
    verdict = decide_verdict(matched, measures, diagnosed_on_time=diagnosed_on_time)
    measures = MeasuresRating(measures)
    if not diagnosed_on_time:
        return ["在规定时间内未开展诊改工作，结论视为“异常”。"]
    facts = [f"15 项诊断要素中自主诊断结果与复核结果相符 {matched} 项。"]
    facts.append(f"改进措施评价：{measures.label}。")
    if verdict == Verdict.EFFECTIVE:
        facts.append("相符 ≥ 12 项且改进措施针对性强、切实可行、成效明显：有效。")
    elif verdict == Verdict.ABNORMAL:
        facts.append("相符 < 10 项且改进措施针对性不强、力度不够：异常。")
    else:
        if matched >= EFFECTIVE_MIN_MATCHED:
            facts.append("相符 ≥ 12 项，但改进措施未达到“针对性强、切实可行、成效明显”：待改进。")
        elif matched >= ABNORMAL_BELOW_MATCHED:
            facts.append("相符 10–11 项：无论改进措施如何，均为待改进。")
        else:
            facts.append("相符 < 10 项，但改进措施并非“针对性不强、力度不够”：待改进。")
        missing = EFFECTIVE_MIN_MATCHED - matched
        if missing > 0:
            facts.append(f"距“有效”还差 {missing} 项相符。")
    return facts


_RULE_REFERENCE = re.compile(r"\s*[（(]R\d+[)）]")


def explain_in_words(
    matched: int, measures: MeasuresRating, *, diagnosed_on_time: bool = True
) -> list[str]:
    """``explain_verdict`` as users read it: the rule in words, without the portal's rule ids."""
    return [
        _RULE_REFERENCE.sub("", line).strip()
        for line in explain_verdict(matched, measures, diagnosed_on_time=diagnosed_on_time)
    ]


def sanction_triggered(verdicts: Sequence[Verdict]) -> bool:
    """R17: the latest verdict is 异常, or the latest two are both 待改进 (oldest first)."""
    verdicts = [Verdict(v) for v in verdicts]
    if not verdicts:
        return False
    if verdicts[-1] == Verdict.ABNORMAL:
        return True
    return verdicts[-2:] == [Verdict.NEEDS_IMPROVEMENT, Verdict.NEEDS_IMPROVEMENT]


def sanction_holds(verdicts: Sequence[Verdict]) -> bool:
    """R17: a sanction holds when it was triggered after the latest 有效 (oldest first).

    Sanctions hold until the next 有效 (assumption in docs/rules.md), so a 待改进 after an
    异常 keeps the sanction; an earlier verdict corrected away can lift it.
    """
    verdicts = [Verdict(v) for v in verdicts]
    since = len(verdicts)
    while since and verdicts[since - 1] != Verdict.EFFECTIVE:
        since -= 1
    suffix = verdicts[since:]
    return any(sanction_triggered(suffix[: i + 1]) for i in range(len(suffix)))


def needs_improvement_period(verdict: Verdict) -> bool:
    """R16: 待改进 and 异常 carry a one-year improvement period; 有效 does not."""
    return Verdict(verdict) in (Verdict.NEEDS_IMPROVEMENT, Verdict.ABNORMAL)


def improvement_period_end(published_on: date) -> date:
    """R16: the improvement period lasts one year from the verdict (29 Feb → 28 Feb)."""
    return rectification_due(published_on)


def may_reapply(verdict: Verdict, published_on: date, today: date) -> bool:
    """R16: a new re-check may be applied for once the improvement period has ended."""
    return needs_improvement_period(verdict) and today >= improvement_period_end(published_on)


def done_for_cycle(verdict: Verdict) -> bool:
    """R16: 有效 means no further re-check in the same cycle."""
    return Verdict(verdict) == Verdict.EFFECTIVE
