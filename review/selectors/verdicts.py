"""Reads of published verdicts and their history."""

from __future__ import annotations

import dataclasses

from django.db.models import Exists, OuterRef, Q, QuerySet

from review.exporters.data import ComparisonRow, VerdictReportData
from review.models import (
    Reapplication,
    Rectification,
    VerdictRecord,
)
from review.services.verdict import MeasuresRating, Verdict, explain_verdict
from schools.models import School

# --- Verdicts -------------------------------------------------------------------------------


def verdicts_in_force(**filters) -> QuerySet[VerdictRecord]:
    """The verdicts in force, oldest first: the one answer to "which verdicts count, in order".

    A corrected record is left out, and a correction takes the place of the verdict it
    corrects (``ranks_at``), not the place of its publication date. The last row per school
    is its latest verdict (R16, R17); every page, export, scan and the sanctions read this.
    """
    return VerdictRecord.objects.filter(corrected_by__isnull=True, **filters).order_by(
        "ranks_at", "pk"
    )


def latest_verdict_in_force(**filters) -> QuerySet[VerdictRecord]:
    """The same, newest first: ``[:1]`` is the latest (usable as a subquery)."""
    return verdicts_in_force(**filters).reverse()


def verdict_report_data(record):
    """A published verdict as the PDF and the page show it."""
    from django.utils import timezone

    recheck = record.recheck
    panel = []
    if recheck:
        for a in recheck.assignments.select_related("expert").order_by("-is_lead", "expert__name"):
            panel.append(f"{a.expert.name}（组长）" if a.is_lead else a.expert.name)
    rating = MeasuresRating(record.measures_rating) if record.measures_rating else None
    explanation = explain_verdict(
        record.matched or 0,
        rating or MeasuresRating.WEAK,
        diagnosed_on_time=record.diagnosed_on_time,
    )
    consolidation = getattr(recheck, "consolidation", None) if recheck else None
    correction_of = ""
    if record.corrects_id:
        correction_of = (
            f"更正 {timezone.localtime(record.corrects.published_at):%Y-%m-%d} 发布的结论"
            f"（原结论：{record.corrects.get_verdict_display()}）。更正原因：{record.correction_reason}"
        )
    rectification = getattr(record, "rectification", None)
    return VerdictReportData(
        school_name=record.school.name,
        cycle_name=record.cycle.name,
        recheck_start=recheck.start_date if recheck else None,
        recheck_end=recheck.end_date if recheck else None,
        verdict_label=record.get_verdict_display(),
        matched=record.matched,
        measures_label=rating.label if rating else "",
        measures_reason=consolidation.measures_reason if consolidation else "",
        explanation=explanation,
        rows=[
            ComparisonRow(
                project_code=row["project_code"],
                project_name=row["project_name"],
                element_code=row["element_code"],
                element_name=row["element_name"],
                school_opinion=row["school_opinion"],
                consistent=row["consistent"],
                reason=row["reason"],
            )
            for row in record.comparison
        ],
        report=record.report,
        panel=panel,
        published_on=timezone.localdate(record.published_at),
        number=f"{timezone.localdate(record.published_at).year}-{record.pk:04d}",
        rectification_due=rectification.due if rectification else None,
        improvement_period_end=record.improvement_end,
        correction_of=correction_of,
    )


@dataclasses.dataclass
class SchoolVerdicts:
    school: School
    verdicts: list  # in force, oldest first
    corrected: list
    reapplications: list

    @property
    def latest(self):
        return self.verdicts[-1] if self.verdicts else None


def verdict_history(*, filters: dict[str, str]) -> list[SchoolVerdicts]:
    """Every school with published verdicts: its history, the latest, re-applications."""
    applications: dict[int, list] = {}
    for application in Reapplication.objects.select_related("recheck", "after"):
        applications.setdefault(application.school_id, []).append(application)
    by_school: dict[int, SchoolVerdicts] = {}

    def row_of(record) -> SchoolVerdicts:
        return by_school.setdefault(
            record.school_id,
            SchoolVerdicts(record.school, [], [], applications.get(record.school_id, [])),
        )

    for record in verdicts_in_force().select_related("school", "cycle", "corrects"):
        row_of(record).verdicts.append(record)
    for record in VerdictRecord.objects.filter(corrected_by__isnull=False).select_related(
        "school", "cycle"
    ):
        row_of(record).corrected.append(record)
    rows = sorted(by_school.values(), key=lambda r: r.school.name)
    if filters.get("follow") in FOLLOW and filters.get("today"):
        wanted = follow_up(filters["follow"], today=filters["today"])
        rows = [r for r in rows if r.school.pk in wanted]
    if filters.get("q"):
        rows = [r for r in rows if filters["q"].strip() in r.school.name]
    if filters.get("verdict"):
        rows = [r for r in rows if r.latest and r.latest.verdict == filters["verdict"]]
    return rows


# What staff follow up after verdicts: the list's filter and the workbench's counts.
FOLLOW = {
    "rectification": "整改到期或已逾期（30 天内到期）",
    "improvement": "改进期 60 天内期满、尚未申请重新复核",
}
RECTIFICATION_WINDOW_DAYS = 30
IMPROVEMENT_WINDOW_DAYS = 60


def _latest_in_force(prefix: str = "") -> Exists:
    """A filter: the verdict (at ``prefix``) is its school's latest in force (R16, R17)."""
    later = VerdictRecord.objects.filter(
        school=OuterRef(f"{prefix}school"), corrected_by__isnull=True
    ).filter(
        Q(ranks_at__gt=OuterRef(f"{prefix}ranks_at"))
        | Q(ranks_at=OuterRef(f"{prefix}ranks_at"), pk__gt=OuterRef(f"{prefix}pk"))
    )
    return ~Exists(later)


def follow_up(kind: str, *, today) -> dict[int, object]:
    """School id → the date that needs following up, for ``kind`` (one query).

    ``rectification``: the latest verdict's rectification is not completed and is due within
    30 days or overdue (R11). ``improvement``: the latest verdict is 待改进/异常, its
    improvement period ends within 60 days or has ended, and no re-application was made (R16).
    The database narrows the rows; only those few are read.
    """
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    found: dict[int, object] = {}
    if kind == "rectification":
        horizon = today + timedelta(days=RECTIFICATION_WINDOW_DAYS)
        rows = (
            Rectification.objects.filter(
                completed_at__isnull=True, due__lte=horizon, verdict__corrected_by__isnull=True
            )
            .filter(_latest_in_force("verdict__"))
            .values_list("verdict__school_id", "due")
        )
        found = dict(rows)
    elif kind == "improvement":
        horizon = today + timedelta(days=IMPROVEMENT_WINDOW_DAYS)
        # Published about a year before the horizon or earlier (a day's margin for 29
        # February and time zones); the exact end is checked below.
        latest_day = horizon - timedelta(days=364)
        cutoff = timezone.make_aware(datetime.combine(latest_day, time.max))
        rows = (
            VerdictRecord.objects.filter(corrected_by__isnull=True, published_at__lte=cutoff)
            .exclude(verdict=Verdict.EFFECTIVE)
            .filter(_latest_in_force(), ~Exists(Reapplication.objects.filter(after=OuterRef("pk"))))
            .only("pk", "school_id", "verdict", "published_at")
        )
        for record in rows:
            end = record.improvement_end
            if end and end <= horizon:
                found[record.school_id] = end
    return found
