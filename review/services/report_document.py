"""A submitted report's PDF, rendered once from its locked snapshot and kept with its SHA-256.

Whoever needs the submitted report as a file (material 2 of a re-check) gets these stored
bytes, so every copy is the same file and can be checked against one hash.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from review.exporters.pdf import render_report_pdf
from review.models import SelfDiagnosis
from review.selectors import report_data


@transaction.atomic
def stored_report_pdf(*, report: SelfDiagnosis) -> tuple[str, bytes]:
    """(file name, bytes) of the submitted report's PDF; rendered and stored the first time.

    The row lock makes a second caller wait and then find the stored file.
    """
    report = SelfDiagnosis.objects.select_for_update().select_related("school").get(pk=report.pk)
    if report.is_draft or not report.snapshot:
        raise ValidationError("报告尚未提交，没有提交版 PDF。")
    filename = f"{report.school.name}-{report.year}-自我诊断与改进工作报告.pdf"
    if not report.pdf:
        _name, _type, content = render_report_pdf(report_data(report))
        report.pdf_sha256 = hashlib.sha256(content).hexdigest()
        report.pdf.save("report.pdf", ContentFile(content), save=False)
        report.save(update_fields=["pdf", "pdf_sha256", "modified"])
        return filename, content
    with report.pdf.open("rb") as handle:
        return filename, handle.read()
