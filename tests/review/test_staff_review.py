"""Staff review before publication: read the consolidation whole, publish or return it.

The consolidation's states (submitted → returned / accepted → published) leave room for a
later step between acceptance and publication.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from review import events
from review.models import Consolidation, ConsolidationReturn, ConsolidationState, VerdictRecord
from review.services import publication, scoring, staff_review
from review.services.scoring import FindingInput
from tests.conftest import ELEMENT_CODES, names_rule, school_checks_the_draft

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def consolidated(recheck, experts, *, inconsistent=("1.1",)):
    """Every expert scores (one differs on 1.1), the lead submits the consolidation."""
    for n, user in enumerate(experts):
        findings = {
            code: FindingInput(
                not (code in inconsistent and n != 1), "" if code not in inconsistent else "缺依据"
            )
            for code in ELEMENT_CODES
        }
        scoring.save_findings(
            assignment=recheck.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason=f"专家{n}的评价理由",
            submit=True,
        )
    panel = {
        code: FindingInput(
            code not in inconsistent, "合议：缺少制度文件" if code in inconsistent else ""
        )
        for code in ELEMENT_CODES
    }
    return scoring.save_consolidation(
        recheck=recheck,
        user=experts[0],
        findings=panel,
        measures_rating="strong",
        measures_reason="专家组评价理由",
        report="复核报告正文",
        submit=True,
    )


def test_staff_read_each_finding_beside_the_panels(client, province, recheck_a, panel_of_three):
    consolidated(recheck_a, panel_of_three)
    response = _as(client, province).get(f"/rechecks/{recheck_a.pk}/review/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("合议专家0", "合议专家1", "合议专家2", "专家组合议"):
        assert name in html
    assert "合议：缺少制度文件" in html and "专家意见不一致" in html
    assert "专家1的评价理由" in html and "专家组评价理由" in html
    assert "复核报告正文" in html
    # The rule in words, without rule ids.
    assert "相符 14 项" in html and "有效" in html
    assert not names_rule(html, "R14") and not names_rule(html, "R12")
    assert "退回组长修改" in html


def test_staff_opening_the_consolidation_url_reach_the_review(
    client, province, recheck_a, panel_of_three
):
    """Staff used to get a debug 404 on /consolidate/; now they land on the review page."""
    consolidated(recheck_a, panel_of_three)
    response = _as(client, province).get(f"/rechecks/{recheck_a.pk}/consolidate/")
    assert response.status_code == 302
    assert response.url == f"/rechecks/{recheck_a.pk}/review/"


def test_committee_reads_the_review_but_cannot_act(client, committee, recheck_a, panel_of_three):
    consolidated(recheck_a, panel_of_three)
    html = _as(client, committee).get(f"/rechecks/{recheck_a.pk}/review/").content.decode()
    assert "专家组合议" in html and "退回组长修改的原因" not in html
    url = f"/rechecks/{recheck_a.pk}/review/return/"
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.post(f"/rechecks/{recheck_a.pk}/publish/", {"confirm": "yes"}).status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "expert"])
def test_review_is_404_for_others(client, everyone, recheck_a, panel_of_three, who):
    consolidated(recheck_a, panel_of_three)
    assert _as(client, everyone[who]).get(f"/rechecks/{recheck_a.pk}/review/").status_code == 404
    assert (
        client.post(f"/rechecks/{recheck_a.pk}/review/return/", {"reason": "x"}).status_code == 404
    )
    assert Consolidation.objects.get(recheck=recheck_a).state == ConsolidationState.SUBMITTED


def test_panel_members_get_404_on_the_staff_review(client, recheck_a, panel_of_three):
    consolidated(recheck_a, panel_of_three)
    for user in panel_of_three:
        assert _as(client, user).get(f"/rechecks/{recheck_a.pk}/review/").status_code == 404


def test_return_needs_a_reason(client, province, recheck_a, panel_of_three):
    consolidated(recheck_a, panel_of_three)
    response = _as(client, province).post(
        f"/rechecks/{recheck_a.pk}/review/return/", {"reason": "  "}
    )
    assert response.status_code == 400
    assert "请写明退回原因" in response.content.decode()
    assert not ConsolidationReturn.objects.exists()
    assert Consolidation.objects.get(recheck=recheck_a).state == ConsolidationState.SUBMITTED


def test_return_resubmit_publish_keeps_the_history(client, province, recheck_a, panel_of_three):
    consolidated(recheck_a, panel_of_three)
    heard = []

    def listen(sender, recheck, reason, **kwargs):
        heard.append((recheck.pk, reason))

    events.consolidation_returned.connect(listen)
    try:
        _as(client, province).post(
            f"/rechecks/{recheck_a.pk}/review/return/", {"reason": "1.1 的理由请引用材料页码"}
        )
    finally:
        events.consolidation_returned.disconnect(listen)
    assert heard == [(recheck_a.pk, "1.1 的理由请引用材料页码")]
    consolidation = Consolidation.objects.get(recheck=recheck_a)
    assert consolidation.state == ConsolidationState.RETURNED
    assert consolidation.submitted_at is None
    # Publishing a returned consolidation is refused.
    client.post(f"/rechecks/{recheck_a.pk}/publish/", {"confirm": "yes"})
    assert not VerdictRecord.objects.exists()
    # The lead sees the reason and can edit and resubmit.
    lead = panel_of_three[0]
    html = _as(client, lead).get(f"/rechecks/{recheck_a.pk}/consolidate/").content.decode()
    assert "1.1 的理由请引用材料页码" in html and "重新提交合议结果" in html
    data = {}
    for code in ELEMENT_CODES:
        data[f"f{code}-consistent"] = "no" if code == "1.1" else "yes"
        data[f"f{code}-reason"] = "见材料第 3 页：缺少制度文件" if code == "1.1" else ""
    data |= {"measures_rating": "strong", "measures_reason": "理由", "report": "修改后的报告"}
    client.post(f"/rechecks/{recheck_a.pk}/consolidate/", data | {"action": "submit"})
    client.post(f"/rechecks/{recheck_a.pk}/consolidate/", {"action": "submit", "confirm": "yes"})
    consolidation.refresh_from_db()
    assert consolidation.state == ConsolidationState.SUBMITTED
    back = consolidation.returns.get()
    assert back.resubmitted_at == consolidation.submitted_at
    reasons = {h.history_change_reason for h in consolidation.history.all()}
    assert {"review.consolidation.returned", "review.consolidation.submitted"} <= reasons
    # Staff see the return on record, send the draft to the school, then publish.
    html = _as(client, province).get(f"/rechecks/{recheck_a.pk}/review/").content.decode()
    assert "1.1 的理由请引用材料页码" in html and "重新提交" in html
    client.post(f"/rechecks/{recheck_a.pk}/publish/", {"confirm": "yes"})
    assert not VerdictRecord.objects.exists()  # not before the school checked the draft
    school_checks_the_draft(recheck_a, province)
    client.post(f"/rechecks/{recheck_a.pk}/publish/", {"confirm": "yes"})
    record = VerdictRecord.objects.get()
    assert record.report == "修改后的报告"
    consolidation.refresh_from_db()
    assert consolidation.state == ConsolidationState.PUBLISHED


def test_publishing_is_refused_before_the_rechecks_last_day(
    client, province, recheck_a, panel_of_three
):
    today = timezone.localdate()
    recheck_a.start_date, recheck_a.end_date = today - timedelta(days=1), today + timedelta(days=1)
    recheck_a.save()
    consolidated(recheck_a, panel_of_three)
    with pytest.raises(ValidationError, match="最后一天"):
        publication.publish_verdict(recheck=recheck_a, user=province)
    response = _as(client, province).get(f"/rechecks/{recheck_a.pk}/publish/")
    html = response.content.decode()
    assert "不能在此之前发布结论" in html and 'name="confirm"' not in html
    client.post(f"/rechecks/{recheck_a.pk}/publish/", {"confirm": "yes"})
    assert not VerdictRecord.objects.exists()
    assert staff_review.publish_refusal(recheck_a, today=recheck_a.end_date) is None
    assert staff_review.publish_refusal(recheck_a, today=recheck_a.end_date - timedelta(1))


def test_accepting_is_its_own_step_before_publication(province, recheck_a, panel_of_three):
    """A later step (the school's factual check) can sit between accepted and published."""
    consolidated(recheck_a, panel_of_three)
    consolidation = staff_review.accept_consolidation(recheck=recheck_a, user=province)
    assert consolidation.state == ConsolidationState.ACCEPTED
    with pytest.raises(ValidationError):
        staff_review.return_consolidation(recheck=recheck_a, user=province, reason="晚了")
    with pytest.raises(ValidationError, match="交学校核对"):
        publication.publish_verdict(recheck=recheck_a, user=province)
    school_checks_the_draft(recheck_a, province)
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    assert record.matched == 14
    assert Consolidation.objects.get(recheck=recheck_a).state == ConsolidationState.PUBLISHED


def test_publish_before_any_consolidation_is_refused(province, recheck_a, panel_of_three):
    with pytest.raises(ValidationError, match="尚未提交"):
        publication.publish_verdict(recheck=recheck_a, user=province)
    assert recheck_a.end_date < date.today()
