"""Reads of cycles, re-checks and panels."""

from __future__ import annotations

import dataclasses

from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, When

from review.models import (
    CycleKind,
    PanelAssignment,
    Recheck,
    ReportStatus,
    SelfDiagnosis,
    VerdictRecord,
)
from review.selectors.verdicts import latest_verdict_in_force, verdicts_in_force
from review.services.rules import exempt_from_recheck, recheck_took_place
from review.services.verdict import Verdict
from schools.models import School

# --- Re-check planning ------------------------------------------------------------------------


@dataclasses.dataclass
class CycleRow:
    school: School
    # The cycle's self-diagnosis: the latest submitted or filed within the cycle's years; a
    # later draft (next year's report begun) does not undo a self-diagnosis already done.
    report: SelfDiagnosis | None
    recheck: object | None
    verdict: str | None = None
    exempt: bool = False  # R6: files its self-diagnosis, no re-check, in this cycle
    status: str | None = None  # the cycle's report's status when read without the report

    @property
    def state_key(self) -> str:
        status = self.report.status if self.report else self.status
        return status or "not_started"

    @property
    def report_state(self) -> str:
        key = self.state_key
        return "未开始" if key == "not_started" else ReportStatus(key).label


def cycle_overview(cycle, *, filters: dict[str, str]) -> list[CycleRow]:
    """Every school's state in a cycle, in a fixed number of queries however many schools.

    The cycle's reports, re-checks and verdicts are read by cycle and grouped here, not
    prefetched by school: an IN list of 1,500 school ids costs more than the rows themselves.
    """
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
        kept = reports.get(report.school_id)
        if kept is None or kept.is_draft or not report.is_draft:
            reports[report.school_id] = report  # the latest year wins, a draft never over a done
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
    annex2 = cycle.kind == CycleKind.ANNEX2
    rows = []
    for school in schools:
        row = CycleRow(
            school=school,
            report=reports.get(school.pk),
            recheck=rechecks.get(school.pk),
            verdict=verdicts.get(school.pk),
            exempt=exempt_from_recheck(
                evaluated_before_2020=school.files_self_diagnosis, annex2_cycle=annex2
            ),
        )
        if filters.get("report") and filters["report"] != row.state_key:
            continue
        if filters.get("recheck") == "yes" and row.recheck is None:
            continue
        if filters.get("recheck") == "no" and row.recheck is not None:
            continue
        rows.append(row)
    return rows


def last_rechecks(*, other_than, today) -> dict[int, int]:
    """Each school's year of its last re-check that took place, outside cycle ``other_than``."""
    last: dict[int, int] = {}
    rows = (
        Recheck.objects.exclude(cycle=other_than)
        .annotate(has_verdict=Exists(VerdictRecord.objects.filter(recheck=OuterRef("pk"))))
        .values_list("school_id", "end_date", "planned_year", "cycle__kind", "has_verdict")
    )
    for school_id, end_date, planned_year, kind, has_verdict in rows:
        if recheck_took_place(
            end_date=end_date,
            planned_year=planned_year,
            annex2=kind == CycleKind.ANNEX2,
            has_verdict=has_verdict,
            today=today,
        ):
            year = end_date.year if end_date else planned_year
            last[school_id] = max(year, last.get(school_id, 0))
    return last


# What a re-check may still need from staff: the planning page's filter and the workbench's
# counts read the same definitions.
NEEDS = {
    "dates": "未排定复核日期",
    "panel": "专家组未配齐（人数不足或未定组长）",
    "publication": "专家组已提交合议，待发布结论",
}


def rechecks_needing(rechecks: QuerySet, *, need: str, panel_size: int) -> QuerySet:
    """Re-checks (not yet concluded) that still need ``need`` from staff."""
    open_ = rechecks.filter(~Exists(VerdictRecord.objects.filter(recheck=OuterRef("pk"))))
    if need == "dates":
        return open_.filter(start_date__isnull=True)
    if need == "panel":
        return open_.annotate(
            members=Count("assignments"),
            led=Exists(PanelAssignment.objects.filter(recheck=OuterRef("pk"), is_lead=True)),
        ).filter(Q(members__lt=panel_size) | Q(led=False))
    if need == "publication":
        return open_.filter(consolidation__submitted_at__isnull=False)
    return rechecks


# What the overview shows of a re-check, and its system (else building the row reads the
# version in force: a query per row).
_RECHECK_COLUMNS = (
    "pk", "planned_year", "start_date", "end_date", "materials_published_at",
    "materials_submitted_at", "system_id",
)  # fmt: skip


def overview_schools(cycle, *, filters: dict[str, str]) -> QuerySet[School]:
    """The schools of a cycle's overview, every filter done by the database, in name order.

    Each school carries what its row shows, read in the same query (a correlated subquery
    per cell, on indexed columns): the status of the cycle's report, its latest re-check in
    the cycle and its verdict in force. A page of them is turned into rows by
    ``overview_rows`` without another query (the page does not build 1,500 rows).
    """
    schools = School.objects.only(
        "pk", "name", "city", "is_new", "second_round_status", "second_round_year"
    ).order_by("name", "pk")
    if filters.get("city"):
        schools = schools.filter(city=filters["city"])
    if filters.get("q"):
        schools = schools.filter(name__contains=filters["q"].strip())
    # The cycle's report: the latest year, a draft never over a done one (as cycle_overview).
    report = (
        SelfDiagnosis.objects.filter(
            school=OuterRef("pk"), year__gte=cycle.start_year, year__lte=cycle.end_year
        )
        .annotate(draft=Case(When(status=ReportStatus.DRAFT, then=1), default=0))
        .order_by("draft", "-year", "-pk")
    )
    recheck = Recheck.objects.filter(cycle=cycle, school=OuterRef("pk")).order_by("-round")
    verdict = latest_verdict_in_force(cycle=cycle, school=OuterRef("pk"))
    schools = schools.annotate(
        report_status=Subquery(report.values("status")[:1]),
        verdict_code=Subquery(verdict.values("verdict")[:1]),
        **{f"recheck_{c}": Subquery(recheck.values(c)[:1]) for c in _RECHECK_COLUMNS},
    )
    if state := filters.get("report"):
        if state == "not_started":
            schools = schools.filter(report_status__isnull=True)
        else:
            schools = schools.filter(report_status=state)
    if filters.get("recheck") in ("yes", "no"):
        schools = schools.filter(recheck_pk__isnull=filters["recheck"] == "no")
    return schools


def overview_rows(cycle, schools: list[School]) -> list[CycleRow]:
    """The overview's rows for a page of ``overview_schools`` (no further query)."""
    annex2 = cycle.kind == CycleKind.ANNEX2
    verdicts = dict(Verdict.choices)
    rows = []
    for school in schools:
        recheck = None
        if school.recheck_pk is not None:
            recheck = Recheck(
                cycle_id=cycle.pk,
                school_id=school.pk,
                **{c: getattr(school, f"recheck_{c}") for c in _RECHECK_COLUMNS},
            )
        rows.append(
            CycleRow(
                school=school,
                report=None,
                status=school.report_status,
                recheck=recheck,
                verdict=verdicts.get(school.verdict_code),
                exempt=exempt_from_recheck(
                    evaluated_before_2020=school.files_self_diagnosis, annex2_cycle=annex2
                ),
            )
        )
    return rows


@dataclasses.dataclass(frozen=True)
class PanelPlace:
    name: str
    is_lead: bool


@dataclasses.dataclass
class RecheckRow:
    """A row of the re-check list: only what it shows (no model instance built)."""

    pk: int
    school_id: int
    school_name: str
    planned_year: int
    start_date: object
    end_date: object
    panel: list[PanelPlace] = dataclasses.field(default_factory=list)


def cycle_recheck_page(cycle, number, per_page: int = 100, *, need: str = "", panel_size=5):
    """A page of the cycle's re-checks as ``RecheckRow``, each with its panel (lead first,
    then by name), in three queries: rows and panels are read as values, not built as
    models (500 panel places a page)."""
    rechecks = cycle.rechecks.all()
    if need in NEEDS:
        rechecks = rechecks_needing(rechecks, need=need, panel_size=panel_size)
    rechecks = rechecks.order_by("start_date", "planned_year", "school__name", "pk").values_list(
        "pk", "school_id", "school__name", "planned_year", "start_date", "end_date"
    )
    page = Paginator(rechecks, per_page).get_page(number)
    page.object_list = [RecheckRow(*values) for values in page.object_list]
    panels: dict[int, list[PanelPlace]] = {}
    for recheck_id, is_lead, name in (
        PanelAssignment.objects.filter(recheck_id__in=[r.pk for r in page.object_list])
        .order_by("recheck_id", "-is_lead", "expert__name")
        .values_list("recheck_id", "is_lead", "expert__name")
    ):
        panels.setdefault(recheck_id, []).append(PanelPlace(name, is_lead))
    for row in page.object_list:
        row.panel = panels.get(row.pk, [])
    return page


def assignments_of(user):
    """An expert's assignments across cycles, soonest first."""
    return (
        PanelAssignment.objects.filter(expert__user=user)
        .select_related("recheck__school", "recheck__cycle")
        .order_by("recheck__start_date", "recheck__planned_year")
    )
