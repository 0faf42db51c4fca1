"""The workbenches' stored numbers: a change shows at once, never a stale count.

The province's queue, each school's round and the element results are kept between requests
(zhengai/stampcache.py) under stamps that the rows they are read from move on when saved or
deleted (workbench/signals.py), at once and again at commit.
"""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notices.services.scan import scan
from review.models import ImplementationRules, ReportStatus, SelfDiagnosis
from review.services import panel_assignments
from review.services.rechecks import create_cycle
from schools.models import Expert, ExpertKind, School
from tests.conftest import score_and_publish
from zhengai import stampcache as cache

pytestmark = pytest.mark.django_db


def _items(client) -> dict:
    return {i.label: i.count for i in client.get("/workbench/province/").context["items"]}


def _rules(school, user, year):
    return ImplementationRules.objects.create(
        school=school, year=year, token=f"{school.pk:032d}", original_name="细则.pdf",
        kind="pdf", size=1, sha256="0" * 64, uploaded_by=user, document="rules/x.pdf",
    )  # fmt: skip


def test_province_counts_follow_each_change_at_once(client, province, alice, school_a):
    year = timezone.localdate().year
    client.force_login(province)
    before = _items(client)
    rules, reports = f"{year} 年实施细则未备案", f"{year} 年自我诊断报告未提交"
    assert before[rules] == before[reports] == School.objects.count()
    with CaptureQueriesContext(connection) as stored:
        assert _items(client) == before
    # Served from the store: the session, the person and the live counts only.
    assert len(stored) <= 7

    _rules(school_a, alice, year)
    assert _items(client)[rules] == before[rules] - 1
    report = SelfDiagnosis.objects.create(school=school_a, year=year, system_id=1)
    assert _items(client)[reports] == before[reports]  # a draft is still not submitted
    report.status, report.principal_name = ReportStatus.SUBMITTED, "校长"
    report.signed_on, report.snapshot = timezone.localdate(), {}
    report.save()
    assert _items(client)[reports] == before[reports] - 1
    report.delete()
    assert _items(client)[reports] == before[reports]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared", [True, False], ids=["stamps-in-redis", "stamps-in-files"])
def test_a_count_read_before_the_commit_is_not_served_after_it(
    province, settings, tmp_path, shared
):
    if not shared:  # the embedded default: the stamps are files' times, as the worker sees them
        settings.REDIS_URL, settings.VAR_DIR = None, tmp_path
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert cache.cached("probe", compute) == 1
    assert cache.cached("probe", compute) == 1  # stored
    with transaction.atomic():
        create_cycle(start_year=2029, user=province)  # a watched row: the stamp moves now
        # Read inside the transaction: another process would still see the old rows here.
        assert cache.cached("probe", compute) == 2
        assert cache.cached("probe", compute) == 2
    # The commit moved the stamp on once more: what was read before it is not served.
    assert cache.cached("probe", compute) == 3
    # The other stamp did not move: the element results are kept.
    assert cache.cached("other", compute, stamps=(cache.HEAT,)) == 4
    cache.changed(cache.QUEUES)
    assert cache.cached("other", compute, stamps=(cache.HEAT,)) == 4
    assert cache.cached("probe", compute) == 5


def test_the_school_round_shows_a_filed_rules_at_once(client, alice, school_a):
    year = timezone.localdate().year
    client.force_login(alice)
    missing = f"{year} 年实施细则尚未备案"
    assert missing in client.get("/").content.decode()
    _rules(school_a, alice, year)
    assert missing not in client.get("/").content.decode()


def test_r15_proposals_of_the_deadline_scan_show_at_once(client, province, school_a):
    """The scan writes its proposals in bulk (no signal); it moves the stamp itself."""
    cycle = create_cycle(start_year=2026, user=province)
    label = "未按时开展诊改、拟认定“异常”待确认"
    client.force_login(province)
    assert _items(client)[label] == 0
    scan(today=date(2029, 1, 1))
    assert cycle.r15_proposals.filter(school=school_a).exists()
    assert _items(client)[label] == cycle.r15_proposals.count() >= 1


def test_a_published_verdict_shows_in_the_heatmap_and_the_schools_row_at_once(
    client, province, alice, recheck_a, panel_of_three
):
    client.force_login(province)
    assert client.get("/workbench/heatmap/").context["schools"] == 0
    client.force_login(alice)
    assert "本校还没有已发布的复核结论" in client.get("/").content.decode()

    score_and_publish(recheck_a, panel_of_three, province, matched=13, rating="strong")
    page = client.get("/").content.decode()
    assert "本校还没有已发布的复核结论" not in page and "不相符" in page
    client.force_login(province)
    response = client.get("/workbench/heatmap/")
    assert response.context["schools"] == 1
    assert response.content.decode().count('class="hm-no"') == 2  # 15 − 13 not consistent


def test_an_experts_declaration_moves_their_next_step_at_once(
    client, expert, assigned_expert, recheck_a
):
    """Declaring no conflict is written with ``update`` (no signal): it moves the stamp."""
    client.force_login(expert)
    assert client.get("/").context["rows"][0]["action"] == "声明无利益冲突"
    panel_assignments.certify(assignment=assigned_expert, user=expert, no_conflict=True)
    assert client.get("/").context["rows"][0]["action"] != "声明无利益冲突"


def test_a_proposed_panel_written_in_bulk_fills_the_panel_count_at_once(
    client, province, recheck_a
):
    for kind in ExpertKind:
        for i in range(4):
            Expert.objects.create(name=f"{kind.label}{i}", employer="单位", kind=kind)
    label = "复核专家组未配齐（人数不足或未定组长）"
    client.force_login(province)
    assert _items(client)[label] == 1
    assert panel_assignments.propose_for_cycle(cycle=recheck_a.cycle, user=province) == 5
    assert _items(client)[label] == 0


def test_the_values_kept_in_the_process_are_bounded_and_still_checked(monkeypatch):
    monkeypatch.setattr(cache, "cache_is_shared", lambda: True)  # as with Redis, any backend
    monkeypatch.setattr(cache, "_LOCAL", {})
    monkeypatch.setattr(cache, "_LOCAL_SIZE", 3)
    for n in range(5):
        assert cache.cached(f"bounded:{n}", lambda n=n: n) == n
    assert len(cache._LOCAL) == 3  # the oldest went
    assert cache.cached("bounded:0", lambda: "again") == 0  # still stored in the cache
    cache.changed(cache.QUEUES)
    assert cache.cached("bounded:4", lambda: "moved") == "moved"  # kept, but its stamp moved


def test_state_data_warnings_show_in_the_staff_and_committee_queues_at_once(
    client, province, committee, alice, school_a
):
    """R24/R25 in the workbench: a recompute that puts a school on a warning (written in bulk,
    announced by its event) shows in the stored queue at once, linked to the filtered list."""
    from statedata.services.compute import recompute
    from statedata.services.imports import store_figures
    from tests.statedata.helpers import GOOD_FIGURES

    client.force_login(province)
    assert not [label for label in _items(client) if "办学条件" in label]  # no data: nothing
    for year, books in ((2023, 700000), (2024, 680000), (2025, 400000)):
        store_figures(
            school=school_a, year=year, figures=GOOD_FIGURES | {"books_total": books},
            tables={}, user=alice, recompute=False,
        )  # fmt: skip
    recompute(school_ids=[school_a.pk], notify=False)
    for user in (province, committee):
        client.force_login(user)
        items = client.get("/workbench/province/").context["items"]
        found = {i.label: i for i in items if "办学条件" in i.label or "变差" in i.label}
        assert found["办学条件：2025 年办学条件预警的学校"].count == 1
        trend = found["办学条件：2025 年有指标连续三年变差的学校"]
        assert trend.count == 1 and trend.url.endswith("?year=2025&show=trend")
