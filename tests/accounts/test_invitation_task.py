"""Invitation e-mails leave from a Celery task after commit, in batches, at most once each."""

import pytest
from django.core import mail

from accounts.models import Invitation, InvitationEmail
from accounts.services import invitations
from accounts.tasks import send_invitation_emails
from schools.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _invited(n: int, province) -> list[Invitation]:
    users = [
        User.objects.create(username=f"t{i}@test.invalid", email=f"t{i}@test.invalid")
        for i in range(n)
    ]
    return [invitations.invite(user=u, by=province) for u in users]


def test_the_task_sends_each_invitation_once_even_when_run_twice(province, eager_celery):
    sent = _invited(3, province)
    assert len(mail.outbox) == 3  # sent by the task once the invite committed
    ids = [i.pk for i in sent]
    assert send_invitation_emails.apply(args=[ids]).get() == 0  # a redelivered batch
    assert len(mail.outbox) == 3
    assert set(Invitation.objects.values_list("email_status", flat=True)) == {InvitationEmail.SENT}


def test_invitations_are_sent_in_batches_after_commit(province, eager_celery, monkeypatch):
    from celery.signals import task_prerun
    from django.db import transaction

    batches = []

    def seen(sender=None, args=None, **kwargs):
        batches.append(list(args[0]))

    task_prerun.connect(seen, weak=False)
    monkeypatch.setattr(invitations, "BATCH", 2)
    try:
        users = [
            User.objects.create(username=f"b{i}@test.invalid", email=f"b{i}@test.invalid")
            for i in range(5)
        ]
        with transaction.atomic():
            rows = Invitation.objects.bulk_create(
                [Invitation(user=u, sent_at=users[0].date_joined) for u in users]
            )
            invitations.send_after_commit([r.pk for r in rows])
            assert batches == [] and mail.outbox == []  # nothing leaves before the commit
    finally:
        task_prerun.disconnect(seen)
    ids = [r.pk for r in rows]
    assert batches == [ids[0:2], ids[2:4], ids[4:5]]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


def test_a_failed_send_is_recorded_and_a_resend_tries_again(province, settings):
    settings.EMAIL_BACKEND = "tests.accounts.test_invitation_task.BrokenBackend"
    (invitation,) = _invited(1, province)
    invitation.refresh_from_db()
    assert invitation.email_status == InvitationEmail.FAILED
    assert "RuntimeError" in invitation.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitations.resend(invitation, by=province)
    invitation.refresh_from_db()
    assert invitation.email_status == InvitationEmail.SENT and invitation.times_sent == 2
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise RuntimeError("mail server refused")
