"""E-mail delivery: after commit only, at most once, transient errors retried with a limit."""

import smtplib
import threading
from datetime import date

import pytest
from django.core import mail
from django.db import connection, transaction

from notices import tasks
from notices.models import EmailStatus, Notice, NoticeKind, Stage
from notices.services.scan import Due, scan, write_notices


def _notice(user, **extra):
    return Notice.objects.create(
        recipient=user, kind=NoticeKind.RULES_DUE, subject="school:1", due_date=date(2026, 5, 30),
        stage=Stage.DUE, title="实施细则今天截止", body="请备案", url="/self-diagnosis/", **extra,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_notice_is_emailed_once_even_if_the_task_runs_twice(alice):
    notice = _notice(alice)
    assert tasks.send_notice_emails.apply(args=[[notice.pk]]).get() == 1
    assert tasks.send_notice_emails.apply(args=[[notice.pk]]).get() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email] and "实施细则今天截止" in message.subject
    assert "/self-diagnosis/" in message.body
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENT and notice.emailed_at is not None


@pytest.mark.django_db
def test_transient_error_is_retried_up_to_the_limit_then_recorded(alice, monkeypatch):
    notice = _notice(alice)

    def down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)
    # apply() runs the retries in-process, one after another, as a worker would.
    tasks.send_notice_emails.apply(args=[[notice.pk]])
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.FAILED
    assert notice.email_attempts == 1 + tasks.MAX_RETRIES
    assert "mail server went away" in notice.email_error


@pytest.mark.django_db
def test_transient_error_then_success_sends_once(alice, monkeypatch):
    notice = _notice(alice)
    real_send = mail.EmailMessage.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPConnectError(421, b"try again later")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky)
    tasks.send_notice_emails.apply(args=[[notice.pk]])
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENT and notice.email_attempts == 2
    assert len(mail.outbox) == 1


def test_retry_countdowns_stay_below_the_visibility_timeout():
    longest = 30 * 2 ** (tasks.MAX_RETRIES - 1)
    assert longest < 3600  # CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] with Redis


@pytest.mark.django_db
def test_a_permanent_error_is_recorded_and_not_retried(alice, monkeypatch):
    notice = _notice(alice)

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({alice.email: (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refused)
    result = tasks.send_notice_emails.apply(args=[[notice.pk]], retries=0)
    assert result.state == "SUCCESS"
    notice.refresh_from_db()
    assert (
        notice.email_status == EmailStatus.FAILED and "SMTPRecipientsRefused" in notice.email_error
    )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_scan_dispatches_nothing(alice, province, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.send_notice_emails, "apply_async", lambda *a, **k: sent.append(a))
    with pytest.raises(RuntimeError), transaction.atomic():
        scan(today=date(2026, 5, 30))
        assert Notice.objects.exists()
        raise RuntimeError("something else failed in the same transaction")
    assert sent == [] and not Notice.objects.exists()
    scan(today=date(2026, 5, 30))
    assert len(sent) == 1 and set(sent[0][0][0]) == set(Notice.objects.values_list("pk", flat=True))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database; CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_make_one_row_per_key(alice):
    due = Due(
        kind=NoticeKind.RULES_DUE, subject="school:x", due=date(2026, 5, 30), stage=Stage.DUE,
        title="t", body="b", url="/", user_ids=(alice.pk,),
    )  # fmt: skip
    barrier = threading.Barrier(2)
    errors = []

    def write():
        try:
            barrier.wait(timeout=10)
            write_notices([due] * 3)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notice.objects.filter(recipient=alice, subject="school:x").count() == 1
