"""Celery tasks of the notices: the daily scan and e-mail delivery, each safe to run twice.

E-mail is at most once: a notice is claimed with a conditional update (pending → sending)
before its message goes out, so a redelivered or duplicated task finds nothing to claim.
Transient SMTP errors put the notice back to pending and retry with a bounded backoff whose
countdowns stay far below the broker's visibility timeout; the last failure is recorded.
"""

from __future__ import annotations

import smtplib
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from notices.models import EmailStatus, Notice

BATCH = 50
MAX_RETRIES = 4
TRANSIENT = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


@shared_task(name="notices.tasks.daily_scan", acks_late=True)
def daily_scan() -> dict:
    """Beat's daily job (also run on demand): notices for everything due today."""
    from notices.services.scan import scan

    result = scan()
    return {"created": result.created, "proposals": result.proposals}


def dispatch_pending(*, since: datetime) -> None:
    """After the current transaction commits, e-mail the notices written since ``since``."""
    ids = list(
        Notice.objects.filter(email_status=EmailStatus.PENDING, created__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        send_notice_emails.delay_on_commit(ids[start : start + BATCH])


@shared_task(name="notices.tasks.send_notice_emails", bind=True, acks_late=True)
def send_notice_emails(self, notice_ids: list[int]) -> int:
    """Send each notice's e-mail once; returns how many were sent by this run."""
    sent = 0
    retry = False
    for notice_id in notice_ids:
        claimed = Notice.objects.filter(pk=notice_id, email_status=EmailStatus.PENDING).update(
            email_status=EmailStatus.SENDING, email_attempts=F("email_attempts") + 1
        )
        if not claimed:
            continue  # sent already, being sent, or not for e-mail
        notice = Notice.objects.select_related("recipient").get(pk=notice_id)
        try:
            _message(notice).send()
        except TRANSIENT as exc:
            final = self.request.retries >= MAX_RETRIES
            Notice.objects.filter(pk=notice_id).update(
                email_status=EmailStatus.FAILED if final else EmailStatus.PENDING,
                email_error=f"{type(exc).__name__}: {exc}"[:500],
            )
            retry = retry or not final
        except Exception as exc:  # noqa: BLE001 - recorded for staff, never retried
            Notice.objects.filter(pk=notice_id).update(
                email_status=EmailStatus.FAILED, email_error=f"{type(exc).__name__}: {exc}"[:500]
            )
        else:
            Notice.objects.filter(pk=notice_id).update(
                email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error=""
            )
            sent += 1
    if retry:
        # Countdown 30 s, 60 s, 120 s, 240 s: always far below the visibility timeout.
        raise self.retry(countdown=30 * 2**self.request.retries, max_retries=MAX_RETRIES)
    return sent


def _message(notice: Notice) -> EmailMessage:
    base = getattr(settings, "PORTAL_BASE_URL", "")
    footer = "（福建省高职院校诊改复核门户自动发送，请勿直接回复。）"
    body = f"{notice.body}\n\n办理：{base}{notice.url}\n\n{footer}"
    return EmailMessage(
        subject=f"【诊改门户】{notice.title}", body=body, to=[notice.recipient.email]
    )
