"""Appeals against a published verdict (R29): within 30 days, on stated grounds, once per
ground; the committee recommends, staff decide — upheld, or corrected by a correction record.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notices.models import Notice, NoticeKind
from review.models import Appeal, VerdictRecord
from review.services import appeals
from tests.conftest import score_and_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(recheck_a, panel_of_three, province):
    """School A's published verdict: 11 consistent, strong measures → 待改进."""
    return score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")


def file(record, user, grounds=("facts",), **kwargs):
    return appeals.file_appeal(
        record=record,
        user=user,
        grounds=list(grounds),
        statement="5.1 的评议依据的满意度调查为 2023 年旧版，2025 年新版已在材料（6）中。",
        **kwargs,
    )


def _told(kind, user=None):
    rows = Notice.objects.filter(kind=kind)
    return rows.filter(recipient=user) if user else rows


def test_r29_an_appeal_within_30_days_goes_to_the_committee_once(alice, committee, record):
    appeal = file(record, alice, today=timezone.localdate(record.published_at) + timedelta(30))
    assert appeal.claims.get().ground == "facts"
    assert _told(NoticeKind.APPEAL_FILED, committee).count() == 1
    assert _told(NoticeKind.APPEAL_FILED).count() == 1  # the committee only
    assert appeal.history.first().history_change_reason == "review.appeal.filed"


def test_r29_an_appeal_after_30_days_is_refused(alice, record):
    late = timezone.localdate(record.published_at) + timedelta(days=31)
    with pytest.raises(ValidationError) as refused:
        file(record, alice, today=late)
    assert "申诉须在发布后 30 天内" in refused.value.messages[0]
    assert not Appeal.objects.exists()


def test_r29_grounds_and_statement_are_required(alice, record):
    with pytest.raises(ValidationError) as refused:
        appeals.file_appeal(record=record, user=alice, grounds=[], statement=" ")
    errors = refused.value.message_dict
    assert "请至少选择一项申诉事由" in errors["grounds"][0]
    assert "请写明申诉理由" in errors["statement"][0]
    with pytest.raises(ValidationError) as refused:
        file(record, alice, grounds=["mood"])
    assert "不在可选范围内" in refused.value.message_dict["grounds"][0]


def test_r29_a_second_appeal_on_the_same_grounds_is_refused(alice, committee, province, record):
    first = file(record, alice, grounds=["facts", "rule"])
    with pytest.raises(ValidationError) as refused:
        file(record, alice, grounds=["procedure"])
    assert "上一次申诉正在处理" in refused.value.messages[0]  # one appeal heard at a time
    appeals.recommend(appeal=first, user=committee, recommendation="uphold", reason="依据充分")
    appeals.decide(appeal=first, user=province, outcome="upheld", reason="评议依据无误")
    with pytest.raises(ValidationError) as refused:
        file(record, alice, grounds=["rule", "procedure"])
    assert "同一事由不能再次申诉" in refused.value.message_dict["grounds"][0]
    assert "结论与相符项数" in refused.value.message_dict["grounds"][0]
    assert file(record, alice, grounds=["procedure"]).claims.count() == 1


def test_r29_staff_decide_only_after_the_committee_recommends(alice, committee, province, record):
    appeal = file(record, alice)
    with pytest.raises(ValidationError) as refused:
        appeals.decide(appeal=appeal, user=province, outcome="upheld", reason="维持")
    assert "专家委员会尚未提出建议" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        appeals.recommend(appeal=appeal, user=committee, recommendation="", reason="")
    assert set(refused.value.message_dict) == {"recommendation", "recommendation_reason"}
    appeals.recommend(appeal=appeal, user=committee, recommendation="correct", reason="材料有误")
    assert _told(NoticeKind.APPEAL_RECOMMENDED, province).count() == 1
    with pytest.raises(ValidationError):
        appeals.recommend(appeal=appeal, user=committee, recommendation="uphold", reason="再议")


def test_r29_upheld_keeps_the_verdict_and_tells_the_school_once(alice, committee, province, record):
    appeal = file(record, alice)
    appeals.recommend(appeal=appeal, user=committee, recommendation="uphold", reason="依据充分")
    appeals.decide(appeal=appeal, user=province, outcome="upheld", reason="评议依据无误")
    appeal.refresh_from_db()
    assert appeal.outcome == "upheld" and appeal.correction is None
    assert not VerdictRecord.objects.filter(corrects=record).exists()
    told = _told(NoticeKind.APPEAL_DECIDED, alice)
    assert told.count() == 1 and "维持原结论" in told.get().title
    with pytest.raises(ValidationError):
        appeals.decide(appeal=appeal, user=province, outcome="upheld", reason="再次")


def test_r29_corrected_goes_through_the_correction_record(alice, committee, province, record):
    appeal = file(record, alice)
    appeals.recommend(appeal=appeal, user=committee, recommendation="correct", reason="5.1 有误")
    with pytest.raises(ValidationError) as refused:
        appeals.decide(appeal=appeal, user=province, outcome="corrected", reason="改", matched=None)
    assert {"matched", "measures_rating"} <= set(refused.value.message_dict)
    appeals.decide(
        appeal=appeal,
        user=province,
        outcome="corrected",
        reason="5.1 评议依据的调查为旧版",
        matched=12,
        measures_rating="strong",
    )
    appeal.refresh_from_db()
    correction = appeal.correction
    assert correction.corrects == record and correction.verdict == "effective"
    assert correction.correction_reason == "经学校申诉更正：5.1 评议依据的调查为旧版"
    record.refresh_from_db()
    assert record.corrected_by == correction  # the old verdict stays, marked
    assert _told(NoticeKind.APPEAL_DECIDED, alice).count() == 1
    assert _told(NoticeKind.VERDICT_CORRECTED, alice).count() == 1
    # The corrected verdict is not appealed again; its correction may be, on other grounds.
    with pytest.raises(ValidationError) as refused:
        file(record, alice, grounds=["procedure"])
    assert "该结论已经更正" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        file(correction, alice, grounds=["facts"])
    assert "同一事由不能再次申诉" in refused.value.message_dict["grounds"][0]
