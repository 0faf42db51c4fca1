"""The factual check's pages (R28): who may open each, the confirmation steps, bad input.

The school reads the draft without expert names and writes its points; the lead answers;
staff accept. Every other role gets 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import (
    Consolidation,
    ConsolidationState,
    FactualCheck,
    FactualPoint,
    VerdictRecord,
)
from review.services import factual_check, publication
from tests.conftest import names_rule
from tests.review.test_factual_check_service import a_point, draft_ready
from tests.review.test_staff_review import consolidated

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def test_r28_staff_accept_on_a_confirmation_page_and_the_school_is_told(
    client, alice, province, recheck_a, panel_of_three
):
    consolidated(recheck_a, panel_of_three)
    html = _as(client, province).get(f"/rechecks/{recheck_a.pk}/review/").content.decode()
    assert "审核通过，交学校核对草稿…" in html
    url = reverse("review:factual_open", kwargs={"pk": recheck_a.pk})
    page = client.get(url).content.decode()
    assert "审核通过，交学校核对结论草稿" in page and "不显示专家姓名" in page
    assert not FactualCheck.objects.exists()  # the summary changes nothing
    client.post(url, {"confirm": "yes"})
    client.post(url, {"confirm": "yes"})  # a double post acts once
    assert FactualCheck.objects.count() == 1
    assert alice.notices.filter(kind="factual_check_opened").count() == 1
    html = client.get(f"/rechecks/{recheck_a.pk}/review/").content.decode()
    assert "学校核对结论草稿" in html and "尚未提交意见" in html
    assert "核对结论草稿的期限" in html  # publishing waits


@pytest.mark.parametrize("who", ["alice", "bob", "expert", "committee"])
def test_only_staff_accept(client, everyone, recheck_a, panel_of_three, who):
    consolidated(recheck_a, panel_of_three)
    url = reverse("review:factual_open", kwargs={"pk": recheck_a.pk})
    assert _as(client, everyone[who]).post(url, {"confirm": "yes"}).status_code == 404
    assert not FactualCheck.objects.exists()


def test_r28_the_school_reads_the_draft_without_expert_names(
    client, alice, province, recheck_a, panel_of_three
):
    draft_ready(recheck_a, panel_of_three, province)
    response = _as(client, alice).get(f"/rechecks/{recheck_a.pk}/draft/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "合议：缺少制度文件" in html and "相符 14 项" in html
    assert "专家组评价理由" in html  # the rating's reason
    for name in ("合议专家0", "合议专家1", "合议专家2", "专家1的评价理由", "缺依据"):
        assert name not in html  # no expert's name, no expert's own finding
    assert not names_rule(html, "R28") and not names_rule(html, "R14")


@pytest.mark.parametrize("who", ["bob", "expert"])
def test_the_draft_is_404_for_others(client, everyone, province, recheck_a, panel_of_three, who):
    draft_ready(recheck_a, panel_of_three, province)
    url = f"/rechecks/{recheck_a.pk}/draft/"
    assert _as(client, everyone[who]).get(url).status_code == 404
    data = {"element": "1.1", "statement": "x", "evidence_kind": "fact", "evidence": "y"}
    assert client.post(url, data).status_code == 404
    assert not FactualPoint.objects.exists()


def test_staff_and_committee_read_the_draft_but_cannot_write(
    client, committee, province, recheck_a, panel_of_three
):
    draft_ready(recheck_a, panel_of_three, province)
    url = f"/rechecks/{recheck_a.pk}/draft/"
    data = {"element": "1.1", "statement": "x", "evidence_kind": "fact", "evidence": "y"}
    for user in (committee, province):
        assert _as(client, user).get(url).status_code == 200
        assert client.post(url, data).status_code == 404
    assert not FactualPoint.objects.exists()


def test_r28_a_point_on_a_made_up_element_is_refused_next_to_the_field(
    client, alice, province, recheck_a, panel_of_three
):
    draft_ready(recheck_a, panel_of_three, province)
    url = f"/rechecks/{recheck_a.pk}/draft/"
    data = {"element": "6.1", "statement": "有误", "evidence_kind": "fact", "evidence": "文件"}
    response = _as(client, alice).post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "本次复核没有诊断要素“6.1”" in html and 'id="err-element"' in html
    assert "有误" in html  # what was typed is shown back
    assert not FactualPoint.objects.exists()


def test_r28_the_school_submits_its_points_on_a_confirmation_page(
    client, alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    lead = panel_of_three[0]
    url = f"/rechecks/{recheck_a.pk}/draft/"
    data = {
        "element": "1.1",
        "statement": "章程已于 2025 年印发",
        "evidence_kind": "figure",
        "evidence": "2025 年 3 月，校发〔2025〕3 号",
    }
    assert _as(client, alice).post(url, data).status_code == 302
    submit = f"/rechecks/{recheck_a.pk}/draft/submit/"
    page = client.get(submit).content.decode()
    assert "确认提交 1 条事实核对意见" in page and "章程已于 2025 年印发" in page
    assert not FactualPoint.objects.filter(submitted_at__isnull=False).exists()
    client.post(submit, {"confirm": "yes"})
    check.refresh_from_db()
    assert check.finished_at and not check.no_points
    assert lead.notices.filter(kind="factual_points_submitted").count() == 1
    # A second submission is refused on its summary page: no button.
    assert 'name="confirm"' not in client.get(submit).content.decode()


@pytest.mark.parametrize("who", ["bob", "expert", "committee", "province"])
def test_submitting_and_declaring_are_404_for_others(
    client, everyone, province, recheck_a, panel_of_three, who
):
    check = draft_ready(recheck_a, panel_of_three, province)
    _as(client, everyone[who])
    for step in ("submit", "none"):
        url = f"/rechecks/{recheck_a.pk}/draft/{step}/"
        assert client.post(url, {"confirm": "yes"}).status_code == 404
    check.refresh_from_db()
    assert check.finished_at is None


def test_r28_the_lead_answers_on_a_confirmation_page(
    client, alice, province, recheck_a, panel_of_three
):
    lead = panel_of_three[0]
    check = draft_ready(recheck_a, panel_of_three, province)
    point = a_point(check, alice)
    factual_check.submit_points(check=check, user=alice)
    url = f"/rechecks/{recheck_a.pk}/draft/answers/"
    html = _as(client, lead).get(url).content.decode()
    assert "草稿称学校没有质量保证委员会章程" in html and "待答复" in html
    # Changed without the new finding: refused next to the field, nothing saved.
    bad = {f"p{point.pk}-changed": "yes", f"p{point.pk}-answer": "核实后修改"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "请给出修改后的评议" in response.content.decode()
    good = bad | {f"p{point.pk}-consistent": "yes"}
    page = client.post(url, good).content.decode()
    assert "确认答复事实核对意见" in page and "修改评议为" in page
    point.refresh_from_db()
    assert point.answered_at is None  # the summary changes nothing
    client.post(url, good | {"confirm": "yes"})
    point.refresh_from_db()
    assert point.changed is True and point.answer == "核实后修改"
    assert province.notices.filter(kind="factual_points_answered").count() == 1
    recheck_a.consolidation.refresh_from_db()
    assert recheck_a.consolidation.state == ConsolidationState.ACCEPTED
    # The school reads the answer.
    html = _as(client, alice).get(f"/rechecks/{recheck_a.pk}/draft/").content.decode()
    assert "核实后修改" in html and "已修改评议" in html


@pytest.mark.parametrize("who", ["alice", "bob", "expert", "committee", "province"])
def test_the_answers_page_is_404_for_all_but_the_lead(
    client, everyone, province, recheck_a, panel_of_three, who
):
    draft_ready(recheck_a, panel_of_three, province)
    url = f"/rechecks/{recheck_a.pk}/draft/answers/"
    assert _as(client, everyone[who]).get(url).status_code == 404
    for member in panel_of_three[1:]:
        assert _as(client, member).get(url).status_code == 404


def test_r28_the_steps_appear_in_the_schools_story(
    client, alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    point = a_point(check, alice)
    factual_check.submit_points(check=check, user=alice)
    factual_check.answer_points(
        check=check,
        user=panel_of_three[0],
        answers={point.pk: {"changed": False, "answer": "制度印发晚于复核，不改"}},
    )
    html = _as(client, alice).get(f"/schools/{recheck_a.school_id}/").content.decode()
    assert "结论草稿交学校核对事实" in html and "学校提交事实核对意见" in html
    assert "组长答复 1.1 的事实核对意见：未修改评议（制度印发晚于复核，不改）" in html


def test_r28_publishing_is_refused_until_the_draft_went_to_the_school(
    client, province, recheck_a, panel_of_three
):
    """Every verdict from a re-check passes the school's check of the draft: the staff review
    offers only sending it, and the publish step refuses."""
    consolidated(recheck_a, panel_of_three)
    review = _as(client, province).get(f"/rechecks/{recheck_a.pk}/review/").content.decode()
    assert "交学校核对草稿" in review and f"/rechecks/{recheck_a.pk}/publish/" not in review
    page = client.get(f"/rechecks/{recheck_a.pk}/publish/").content.decode()
    assert "结论草稿还没有交学校核对事实" in page and 'name="confirm"' not in page
    client.post(f"/rechecks/{recheck_a.pk}/publish/", {"confirm": "yes"})
    assert not VerdictRecord.objects.exists()
    assert Consolidation.objects.get(recheck=recheck_a).state == ConsolidationState.SUBMITTED


def test_r28_the_verdict_page_links_the_checks_record(
    client, alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    factual_check.declare_no_points(check=check, user=alice)
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    html = _as(client, alice).get(f"/verdicts/{record.pk}/").content.decode()
    assert "查看事实核对意见和组长的答复" in html
    draft = client.get(f"/rechecks/{recheck_a.pk}/draft/").content.decode()
    assert "结论已发布，以下为发布前学校核对结论草稿的记录" in draft
    assert "学校声明没有事实错误" in draft


def test_the_draft_lands_in_the_rechecks_section(client, province, recheck_a, panel_of_three):
    draft_ready(recheck_a, panel_of_three, province)
    html = _as(client, province).get(f"/rechecks/{recheck_a.pk}/draft/").content.decode()
    nav = html.split('class="wrap site-nav"')[1].split("</nav>")[0]
    assert 'aria-current="page">周期与复核<' in nav
