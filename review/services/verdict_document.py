"""The published verdict's PDF (复核结论与复核报告): rendered once, stored, served as a file.

A verdict never changes once published (a correction is a new record), so its document is
rendered once, after publication, and kept with its SHA-256. Downloads — the column's, the
school's, staff's — serve that file; nobody's request renders it again.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse

from review.exporters.verdict_pdf import render_verdict_pdf
from review.models import VerdictRecord
from review.selectors import verdict_report_data
from review.services.files import stored_file_response


@transaction.atomic
def store_verdict_pdf(*, record_id: int) -> VerdictRecord:
    """Render and store the record's PDF unless it is stored already (safe to run twice).

    The row lock makes a second caller (the task run twice, or a download racing the task)
    wait, then find the file and leave.
    """
    record = VerdictRecord.objects.select_for_update().get(pk=record_id)
    if record.pdf:
        return record
    filename, _content_type, content = render_verdict_pdf(verdict_report_data(record))
    record.pdf_sha256 = hashlib.sha256(content).hexdigest()
    record.pdf_filename = filename
    record.pdf.save("verdict.pdf", ContentFile(content), save=False)
    record.save(update_fields=["pdf", "pdf_sha256", "pdf_filename", "modified"])
    return record


def stored_verdict_pdf(record: VerdictRecord) -> HttpResponse:
    """The verdict's stored PDF as a download, tagged with its SHA-256."""
    response = stored_file_response(record.pdf, kind="pdf", filename=record.pdf_filename)
    response["ETag"] = f'"{record.pdf_sha256}"'
    return response
