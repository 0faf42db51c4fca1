"""A notice for every workflow event: once, to the right people, e-mailed once.

Each test runs the real service (or, for a return of the consolidation, sends the signal the
return action raises), then repeats the action or re-sends the signal: still one notice per
person, one e-mail. The texts never carry rule ids.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from disclosure import services as column
from notices.models import EmailStatus, Notice, NoticeKind, Stage
from review import events
from review.models import (
    Consolidation,
    MaterialKind,
    PanelChange,
    ReportStatus,
    Sanction,
)
from review.services import materials, panel_assignments, publication, rectification
from review.services import self_diagnosis as reports
from schools.models import Expert
from tests.conftest import ELEMENT_CODES, score_and_publish
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db


def _rows(kind):
    return list(Notice.objects.filter(kind=kind).order_by("recipient__username"))


def _to(kind) -> list[str]:
    return [n.recipient.username for n in _rows(kind)]


def _plain(notice: Notice) -> None:
    """Says what happened and what next, in words: no rule id, a link to a page."""
    assert "下一步：" in notice.body and notice.url.startswith("/")
    assert not re.search(r"\bR\d+", notice.title + notice.body), notice.body
    assert notice.stage == Stage.EVENT


def _mails_to(user) -> int:
    return len([m for m in mail.outbox if user.email in m.to])


@pytest.fixture
def sent(django_capture_on_commit_callbacks, eager_celery):
    """Run the block in a transaction and its after-commit e-mails for real (eager)."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return action()

    return run


def _publish_set(recheck, user):
    for kind in MaterialKind:
        materials.upload_material(
            recheck=recheck,
            kind=kind,
            upload=SimpleUploadedFile(f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}")),
            user=user,
        )
    materials.publish_materials(recheck=recheck, user=user)


# --- The panel ---------------------------------------------------------------------------------


def test_expert_assigned_is_told_once_and_mailed_once(expert, recheck_a, province, sent):
    assignment = sent(
        lambda: panel_assignments.assign_expert(
            recheck=recheck_a, expert=expert.expert, user=province, reason="测试指派"
        )
    )
    [notice] = _rows(NoticeKind.EXPERT_ASSIGNED)
    assert notice.recipient == expert and "并担任专家组组长" in notice.title
    assert notice.url == f"/rechecks/{recheck_a.pk}/#certify" and "利益冲突" in notice.body
    _plain(notice)
    change = PanelChange.objects.get(recheck=recheck_a, action="added")
    sent(lambda: events.experts_assigned.send(sender=None, changes=[change]))
    assert len(_rows(NoticeKind.EXPERT_ASSIGNED)) == 1
    assert _mails_to(expert) == 1
    assert Notice.objects.get(kind=NoticeKind.EXPERT_ASSIGNED).email_status == EmailStatus.SENT
    assert assignment.is_lead


def test_proposed_panels_tell_each_expert(cycle_2026, recheck_a, province, sent, seeded):
    from schools.roles import Role
    from tests.conftest import _person

    for i, kind in enumerate(["vocational_college", "education_research", "industry_enterprise"]):
        Expert.objects.create(
            name=f"池中专家{i}", employer="外单位", kind=kind, user=_person(f"pool{i}", Role.EXPERT)
        )
    added = sent(lambda: panel_assignments.propose_for_cycle(cycle=cycle_2026, user=province))
    assert added == 3 and sorted(_to(NoticeKind.EXPERT_ASSIGNED)) == ["pool0", "pool1", "pool2"]


def test_expert_removed_and_made_lead(expert, recheck_a, province, panel_of_three, sent):
    assignment = panel_assignments.assign_expert(
        recheck=recheck_a, expert=expert.expert, user=province, reason="补充"
    )
    sent(lambda: panel_assignments.set_lead(assignment=assignment, user=province))
    [lead] = _rows(NoticeKind.EXPERT_LEAD)
    assert lead.recipient == expert and lead.url == f"/rechecks/{recheck_a.pk}/consolidate/"
    _plain(lead)
    sent(lambda: events.lead_named.send(sender=None, change=PanelChange.objects.get(action="lead")))
    assert len(_rows(NoticeKind.EXPERT_LEAD)) == 1
    sent(
        lambda: panel_assignments.remove_expert(
            assignment=assignment, user=province, reason="时间冲突"
        )
    )
    [removed] = _rows(NoticeKind.EXPERT_REMOVED)
    assert removed.recipient == expert and "时间冲突" in removed.body
    _plain(removed)
    change = PanelChange.objects.get(action="removed")
    sent(lambda: events.expert_removed.send(sender=None, change=change))
    assert len(_rows(NoticeKind.EXPERT_REMOVED)) == 1
    assert _mails_to(expert) == 2  # lead, removed (assigned was outside the capture)


def test_a_declared_conflict_tells_staff_once_not_the_expert(
    expert, assigned_expert, province, recheck_a, sent
):
    """R19: staff must replace an expert who declares a conflict: a notice, not a bare e-mail."""
    sent(
        lambda: panel_assignments.certify(
            assignment=assigned_expert, user=expert, no_conflict=False, statement="曾为该校讲座"
        )
    )
    [notice] = _rows(NoticeKind.EXPERT_REMOVED)
    assert notice.recipient == province  # the expert left by their own declaration: they know
    assert recheck_a.school.name in notice.title and "曾为该校讲座" in notice.body
    assert "补充指派" in notice.body and notice.url == f"/rechecks/{recheck_a.pk}/#panel"
    _plain(notice)
    change = PanelChange.objects.get(action="declared")
    sent(lambda: events.expert_removed.send(sender=None, change=change))
    assert len(_rows(NoticeKind.EXPERT_REMOVED)) == 1
    assert _mails_to(province) == 1 and _mails_to(expert) == 0


def test_a_conflict_recorded_later_tells_the_expert_and_staff_once(
    expert, assigned_expert, province, recheck_a, sent
):
    """R19: a conflict recorded after assignment: the expert is told they left, staff to replace."""
    sent(
        lambda: panel_assignments.record_conflict(
            expert=assigned_expert.expert,
            school=recheck_a.school,
            kind="lectured",
            user=province,
            note="受邀讲座",
        )
    )
    assert sorted(_to(NoticeKind.EXPERT_REMOVED)) == ["expert", "province"]
    staff = Notice.objects.get(kind=NoticeKind.EXPERT_REMOVED, recipient=province)
    assert "补充指派" in staff.body and recheck_a.school.name in staff.title
    _plain(staff)
    change = PanelChange.objects.get(action="conflict")
    sent(lambda: events.expert_removed.send(sender=None, change=change))
    assert len(_rows(NoticeKind.EXPERT_REMOVED)) == 2
    assert _mails_to(province) == 1 and _mails_to(expert) == 1


# --- Materials ---------------------------------------------------------------------------------


def test_materials_published_and_submitted_tell_staff(
    alice, province, committee, recheck_a, sent, time_machine
):
    time_machine.move_to("2026-04-10 10:00 +0800")
    sent(lambda: _publish_set(recheck_a, alice))
    [published] = _rows(NoticeKind.MATERIALS_PUBLISHED)
    assert published.recipient == province and published.due_date == date(2026, 4, 10)
    assert "2026-05-05 前报送" in published.body and published.url.endswith("#materials")
    _plain(published)
    sent(lambda: materials.submit_materials(recheck=recheck_a, user=alice))
    [submitted] = _rows(NoticeKind.MATERIALS_SUBMITTED)
    assert submitted.recipient == province
    _plain(submitted)
    recheck_a.refresh_from_db()
    sent(lambda: events.materials_published.send(sender=None, recheck=recheck_a))
    sent(lambda: events.materials_submitted.send(sender=None, recheck=recheck_a))
    assert len(_rows(NoticeKind.MATERIALS_PUBLISHED)) == 1
    assert len(_rows(NoticeKind.MATERIALS_SUBMITTED)) == 1
    assert _mails_to(province) == 2 and _mails_to(alice) == 0 and _mails_to(committee) == 0


def test_file_withdrawn_from_the_column_tells_the_school(alice, bob, province, recheck_a, sent):
    _publish_set(recheck_a, alice)
    material = recheck_a.materials.first()
    sent(lambda: column.withdraw_material(material=material, user=province, reason="含个人信息"))
    [notice] = _rows(NoticeKind.MATERIAL_WITHDRAWN)
    assert notice.recipient == alice and "含个人信息" in notice.body
    _plain(notice)
    material.refresh_from_db()
    sent(lambda: events.material_withdrawn.send(sender=None, material=material))
    assert _to(NoticeKind.MATERIAL_WITHDRAWN) == ["alice"] and _mails_to(alice) == 1


# --- Scoring and verdicts ----------------------------------------------------------------------


def test_findings_tell_the_lead_and_consolidation_tells_staff(
    alice, province, recheck_a, panel_of_three, sent, time_machine
):
    time_machine.move_to("2026-05-22 10:00 +0800")
    record = sent(
        lambda: score_and_publish(recheck_a, panel_of_three, province, matched=15, rating="strong")
    )
    # Two members other than the lead submitted: the lead hears of each, not of their own.
    findings = _rows(NoticeKind.FINDINGS_SUBMITTED)
    assert [n.recipient.username for n in findings] == ["panel0", "panel0"]
    assert any("全体专家均已提交" in n.body for n in findings)
    [consolidated] = _rows(NoticeKind.CONSOLIDATION_SUBMITTED)
    assert consolidated.recipient == province and consolidated.url.endswith("#verdict")
    published = _rows(NoticeKind.VERDICT_PUBLISHED)
    assert sorted(n.recipient.username for n in published) == [
        "alice",
        "panel0",
        "panel1",
        "panel2",
    ]
    assert all(n.url == f"/verdicts/{record.pk}/" and "有效" in n.title for n in published)
    for notice in findings + [consolidated] + published:
        _plain(notice)
    second = recheck_a.assignments.get(expert__user=panel_of_three[1])
    consolidation = Consolidation.objects.get(recheck=recheck_a)
    sent(lambda: events.findings_submitted.send(sender=None, assignment=second))
    sent(lambda: events.consolidation_submitted.send(sender=None, consolidation=consolidation))
    sent(lambda: events.verdict_published.send(sender=None, record=record))
    assert len(_rows(NoticeKind.FINDINGS_SUBMITTED)) == 2
    assert len(_rows(NoticeKind.CONSOLIDATION_SUBMITTED)) == 1
    assert len(_rows(NoticeKind.VERDICT_PUBLISHED)) == 4
    assert _to(NoticeKind.FACTUAL_CHECK_OPENED) == ["alice"]  # the draft, before the verdict
    assert _mails_to(alice) == 2  # the draft to check, the verdict
    assert _mails_to(panel_of_three[0]) == 3  # two findings, the verdict


def test_consolidation_returned_tells_the_lead_once(province, recheck_a, panel_of_three, sent):
    sent(lambda: events.consolidation_returned.send(None, recheck=recheck_a, reason="报告过短"))
    sent(lambda: events.consolidation_returned.send(None, recheck=recheck_a, reason="报告过短"))
    [notice] = _rows(NoticeKind.CONSOLIDATION_RETURNED)
    assert notice.recipient == panel_of_three[0] and "报告过短" in notice.body
    assert notice.url == f"/rechecks/{recheck_a.pk}/consolidate/"
    _plain(notice)
    assert _mails_to(panel_of_three[0]) == 1
    # A second return, for another reason, is news.
    sent(lambda: events.consolidation_returned.send(None, recheck=recheck_a, reason="理由不足"))
    assert len(_rows(NoticeKind.CONSOLIDATION_RETURNED)) == 2


def test_verdict_corrected_and_sanction_opened_then_lifted(
    alice, province, recheck_a, panel_of_three, sent, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    record = score_and_publish(recheck_a, panel_of_three, province, matched=5, rating="weak")
    assert Sanction.objects.filter(closed_on__isnull=True).exists()
    time_machine.move_to("2026-06-03 10:00 +0800")
    correction = sent(
        lambda: publication.correct_verdict(
            record=record, user=province, reason="合议计数有误", matched=15,
            measures_rating="strong",
        )
    )  # fmt: skip
    corrected = _rows(NoticeKind.VERDICT_CORRECTED)
    assert sorted(n.recipient.username for n in corrected) == [
        "alice",
        "panel0",
        "panel1",
        "panel2",
    ]
    assert all("由“异常”更正为“有效”" in n.body for n in corrected)
    lifted = _rows(NoticeKind.SANCTION_LIFTED)
    assert sorted(n.recipient.username for n in lifted) == ["alice", "province"]
    assert lifted[0].due_date == date(2026, 6, 3)
    for notice in corrected + lifted:
        _plain(notice)
    sanction = Sanction.objects.get()
    sent(lambda: events.verdict_corrected.send(sender=None, record=correction))
    sent(lambda: events.sanction_lifted.send(sender=None, sanction=sanction))
    assert len(_rows(NoticeKind.VERDICT_CORRECTED)) == 4
    assert len(_rows(NoticeKind.SANCTION_LIFTED)) == 2
    assert _mails_to(alice) == 2  # corrected, lifted


def test_rectification_reported_tells_staff(
    alice, province, recheck_a, panel_of_three, sent, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    plan = record.rectification
    rectification.save_rectification(
        rectification=plan,
        user=alice,
        items={code: {"plan": "措施", "progress": "进展"} for code in ELEMENT_CODES},
    )
    sent(lambda: rectification.complete_rectification(rectification=plan, user=alice))
    [notice] = _rows(NoticeKind.RECTIFICATION_REPORTED)
    assert notice.recipient == province
    assert notice.url == f"/verdicts/{record.pk}/rectification/"
    _plain(notice)
    plan.refresh_from_db()
    sent(lambda: events.rectification_reported.send(sender=None, rectification=plan))
    assert len(_rows(NoticeKind.RECTIFICATION_REPORTED)) == 1 and _mails_to(province) == 1


def test_report_reopened_tells_the_school(alice, bob, province, report_a, sent):
    report_a.status, report_a.principal_name = ReportStatus.SUBMITTED, "王校长"
    report_a.signed_on, report_a.snapshot = date(2026, 6, 1), {}
    report_a.save()
    reopening = sent(
        lambda: reports.reopen(self_diagnosis=report_a, user=province, reason="3.2 数据不一致")
    )
    [notice] = _rows(NoticeKind.REPORT_REOPENED)
    assert notice.recipient == alice and "3.2 数据不一致" in notice.body
    assert notice.url == f"/self-diagnosis/{report_a.pk}/"
    _plain(notice)
    sent(lambda: events.report_reopened.send(sender=None, reopening=reopening))
    assert _to(NoticeKind.REPORT_REOPENED) == ["alice"] and _mails_to(alice) == 1


# --- Nothing half-done -------------------------------------------------------------------------


def test_a_rolled_back_step_leaves_no_notice_and_no_mail(
    expert, recheck_a, province, django_capture_on_commit_callbacks, eager_celery
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        panel_assignments.assign_expert(
            recheck=recheck_a, expert=expert.expert, user=province, reason="指派"
        )
        assert Notice.objects.filter(kind=NoticeKind.EXPERT_ASSIGNED).exists()
        raise RuntimeError("a later part of the step failed")
    assert not Notice.objects.exists() and not mail.outbox


def test_a_notice_that_cannot_be_written_never_fails_the_step(
    alice, province, recheck_a, panel_of_three, monkeypatch, caplog
):
    from notices.services import outcomes
    from review.models import VerdictRecord

    def broken(record):
        raise RuntimeError("the notice text could not be built")

    monkeypatch.setattr(outcomes, "verdict_published", broken)
    score_and_publish(recheck_a, panel_of_three, province, matched=15, rating="strong")
    assert VerdictRecord.objects.count() == 1  # published all the same
    assert not _rows(NoticeKind.VERDICT_PUBLISHED)
    assert "通知未能写入" in caplog.text


def test_staff_returning_the_consolidation_tells_the_lead_through_the_real_step(
    province, recheck_a, panel_of_three, sent
):
    """The staff-review service raises the signal the receiver listens to (one flow)."""
    from review.models import ConsolidationState
    from review.services import staff_review
    from tests.disclosure.test_public import _scored

    _scored(recheck_a, panel_of_three, province, "个人意见")
    consolidation = Consolidation.objects.get(recheck=recheck_a)
    consolidation.submitted_at, consolidation.state = (
        consolidation.modified,
        ConsolidationState.SUBMITTED,
    )
    consolidation.save()
    sent(
        lambda: staff_review.return_consolidation(
            recheck=recheck_a, user=province, reason="复核报告过短"
        )
    )
    [notice] = _rows(NoticeKind.CONSOLIDATION_RETURNED)
    assert notice.recipient == panel_of_three[0] and "复核报告过短" in notice.body
    assert _mails_to(panel_of_three[0]) == 1
