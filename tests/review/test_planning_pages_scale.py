"""The cycle overview and the re-check list at any scale: a fixed number of queries, and only
a page of rows built (issue 16: they grew with the province's 1,500 schools)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import IndicatorSystem
from review.models import PanelAssignment, Recheck, ReportStatus, SelfDiagnosis
from schools.models import City, Expert, ExpertKind, School
from zhengai import stampcache

pytestmark = pytest.mark.django_db


def _grow(cycle, province, schools: int, picked: int):
    """Add schools (each with a report), pick some for the cycle, each with a panel of three."""
    start = School.objects.count()
    School.objects.bulk_create(
        School(name=f"规模测试学院{start + i:04d}", city=City.values[i % len(City.values)])
        for i in range(schools)
    )
    system = IndicatorSystem.objects.get(in_force=True)
    new = list(
        School.objects.filter(name__startswith="规模测试学院").exclude(rechecks__cycle=cycle)
    )
    SelfDiagnosis.objects.bulk_create(
        SelfDiagnosis(school=s, year=2026, system=system, status=ReportStatus.DRAFT)
        for s in new
        if not SelfDiagnosis.objects.filter(school=s).exists()
    )
    experts = Expert.objects.bulk_create(
        Expert(name=f"规模专家{start + i}", employer="单位", kind=ExpertKind.EDUCATION_RESEARCH)
        for i in range(3)
    )
    rechecks = Recheck.objects.bulk_create(
        Recheck(
            cycle=cycle, school=s, planned_year=2026,
            start_date=date(2026, 3, 1) + timedelta(days=2 * i),
            end_date=date(2026, 3, 2) + timedelta(days=2 * i),
        )
        for i, s in enumerate(new[:picked])
    )  # fmt: skip
    PanelAssignment.objects.bulk_create(
        PanelAssignment(
            recheck=r, expert=e, is_lead=j == 0, assigned_by=province, certified_at=timezone.now()
        )
        for r in rechecks
        for j, e in enumerate(experts)
    )


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("page", ["", "rechecks/"])
def test_planning_pages_read_a_fixed_number_of_queries_however_many_schools(
    client, province, cycle_2026, page
):
    client.force_login(province)
    client.get("/notices/")  # who the person is, read once and kept (schools/permissions.py)
    url = f"/cycles/{cycle_2026.pk}/{page}"
    # _grow writes in bulk (no model signal, as no service writes these rows): the stamp the
    # stored page depends on is moved by hand, so each count is of a page read afresh.
    _grow(cycle_2026, province, schools=5, picked=3)
    stampcache.bump(stampcache.QUEUES)
    small, _ = _count(client, url)
    _grow(cycle_2026, province, schools=150, picked=120)
    stampcache.bump(stampcache.QUEUES)
    large, html = _count(client, url)
    assert large == small, url
    assert "第 1 / 2 页" in html  # a page of 100, with the way to the next


def test_the_overview_filters_by_report_state_and_recheck_in_the_database(
    client, province, cycle_2026
):
    client.force_login(province)
    _grow(cycle_2026, province, schools=6, picked=2)
    _, html = _count(client, f"/cycles/{cycle_2026.pk}/?recheck=yes")
    assert "共 2 所" in html
    _, html = _count(client, f"/cycles/{cycle_2026.pk}/?report=draft&q=规模测试学院")
    assert "共 6 所" in html
    _, html = _count(client, f"/cycles/{cycle_2026.pk}/?report=submitted&q=规模测试学院")
    assert "共 0 所" in html
    _, html = _count(client, f"/cycles/{cycle_2026.pk}/?recheck=no&q=规模测试学院")
    assert "共 4 所" in html


def test_the_recheck_list_second_page_shows_the_rest_with_their_panels(
    client, province, cycle_2026
):
    client.force_login(province)
    _grow(cycle_2026, province, schools=105, picked=105)
    _, html = _count(client, f"/cycles/{cycle_2026.pk}/rechecks/?page=2")
    assert "第 2 / 2 页（共 105 所）" in html
    assert html.count("（组长）") == 5
