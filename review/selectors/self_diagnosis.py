"""Reads of self-diagnosis reports and implementation rules."""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db.models import QuerySet

from indicators.selectors import editing_guide
from review.exporters.data import ElementRow, ReportData
from review.exporters.report_xlsx import ExportStamp
from review.models import (
    EditConflict,
    ElementEntry,
    ImplementationRules,
    ReportStatus,
    SchoolPoint,
    SelfDiagnosis,
)
from review.services.limits import ELEMENT_FIELDS
from review.services.rules import checklist_of, effects_hint, filed_on_time, opinion_hint
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


def editor_stamp(report_id: int) -> str:
    """The stamp (``zhengai.stampcache``) of everything a report's edit page shows from the
    report's own rows: its texts, school points, edit conflicts, panel and reopenings. The
    rows' signals move it (``review.signals``); services that write them in bulk or with
    ``QuerySet.update`` move it themselves."""
    return f"editor:{report_id}"


@dataclasses.dataclass
class ElementForm:
    """Everything the edit page shows for one element."""

    element: object
    entry: ElementEntry
    points: list
    school_points: list
    conflicts: list
    hints: list[str]
    filled: int = 0  # how many of the element's three texts are written (the jump list)


def edit_page(report: SelfDiagnosis) -> dict:
    """The edit page's data in a fixed number of queries, whatever the elements or versions."""
    entries = {e.element_id: e for e in report.entries.select_related("updated_by", "element")}
    school_points: dict[int, list] = {}
    for point in SchoolPoint.objects.filter(self_diagnosis=report):
        school_points.setdefault(point.element_id, []).append(point)
    conflicts: dict[int | None, list] = {}
    for conflict in EditConflict.objects.filter(self_diagnosis=report, resolved_at__isnull=True):
        conflicts.setdefault(conflict.element_id, []).append(conflict)
    projects = []
    # The version's tree is the same for every report: cached, not re-read per page.
    for project in editing_guide(report.system):
        forms = []
        for element in project.elements:
            entry = entries[element.pk]
            hints = [h for h in (opinion_hint(entry.opinion), effects_hint(entry.effects)) if h]
            forms.append(
                ElementForm(
                    element=element,
                    entry=entry,
                    points=element.points,
                    school_points=school_points.get(element.pk, []),
                    conflicts=conflicts.get(element.pk, []),
                    hints=hints,
                    filled=sum(bool(getattr(entry, name)) for name, _, _ in ELEMENT_FIELDS),
                )
            )
        projects.append((project, forms))
    panel = list(report.panel.all())
    ordered = [form.entry for _, forms in projects for form in forms]
    checklist = checklist_of(
        report,
        panel=panel,
        entries=ordered,
        open_conflicts=sum(len(c) for c in conflicts.values()),
    )
    first_conflict = next(
        (f"e{form.element.code}" for _, forms in projects for form in forms if form.conflicts),
        "overview",
    )
    return {
        "projects": projects,
        "overview_conflicts": conflicts.get(None, []),
        "panel": panel,
        "problems": [text for text, _ in checklist],
        # Each missing item with the place it is fixed: a field of this page, or the panel page.
        "checklist": [
            (text, first_conflict if where == "conflict" else where) for text, where in checklist
        ],
        "fields_total": len(ELEMENT_FIELDS),
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
    if filters.get("rules") == "missing":
        schools = schools.exclude(pk__in=rules_filed(year=year))
    status = filters.get("status")
    rows = []
    counts = dict.fromkeys(["not_started", *ReportStatus.values], 0)
    for school in schools:
        report = reports.get(school.pk)
        state = report.status if report else "not_started"
        counts[state] += 1
        if status == UNSUBMITTED:
            if state not in UNSUBMITTED_STATES:
                continue
        elif status and status != state:
            continue
        rows.append((school, report))
    return rows, counts


# A filter of the list (and the workbench's count): not started or still a draft.
UNSUBMITTED = "unsubmitted"
UNSUBMITTED_STATES = ("not_started", ReportStatus.DRAFT)


def rules_filed(*, year: int) -> QuerySet:
    """The ids of schools that filed implementation rules for ``year`` (a subquery)."""
    return ImplementationRules.objects.filter(year=year).values("school_id")


def implementation_rules_of(school: School) -> list[ImplementationRules]:
    """The school's filings, newest first, each marked whether it met 30 May (R20)."""
    rows = list(ImplementationRules.objects.filter(school=school).select_related("uploaded_by"))
    for rules in rows:
        rules.on_time = filed_on_time(rules.created, rules.year)
    return rows
