"""Invitations: a new account sets its own password through a one-time link.

The link carries a signed token with its own timestamp (valid for ``INVITATION_DAYS``) and a
fingerprint of the account's password hash and the invitation's send time: setting a password
or re-sending the invitation makes every earlier link useless. No password is ever e-mailed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import Invitation, InvitationEmail

INVITATION_DAYS = 7
_SALT = "accounts.invitation"


def _fingerprint(invitation: Invitation) -> str:
    value = f"{invitation.user.password}|{invitation.sent_at.isoformat()}"
    return salted_hmac(_SALT, value).hexdigest()[:24]


def make_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "f": _fingerprint(invitation)}, salt=_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("accounts:accept_invitation", args=[make_token(invitation)])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@dataclass(frozen=True)
class TokenCheck:
    invitation: Invitation | None
    problem: str = ""


def check_token(token: str) -> TokenCheck:
    """The pending invitation the token opens, or why it opens nothing (in Chinese)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=INVITATION_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        return TokenCheck(None, f"链接已超过 {INVITATION_DAYS} 天有效期，请联系邀请人重新发送。")
    except signing.BadSignature:
        return TokenCheck(None, "链接无效，请检查是否完整复制了邮件中的链接。")
    invitation = (
        Invitation.objects.select_related("user").filter(pk=data.get("i")).first()
        if isinstance(data, dict)
        else None
    )
    if invitation is None or not invitation.user.is_active:
        return TokenCheck(None, "链接无效，请联系邀请人。")
    if not invitation.pending:
        return TokenCheck(None, "此链接已经用过，请直接登录；忘记密码可通过“忘记密码”重设。")
    if not constant_time_compare(str(data.get("f", "")), _fingerprint(invitation)):
        return TokenCheck(None, "此链接已失效（邀请已重新发送），请使用最新一封邮件中的链接。")
    return TokenCheck(invitation)


def invite(*, user, by=None) -> Invitation:
    """Create (or renew) ``user``'s invitation and e-mail it after the transaction commits."""
    now = timezone.now()
    invitation, created = Invitation.objects.get_or_create(
        user=user, defaults={"invited_by": by, "sent_at": now}
    )
    if not created:
        invitation.sent_at = now
        invitation.times_sent += 1
        invitation.accepted_at = None if not user.has_usable_password() else invitation.accepted_at
        invitation.email_status, invitation.email_error = InvitationEmail.PENDING, ""
        invitation.save(
            update_fields=[
                "sent_at",
                "times_sent",
                "accepted_at",
                "email_status",
                "email_error",
                "modified",
            ]
        )
    send_after_commit([invitation.pk])
    return invitation


def resend(invitation: Invitation, *, by=None) -> Invitation:
    if not invitation.pending:
        raise ValueError("invitation already accepted")
    return invite(user=invitation.user, by=by)


@transaction.atomic
def accept(invitation: Invitation, *, password: str) -> None:
    """Set the password chosen by the invitee; the link is spent."""
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "modified"])


BATCH = 100  # invitations per Celery task (one SMTP connection each)


# Invitations whose e-mails are due (kwargs: ids, in batches of BATCH). accounts.tasks listens
# and queues each batch after commit: a signal, because the task itself reads this module.
invitations_due = Signal()


def send_after_commit(invitation_ids: list[int]) -> None:
    """Queue the e-mails, in batches, for the worker once the current transaction commits."""
    ids = sorted(invitation_ids)
    for start in range(0, len(ids), BATCH):
        invitations_due.send(sender=Invitation, ids=ids[start : start + BATCH])


def build_message(invitation: Invitation) -> EmailMessage:
    user = invitation.user
    body = (
        f"{user.display_name or user.username}，您好：\n\n"
        "福建省高职院校诊改复核门户为您开通了账号。\n"
        f"登录用户名：{user.username}\n\n"
        f"请在 {INVITATION_DAYS} 天内打开下面的链接，自行设置密码（链接只能使用一次）：\n"
        f"{invitation_url(invitation)}\n\n"
        "本邮件不包含密码。如果您并不认识本门户，请忽略本邮件。\n"
    )
    return EmailMessage(
        subject="【诊改门户】请设置您的账号密码",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
