"""The school's factual check of the draft verdict (R28): window, points, answers, publication.

Staff accept the consolidation and the school reads the draft for the province's window; it
points out factual errors element by element with evidence; the lead answers each point; only
then may staff publish. Notices go out once per step and once per deadline stage.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notices.models import Notice, NoticeKind
from notices.services.scan import scan
from review import events
from review.models import (
    Appeal,
    ConsolidatedFinding,
    ConsolidationState,
    FactualCheck,
    FactualPoint,
)
from review.services import appeals, factual_check, publication
from review.services.scoring import FindingInput
from tests.review.test_staff_review import consolidated

pytestmark = pytest.mark.django_db


def draft_ready(recheck, experts, province):
    """The panel consolidates (1.1 不相符, 14 相符) and staff send the draft to the school."""
    consolidated(recheck, experts)
    return factual_check.open_factual_check(recheck=recheck, user=province)


def a_point(check, user, code="1.1", **fields):
    values = {
        "statement": "草稿称学校没有质量保证委员会章程，实际上 2025 年已印发。",
        "evidence_kind": "fact",
        "evidence": "《质量保证委员会章程》（校发〔2025〕3 号），2025 年 3 月印发",
    } | fields
    return factual_check.add_point(check=check, user=user, element_code=code, **values)


def _notices(kind, user=None):
    rows = Notice.objects.filter(kind=kind)
    return rows.filter(recipient=user) if user else rows


def test_r28_accepting_opens_the_window_set_by_the_province(
    settings, alice, province, recheck_a, panel_of_three
):
    settings.FACTUAL_CHECK_DAYS = 5
    check = draft_ready(recheck_a, panel_of_three, province)
    today = timezone.localdate()
    assert check.window_days == 5 and check.closes_on == today + timedelta(days=4)
    recheck_a.consolidation.refresh_from_db()
    assert recheck_a.consolidation.state == ConsolidationState.ACCEPTED
    assert _notices(NoticeKind.FACTUAL_CHECK_OPENED, alice).count() == 1
    # Opening again is the same check, and no second notice.
    assert factual_check.open_factual_check(recheck=recheck_a, user=province) == check
    assert _notices(NoticeKind.FACTUAL_CHECK_OPENED).count() == 1
    assert check.history.first().history_change_reason == "review.factual_check.opened"


def test_r28_a_point_on_an_element_not_in_the_recheck_is_refused(
    alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    with pytest.raises(ValidationError) as refused:
        a_point(check, alice, code="9.9")
    assert "本次复核没有诊断要素“9.9”" in refused.value.message_dict["element"][0]
    assert not FactualPoint.objects.exists()


@pytest.mark.parametrize(
    ("kind", "evidence", "field", "words"),
    [
        ("figure", "大约一半", "evidence", "须含数字"),
        ("fact", "", "evidence", "请写明作为证据的事实"),
        ("document", "", "document", "请上传文件"),
        ("opinion", "", "evidence_kind", "请选择证据类型"),
    ],
)
def test_r28_evidence_must_be_a_fact_a_document_or_a_figure(
    alice, province, recheck_a, panel_of_three, kind, evidence, field, words
):
    check = draft_ready(recheck_a, panel_of_three, province)
    with pytest.raises(ValidationError) as refused:
        a_point(check, alice, evidence_kind=kind, evidence=evidence)
    assert words in " ".join(refused.value.message_dict[field])
    assert not FactualPoint.objects.exists()


def test_r28_a_document_that_is_not_what_it_says_is_refused(
    alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    fake = SimpleUploadedFile("章程.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        a_point(check, alice, evidence_kind="document", evidence="", upload=fake)
    assert "document" in refused.value.message_dict
    assert not FactualPoint.objects.exists()


def test_r28_publishing_waits_for_the_window_unless_the_school_declares_no_points(
    alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    with pytest.raises(ValidationError) as refused:
        publication.publish_verdict(recheck=recheck_a, user=province)
    assert "核对结论草稿的期限" in refused.value.messages[0]
    factual_check.declare_no_points(check=check, user=alice)
    assert _notices(NoticeKind.FACTUAL_POINTS_ANSWERED, province).count() == 1
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    assert record.matched == 14
    with pytest.raises(ValidationError):
        a_point(check, alice)  # the school's part is over


def test_r28_points_are_answered_before_publication_and_a_change_is_a_consolidation_save(
    alice, province, recheck_a, panel_of_three
):
    lead = panel_of_three[0]
    check = draft_ready(recheck_a, panel_of_three, province)
    point = a_point(check, alice)
    other = a_point(
        check, alice, code="2.1", evidence_kind="figure", evidence="生师比 16.2（2025）"
    )
    assert factual_check.submit_points(check=check, user=alice) == 2
    assert _notices(NoticeKind.FACTUAL_POINTS_SUBMITTED, lead).count() == 1
    # Even with the window over, unanswered points hold the verdict back.
    check.closes_on = timezone.localdate() - timedelta(days=1)
    check.save()
    with pytest.raises(ValidationError) as refused:
        publication.publish_verdict(recheck=recheck_a, user=province)
    assert "2 条事实核对意见组长尚未答复" in refused.value.messages[0]
    # Only the lead answers; an answer without its reason is refused.
    with pytest.raises(ValidationError):
        factual_check.answer_points(
            check=check,
            user=panel_of_three[1],
            answers={point.pk: {"changed": False, "answer": "不改"}},
        )
    with pytest.raises(ValidationError) as refused:
        factual_check.answer_points(
            check=check, user=lead, answers={point.pk: {"changed": True, "answer": "已核实"}}
        )
    assert f"p{point.pk}-consistent" in refused.value.message_dict
    factual_check.answer_points(
        check=check,
        user=lead,
        answers={
            point.pk: {
                "changed": True,
                "answer": "章程确已印发，改为相符。",
                "finding": FindingInput(True, ""),
            }
        },
    )
    assert not _notices(NoticeKind.FACTUAL_POINTS_ANSWERED).exists()  # one still open
    factual_check.answer_points(
        check=check,
        user=lead,
        answers={other.pk: {"changed": False, "answer": "该数据与评议无关，不改。"}},
    )
    assert _notices(NoticeKind.FACTUAL_POINTS_ANSWERED, province).count() == 1
    finding = ConsolidatedFinding.objects.get(consolidation__recheck=recheck_a, element__code="1.1")
    assert finding.consistent is True
    assert finding.history.first().history_change_reason == "review.factual_check.changed"
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    assert record.matched == 15 and record.verdict == "effective"
    # Everything said stays on the record.
    point.refresh_from_db()
    reasons = [h.history_change_reason for h in point.history.order_by("history_date")]
    assert reasons == [
        "review.factual_check.point_drafted",
        "review.factual_check.point_submitted",
        "review.factual_check.point_answered",
    ]


def test_r28_a_drafted_point_can_be_taken_back_a_submitted_one_cannot(
    alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    point = a_point(check, alice)
    factual_check.remove_point(point=point, user=alice)
    assert not FactualPoint.objects.exists()
    kept = a_point(check, alice)
    factual_check.submit_points(check=check, user=alice)
    with pytest.raises(ValidationError):
        factual_check.remove_point(point=kept, user=alice)
    with pytest.raises(ValidationError):
        factual_check.submit_points(check=check, user=alice)  # once


def test_r28_after_the_window_closes_no_point_is_taken_and_staff_may_publish(
    alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    a_point(check, alice)  # drafted, never submitted: it does not count
    check.closes_on = timezone.localdate() - timedelta(days=1)
    check.save()
    with pytest.raises(ValidationError) as refused:
        a_point(check, alice, code="1.2")
    assert "核对期已于" in refused.value.messages[0]
    assert publication.publish_verdict(recheck=recheck_a, user=province)


def test_r28_the_scan_says_two_days_left_and_closed_once_each(
    alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    closes = check.closes_on
    scan(today=closes - timedelta(days=3))
    assert not _notices(NoticeKind.FACTUAL_CHECK_CLOSING).exists()
    scan(today=closes - timedelta(days=1))
    scan(today=closes)
    closing = _notices(NoticeKind.FACTUAL_CHECK_CLOSING, alice)
    assert closing.count() == 1 and "还剩 2 天" in closing.get().title
    assert not _notices(NoticeKind.FACTUAL_CHECK_CLOSING, province).exists()
    scan(today=closes + timedelta(days=1))
    scan(today=closes + timedelta(days=2))
    assert _notices(NoticeKind.FACTUAL_CHECK_CLOSED, alice).count() == 1
    assert _notices(NoticeKind.FACTUAL_CHECK_CLOSED, province).count() == 1  # the digest


def test_r28_a_school_that_finished_early_gets_no_deadline_notices(
    alice, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    factual_check.declare_no_points(check=check, user=alice)
    scan(today=check.closes_on - timedelta(days=1))
    scan(today=check.closes_on + timedelta(days=1))
    assert not _notices(NoticeKind.FACTUAL_CHECK_CLOSING).exists()
    assert not _notices(NoticeKind.FACTUAL_CHECK_CLOSED).exists()


def test_r28_the_check_is_not_opened_before_the_rechecks_last_day(
    province, recheck_a, panel_of_three
):
    consolidated(recheck_a, panel_of_three)
    with pytest.raises(ValidationError) as refused:
        factual_check.open_factual_check(
            recheck=recheck_a, user=province, today=recheck_a.end_date - timedelta(days=1)
        )
    assert "复核尚未进行到最后一天" in refused.value.messages[0]


def test_r28_each_step_tells_its_people_once_even_if_announced_twice(
    alice, committee, province, recheck_a, panel_of_three
):
    check = draft_ready(recheck_a, panel_of_three, province)
    a_point(check, alice)
    factual_check.submit_points(check=check, user=alice)
    factual_check.answer_points(
        check=check,
        user=panel_of_three[0],
        answers={check.points.get().pk: {"changed": False, "answer": "不改"}},
    )
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    appeal = appeals.file_appeal(record=record, user=alice, grounds=["rule"], statement="理由")
    appeals.recommend(appeal=appeal, user=committee, recommendation="uphold", reason="无误")
    appeals.decide(appeal=appeal, user=province, outcome="upheld", reason="维持")
    before = Notice.objects.count()
    for signal in ("factual_check_opened", "factual_points_submitted", "factual_points_answered"):
        getattr(events, signal).send(sender=FactualCheck, factual_check=check)
    for signal in ("appeal_filed", "appeal_recommended", "appeal_decided"):
        getattr(events, signal).send(sender=Appeal, appeal=appeal)
    assert Notice.objects.count() == before
    for kind, user in [
        (NoticeKind.FACTUAL_CHECK_OPENED, alice),
        (NoticeKind.FACTUAL_POINTS_SUBMITTED, panel_of_three[0]),
        (NoticeKind.FACTUAL_POINTS_ANSWERED, province),
        (NoticeKind.APPEAL_FILED, committee),
        (NoticeKind.APPEAL_RECOMMENDED, province),
        (NoticeKind.APPEAL_DECIDED, alice),
    ]:
        assert _notices(kind, user).count() == 1, kind
