"""Reads of cycles, re-checks and panels."""

from __future__ import annotations

import dataclasses

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from review.models import (
    PanelAssignment,
    Recheck,
    SelfDiagnosis,
)
from review.selectors.verdicts import verdicts_in_force
from schools.models import School

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


def overview_schools(cycle, *, filters: dict[str, str]) -> QuerySet[School]:
    """The schools of a cycle's overview, every filter done by the database, in name order:
    a page of them is read with ``overview_rows`` (the page does not build 1,500 rows)."""
    schools = School.objects.only(
        "pk", "name", "city", "is_new", "second_round_status", "second_round_year"
    ).order_by("name", "pk")
    if filters.get("city"):
        schools = schools.filter(city=filters["city"])
    if filters.get("q"):
        schools = schools.filter(name__contains=filters["q"].strip())
    if state := filters.get("report"):
        latest = SelfDiagnosis.objects.filter(
            school=OuterRef("pk"), year__gte=cycle.start_year, year__lte=cycle.end_year
        ).order_by("-year", "-pk")
        schools = schools.annotate(report_status=Subquery(latest.values("status")[:1]))
        if state == "not_started":
            schools = schools.filter(report_status__isnull=True)
        else:
            schools = schools.filter(report_status=state)
    if filters.get("recheck") in ("yes", "no"):
        picked = Exists(Recheck.objects.filter(cycle=cycle, school=OuterRef("pk")))
        schools = schools.filter(picked if filters["recheck"] == "yes" else ~picked)
    return schools


def overview_rows(cycle, schools: list[School]) -> list[CycleRow]:
    """The overview's rows for these schools (a page of them), in four queries."""
    ids = [school.pk for school in schools]
    reports = {
        r.school_id: r
        for r in SelfDiagnosis.objects.filter(
            school_id__in=ids, year__gte=cycle.start_year, year__lte=cycle.end_year
        )
        .only("pk", "school_id", "status", "year")
        .order_by("year", "pk")
    }  # the latest year wins
    rechecks = {
        r.school_id: r
        for r in Recheck.objects.filter(cycle=cycle, school_id__in=ids)
        .only(
            "pk", "round", "school_id", "cycle_id", "planned_year", "start_date", "end_date",
            "materials_published_at", "materials_submitted_at",
        )
        .order_by("round")
    }  # fmt: skip
    verdicts = {
        v.school_id: v.get_verdict_display()
        for v in verdicts_in_force(cycle=cycle, school_id__in=ids).only(
            "pk", "school_id", "verdict", "ranks_at"
        )
    }
    return [
        CycleRow(
            school=school,
            report=reports.get(school.pk),
            recheck=rechecks.get(school.pk),
            verdict=verdicts.get(school.pk),
        )
        for school in schools
    ]


@dataclasses.dataclass(frozen=True)
class PanelPlace:
    name: str
    is_lead: bool


def cycle_recheck_page(cycle, number, per_page: int = 100):
    """A page of the cycle's re-checks, each with its panel as ``panel`` (lead first, then
    by name), in three queries: the panel is read as names, not built as 500 model rows."""
    rechecks = (
        cycle.rechecks.select_related("school")
        .only("pk", "planned_year", "start_date", "end_date", "cycle_id", "school__name")
        .order_by("start_date", "planned_year", "school__name", "pk")
    )
    page = Paginator(rechecks, per_page).get_page(number)
    page.object_list = list(page.object_list)
    panels: dict[int, list[PanelPlace]] = {}
    for recheck_id, is_lead, name in (
        PanelAssignment.objects.filter(recheck_id__in=[r.pk for r in page.object_list])
        .order_by("recheck_id", "-is_lead", "expert__name")
        .values_list("recheck_id", "is_lead", "expert__name")
    ):
        panels.setdefault(recheck_id, []).append(PanelPlace(name, is_lead))
    for recheck in page.object_list:
        recheck.panel = panels.get(recheck.pk, [])
    return page


def assignments_of(user):
    """An expert's assignments across cycles, soonest first."""
    return (
        PanelAssignment.objects.filter(expert__user=user)
        .select_related("recheck__school", "recheck__cycle")
        .order_by("recheck__start_date", "recheck__planned_year")
    )
