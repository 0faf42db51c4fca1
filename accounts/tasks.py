"""Invitation e-mails, sent by the Celery worker after the import (or invite) commits.

Each task takes a batch of invitation ids and is safe to run twice: an invitation is claimed
with a conditional update (pending → sending) before its message is built, so a redelivered
or duplicated task finds nothing left to claim. Transient SMTP errors put the claimed rows
back to pending and retry with a bounded backoff; other errors are recorded for staff, who
can resend from the invitations page.
"""

from __future__ import annotations

from celery import shared_task
from django.core.mail import get_connection
from django.db import connection as db
from django.db.models import Q
from django.dispatch import receiver

from accounts.models import Invitation, InvitationEmail
from accounts.services.invitations import build_message, invitations_due
from notices.tasks import TRANSIENT

MAX_RETRIES = 4


def _claim(invitation_ids: list[int]) -> list[int]:
    """Claim the batch's still-pending rows in one conditional update (pending → sending).

    Two runs of the same batch cannot both claim a row: the second one's UPDATE waits for the
    first's row locks, re-checks the condition and finds the rows already ``sending``.
    """
    ids = [int(pk) for pk in invitation_ids]
    if not ids:
        return []
    table = Invitation._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET email_status = %s "  # noqa: S608 - only placeholders interpolated
            f"WHERE id IN ({marks}) AND email_status = %s AND accepted_at IS NULL RETURNING id",
            [InvitationEmail.SENDING, *ids, InvitationEmail.PENDING],
        )
        return [row[0] for row in cursor.fetchall()]


@shared_task(name="accounts.tasks.send_invitation_emails", bind=True, acks_late=True)
def send_invitation_emails(self, invitation_ids: list[int]) -> int:
    """Send each pending invitation of the batch once; returns how many this run sent."""
    claimed = _claim(invitation_ids)
    if not claimed:
        return 0
    invitations = list(
        Invitation.objects.filter(pk__in=claimed).select_related("user").order_by("pk")
    )
    without = [i.pk for i in invitations if not i.user.email]
    if without:
        Invitation.objects.filter(pk__in=without).update(
            email_status=InvitationEmail.FAILED, email_error="该账号没有电子邮箱"
        )
    invitations = [i for i in invitations if i.user.email]
    ids = [i.pk for i in invitations]
    try:
        with get_connection() as connection:
            connection.send_messages([build_message(i) for i in invitations])
    except TRANSIENT as exc:
        final = self.request.retries >= MAX_RETRIES
        Invitation.objects.filter(pk__in=ids).update(
            email_status=InvitationEmail.FAILED if final else InvitationEmail.PENDING,
            email_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        if final:
            return 0
        raise self.retry(countdown=30 * 2**self.request.retries, max_retries=MAX_RETRIES) from exc
    except Exception as exc:  # noqa: BLE001 - recorded for staff, who can resend
        Invitation.objects.filter(pk__in=ids).update(
            email_status=InvitationEmail.FAILED, email_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        return 0
    # A resend that happened meanwhile put the row back to pending: leave that one alone.
    Invitation.objects.filter(Q(pk__in=ids), email_status=InvitationEmail.SENDING).update(
        email_status=InvitationEmail.SENT, email_error=""
    )
    return len(ids)


@receiver(invitations_due)
def _queue(sender, *, ids: list[int], **kwargs) -> None:
    send_invitation_emails.delay_on_commit(ids)
