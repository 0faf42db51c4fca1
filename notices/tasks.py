"""Celery tasks of the notices: the daily scan and e-mail delivery, each safe to run twice.

The notices table is an outbox (``notices/services/outbox.py``): a notice is claimed with a
conditional update (pending → sending, with a lease) before its message goes out, so a
redelivered or duplicated task finds nothing to claim. The task dispatched after commit is the
fast path; ``resend_stalled_emails`` (beat, every two minutes) dispatches again what a broker
outage or a dead worker left behind. Transient SMTP errors put the notice back to pending and
retry with a bounded backoff whose countdowns stay far below the broker's visibility timeout;
the last failure is recorded.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from notices.models import EmailStatus, Notice
from notices.services import outbox
from notices.services.scan import scan

logger = logging.getLogger(__name__)

BATCH = 50
MAX_RETRIES = 4
MAX_ATTEMPTS = 1 + MAX_RETRIES  # counted on the row, so lease take-overs count too
TRANSIENT = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


@shared_task(name="notices.tasks.daily_scan", acks_late=True)
def daily_scan() -> dict:
    """Beat's daily job (also run on demand): notices for everything due today."""
    result = scan()
    return {"created": result.created, "proposals": result.proposals}


@receiver(outbox.notices_written)
def _on_notices_written(sender, *, since: datetime, **kwargs) -> None:
    dispatch_pending(since=since)


def dispatch_pending(*, since: datetime) -> None:
    """After the current transaction commits, e-mail the notices written since ``since``."""
    ids = list(
        Notice.objects.filter(email_status=EmailStatus.PENDING, created__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: _dispatch(ids))


def _dispatch(ids: list[int]) -> None:
    """Queue the e-mails in batches; a broker outage is logged, never raised.

    The rows are committed and pending: ``resend_stalled_emails`` picks them up once the
    broker is back, so the scan (or the page that ran it) must not fail for it.
    """
    for start in range(0, len(ids), BATCH):
        try:
            send_notice_emails.delay(ids[start : start + BATCH])
        except Exception:  # noqa: BLE001 - any broker error; the outbox resends
            logger.warning(
                "通知邮件未能入队（消息队列不可用），将由定时任务补发：%d 封",
                len(ids) - start,
                exc_info=True,
            )
            return


@shared_task(name="notices.tasks.resend_stalled_emails", acks_late=True)
def resend_stalled_emails() -> int:
    """Beat: dispatch again every e-mail left pending or sending past its lease."""
    ids = outbox.stalled_ids(max_attempts=MAX_ATTEMPTS)
    _dispatch(ids)
    return len(ids)


@shared_task(name="notices.tasks.send_notice_emails", bind=True, acks_late=True)
def send_notice_emails(self, notice_ids: list[int]) -> int:
    """Send each notice's e-mail once; returns how many were sent by this run."""
    sent = 0
    retry = False
    for notice_id in notice_ids:
        if not outbox.claim(notice_id):
            continue  # sent already, being sent (within its lease), or not for e-mail
        notice = Notice.objects.select_related("recipient").get(pk=notice_id)
        try:
            _message(notice).send()
        except TRANSIENT as exc:
            final = self.request.retries >= MAX_RETRIES or notice.email_attempts >= MAX_ATTEMPTS
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
        subject=f"【诊改门户】{notice.title}",
        body=body,
        to=[notice.recipient.email],
        # Every copy of this notice carries the same Message-ID (see services/outbox.py).
        headers={"Message-ID": outbox.message_id(notice)},
    )
