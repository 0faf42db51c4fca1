"""The cycle overview's .xlsx is made by the worker, shown in progress, and kept until the
data changes (issue 16: 1.1 s per download at 1,500 schools)."""

import io

import openpyxl
import pytest
from django.conf import settings
from django.core.cache import cache

from review.services import cycle_export
from tests.notices.test_worker import _wait_for, worker  # noqa: F401 - the worker fixture
from zhengai.celery import app

pytestmark = pytest.mark.django_db


def _xlsx(response) -> list:
    content = b"".join(response.streaming_content)
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(content)).active]


def test_the_stored_file_is_served_until_the_data_changes(client, province, cycle_2026, recheck_a):
    app.conf.task_always_eager = True
    client.force_login(province)
    url = f"/cycles/{cycle_2026.pk}/overview.xlsx"
    first = client.get(url)
    assert first.status_code == 200 and "attachment" in first["Content-Disposition"]
    rows = _xlsx(first)
    folder = settings.MEDIA_ROOT / "exports"
    (stored,) = folder.glob("*.xlsx")
    stored.write_bytes(stored.read_bytes())  # same bytes; now prove it is not built again
    built = []
    original = cycle_export.build
    cycle_export.build = lambda **kw: built.append(kw) or original(**kw)
    try:
        assert _xlsx(client.get(url)) == rows and built == []
        recheck_a.start_date = recheck_a.start_date.replace(day=25)
        recheck_a.end_date = recheck_a.end_date.replace(day=27)
        recheck_a.save()
        changed = _xlsx(client.get(url))
    finally:
        cycle_export.build = original
    assert len(built) == 1
    assert any("2026-05-25 至 2026-05-27" in (cell or "") for row in changed for cell in row)
    assert [p.name for p in folder.glob("*.xlsx")] != [stored.name]  # the old copy is gone
    assert len(list(folder.glob("*.xlsx"))) == 1


def test_without_the_file_the_page_shows_progress_and_refreshes_itself(
    client, province, cycle_2026, recheck_a, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "review.views.exports.queue_cycle_export", lambda *args: queued.append(args) or True
    )
    client.force_login(province)
    url = f"/cycles/{cycle_2026.pk}/overview.xlsx"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 202 and response["Cache-Control"] == "no-store"
    # It asks again by script (a timed meta refresh fails WCAG 2.2.1), with a pause button
    # and a plain link for those without script.
    assert 'data-refresh-seconds="2"' in html and "js/progress.js" in html and "已排队" in html
    assert "http-equiv" not in html and "暂停自动刷新" in html
    assert "<script>" not in html
    client.get(url)
    assert len(queued) == 1  # queued once however often the page refreshes
    cycle_id, filters, stamp = queued[0]
    name = cycle_export.file_name(cycle_2026, filters, stamp)
    cache.set(cycle_export.progress_key(name), {"done": 300, "total": 1500})
    assert "已写入 300 / 1500 所学校" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: CI sets REDIS_URL")
def test_a_real_worker_writes_the_file_the_next_request_serves(
    client,
    province,
    cycle_2026,
    recheck_a,
    worker,  # noqa: F811 - the fixture imported above
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # where the worker process writes
    client.force_login(province)
    url = f"/cycles/{cycle_2026.pk}/overview.xlsx"
    assert client.get(url).status_code == 202
    assert _wait_for(lambda: list((settings.MEDIA_ROOT / "exports").glob("*.xlsx")), 90)
    response = client.get(url)
    assert response.status_code == 200
    assert any(recheck_a.school.name in (c or "") for row in _xlsx(response) for c in row)
