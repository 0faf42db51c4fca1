"""Uploads are what they claim: structure checked (not first bytes), served as attachments."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import DocumentKind, ImplementationRules
from review.services.files import check_document, shown_name
from tests.uploads import office_zip, tiny_pdf

ALL = {DocumentKind.PDF, DocumentKind.DOCX, DocumentKind.XLSX}


def _check(content: bytes, name: str = "文件"):
    return check_document(SimpleUploadedFile(name, content), allowed=ALL)


def test_a_real_pdf_docx_and_xlsx_are_accepted_as_their_kind():
    from review.exporters.report_xlsx import export_report_xlsx
    from review.exporters.samples import full_length_report

    assert _check(tiny_pdf("真")).kind == DocumentKind.PDF
    assert _check(office_zip("word/document.xml")).kind == DocumentKind.DOCX
    _, _, xlsx = export_report_xlsx(full_length_report())
    assert _check(xlsx).kind == DocumentKind.XLSX


def test_a_text_file_renamed_to_pdf_is_refused_even_with_the_pdf_header():
    text = b"%PDF-1.7\nJust some notes typed in a text editor, then renamed.\n%%EOF\n"
    with pytest.raises(ValidationError, match="PDF 文件已损坏"):
        _check(text, "报告.pdf")


def test_a_truncated_pdf_is_refused():
    whole = tiny_pdf("截断" * 200)
    with pytest.raises(ValidationError, match="PDF 文件不完整"):
        _check(whole[: len(whole) // 2], "报告.pdf")


def test_a_pdf_with_a_broken_body_is_refused():
    whole = tiny_pdf()
    broken = whole.replace(b"/Pages", b"/Xxxxx")  # the page tree no longer resolves
    with pytest.raises(ValidationError, match="PDF"):
        _check(broken, "报告.pdf")


def test_a_zip_bomb_xlsx_is_refused_from_its_directory():
    bomb = office_zip("xl/workbook.xml", extra={"xl/worksheets/sheet1.xml": b"\0" * 30_000_000})
    assert len(bomb) < 100_000  # tiny on the wire…
    with pytest.raises(ValidationError, match="压缩比异常"):
        _check(bomb, "报表.xlsx")  # …refused without inflating it


def test_an_office_zip_without_its_declared_main_part_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "not xml at all")
    with pytest.raises(ValidationError, match="结构不完整"):
        _check(buffer.getvalue(), "报告.docx")


def test_a_corrupted_office_zip_is_refused():
    good = office_zip("word/document.xml", extra={"word/styles.xml": b"<styles/>" * 500})
    # Flip bytes inside the compressed data: the directory still reads, the content does not.
    start = good.index(b"word/document.xml") + 40
    bad = good[:start] + bytes(b ^ 0xFF for b in good[start : start + 30]) + good[start + 30 :]
    with pytest.raises(ValidationError):
        _check(bad, "报告.docx")


def test_bidi_controls_are_stripped_from_shown_names():
    assert shown_name("报告\u202efdp.exe") == "报告fdp.exe"
    assert shown_name("\u2066a\u2069\u200e\u200f/..\\b\x00.pdf") == "a..b.pdf"


@pytest.mark.django_db
def test_a_name_with_a_right_to_left_override_is_stored_and_served_without_it(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("细则\u202efdp.exe.pdf", tiny_pdf("细则"), "application/pdf")
    response = client.post("/self-diagnosis/rules/", {"year": 2026, "document": upload})
    assert response.status_code == 302
    rules = ImplementationRules.objects.get()
    assert rules.original_name == "细则fdp.exe.pdf"
    page = client.get("/self-diagnosis/").content.decode()
    assert "\u202e" not in page and "细则fdp.exe.pdf" in page
    download = client.get(f"/self-diagnosis/rules/{rules.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "%E2%80%AE" not in download["Content-Disposition"]  # U+202E, percent-encoded


@pytest.mark.django_db
def test_a_stored_word_file_is_served_as_word_whatever_its_name(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("细则.html", office_zip("word/document.xml"), "text/html")
    assert client.post("/self-diagnosis/rules/", {"year": 2026, "document": upload}).status_code
    rules = ImplementationRules.objects.get()
    download = client.get(f"/self-diagnosis/rules/{rules.pk}/download/")
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_a_renamed_text_file_is_refused_by_the_upload_page(client, alice):
    client.force_login(alice)
    fake = SimpleUploadedFile(
        "细则.pdf", b"%PDF-1.4\n\xe8\xbf\x99\xe6\x98\xaf\xe6\x96\x87\xe5\xad\x97\n"
    )
    response = client.post("/self-diagnosis/rules/", {"year": 2026, "document": fake})
    assert response.status_code == 400
    assert "文件无法使用" in response.content.decode()
    assert not ImplementationRules.objects.exists()
