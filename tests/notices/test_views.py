"""The inbox and the notice log by role."""

import re
from datetime import date

import pytest

from notices.models import Notice, NoticeKind, Stage

pytestmark = pytest.mark.django_db


def _notice(user, title="实施细则将于 5 月 30 日截止", url="/self-diagnosis/#rules", day=30):
    return Notice.objects.create(
        recipient=user, kind=NoticeKind.RULES_DUE, subject=f"school:{user.pk}",
        due_date=date(2026, 5, day), stage=Stage.DAYS_3, title=title, body="请备案", url=url,
    )  # fmt: skip


def test_header_shows_the_unread_count(client, alice):
    _notice(alice)
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert '<span class="badge">1</span>' in html


def _badge(client) -> str | None:
    html = client.get("/").content.decode()
    found = re.search(r'<span class="badge">([^<]*)<', html)
    return found.group(1) if found else None


def test_the_header_count_follows_every_notice_written_and_read(client, alice, province):
    """The count is kept between requests: each way a notice is written or read moves it."""
    client.force_login(alice)
    assert _badge(client) is None
    first = _notice(alice)
    assert _badge(client) == "1"
    # Written in bulk (as the deadline scan and the workflow's events write them).
    from notices.services.events import EventNotice, write

    write(
        [EventNotice(kind=NoticeKind.RULES_DUE, subject="bulk", day=date(2026, 5, 30),
                     title="批量", what="一条", next="去看", url="/", recipients=(alice,))]
    )  # fmt: skip
    assert _badge(client) == "2"
    client.get(f"/notices/{first.pk}/")  # opened: read
    assert _badge(client) == "1"
    second = Notice.objects.get(recipient=alice, read_at__isnull=True)
    client.post(f"/notices/{second.pk}/read/")
    assert _badge(client) is None
    _notice(alice, title="第三条", day=3).delete()
    _notice(alice, title="第四条", day=4)
    assert _badge(client) == "1"
    client.post("/notices/read-all/")
    assert _badge(client) is None
    # Someone else's notice never moves alice's count.
    _notice(province)
    assert _badge(client) is None


def test_inbox_shows_only_ones_own_notices(client, alice, bob):
    _notice(alice, title="给甲的通知")
    _notice(bob, title="给乙的通知")
    client.force_login(alice)
    html = client.get("/notices/").content.decode()
    assert "给甲的通知" in html and "给乙的通知" not in html


def test_opening_a_notice_marks_it_read_and_goes_to_the_page(client, alice):
    notice = _notice(alice)
    client.force_login(alice)
    response = client.get(f"/notices/{notice.pk}/")
    assert response["Location"] == "/self-diagnosis/#rules"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_elses_notice_is_404_and_stays_unread(client, alice, bob):
    notice = _notice(bob)
    client.force_login(alice)
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    client.post(f"/notices/{notice.pk}/read/")
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read(client, alice):
    first = _notice(alice)
    Notice.objects.filter(pk=first.pk).update(stage=Stage.DUE)
    _notice(alice, title="第二条")
    client.force_login(alice)
    client.post("/notices/read-all/")
    assert not Notice.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_external_urls_are_never_followed(client, alice):
    notice = _notice(alice, url="https://evil.example/phish")
    client.force_login(alice)
    assert client.get(f"/notices/{notice.pk}/")["Location"] == "/notices/"


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 200), ("committee", 200), ("alice", 404), ("bob", 404), ("expert", 404)],
)
def test_notice_log_by_role(client, everyone, who, status):
    _notice(everyone["alice"], title="日志里的通知")
    client.force_login(everyone[who])
    response = client.get("/notices/log/")
    assert response.status_code == status
    if status == 200:
        assert "日志里的通知" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 302), ("committee", 404), ("alice", 404), ("expert", 404)],
)
def test_scan_now_is_for_province(client, everyone, who, status, monkeypatch):
    from notices import tasks

    started = []
    monkeypatch.setattr(tasks.daily_scan, "delay_on_commit", lambda: started.append(1))
    client.force_login(everyone[who])
    assert client.post("/notices/scan/").status_code == status
    assert started == ([1] if status == 302 else [])


def test_scan_command_is_idempotent(alice, capsys):
    from django.core.management import call_command

    call_command("scan_deadlines", "--date", "2026-05-30")
    call_command("scan_deadlines", "--date", "2026-05-30")
    output = capsys.readouterr().out.splitlines()
    assert output[0].startswith("新通知 1 条") and output[1].startswith("新通知 0 条")
