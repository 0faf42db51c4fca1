"""The notices table as an outbox: every e-mail is a row, claimed atomically, never lost.

A row waits ``pending`` until a sender claims it with a conditional update (pending → sending,
with the claim's time as a lease). The task dispatched after commit is only the fast path: if
the broker was unreachable at commit, or the worker died mid-send, the beat task
(``resend_stalled_emails``) finds the row again — pending, or sending past the lease — and
dispatches it once more.

"Once" after a crash: a sender killed after the mail server accepted the message but before
the row was marked sent leaves it ``sending``; after the lease it is sent again. So a crash can
cause at most one duplicate per crash, and it carries the same Message-ID as the first copy,
so mail clients and servers that de-duplicate on Message-ID show it once.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from notices.models import EmailStatus, Notice

# Notices were inserted in the current transaction (kwargs: since, the time writing began);
# notices.tasks queues their e-mails after commit. A signal, so that writing a notice does
# not import the task layer that itself calls the writers.
notices_written = Signal()

# A notice put back to pending by a transient SMTP error waits for its task's retry (30 s …
# 240 s): the beat task leaves it alone for this long, then takes over.
RETRY_WAIT = timedelta(minutes=5)
WORKER_LOST = "发送中断：发送进程意外退出，已达尝试次数上限。"


def lease() -> timedelta:
    return timedelta(seconds=settings.NOTICE_EMAIL_LEASE_SECONDS)


def _lapsed(now) -> Q:
    """Rows being sent by a sender that has not finished within the lease (it died)."""
    return Q(email_status=EmailStatus.SENDING) & (
        Q(email_claimed_at__lt=now - lease()) | Q(email_claimed_at__isnull=True)
    )


def claim(notice_id: int) -> bool:
    """Take the notice's e-mail for this sender; False if another has it or it is done."""
    now = timezone.now()
    return (
        Notice.objects.filter(pk=notice_id)
        .filter(Q(email_status=EmailStatus.PENDING) | _lapsed(now))
        .update(
            email_status=EmailStatus.SENDING,
            email_claimed_at=now,
            email_attempts=F("email_attempts") + 1,
        )
        == 1
    )


def stalled_ids(*, max_attempts: int) -> list[int]:
    """Notices whose e-mail must be dispatched again: never sent, or their sender died.

    A lapsed claim that has used every attempt is recorded as failed instead of tried again.
    """
    now = timezone.now()
    Notice.objects.filter(_lapsed(now), email_attempts__gte=max_attempts).update(
        email_status=EmailStatus.FAILED, email_error=WORKER_LOST
    )
    waiting = Q(email_status=EmailStatus.PENDING) & (
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - RETRY_WAIT)
    )
    return list(
        Notice.objects.filter(waiting | _lapsed(now)).order_by("pk").values_list("pk", flat=True)
    )


def message_id(notice: Notice) -> str:
    """The e-mail's Message-ID: the same for every copy of this notice, unique to it.

    From the row's id and a digest of its unique key (so a restored database that reuses an
    id for another notice does not reuse the Message-ID), at the portal's own domain.
    """
    key = "|".join(
        [
            str(notice.recipient_id),
            notice.kind,
            notice.subject,
            notice.due_date.isoformat(),
            notice.stage,
        ]
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    domain = urlsplit(settings.PORTAL_BASE_URL).hostname or "zhengai.invalid"
    return f"<notice-{notice.pk}-{digest}@{domain}>"
