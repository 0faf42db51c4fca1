"""Nothing typed is lost: an Excel import never overwrites newer work, a refused save keeps
the typed text on the page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.exporters.report_xlsx import STAMP_PROPERTY
from review.models import EditConflict, ReportStatus
from review.services import self_diagnosis as service
from review.services.self_diagnosis import TextEdit
from tests.conftest import filled_and_submitted

pytestmark = pytest.mark.django_db

SHEET = "自我诊断与改进报告表"


def _entry(report, code="1.1"):
    return report.entries.get(element__code=code)


def _browser_edit(report, user, code, **values):
    """A colleague saves one element in the browser, on the revision they loaded."""
    entry = _entry(report, code)
    base = {"opinion": entry.opinion, "measures": entry.measures, "effects": entry.effects}
    service.save_draft(
        self_diagnosis=report,
        user=user,
        entries={code: TextEdit(values=base | values, revision=entry.revision)},
    )


def _edit_file(content: bytes, changes: dict[str, dict[int, str]], *, drop_stamp=False) -> bytes:
    """Change cells of an exported file as a user would in Excel: {code: {column: text}}."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[SHEET]
    for row in sheet.iter_rows(min_col=2, max_col=2):
        cell = row[0]
        code = str(cell.value or "").split(" ")[0]
        for column, text in changes.get(code, {}).items():
            sheet.cell(row=cell.row, column=column, value=text)
    if drop_stamp:
        for prop in list(book.custom_doc_props):
            if prop.name == STAMP_PROPERTY:
                book.custom_doc_props.props.remove(prop)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(client, report, content: bytes):
    upload = SimpleUploadedFile("表.xlsx", content)
    return client.post(f"/self-diagnosis/{report.pk}/import/", {"file": upload}, follow=True)


def test_export_is_stamped_with_report_and_revisions(client, alice, carol, report_a):
    _browser_edit(report_a, carol, "2.1", opinion="同事写的")
    client.force_login(alice)
    content = client.get(f"/self-diagnosis/{report_a.pk}/report.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(content))
    stamp = next(p for p in book.custom_doc_props if p.name == STAMP_PROPERTY)
    assert f'"report": {report_a.pk}' in stamp.value
    assert '"2.1": 1' in stamp.value and '"1.1": 0' in stamp.value


def test_an_older_file_never_overwrites_a_colleagues_newer_text(client, alice, carol, report_a):
    client.force_login(alice)
    exported = client.get(f"/self-diagnosis/{report_a.pk}/report.xlsx").content
    # After the export, a colleague writes 1.1 and 1.2 in the browser.
    _browser_edit(report_a, carol, "1.1", opinion="同事在网页上写的 1.1 意见")
    _browser_edit(report_a, carol, "1.2", measures="同事写的 1.2 措施")
    # Alice fills the old file offline: 1.1 differently, 1.3 fresh; 1.2 she leaves as exported.
    content = _edit_file(exported, {"1.1": {3: "我在 Excel 里写的 1.1"}, "1.3": {3: "新写的 1.3"}})

    response = _import(client, report_a, content)

    assert response.status_code == 200
    html = response.content.decode()
    assert "没有覆盖同事的内容" in html
    # The colleague's texts stand; the file's conflicting text is kept beside, not lost.
    assert _entry(report_a, "1.1").opinion == "同事在网页上写的 1.1 意见"
    assert _entry(report_a, "1.2").measures == "同事写的 1.2 措施"  # untouched in the file
    assert _entry(report_a, "1.3").opinion == "新写的 1.3"  # nobody else changed it
    conflict = EditConflict.objects.get()
    assert conflict.element.code == "1.1" and conflict.author == alice
    assert conflict.texts == {"opinion": "我在 Excel 里写的 1.1"}
    assert conflict.based_on_revision == 0 and conflict.saved_revision == 1
    assert "我在 Excel 里写的 1.1" in html  # shown for the author to compare
    assert _entry(report_a, "1.3").history.latest().history_change_reason == (
        "review.self_diagnosis.imported"
    )


def test_a_file_without_the_stamp_is_refused_and_saves_nothing(client, alice, report_a):
    client.force_login(alice)
    exported = client.get(f"/self-diagnosis/{report_a.pk}/report.xlsx").content
    content = _edit_file(exported, {"1.1": {3: "旧文件里的文字"}}, drop_stamp=True)
    response = _import(client, report_a, content)
    assert response.status_code == 400
    assert "没有记录导出时的版本" in response.content.decode()
    assert _entry(report_a).opinion == ""
    assert not EditConflict.objects.exists()


def test_a_file_exported_from_another_report_is_refused(client, alice, school_a, report_a):
    other = service.open_self_diagnosis(school=school_a, year=2025, user=alice)
    client.force_login(alice)
    exported = client.get(f"/self-diagnosis/{other.pk}/report.xlsx").content
    response = _import(client, report_a, _edit_file(exported, {"1.1": {3: "2025 年的文字"}}))
    assert response.status_code == 400
    assert "从另一份报告导出" in response.content.decode()
    assert _entry(report_a).opinion == ""


def test_a_tampered_stamp_counts_as_missing(client, alice, report_a):
    client.force_login(alice)
    exported = client.get(f"/self-diagnosis/{report_a.pk}/report.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(exported))
    stamp = next(p for p in book.custom_doc_props if p.name == STAMP_PROPERTY)
    stamp.value = '{"report": "x", "revisions": []}'
    buffer = io.BytesIO()
    book.save(buffer)
    response = _import(client, report_a, buffer.getvalue())
    assert response.status_code == 400
    assert "没有记录导出时的版本" in response.content.decode()


# --- A save refused because the report was submitted meanwhile -----------------------------


def test_a_save_after_submission_shows_the_typed_text_and_the_reason(client, alice, report_a):
    client.force_login(alice)
    page = client.get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    assert 'name="e1.1-opinion"' in page  # the author has the edit page open…
    filled_and_submitted(report_a, alice)  # …while the principal submits it
    typed = "我刚刚写好的一段很长的意见，不能丢。"
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/save/",
        {
            "overview": "新的概述文字",
            "overview-rev": "1",
            "e1.1-opinion": typed,
            "e1.1-measures": "意见",
            "e1.1-rev": "1",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert typed in html and "新的概述文字" in html
    assert "报告已提交并锁定" in html and "未保存" in html
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.SUBMITTED and report_a.overview == "概述"
    assert _entry(report_a).opinion == "意见"


def test_a_school_point_typed_after_submission_is_shown_back(client, alice, report_a):
    filled_and_submitted(report_a, alice)
    element = _entry(report_a, "5.4").element
    client.force_login(alice)
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/points/",
        {"element": element.pk, "name": "海洋特色质量文化", "description": "说明文字"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "海洋特色质量文化" in html and "说明文字" in html and "报告已提交并锁定" in html
    assert not report_a.school_points.exists()
