"""The daily scan with a frozen clock: every deadline kind and stage, exactly once."""

from datetime import date

import pytest
from django.core import mail

from notices.models import EmailStatus, Notice, NoticeKind, Stage
from notices.services.scan import scan
from review.models import ImplementationRules, NotDiagnosedProposal, Recheck, SanctionEntry
from review.services.rechecks import create_cycle
from tests.conftest import score_and_publish

pytestmark = pytest.mark.django_db


def _kinds(user, kind):
    return list(Notice.objects.filter(recipient=user, kind=kind).values_list("stage", "due_date"))


@pytest.mark.parametrize(
    ("today", "stage"),
    [("2026-05-16", Stage.DAYS_14), ("2026-05-27", Stage.DAYS_3), ("2026-05-30", Stage.DUE),
     ("2026-05-31", Stage.OVERDUE)],
)  # fmt: skip
def test_r20_rules_due_at_each_stage(alice, province, today, stage):
    scan(today=date.fromisoformat(today))
    assert _kinds(alice, NoticeKind.RULES_DUE) == [(stage, date(2026, 5, 30))]
    [digest] = Notice.objects.filter(recipient=province, kind=NoticeKind.RULES_DUE)
    assert digest.stage == stage and "所学校" in digest.title


def test_r20_no_notice_once_filed_or_too_early(alice, school_a):
    scan(today=date(2026, 5, 15))
    assert not Notice.objects.filter(recipient=alice).exists()
    ImplementationRules.objects.create(
        school=school_a, year=2026, token="t", original_name="x.pdf", kind="pdf",
        size=1, sha256="0" * 64, uploaded_by=alice,
    )  # fmt: skip
    scan(today=date(2026, 5, 30))
    assert not Notice.objects.filter(recipient=alice, kind=NoticeKind.RULES_DUE).exists()


def test_scanning_twice_sends_each_notice_once(
    alice, province, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        first = scan(today=date(2026, 5, 27))
    with django_capture_on_commit_callbacks(execute=True):
        second = scan(today=date(2026, 5, 27))
    assert first.created > 0 and second.created == 0
    assert Notice.objects.filter(recipient=alice).count() == 1
    assert len([m for m in mail.outbox if alice.email in m.to]) == 1
    assert Notice.objects.get(recipient=alice).email_status == EmailStatus.SENT


def test_r8_end_of_cycle_and_r15_proposal(alice, province, school_a):
    cycle = create_cycle(start_year=2026, user=province)
    scan(today=date(2028, 12, 17))
    assert (Stage.DAYS_14, date(2028, 12, 31)) in _kinds(alice, NoticeKind.SELF_DIAGNOSIS_DUE)
    assert not NotDiagnosedProposal.objects.exists()
    scan(today=date(2029, 1, 1))
    assert (Stage.OVERDUE, date(2028, 12, 31)) in _kinds(alice, NoticeKind.SELF_DIAGNOSIS_DUE)
    assert NotDiagnosedProposal.objects.filter(cycle=cycle, school=school_a).count() == 1
    staff = Notice.objects.get(recipient=province, kind=NoticeKind.NOT_DIAGNOSED)
    assert staff.url.endswith("#r15") and "拟认定" in staff.title
    assert not Notice.objects.filter(recipient=alice, kind=NoticeKind.NOT_DIAGNOSED).exists()
    scan(today=date(2029, 1, 2))
    assert NotDiagnosedProposal.objects.filter(school=school_a).count() == 1


def test_r10_materials_deadline_on_29_february(alice, province, cycle_2026, school_a):
    Recheck.objects.create(
        cycle=cycle_2026, school=school_a, planned_year=2028,
        start_date=date(2028, 3, 30), end_date=date(2028, 4, 1),
    )  # fmt: skip
    scan(today=date(2028, 2, 15))
    assert _kinds(alice, NoticeKind.MATERIALS_PUBLISH) == [(Stage.DAYS_14, date(2028, 2, 29))]
    scan(today=date(2028, 2, 29))
    assert (Stage.DUE, date(2028, 2, 29)) in _kinds(alice, NoticeKind.MATERIALS_PUBLISH)
    assert _kinds(alice, NoticeKind.MATERIALS_SUBMIT) == []  # 15 days out: not yet
    scan(today=date(2028, 3, 1))
    assert _kinds(alice, NoticeKind.MATERIALS_SUBMIT) == [(Stage.DAYS_14, date(2028, 3, 15))]
    assert (Stage.OVERDUE, date(2028, 2, 29)) in _kinds(alice, NoticeKind.MATERIALS_PUBLISH)


def test_r10_published_materials_are_not_chased(alice, recheck_a):
    from django.utils import timezone

    recheck_a.materials_published_at = timezone.now()
    recheck_a.save()
    scan(today=date(2026, 4, 21))  # publish-by was yesterday; submit-by is 14 days away
    assert not Notice.objects.filter(recipient=alice, kind=NoticeKind.MATERIALS_PUBLISH).exists()
    assert Notice.objects.filter(recipient=alice, kind=NoticeKind.MATERIALS_SUBMIT).exists()


def test_expert_findings_due_by_the_end_of_the_recheck(expert, assigned_expert):
    scan(today=date(2026, 5, 20))
    assert _kinds(expert, NoticeKind.FINDINGS_DUE) == [(Stage.DAYS_3, date(2026, 5, 22))]


def test_r11_rectification_due_and_r16_improvement_end(
    alice, province, recheck_a, panel_of_three, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    scan(today=date(2027, 5, 8))
    assert _kinds(alice, NoticeKind.RECTIFICATION_DUE) == [(Stage.DAYS_14, date(2027, 5, 22))]
    scan(today=date(2027, 5, 22))
    assert (Stage.DUE, date(2027, 5, 22)) in _kinds(alice, NoticeKind.RECTIFICATION_DUE)
    scan(today=date(2027, 6, 1))
    assert (Stage.DUE, date(2027, 6, 1)) in _kinds(alice, NoticeKind.IMPROVEMENT_END)
    assert Notice.objects.get(
        recipient=alice, kind=NoticeKind.IMPROVEMENT_END, stage=Stage.DUE
    ).url == (f"/verdicts/{record.pk}/")


def test_r17_sanction_notice_at_publication_and_each_new_year(
    alice, province, recheck_a, panel_of_three, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    score_and_publish(recheck_a, panel_of_three, province, matched=5, rating="weak")
    assert Notice.objects.filter(recipient=alice, kind=NoticeKind.SANCTION_OPENED).count() == 1
    assert Notice.objects.filter(recipient=province, kind=NoticeKind.SANCTION_OPENED).count() == 1
    scan(today=date(2026, 6, 2))
    assert Notice.objects.filter(kind=NoticeKind.SANCTION_OPENED).count() == 2  # not again
    scan(today=date(2027, 1, 1))
    assert _kinds(alice, NoticeKind.SANCTION_YEAR) == [(Stage.EVENT, date(2027, 1, 1))]
    assert sorted(set(SanctionEntry.objects.values_list("year", flat=True))) == [2026, 2027]


def test_no_address_means_no_email_but_the_inbox(alice, settings):
    alice.email = ""
    alice.save()
    scan(today=date(2026, 5, 30))
    assert Notice.objects.get(recipient=alice).email_status == EmailStatus.NO_ADDRESS


def test_scan_query_count_does_not_grow_with_schools(
    alice, province, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schools.models import School

    with CaptureQueriesContext(connection) as few:
        scan(today=date(2026, 5, 20))
    Notice.objects.all().delete()  # both runs then write (and dispatch) the same way
    School.objects.bulk_create(School(name=f"扫描测试学院{i}", city="fuzhou") for i in range(30))
    with CaptureQueriesContext(connection) as many:
        scan(today=date(2026, 5, 20))
    assert len(many) == len(few)


def test_r11_overdue_rectification_is_chased_until_reported_done(
    alice, province, recheck_a, panel_of_three, time_machine
):
    from django.utils import timezone

    time_machine.move_to("2026-06-01 10:00 +0800")
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    scan(today=date(2027, 5, 25))
    assert (Stage.OVERDUE, date(2027, 5, 22)) in _kinds(alice, NoticeKind.RECTIFICATION_DUE)
    Notice.objects.filter(kind=NoticeKind.RECTIFICATION_DUE).delete()
    record.rectification.completed_at = timezone.now()
    record.rectification.save()
    scan(today=date(2027, 5, 25))
    assert not Notice.objects.filter(kind=NoticeKind.RECTIFICATION_DUE).exists()
