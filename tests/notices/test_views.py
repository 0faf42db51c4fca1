"""The inbox and the notice log by role."""

from datetime import date

import pytest

from notices.models import Notice, NoticeKind, Stage

pytestmark = pytest.mark.django_db


def _notice(user, title="实施细则将于 5 月 30 日截止", url="/self-diagnosis/#rules"):
    return Notice.objects.create(
        recipient=user, kind=NoticeKind.RULES_DUE, subject=f"school:{user.pk}",
        due_date=date(2026, 5, 30), stage=Stage.DAYS_3, title=title, body="请备案", url=url,
    )  # fmt: skip


def test_header_shows_the_unread_count(client, alice):
    _notice(alice)
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert '<span class="badge">1</span>' in html


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
