"""The outbox with a real Celery worker on the real Redis broker: no notice e-mail is lost.

Broker down when the scan commits, then back: every e-mail goes out exactly once. A worker
killed with SIGKILL while sending: after the lease the e-mail goes out and no row is left
发送中; a crash after the server accepted the message gives one duplicate, with the same
Message-ID.
"""

import email
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from notices import tasks
from notices.models import EmailStatus, Notice
from notices.services import outbox
from notices.services.scan import scan

ROOT = Path(__file__).resolve().parents[2]
LEASE = 3  # seconds, for the test process and its workers alike

pytestmark = [
    pytest.mark.skipif(
        not settings.REDIS_URL, reason="needs Redis: CI sets REDIS_URL (so does `.ci/run`)"
    ),
    pytest.mark.django_db(transaction=True),
]


class Workers:
    """Start workers on a queue of the test's own; kill or stop them; read what they mailed."""

    def __init__(self, tmp_path: Path, queue: str) -> None:
        self.tmp_path, self.queue = tmp_path, queue
        self.mail = tmp_path / "mail"
        self.flags = tmp_path / "flags"
        self.flags.mkdir()
        self.processes: list[subprocess.Popen] = []

    def start(self, **env_extra: str) -> subprocess.Popen:
        db = connection.settings_dict
        env = (
            os.environ
            | {
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                "REDIS_URL": settings.REDIS_URL,
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.mail),
                "ZHENGAI_VAR_DIR": str(self.tmp_path / "var"),
                "NOTICE_EMAIL_LEASE_SECONDS": str(LEASE),
                "BLOCKING_MAIL_DIR": str(self.flags),
            }
            | env_extra
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "zhengai", "worker", "--pool", "solo",
             "--queues", self.queue, "--loglevel", "INFO", "--without-heartbeat",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def messages(self) -> list[email.message.Message]:
        found = []
        for path in sorted(self.mail.glob("*.log")) if self.mail.exists() else []:
            # The file backend writes each message followed by a line of dashes.
            for chunk in path.read_text(encoding="utf-8").split("-" * 79):
                if chunk.strip():
                    found.append(email.message_from_string(chunk.strip()))
        return found

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on a server (PostgreSQL)")
    from zhengai.celery import app

    settings.NOTICE_EMAIL_LEASE_SECONDS = LEASE
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    pool = Workers(tmp_path, queue)
    try:
        yield pool
    finally:
        pool.stop_all()
        app.conf.task_default_queue = "celery"
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)


def _wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def _all_sent() -> bool:
    return not Notice.objects.exclude(email_status=EmailStatus.SENT).exists()


@pytest.fixture
def broker_down():
    """Make this process's dispatch fail as with Redis unreachable; ``back()`` restores it."""
    from zhengai.celery import app

    good = app.conf.broker_url

    def point_at(url):
        app.conf.broker_url = url
        app._pool = None  # the producer pools hold connections to the old address
        app.amqp._producer_pool = None

    point_at("redis://127.0.0.1:9/0")  # the discard port: connection refused
    yield lambda: point_at(good)
    point_at(good)


def test_broker_down_at_commit_then_back_sends_every_email_once(
    alice, bob, province, workers, broker_down, caplog
):
    workers.start()
    result = scan(today=date(2026, 5, 30))  # commits; the dispatch after commit fails
    assert result.created >= 3  # alice's, bob's, and the staff digest
    assert "通知邮件未能入队" in caplog.text  # the broker really was unreachable
    time.sleep(3)
    assert workers.messages() == []
    assert Notice.objects.filter(email_status=EmailStatus.PENDING).count() == result.created

    broker_down()  # back
    assert scan(today=date(2026, 5, 30)).created == 0  # a later scan alone would send nothing
    assert tasks.resend_stalled_emails.apply().get() == result.created  # beat's job
    assert _wait_for(_all_sent), "the worker did not deliver the pending notices"

    messages = workers.messages()
    assert len(messages) == result.created
    ids = {m["Message-ID"] for m in messages}
    assert ids == {outbox.message_id(n) for n in Notice.objects.all()}
    assert sorted(m["To"] for m in messages) == sorted(
        Notice.objects.values_list("recipient__email", flat=True)
    )
    # Beat again: nothing left to send, nothing sent twice.
    assert tasks.resend_stalled_emails.apply().get() == 0
    time.sleep(3)
    assert len(workers.messages()) == result.created


@pytest.mark.parametrize(
    ("when", "copies"),
    [("before", 1), ("after", 2)],
    ids=["killed-before-the-server-accepted", "killed-after-the-server-accepted"],
)
def test_worker_killed_mid_send_the_email_goes_out_after_the_lease(alice, workers, when, copies):
    dying = workers.start(
        EMAIL_BACKEND="tests.notices.blocking_mail.EmailBackend", BLOCKING_MAIL_WHEN=when
    )
    assert scan(today=date(2026, 5, 30)).created == 1
    notice = Notice.objects.get(recipient=alice)
    assert _wait_for((workers.flags / "sending").exists), "the worker never started sending"
    dying.kill()  # SIGKILL: no cleanup, no ack, the row is left 发送中
    dying.wait(timeout=20)
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENDING and notice.email_attempts == 1

    workers.start()  # a healthy worker
    assert tasks.resend_stalled_emails.apply().get() == 0  # within the lease: not taken over
    time.sleep(LEASE + 1)
    assert tasks.resend_stalled_emails.apply().get() == 1
    assert _wait_for(_all_sent), "the e-mail was not sent after the lease"
    assert not Notice.objects.filter(email_status=EmailStatus.SENDING).exists()

    notice.refresh_from_db()
    assert notice.email_attempts == 2
    messages = workers.messages()
    assert len(messages) == copies  # "once": at most one duplicate per crash …
    assert {m["Message-ID"] for m in messages} == {outbox.message_id(notice)}  # … same id
    assert all(m["To"] == alice.email for m in messages)
