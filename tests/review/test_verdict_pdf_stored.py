"""The published verdict's PDF is rendered once, after publication (and again for a correction),
stored with its SHA-256 and served as that file: no download renders it."""

import hashlib

import pytest
from django.core.cache import cache
from django.test import Client

from review import tasks
from review.models import VerdictRecord
from review.services import publication, verdict_document
from tests.conftest import VerifiedClient, score_and_publish

# poppler is a fixture: imported so that pytestmark below can use it.
from tests.pdf_readback import pdftotext, poppler, squash  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("poppler")]


@pytest.fixture
def eager_celery():
    """Tasks run in-process as they are queued (the real-worker tests live in notices)."""
    from zhengai.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def renders(monkeypatch):
    """Count WeasyPrint renders, whatever code path asks for one."""
    from weasyprint import HTML

    calls = []
    real = HTML.write_pdf

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counted)
    return calls


@pytest.fixture
def published(
    recheck_a, panel_of_three, province, eager_celery, django_capture_on_commit_callbacks
):
    """A verdict published as staff do: the PDF task runs once the publication commits."""
    with django_capture_on_commit_callbacks(execute=True):
        record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    record.refresh_from_db()
    return record


def test_publishing_stores_the_pdf_with_a_matching_sha256(published, school_a):
    assert published.pdf and published.pdf_sha256
    content = published.pdf.read()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == published.pdf_sha256
    assert published.pdf_filename == f"{school_a.name}-复核结论与复核报告.pdf"
    text = squash(pdftotext(content))
    assert school_a.name in text and "有效" in text
    # Readers can check a download against the hash the verdict page shows.
    page = Client().get(f"/column/verdicts/{published.pk}/").content.decode()
    assert published.pdf_sha256 in page


def test_downloads_serve_the_stored_file_without_rendering(published, alice, province, renders):
    stored = published.pdf.read()
    anonymous = Client()
    for _ in range(2):
        response = anonymous.get(f"/column/verdicts/{published.pk}/report.pdf")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored
        assert response["ETag"] == f'"{published.pdf_sha256}"'
        assert "public" in response["Cache-Control"]
    for user in (alice, province):
        client = VerifiedClient()
        client.force_login(user)
        response = client.get(f"/verdicts/{published.pk}/report.pdf")
        assert response.status_code == 200 and b"".join(response.streaming_content) == stored
        assert "attachment" in response["Content-Disposition"]
    assert renders == []  # four downloads, no render


def test_a_correction_stores_a_new_pdf_and_keeps_the_original(
    published, province, renders, django_capture_on_commit_callbacks
):
    original = published.pdf.read()
    with django_capture_on_commit_callbacks(execute=True):
        correction = publication.correct_verdict(
            record=published, user=province, reason="相符项数统计有误", matched=10,
            measures_rating="weak",
        )  # fmt: skip
    correction.refresh_from_db()
    assert len(renders) == 1  # the correction's own document, once
    content = correction.pdf.read()
    assert hashlib.sha256(content).hexdigest() == correction.pdf_sha256 != published.pdf_sha256
    assert correction.pdf.name != published.pdf.name
    assert "相符项数统计有误" in squash(pdftotext(content))
    published.refresh_from_db()
    assert published.pdf.read() == original  # the record as first published stays as it was


def test_the_task_is_safe_to_run_twice(published, renders):
    sha = published.pdf_sha256
    assert tasks.store_verdict_pdf.apply(args=[published.pk]).get() == sha
    assert tasks.store_verdict_pdf.apply(args=[published.pk]).get() == sha
    assert renders == []


def test_the_column_never_renders_for_a_visitor_while_the_pdf_is_not_stored(
    recheck_a, panel_of_three, province, renders, monkeypatch
):
    # Published, but its task has not run yet (queue slow or down).
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    assert not VerdictRecord.objects.get(pk=record.pk).pdf
    queued = []
    monkeypatch.setattr(tasks.store_verdict_pdf, "apply_async", lambda *a, **k: queued.append(a))
    cache.delete(f"verdict-pdf-queued:{record.pk}")
    anonymous = Client()
    for _ in range(3):
        response = anonymous.get(f"/column/verdicts/{record.pk}/report.pdf")
        assert response.status_code == 503 and response["Retry-After"] == "10"
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
        assert "生成中" in response.content.decode()
    assert renders == []
    assert len(queued) == 1  # three visitors, one queued render
    verdict_document.store_verdict_pdf(record_id=record.pk)  # the task runs
    response = anonymous.get(f"/column/verdicts/{record.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(renders) == 1


def test_a_logged_in_download_before_the_task_stores_it_once(
    recheck_a, panel_of_three, province, alice, renders
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    client = VerifiedClient()
    client.force_login(alice)
    first = client.get(f"/verdicts/{record.pk}/report.pdf")
    second = client.get(f"/verdicts/{record.pk}/report.pdf")
    assert first.status_code == second.status_code == 200
    assert b"".join(first.streaming_content) == b"".join(second.streaming_content)
    assert len(renders) == 1
    record.refresh_from_db()
    assert record.pdf and record.pdf_sha256
