"""Workbenches and the heatmap read a number of queries that does not grow with the data."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import Element, IndicatorSystem
from review.models import (
    ConsolidatedFinding,
    Consolidation,
    PanelAssignment,
    Recheck,
    Rectification,
    SelfDiagnosis,
    VerdictRecord,
)
from schools.models import City, Expert, School

pytestmark = pytest.mark.django_db


def build(n: int, *, cycle, staff, expert: Expert, tag: str) -> None:
    """``n`` more schools, each with a draft report and a concluded re-check (and the expert)."""
    system = IndicatorSystem.objects.get(in_force=True)
    elements = list(Element.objects.filter(project__system=system))
    now = timezone.now()
    schools = School.objects.bulk_create(
        School(name=f"查询{tag}职业技术学院{i:03d}", city=City.values[i % len(City.values)])
        for i in range(n)
    )
    SelfDiagnosis.objects.bulk_create(
        SelfDiagnosis(school=s, year=timezone.localdate().year, system=system) for s in schools
    )
    rechecks = Recheck.objects.bulk_create(
        Recheck(cycle=cycle, school=s, planned_year=2026, materials_published_at=now,
                start_date=date(2026, 5, 1) + timedelta(i),
                end_date=date(2026, 5, 3) + timedelta(i))
        for i, s in enumerate(schools)
    )  # fmt: skip
    PanelAssignment.objects.bulk_create(
        PanelAssignment(recheck=r, expert=expert, certified_at=now) for r in rechecks
    )
    consolidations = Consolidation.objects.bulk_create(
        Consolidation(recheck=r, submitted_at=now, measures_rating="strong") for r in rechecks
    )
    ConsolidatedFinding.objects.bulk_create(
        ConsolidatedFinding(consolidation=c, element=e, consistent=(i + j) % 4 != 0)
        for i, c in enumerate(consolidations)
        for j, e in enumerate(elements)
    )
    verdicts = VerdictRecord.objects.bulk_create(
        VerdictRecord(school=r.school, cycle=cycle, recheck=r, verdict="needs_improvement",
                      matched=11, measures_rating="strong", published_at=now, ranks_at=now,
                      published_by=staff)
        for r in rechecks
    )  # fmt: skip
    Rectification.objects.bulk_create(
        Rectification(verdict=v, due=timezone.localdate() + timedelta(days=10)) for v in verdicts
    )


def _queries(client, url: str) -> int:
    client.get(url)  # warm caches (content types, sessions)
    cache.clear()  # the heatmap's numbers are cached: count the queries that compute them
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "who, url",
    [
        ("province", "/workbench/province/"),
        ("committee", "/"),
        ("province", "/workbench/heatmap/"),
        ("alice", "/workbench/school/"),
        ("alice", "/workbench/heatmap/"),
        ("expert", "/workbench/expert/"),
        ("province", "/workbench/reminders/?step=rectification"),
    ],
)
def test_query_count_does_not_grow_with_schools_and_rechecks(
    client, everyone, cycle_2026, who, url, django_assert_max_num_queries
):
    expert = everyone["expert"].expert
    client.force_login(everyone[who])
    build(2, cycle=cycle_2026, staff=everyone["province"], expert=expert, tag="甲")
    small = _queries(client, url)
    build(25, cycle=cycle_2026, staff=everyone["province"], expert=expert, tag="乙")
    cache.clear()
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_heatmap_counts_and_order(client, everyone, cycle_2026):
    """Rows: elements failing most often on top; a school sees only its own row."""
    build(4, cycle=cycle_2026, staff=everyone["province"], expert=everyone["expert"].expert,
          tag="丙")  # fmt: skip
    client.force_login(everyone["province"])
    response = client.get("/workbench/heatmap/")
    rows = response.context["rows"]
    failures = [row.failures for row in rows]
    assert failures == sorted(failures, reverse=True) and sum(failures) == 15  # 4×15 / 4
    assert len(rows) == 15 and response.context["schools"] == 4
    page = response.content.decode()
    assert page.count('<rect class="hm-') == 60 and page.count('class="hm-no"') == 15
    # A school (alice's school has no re-check here) sees no other school's name.
    client.force_login(everyone["alice"])
    page = client.get("/workbench/heatmap/").content.decode()
    assert "查询丙职业技术学院" not in page and "全省相符比例" in page


def test_follow_up_counts_and_the_verdict_list_filters(client, everyone, cycle_2026):
    """Rectifications due within 30 days (R11), improvement periods ending within 60 (R16)."""
    build(3, cycle=cycle_2026, staff=everyone["province"], expert=everyone["expert"].expert,
          tag="丁")  # fmt: skip
    old = VerdictRecord.objects.filter(school__name__startswith="查询丁").first()
    VerdictRecord.objects.filter(pk=old.pk).update(
        published_at=timezone.now() - timedelta(days=330)
    )
    client.force_login(everyone["province"])
    items = {i.label: i for i in client.get("/workbench/province/").context["items"]}
    rectification = items["整改到期或已逾期（30 天内到期）"]
    improvement = items["改进期 60 天内期满、尚未申请重新复核"]
    assert (rectification.count, improvement.count) == (3, 1)
    rows = client.get(rectification.url).context["rows"]
    assert len(rows) == 3 and all(r.school.name.startswith("查询丁") for r in rows)
    assert [r.school.pk for r in client.get(improvement.url).context["rows"]] == [old.school_id]
