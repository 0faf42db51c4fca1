"""A real Celery worker on the real Redis broker delivers a due notice exactly once."""

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

from notices.models import EmailStatus, Notice, NoticeKind
from notices.services.scan import scan

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        not settings.REDIS_URL, reason="needs Redis: CI sets REDIS_URL (so does `.ci/run`)"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(tmp_path):
    """A worker process on a queue of its own, reading the test database, mailing to files."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on a server (PostgreSQL)")
    from zhengai.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "ZHENGAI_VAR_DIR": str(tmp_path / "var"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "zhengai", "worker", "--pool", "solo",
         "--queues", queue, "--loglevel", "INFO", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield tmp_path / "mail"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.task_default_queue = "celery"
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_a_due_deadline_gives_one_notice_and_one_email_and_a_second_scan_none(alice, worker):
    first = scan(today=date(2026, 5, 30))
    assert first.created == 1  # alice's; no provincial staff in this test
    notice = Notice.objects.get(recipient=alice, kind=NoticeKind.RULES_DUE)
    assert _wait_for(
        lambda: Notice.objects.filter(pk=notice.pk, email_status=EmailStatus.SENT).exists()
    ), "the worker did not deliver the notice"
    files = list(worker.glob("*.log"))
    assert len(files) == 1
    assert alice.email in files[0].read_text(encoding="utf-8")

    second = scan(today=date(2026, 5, 30))
    assert second.created == 0
    time.sleep(3)  # give a wrongly dispatched task time to show up
    assert len(list(worker.glob("*.log"))) == 1
    assert Notice.objects.filter(recipient=alice).count() == 1
