"""All of a re-check's materials in one zip with a manifest (issue 20, part 4).

The zip is opened with zipfile, its manifest read as CSV, and every hash checked three ways:
against the SHA-256 recorded at upload, against the bytes in the zip, and against the bytes
stored on disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from review.models import Material, MaterialKind
from review.services import bundle, materials
from tests.notices.test_worker import _wait_for, worker  # noqa: F401 - the worker fixture
from tests.uploads import office_zip, tiny_pdf
from zhengai.celery import app

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _upload(recheck, user, kind, name, content):
    return materials.upload_material(
        recheck=recheck, kind=kind, upload=SimpleUploadedFile(name, content), user=user
    )


@pytest.fixture
def published(recheck_a, alice, province):
    """All eight published; then a second version of 7 (a .docx) and material 8 withdrawn."""
    for kind in MaterialKind:
        _upload(recheck_a, alice, kind, f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}"))
    materials.publish_materials(recheck=recheck_a, user=alice)
    _upload(
        recheck_a, alice, MaterialKind.PLANS, "规划（修订）.docx", office_zip("word/document.xml")
    )
    withdrawn = Material.objects.get(recheck=recheck_a, kind=MaterialKind.REGIONAL)
    materials.withdraw_material(material=withdrawn, user=province, reason="含不应公开的内容")
    return recheck_a


@pytest.fixture
def certified(assigned_expert, expert):
    assigned_expert.certified_at = timezone.now()
    assigned_expert.save()
    return expert


def _zip(response) -> zipfile.ZipFile:
    content = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(content))


def _manifest(archive: zipfile.ZipFile) -> list[dict]:
    text = archive.read("manifest.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_manifest_matches_the_stored_hashes_and_the_bytes(client, published, certified):
    response = _as(client, certified).get(f"/rechecks/{published.pk}/materials.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = _zip(response)
    assert archive.testzip() is None
    rows = _manifest(archive)
    assert list(rows[0]) == bundle.MANIFEST_HEADER  # Chinese headings
    stored = {m.pk: m for m in Material.objects.filter(recheck=published)}
    assert len(rows) == len(stored) == 9
    by_name = {m.original_name: m for m in stored.values()}
    for row in rows:
        material = by_name[row["原文件名"]]
        assert row["SHA-256"] == material.sha256
        assert int(row["大小（字节）"]) == material.size
        with material.document.open("rb") as handle:
            on_disk = handle.read()
        assert hashlib.sha256(on_disk).hexdigest() == material.sha256
        if material.withdrawn_at:
            assert row["状态"] == "已撤下（未附文件）" and row["压缩包内文件名"] == ""
            continue
        assert row["状态"] == "已公示"
        in_zip = archive.read(row["压缩包内文件名"])
        assert in_zip == on_disk
        assert hashlib.sha256(in_zip).hexdigest() == row["SHA-256"]
    plans = [r for r in rows if r["材料"] == MaterialKind.PLANS.label]
    assert [(r["版本"], r["压缩包内文件名"]) for r in plans] == [
        ("第1版", "材料7/第1版-材料7.pdf"),
        ("第2版", "材料7/第2版-规划（修订）.docx"),
    ]
    # The manifest and the eight files still up; the withdrawn one's bytes are not there.
    assert len(archive.namelist()) == 1 + 8
    assert not any(name.startswith("材料8/") for name in archive.namelist())


def test_the_zip_is_kept_until_a_file_changes(client, published, certified, province, alice):
    url = f"/rechecks/{published.pk}/materials.zip"
    first = _as(client, certified).get(url)
    b"".join(first.streaming_content)
    folder = settings.MEDIA_ROOT / "bundles"
    (kept,) = folder.glob("*.zip")
    built = []
    original = bundle.build
    bundle.build = lambda **kw: built.append(kw) or original(**kw)
    try:
        again = _as(client, province).get(url)
        b"".join(again.streaming_content)
        assert built == []  # served from the stored zip
        _upload(
            published, alice, MaterialKind.SATISFACTION, "满意度调查（补充）.pdf", tiny_pdf("补")
        )
        changed = _zip(_as(client, certified).get(url))
    finally:
        bundle.build = original
    assert len(built) == 1
    assert any(r["原文件名"] == "满意度调查（补充）.pdf" for r in _manifest(changed))
    assert [p.name for p in folder.glob("*.zip")] != [kept.name]  # the old zip is gone
    assert len(list(folder.glob("*.zip"))) == 1
    # A withdrawal changes the manifest too, so the key and the zip.
    before = next(folder.glob("*.zip")).name
    extra = Material.objects.get(original_name="满意度调查（补充）.pdf")
    materials.withdraw_material(material=extra, user=province, reason="重复上传")
    b"".join(_as(client, certified).get(url).streaming_content)
    assert next(folder.glob("*.zip")).name != before


def test_a_file_that_no_longer_matches_its_hash_stops_the_zip(client, published, certified):
    material = Material.objects.filter(recheck=published, kind=MaterialKind.RULES).first()
    with open(material.document.path, "ab") as handle:
        handle.write(b"tampered")
    response = _as(client, certified).get(f"/rechecks/{published.pk}/materials.zip")
    assert response.status_code == 500
    assert "与登记的 SHA-256 不符" in response.content.decode()
    assert list((settings.MEDIA_ROOT / "bundles").glob("*")) == []  # nothing half-written


def test_provincial_staff_download_it(client, published, province):
    response = _as(client, province).get(f"/rechecks/{published.pk}/materials.zip")
    assert response.status_code == 200
    assert len(_manifest(_zip(response))) == 9


@pytest.mark.parametrize("name", ["alice", "bob", "committee", "expert"])
def test_everyone_else_gets_404(client, everyone, published, name):
    """The school, another school, the committee, and an expert not on this panel."""
    response = _as(client, everyone[name]).get(f"/rechecks/{published.pk}/materials.zip")
    assert response.status_code == 404


def test_an_uncertified_panel_member_gets_404(client, published, assigned_expert, expert):
    assert _as(client, expert).get(f"/rechecks/{published.pk}/materials.zip").status_code == 404


def test_links_on_the_recheck_and_staff_review_pages(client, published, certified, everyone):
    link = f"/rechecks/{published.pk}/materials.zip"
    assert link in _as(client, certified).get(f"/rechecks/{published.pk}/").content.decode()
    assert (
        link in _as(client, everyone["province"]).get(f"/rechecks/{published.pk}/").content.decode()
    )
    for name in ("alice", "committee"):
        assert (
            link
            not in _as(client, everyone[name]).get(f"/rechecks/{published.pk}/").content.decode()
        )


def test_a_large_set_is_made_by_the_worker_with_progress(client, published, certified, monkeypatch):
    monkeypatch.setattr(bundle, "INLINE_BYTES", 0)
    queued = []
    monkeypatch.setattr(
        "review.views.bundle.queue_materials_bundle", lambda *args: queued.append(args) or True
    )
    url = f"/rechecks/{published.pk}/materials.zip"
    response = _as(client, certified).get(url)
    html = response.content.decode()
    assert response.status_code == 202 and response["Cache-Control"] == "no-store"
    # It asks again every 2 s (a small script, with a pause button); without script, a link.
    assert 'data-refresh-seconds="2"' in html and "js/progress.js" in html and "已排队" in html
    assert f'href="{url}">刷新</a>' in html and '<meta http-equiv="refresh"' not in html
    client.get(url)
    assert queued == [(published.pk,)]  # queued once however often the page refreshes
    key = bundle.key_of(bundle.entries(published))
    cache.set(bundle.progress_key(published.pk, key), {"done": 2048, "total": 4096})
    assert "已写入 2.0\xa0KB / 4.0\xa0KB" in client.get(url).content.decode()
    # The task itself (run here) leaves the zip the next request serves.
    from review.tasks import build_materials_bundle

    app.conf.task_always_eager = True
    build_materials_bundle.delay(published.pk)
    assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: CI sets REDIS_URL")
def test_a_real_worker_writes_the_zip_the_next_request_serves(
    client,
    recheck_a,
    alice,
    province,
    worker,  # noqa: F811 - the fixture imported above
    settings,
    tmp_path,
    monkeypatch,
):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # where the worker process reads and writes
    monkeypatch.setattr(bundle, "INLINE_BYTES", 0)
    for kind in (MaterialKind.RULES, MaterialKind.PLANS):
        _upload(recheck_a, alice, kind, f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}"))
    url = f"/rechecks/{recheck_a.pk}/materials.zip"
    assert _as(client, province).get(url).status_code == 202
    assert _wait_for(lambda: list((settings.MEDIA_ROOT / "bundles").glob("*.zip")), 90)
    response = client.get(url)
    assert response.status_code == 200
    rows = _manifest(_zip(response))
    assert [r["原文件名"] for r in rows] == ["材料1.pdf", "材料7.pdf"]


def test_a_conflict_on_record_closes_the_zip_at_once(client, published, certified):
    from schools.models import ConflictKind, ExpertConflict

    ExpertConflict.objects.create(
        expert=certified.expert, school=published.school, kind=ConflictKind.values[0]
    )
    assert _as(client, certified).get(f"/rechecks/{published.pk}/materials.zip").status_code == 404
