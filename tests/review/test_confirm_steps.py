"""Nothing public or final happens by one click: each step shows a summary, then acts once.

For every step: GET shows the summary (what happens, who sees it, irreversible), a POST
without the confirmation does nothing, the confirmed POST acts, and a second one does not act
again. Roles that may not take the step get 404.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import (
    Consolidation,
    ConsolidationState,
    Material,
    MaterialKind,
    PanelAssignment,
    ReportStatus,
    VerdictRecord,
)
from review.services import materials, scoring
from review.services import self_diagnosis as sd_service
from review.services.scoring import FindingInput
from tests.conftest import ELEMENT_CODES, names_rule, panel_members, school_checks_the_draft
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _upload_all(recheck, user):
    for kind in MaterialKind:
        materials.upload_material(
            recheck=recheck,
            kind=kind,
            upload=SimpleUploadedFile(f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}")),
            user=user,
        )


def _assert_summary(response, *words):
    assert response.status_code == 200
    html = _text(response)
    assert 'name="confirm" value="yes"' in html
    for word in ("将会发生什么", *words):
        assert word in html
    return html


# --- 公示 and 报送 ----------------------------------------------------------------------------


def test_publishing_materials_is_confirmed_and_acts_once(client, alice, recheck_a):
    _upload_all(recheck_a, alice)
    url = f"/rechecks/{recheck_a.pk}/materials/publish/"
    html = _assert_summary(_as(client, alice).get(url + "?action=publish"), "谁能看到", "社会公众")
    assert "此操作不可撤销" in html
    client.post(url, {"action": "publish"})
    recheck_a.refresh_from_db()
    assert recheck_a.materials_published_at is None
    assert not Material.objects.filter(disclosed_at__isnull=False).exists()
    client.post(url, {"action": "publish", "confirm": "yes"})
    recheck_a.refresh_from_db()
    first = recheck_a.materials_published_at
    assert first is not None
    response = client.post(url, {"action": "publish", "confirm": "yes"})
    assert response.status_code == 400
    assert "材料已经公示" in _text(response)
    recheck_a.refresh_from_db()
    assert recheck_a.materials_published_at == first


def test_marking_materials_submitted_is_confirmed_and_acts_once(client, alice, recheck_a):
    _upload_all(recheck_a, alice)
    url = f"/rechecks/{recheck_a.pk}/materials/publish/"
    _assert_summary(_as(client, alice).get(url + "?action=submit"), "评估研究中心")
    client.post(url, {"action": "submit"})
    recheck_a.refresh_from_db()
    assert recheck_a.materials_submitted_at is None
    client.post(url, {"action": "submit", "confirm": "yes"})
    recheck_a.refresh_from_db()
    first = recheck_a.materials_submitted_at
    assert first is not None
    client.post(url, {"action": "submit", "confirm": "yes"})
    recheck_a.refresh_from_db()
    assert recheck_a.materials_submitted_at == first


def test_publish_summary_lists_what_is_missing_and_offers_no_button(client, alice, recheck_a):
    response = _as(client, alice).get(f"/rechecks/{recheck_a.pk}/materials/publish/")
    html = _text(response)
    assert "现在还不能执行" in html and "公示前还缺以下材料" in html
    assert 'name="confirm"' not in html


@pytest.mark.parametrize("who", ["bob", "province", "committee", "expert"])
def test_only_the_school_publishes_its_materials(client, everyone, alice, recheck_a, who):
    _upload_all(recheck_a, alice)
    url = f"/rechecks/{recheck_a.pk}/materials/publish/"
    assert _as(client, everyone[who]).get(url).status_code == 404
    response = client.post(url, {"action": "publish", "confirm": "yes"})
    assert response.status_code == 404
    recheck_a.refresh_from_db()
    assert recheck_a.materials_published_at is None


# --- Submitting the report ------------------------------------------------------------------


def _ready_report(report, user):
    sd_service.save_panel(self_diagnosis=report, user=user, members=panel_members())
    entries = {
        code: sd_service.TextEdit(
            values={"opinion": "意见", "measures": "措施", "effects": "尚未实施，暂无成效。"},
            revision=0,
        )
        for code in ELEMENT_CODES
    }
    sd_service.save_draft(
        self_diagnosis=report,
        user=user,
        overview=sd_service.TextEdit(values={"overview": "概述"}, revision=0),
        entries=entries,
    )


def test_submitting_the_report_is_confirmed_and_acts_once(client, alice, report_a):
    _ready_report(report_a, alice)
    url = f"/self-diagnosis/{report_a.pk}/submit/"
    data = {"principal_name": "校长甲", "signed_on": "2026-03-01"}
    html = _assert_summary(_as(client, alice).post(url, data), "校长甲", "此操作不可撤销")
    assert 'name="signed_on" value="2026-03-01"' in html
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.DRAFT
    client.post(url, data | {"confirm": "yes"})
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.SUBMITTED
    submitted_at = report_a.submitted_at
    response = client.post(url, data | {"confirm": "yes"})
    assert response.status_code == 400
    report_a.refresh_from_db()
    assert report_a.submitted_at == submitted_at


def test_report_with_problems_is_not_summarised_but_shows_them(client, alice, report_a):
    response = _as(client, alice).post(
        f"/self-diagnosis/{report_a.pk}/submit/",
        {"principal_name": "校长甲", "signed_on": "2026-03-01"},
    )
    assert response.status_code == 400
    assert "将会发生什么" not in _text(response)


@pytest.mark.parametrize("who", ["bob", "province", "committee", "expert"])
def test_only_the_school_submits_its_report(client, everyone, alice, report_a, who):
    _ready_report(report_a, alice)
    response = _as(client, everyone[who]).post(
        f"/self-diagnosis/{report_a.pk}/submit/",
        {"principal_name": "校长甲", "signed_on": "2026-03-01", "confirm": "yes"},
    )
    assert response.status_code == 404
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.DRAFT


# --- Closing the sample ---------------------------------------------------------------------


def test_closing_the_sample_is_confirmed_and_acts_once(client, province, cycle_2026):
    from review.services import rechecks as service
    from review.services.deadlines import minimum_sample
    from schools.models import School

    eligible = [
        s.pk for s in School.objects.all() if service.selection_refusal(cycle_2026, s) is None
    ]
    picks = eligible[: minimum_sample(service.total_for_sample())]
    response = _as(client, province).post(
        f"/cycles/{cycle_2026.pk}/selection/", {"action": "close", "school": picks}
    )
    assert response.url == f"/cycles/{cycle_2026.pk}/selection/close/"
    cycle_2026.refresh_from_db()
    assert cycle_2026.rechecks.count() == len(picks)
    assert cycle_2026.selection_closed_at is None
    url = f"/cycles/{cycle_2026.pk}/selection/close/"
    _assert_summary(client.get(url), f"{len(picks)} 所", "不能再修改")
    client.post(url)
    cycle_2026.refresh_from_db()
    assert cycle_2026.selection_closed_at is None
    client.post(url, {"confirm": "yes"})
    cycle_2026.refresh_from_db()
    closed = cycle_2026.selection_closed_at
    assert closed is not None
    client.post(url, {"confirm": "yes"})
    cycle_2026.refresh_from_db()
    assert cycle_2026.selection_closed_at == closed


@pytest.mark.parametrize("who", ["alice", "committee", "expert"])
def test_only_province_closes_the_sample(client, everyone, cycle_2026, who):
    url = f"/cycles/{cycle_2026.pk}/selection/close/"
    assert _as(client, everyone[who]).get(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404


# --- Submitting findings and the consolidation ----------------------------------------------


def _all_findings(consistent=True):
    data = {}
    for code in ELEMENT_CODES:
        data[f"f{code}-consistent"] = "yes" if consistent else "no"
        data[f"f{code}-reason"] = "" if consistent else "与材料不符"
    return data | {"measures_rating": "strong", "measures_reason": "理由"}


def test_submitting_findings_is_confirmed_and_acts_once(client, recheck_a, panel_of_three):
    expert = panel_of_three[1]
    url = f"/rechecks/{recheck_a.pk}/score/"
    html = _assert_summary(
        _as(client, expert).post(url, _all_findings() | {"action": "submit"}), "此操作不可撤销"
    )
    assert "学校看不到专家个人的评议" in html
    assignment = PanelAssignment.objects.get(recheck=recheck_a, expert__user=expert)
    assert assignment.findings_submitted_at is None
    assert assignment.findings.count() == 15  # the typed findings are kept as a draft
    client.post(url, {"action": "submit", "confirm": "yes"})
    assignment.refresh_from_db()
    first = assignment.findings_submitted_at
    assert first is not None
    client.post(url, {"action": "submit", "confirm": "yes"})
    assignment.refresh_from_db()
    assert assignment.findings_submitted_at == first


def test_after_submitting_the_expert_sees_a_read_only_record_and_next_step(
    client, recheck_a, panel_of_three
):
    expert = panel_of_three[1]
    url = f"/rechecks/{recheck_a.pk}/score/"
    _as(client, expert).post(url, _all_findings(consistent=False) | {"action": "submit"})
    client.post(url, {"action": "submit", "confirm": "yes"})
    html = _text(client.get(url))
    assert "我的评议" in html and "下一步" in html
    assert "与材料不符" in html and "判定为不相符" in html
    assert "<textarea" not in html and 'type="radio"' not in html
    assert "还有 2 位专家未提交评议" in html


def _everyone_scores(recheck, experts):
    findings = {code: FindingInput(True, "") for code in ELEMENT_CODES}
    for user in experts:
        scoring.save_findings(
            assignment=recheck.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason="理由",
            submit=True,
        )


def test_submitting_the_consolidation_is_confirmed_and_acts_once(client, recheck_a, panel_of_three):
    _everyone_scores(recheck_a, panel_of_three)
    url = f"/rechecks/{recheck_a.pk}/consolidate/"
    data = _all_findings() | {"report": "复核报告", "action": "submit"}
    _assert_summary(_as(client, panel_of_three[0]).post(url, data), "省级管理人员审核")
    consolidation = Consolidation.objects.get(recheck=recheck_a)
    assert consolidation.state == ConsolidationState.DRAFT
    assert consolidation.submitted_at is None
    client.post(url, {"action": "submit", "confirm": "yes"})
    consolidation.refresh_from_db()
    assert consolidation.state == ConsolidationState.SUBMITTED
    first = consolidation.submitted_at
    client.post(url, {"action": "submit", "confirm": "yes"})
    consolidation.refresh_from_db()
    assert consolidation.submitted_at == first


def test_r12_consolidation_needs_a_reason_only_where_not_consistent(
    client, recheck_a, panel_of_three
):
    """R12: a consistent element needs no reason; an inconsistent one does, next to its field."""
    _everyone_scores(recheck_a, panel_of_three)
    data = _all_findings() | {"report": "复核报告", "action": "submit"}
    data |= {"f1.1-consistent": "no", "f1.1-reason": ""}
    response = _as(client, panel_of_three[0]).post(f"/rechecks/{recheck_a.pk}/consolidate/", data)
    assert response.status_code == 400
    html = _text(response)
    assert "1.1：判定为不相符时须写明理由。" in html
    assert html.count('role="alert">') <= 3  # that one field (and the summary), not 15
    assert "1.2：请写明合议理由" not in html
    data["f1.1-reason"] = "材料显示尚未建立"
    _assert_summary(client.post(f"/rechecks/{recheck_a.pk}/consolidate/", data), "提交合议结果")


# --- Withdrawing a published file -----------------------------------------------------------


def test_withdrawing_a_file_is_confirmed_and_acts_once(client, alice, province, recheck_a):
    _upload_all(recheck_a, alice)
    materials.publish_materials(recheck=recheck_a, user=alice)
    material = recheck_a.materials.first()
    url = f"/rechecks/{recheck_a.pk}/materials/{material.pk}/withdraw/"
    html = _assert_summary(
        _as(client, province).post(url, {"reason": "更换为盖章版"}), "更换为盖章版", "社会公众"
    )
    assert "此操作不可撤销" in html
    material.refresh_from_db()
    assert material.withdrawn_at is None
    assert "请填写撤下原因" in _text(client.get(url))
    client.post(url, {"reason": "更换为盖章版", "confirm": "yes"})
    material.refresh_from_db()
    first = material.withdrawn_at
    assert first is not None and material.withdrawn_reason == "更换为盖章版"
    client.post(url, {"reason": "再撤一次", "confirm": "yes"})
    material.refresh_from_db()
    assert (material.withdrawn_at, material.withdrawn_reason) == (first, "更换为盖章版")


def test_confirmation_pages_name_no_rule_ids(client, alice, recheck_a):
    html = _text(_as(client, alice).get(f"/rechecks/{recheck_a.pk}/materials/publish/"))
    assert not names_rule(html, "R10") and not names_rule(html, "R9")


def test_publishing_the_verdict_is_confirmed_and_acts_once(
    client, province, recheck_a, panel_of_three
):
    from tests.review.test_staff_review import consolidated

    consolidated(recheck_a, panel_of_three)
    school_checks_the_draft(recheck_a, province)
    url = f"/rechecks/{recheck_a.pk}/publish/"
    html = _assert_summary(_as(client, province).get(url), "学校", "社会公众", "此操作不可撤销")
    assert "有效" in html
    client.post(url)
    assert not VerdictRecord.objects.exists()
    client.post(url, {"confirm": "yes"})
    assert VerdictRecord.objects.count() == 1
    client.post(url, {"confirm": "yes"})
    assert VerdictRecord.objects.count() == 1
    assert Consolidation.objects.get(recheck=recheck_a).state == ConsolidationState.PUBLISHED
