"""Reads of the self-diagnosis workflow shared by pages, exporters and tasks."""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db.models import Prefetch, QuerySet

from indicators.selectors import project_tree
from review.exporters.data import ElementRow, ReportData
from review.exporters.excel import ExportStamp
from review.models import (
    EditConflict,
    ElementEntry,
    ImplementationRules,
    ReportStatus,
    SchoolPoint,
    SelfDiagnosis,
    VerdictRecord,
)
from review.services.rules import effects_hint, filed_on_time, opinion_hint
from review.services.self_diagnosis import problems_of
from schools.models import School


def _ordered_entries(report: SelfDiagnosis) -> QuerySet[ElementEntry]:
    return report.entries.select_related("element__project").order_by(
        "element__project__position", "element__position"
    )


def report_data_live(report: SelfDiagnosis) -> ReportData:
    """The report as it stands in the database now (drafts)."""
    rows = [
        ElementRow(
            project_code=entry.element.project.code,
            project_name=entry.element.project.name,
            element_code=entry.element.code,
            element_name=entry.element.report_name,
            opinion=entry.opinion,
            measures=entry.measures,
            effects=entry.effects,
        )
        for entry in _ordered_entries(report)
    ]
    return ReportData(
        school_name=report.school.name,
        year=report.year,
        overview=report.overview,
        rows=rows,
        principal_name=report.principal_name,
        signed_on=report.signed_on,
        status_label=ReportStatus(report.status).label,
        indicator_version=report.system.name,
    )


def snapshot_from(data: ReportData) -> dict:
    """A JSON-safe copy of a report for the locked snapshot."""
    raw = dataclasses.asdict(data)
    raw["signed_on"] = data.signed_on.isoformat() if data.signed_on else None
    return raw


def report_from_snapshot(raw: dict, *, status_label: str) -> ReportData:
    rows = [ElementRow(**row) for row in raw["rows"]]
    signed_on = date.fromisoformat(raw["signed_on"]) if raw.get("signed_on") else None
    return ReportData(**{**raw, "rows": rows, "signed_on": signed_on, "status_label": status_label})


def report_data(report: SelfDiagnosis) -> ReportData:
    """What the report says: the locked snapshot once submitted, the live draft before."""
    if report.snapshot:
        return report_from_snapshot(report.snapshot, status_label=report.get_status_display())
    return report_data_live(report)


def export_stamp(report: SelfDiagnosis) -> ExportStamp:
    """What an Excel export records: the report and each element's revision right now."""
    revisions = dict(report.entries.values_list("element__code", "revision"))
    return ExportStamp(report_id=report.pk, revisions=revisions)


@dataclasses.dataclass
class ElementForm:
    """Everything the edit page shows for one element."""

    element: object
    entry: ElementEntry
    points: list
    school_points: list
    conflicts: list
    hints: list[str]


def edit_page(report: SelfDiagnosis, *, user) -> dict:
    """The edit page's data in a fixed number of queries, whatever the elements or versions."""
    entries = {e.element_id: e for e in report.entries.select_related("updated_by")}
    school_points: dict[int, list] = {}
    for point in SchoolPoint.objects.filter(self_diagnosis=report):
        school_points.setdefault(point.element_id, []).append(point)
    conflicts: dict[int | None, list] = {}
    for conflict in EditConflict.objects.filter(
        self_diagnosis=report, resolved_at__isnull=True
    ).select_related("author"):
        conflicts.setdefault(conflict.element_id, []).append(conflict)
    projects = []
    for project in project_tree(report.system):
        forms = []
        for element in project.elements.all():
            entry = entries[element.pk]
            entry.element = element  # already loaded with the tree: no query per entry
            hints = [h for h in (opinion_hint(entry.opinion), effects_hint(entry.effects)) if h]
            forms.append(
                ElementForm(
                    element=element,
                    entry=entry,
                    points=list(element.points.all()),
                    school_points=school_points.get(element.pk, []),
                    conflicts=conflicts.get(element.pk, []),
                    hints=hints,
                )
            )
        projects.append((project, forms))
    panel = list(report.panel.all())
    ordered = [form.entry for _, forms in projects for form in forms]
    return {
        "projects": projects,
        "overview_conflicts": conflicts.get(None, []),
        "panel": panel,
        "problems": problems_of(
            report,
            panel=panel,
            entries=ordered,
            open_conflicts=sum(len(c) for c in conflicts.values()),
        ),
    }


def report_statuses(
    *, year: int, filters: dict[str, str]
) -> tuple[list[tuple[School, SelfDiagnosis | None]], dict[str, int]]:
    """Every school with its report of ``year`` (None: not started), and counts by status.

    The year's reports are read by year and matched here (no IN list of every school id).
    """
    schools = School.objects.only("pk", "name", "is_new").order_by("name")
    if filters.get("city"):
        schools = schools.filter(city=filters["city"])
    if filters.get("q"):
        schools = schools.filter(name__contains=filters["q"].strip())
    reports = {
        report.school_id: report
        for report in SelfDiagnosis.objects.filter(year=year).only(
            "pk", "school_id", "status", "submitted_at", "modified", "year"
        )
    }
    status = filters.get("status")
    rows = []
    counts = dict.fromkeys(["not_started", *ReportStatus.values], 0)
    for school in schools:
        report = reports.get(school.pk)
        state = report.status if report else "not_started"
        counts[state] += 1
        if status and status != state:
            continue
        rows.append((school, report))
    return rows, counts


def implementation_rules_of(school: School) -> list[ImplementationRules]:
    """The school's filings, newest first, each marked whether it met 30 May (R20)."""
    rows = list(ImplementationRules.objects.filter(school=school).select_related("uploaded_by"))
    for rules in rows:
        rules.on_time = filed_on_time(rules.created, rules.year)
    return rows


# --- Re-check planning ------------------------------------------------------------------------


@dataclasses.dataclass
class CycleRow:
    school: School
    report: SelfDiagnosis | None  # the latest self-diagnosis within the cycle's years
    recheck: object | None
    verdict: str | None = None  # the verdict issue fills this in

    @property
    def report_state(self) -> str:
        return self.report.get_status_display() if self.report else "未开始"

    @property
    def state_key(self) -> str:
        return self.report.status if self.report else "not_started"


def cycle_overview(cycle, *, filters: dict[str, str]) -> list[CycleRow]:
    """Every school's state in a cycle, in a fixed number of queries however many schools.

    The cycle's reports, re-checks and verdicts are read by cycle and grouped here, not
    prefetched by school: an IN list of 1,500 school ids costs more than the rows themselves.
    """
    from review.models import Recheck

    # Only what the overview shows: 1,500 schools are built on every page view.
    schools = School.objects.only(
        "pk", "name", "city", "is_new", "second_round_status", "second_round_year"
    ).order_by("name")
    if filters.get("city"):
        schools = schools.filter(city=filters["city"])
    if filters.get("q"):
        schools = schools.filter(name__contains=filters["q"].strip())
    reports: dict[int, SelfDiagnosis] = {}
    for report in (
        SelfDiagnosis.objects.filter(year__gte=cycle.start_year, year__lte=cycle.end_year)
        .only("pk", "school_id", "status", "year")
        .order_by("year")
    ):
        reports[report.school_id] = report  # the latest year wins
    rechecks: dict[int, Recheck] = {}
    for recheck in (
        Recheck.objects.filter(cycle=cycle)
        .only(
            "pk", "round", "school_id", "cycle_id", "planned_year", "start_date", "end_date",
            "materials_published_at", "materials_submitted_at",
        )
        .order_by("round")
    ):  # fmt: skip
        rechecks[recheck.school_id] = recheck  # a school that re-applied: the latest round
    verdicts: dict[int, str] = {}
    for record in verdicts_in_force(cycle=cycle).only("pk", "school_id", "verdict", "ranks_at"):
        verdicts[record.school_id] = record.get_verdict_display()
    rows = []
    for school in schools:
        row = CycleRow(
            school=school,
            report=reports.get(school.pk),
            recheck=rechecks.get(school.pk),
            verdict=verdicts.get(school.pk),
        )
        if filters.get("report") and filters["report"] != row.state_key:
            continue
        if filters.get("recheck") == "yes" and row.recheck is None:
            continue
        if filters.get("recheck") == "no" and row.recheck is not None:
            continue
        rows.append(row)
    return rows


def cycle_rechecks(cycle):
    """The cycle's re-checks with their panels, for the planning page."""
    from review.models import PanelAssignment

    return (
        cycle.rechecks.select_related("school")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=PanelAssignment.objects.select_related("expert").order_by(
                    "-is_lead", "expert__name"
                ),
            )
        )
        .order_by("start_date", "planned_year", "school__name")
    )


def assignments_of(user):
    """An expert's assignments across cycles, soonest first."""
    from review.models import PanelAssignment

    return (
        PanelAssignment.objects.filter(expert__user=user)
        .select_related("recheck__school", "recheck__cycle")
        .order_by("recheck__start_date", "recheck__planned_year")
    )


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

    from review.exporters.data import ComparisonRow, VerdictReportData
    from review.services.verdict import MeasuresRating, explain_verdict

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
    from review.models import Reapplication

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
    if filters.get("q"):
        rows = [r for r in rows if filters["q"].strip() in r.school.name]
    if filters.get("verdict"):
        rows = [r for r in rows if r.latest and r.latest.verdict == filters["verdict"]]
    return rows
