"""Reminders by hand: preview who receives it, confirm, one notice per recipient, once."""

import pytest
from django.core import mail
from django.utils import timezone

from notices.models import Notice, NoticeKind
from workbench.models import ReminderBatch, ReminderRecipient

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    from zhengai.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield app
    app.conf.task_always_eager = False


def _as(client, user):
    client.force_login(user)
    return client


def test_pick_preview_confirm_writes_one_notice_per_recipient_once(
    client, province, alice, carol, bob, school_a, school_b, eager_celery,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    _as(client, province)
    page = client.get("/workbench/reminders/?step=report").content.decode()
    assert school_a.name in page and school_b.name in page  # every school is behind in Nov
    preview = client.post(
        "/workbench/reminders/",
        {
            "step": "report",
            "school": [school_a.pk, school_b.pk],
            "note": "请抓紧",
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    text = preview.content.decode()
    # Who receives it, before anything is sent.
    assert (
        "alice@test.invalid" in text and "carol@test.invalid" in text and "bob@test.invalid" in text
    )
    assert preview.context["recipients"] == 3
    assert Notice.objects.count() == 0 and ReminderBatch.objects.count() == 0
    token = preview.context["token"]
    confirm = {
        "step": "report", "school": [school_a.pk, school_b.pk], "note": "请抓紧",
        "action": "confirm", "token": token,
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/workbench/reminders/", confirm)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post("/workbench/reminders/", confirm)  # a double submit
    assert first.status_code == second.status_code == 302
    notices = Notice.objects.filter(kind=NoticeKind.MANUAL_REMINDER)
    assert sorted(n.recipient.username for n in notices) == ["alice", "bob", "carol"]
    assert all("请抓紧" in n.body and n.url == "/self-diagnosis/" for n in notices)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@test.invalid", "bob@test.invalid", "carol@test.invalid"
    ]  # fmt: skip
    batch = ReminderBatch.objects.get()
    assert (batch.sent_by, batch.step, batch.schools, batch.recipients) == (
        province,
        "report",
        2,
        3,
    )
    assert ReminderRecipient.objects.count() == 3
    log = client.get("/workbench/reminders/log/").content.decode()
    assert "自我诊断与改进报告" in log and school_a.name in log and "alice" in log


def test_confirm_without_schools_says_so_and_sends_nothing(client, province):
    response = _as(client, province).post(
        "/workbench/reminders/", {"step": "rules", "action": "confirm", "token": "a" * 32}
    )
    assert response.status_code == 400 and "请至少选择一所学校" in response.content.decode()
    assert Notice.objects.count() == 0 and ReminderBatch.objects.count() == 0


def test_a_school_not_behind_cannot_be_reminded(client, province, alice, school_a):
    from review.models import ImplementationRules

    ImplementationRules.objects.create(
        school=school_a, year=timezone.localdate().year, token="t" * 32, original_name="x.pdf",
        kind="pdf", size=1, sha256="0" * 64, uploaded_by=alice, document="x.pdf",
    )  # fmt: skip
    response = _as(client, province).post(
        "/workbench/reminders/", {"step": "rules", "school": [school_a.pk], "action": "preview"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["committee", "alice", "expert"])
def test_only_provincial_staff_send_reminders(client, everyone, who, school_a):
    response = _as(client, everyone[who]).post(
        "/workbench/reminders/",
        {"step": "report", "school": [school_a.pk], "action": "confirm", "token": "b" * 32},
    )
    assert response.status_code == 404 and Notice.objects.count() == 0
