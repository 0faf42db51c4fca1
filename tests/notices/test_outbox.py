"""The notices table as an outbox: atomic claims, a lease, re-dispatch, a stable Message-ID."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from notices import tasks
from notices.models import EmailStatus, Notice, NoticeKind, Stage
from notices.services import outbox
from notices.services.scan import scan


def _notice(user, subject="school:1", **extra):
    return Notice.objects.create(
        recipient=user, kind=NoticeKind.RULES_DUE, subject=subject, due_date=date(2026, 5, 30),
        stage=Stage.DUE, title="实施细则今天截止", body="请备案", url="/self-diagnosis/", **extra,
    )  # fmt: skip


def _ago(**delta):
    return timezone.now() - timedelta(**delta)


@pytest.mark.django_db
def test_a_claim_is_taken_once_and_a_lapsed_claim_can_be_taken_over(alice):
    notice = _notice(alice)
    assert outbox.claim(notice.pk) is True
    assert outbox.claim(notice.pk) is False  # another sender: nothing to take
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENDING and notice.email_claimed_at is not None
    # The sender died: once the lease has passed, the claim may be taken again.
    Notice.objects.filter(pk=notice.pk).update(
        email_claimed_at=_ago(seconds=settings.NOTICE_EMAIL_LEASE_SECONDS + 1)
    )
    assert outbox.claim(notice.pk) is True
    notice.refresh_from_db()
    assert notice.email_attempts == 2


@pytest.mark.django_db
def test_resend_finds_pending_and_lapsed_rows_only(alice, monkeypatch):
    lease = settings.NOTICE_EMAIL_LEASE_SECONDS
    never_dispatched = _notice(alice, "a")
    lapsed = _notice(alice, "b", email_status=EmailStatus.SENDING, email_attempts=1)
    Notice.objects.filter(pk=lapsed.pk).update(email_claimed_at=_ago(seconds=lease + 5))
    being_sent = _notice(alice, "c", email_status=EmailStatus.SENDING, email_attempts=1)
    Notice.objects.filter(pk=being_sent.pk).update(email_claimed_at=_ago(seconds=5))
    retry_waiting = _notice(alice, "d", email_attempts=1)
    Notice.objects.filter(pk=retry_waiting.pk).update(email_claimed_at=_ago(seconds=30))
    retry_forgotten = _notice(alice, "e", email_attempts=1)
    Notice.objects.filter(pk=retry_forgotten.pk).update(email_claimed_at=_ago(minutes=6))
    _notice(alice, "f", email_status=EmailStatus.SENT)
    _notice(alice, "g", email_status=EmailStatus.FAILED)
    _notice(alice, "h", email_status=EmailStatus.NO_ADDRESS)
    exhausted = _notice(
        alice, "i", email_status=EmailStatus.SENDING, email_attempts=tasks.MAX_ATTEMPTS
    )
    Notice.objects.filter(pk=exhausted.pk).update(email_claimed_at=_ago(seconds=lease + 5))
    queued = []
    monkeypatch.setattr(tasks.send_notice_emails, "apply_async", lambda *a, **k: queued.append(a))

    assert tasks.resend_stalled_emails() == 3
    assert queued[0][0][0] == [never_dispatched.pk, lapsed.pk, retry_forgotten.pk]
    exhausted.refresh_from_db()
    assert exhausted.email_status == EmailStatus.FAILED and "发送中断" in exhausted.email_error


@pytest.mark.django_db
def test_resent_after_a_dead_sender_goes_out_with_the_same_message_id(alice, settings):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"
    notice = _notice(alice)
    tasks.send_notice_emails.apply(args=[[notice.pk]])
    # As if the first sender had died after the server accepted the mail: the row is left
    # sending, and after the lease it is sent again, a duplicate with the same Message-ID.
    Notice.objects.filter(pk=notice.pk).update(
        email_status=EmailStatus.SENDING,
        email_claimed_at=_ago(seconds=settings.NOTICE_EMAIL_LEASE_SECONDS + 1),
    )
    tasks.send_notice_emails.apply(args=[[notice.pk]])
    assert len(mail.outbox) == 2
    first, second = (m.message()["Message-ID"] for m in mail.outbox)
    assert first == second == outbox.message_id(notice)
    assert first.startswith(f"<notice-{notice.pk}-") and first.endswith("@127.0.0.1>")


@pytest.mark.django_db
def test_message_id_is_at_the_portal_domain_and_differs_per_notice(alice, settings):
    settings.PORTAL_BASE_URL = "https://zhengai.example.edu.cn"
    one, two = _notice(alice, "a"), _notice(alice, "b")
    assert outbox.message_id(one).endswith("@zhengai.example.edu.cn>")
    assert outbox.message_id(one) != outbox.message_id(two)
    assert outbox.message_id(one) == outbox.message_id(Notice.objects.get(pk=one.pk))


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_commit_leaves_pending_rows_for_the_outbox(alice, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_notice_emails, "apply_async", down)
    result = scan(today=date(2026, 5, 30))  # the scan itself does not fail
    assert result.created == 1
    notice = Notice.objects.get(recipient=alice)
    assert notice.email_status == EmailStatus.PENDING
    assert notice.pk in outbox.stalled_ids(max_attempts=tasks.MAX_ATTEMPTS)


def test_beat_runs_the_outbox_task_more_often_than_the_lease():
    entries = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}
    every = entries["notices.tasks.resend_stalled_emails"]["schedule"]
    assert every < settings.NOTICE_EMAIL_LEASE_SECONDS
    assert settings.NOTICE_EMAIL_LEASE_SECONDS > settings.EMAIL_TIMEOUT * 2
