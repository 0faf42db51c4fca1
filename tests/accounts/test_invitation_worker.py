"""A real Celery worker on the real Redis broker sends each invitation once, even when the
same batch is delivered twice."""

import time

import pytest
from django.conf import settings
from django.db import transaction

from accounts.models import Invitation, InvitationEmail
from accounts.services import invitations
from accounts.tasks import send_invitation_emails
from schools.models import User
from tests.notices.test_worker import _wait_for, worker  # noqa: F401  (the worker fixture)

pytestmark = [
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs Redis: CI sets REDIS_URL (so does `.ci/run`)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def eager_celery():
    """Not eager here: the tasks go through Redis to the worker process."""
    from zhengai.celery import app

    app.conf.task_always_eager = False
    return app


def _sent_to(folder) -> list[str]:
    return [
        line.removeprefix("To: ").strip()
        for path in folder.glob("*.log")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("To: ")
    ]


def test_the_worker_sends_each_invitation_once(province, worker):  # noqa: F811
    with transaction.atomic():
        users = [
            User.objects.create(username=f"w{i}@test.invalid", email=f"w{i}@test.invalid")
            for i in range(3)
        ]
        ids = [invitations.invite(user=u, by=province).pk for u in users]
    assert _wait_for(
        lambda: (
            Invitation.objects.filter(pk__in=ids, email_status=InvitationEmail.SENT).count() == 3
        )
    ), "the worker did not send the invitations"
    assert sorted(_sent_to(worker)) == sorted(u.email for u in users)

    send_invitation_emails.delay(ids)  # the same batch delivered again
    time.sleep(3)
    assert sorted(_sent_to(worker)) == sorted(u.email for u in users)
