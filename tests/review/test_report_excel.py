"""The 附件3 table as .xlsx: exact round trip, no formula injection, and a safe, pure import."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from review.exporters import excel, report_xlsx_import
from review.exporters.data import ReportData
from review.exporters.excel import CONTENT_TYPE, ImportIssue, format_import_issue
from review.exporters.report_xlsx import HELP_SHEET_TITLE, SHEET_TITLE, export_report_xlsx
from review.exporters.report_xlsx_import import ImportResult, parse_report_xlsx
from review.exporters.samples import full_length_report
from review.services.limits import ELEMENT_FIELDS, normalize_text

INJECTIONS = ("=1+1", "+SUM(A1)", "-2", "@cmd", '=HYPERLINK("http://evil.invalid","点我")')
FIELD_COLUMNS = {"opinion": "C", "measures": "D", "effects": "E"}
FIRST_ROW = 3  # title in row 1, header in row 2


@pytest.fixture(scope="module")
def report() -> ReportData:
    return full_length_report()


@pytest.fixture(scope="module")
def codes(report: ReportData) -> list[str]:
    return [row.element_code for row in report.rows]


@pytest.fixture(scope="module")
def good(report: ReportData) -> bytes:
    return export_report_xlsx(report)[2]


def _row_of(codes: list[str], code: str) -> int:
    return FIRST_ROW + codes.index(code)


def _edit(data: bytes, cells: dict[str, object]) -> bytes:
    """The file with some cells of the table sheet set through openpyxl (as a user's Excel)."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[SHEET_TITLE]
    for coordinate, value in cells.items():
        sheet[coordinate] = value  # a str starting with "=" becomes a formula here
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _only_file_error(result: ImportResult) -> ImportIssue:
    assert not result.ok
    assert result.rows == {}
    assert len(result.errors) == 1, result.error_lines()
    error = result.errors[0]
    assert (error.sheet, error.row, error.column) == ("", None, None)
    return error


# ----------------------------------------------------------------------------- export


def test_export_returns_an_xlsx_named_after_the_school(report: ReportData) -> None:
    filename, content_type, data = export_report_xlsx(report)
    assert filename == "厦门海洋职业技术学院_2026年_自我诊断与改进报告表.xlsx"
    assert content_type == CONTENT_TYPE
    assert data.startswith(b"PK")


def test_export_layout_matches_annex3(report: ReportData, good: bytes) -> None:
    workbook = load_workbook(io.BytesIO(good))
    assert workbook.sheetnames == [SHEET_TITLE, HELP_SHEET_TITLE]
    sheet = workbook[SHEET_TITLE]
    assert "厦门海洋职业技术学院" in sheet["A1"].value and "2026" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == [
        "诊断项目",
        "诊断要素",
        "自我诊断意见（≤500字）",
        "改进措施（≤200字）",
        "改进成效（≤200字）",
    ]
    assert sheet["A3"].value == "1 体系总体构架"
    assert sheet["B3"].value == "1.1 质量保证理念"
    assert sheet["B4"].value == "1.2 组织构架"
    assert sheet["B17"].value == "5.4 体系特色"
    assert sheet.max_row == 17
    assert sheet.freeze_panes == "C3"
    for row in sheet.iter_rows(min_row=3, max_row=17):
        assert row[1].fill.fgColor.rgb.endswith("F2F2F2")  # A/B look locked
        assert row[2].alignment.wrap_text
        assert sheet.row_dimensions[row[0].row].height > 100  # full-length texts show
    notes = " ".join(str(c.value) for c in workbook[HELP_SHEET_TITLE]["A"])
    assert "500" in notes and "200" in notes and "B 列" in notes and ".xlsx" in notes


def test_draft_is_marked_in_title_and_filename(report: ReportData) -> None:
    draft = dataclasses.replace(report, status_label="草稿", school_name='a/b:"c"')
    filename, _, data = export_report_xlsx(draft)
    assert filename == "abc_2026年_自我诊断与改进报告表_草稿.xlsx"
    assert load_workbook(io.BytesIO(data))[SHEET_TITLE]["A1"].value.endswith("（草稿）")


# ----------------------------------------------------------------------------- round trip


def test_round_trip_full_length_is_exact(report: ReportData, good: bytes, codes) -> None:
    result = parse_report_xlsx(good, element_codes=codes)
    assert result.ok, result.error_lines()
    assert list(result.rows) == codes
    for row in report.rows:
        assert result.rows[row.element_code] == {
            "opinion": row.opinion,
            "measures": row.measures,
            "effects": row.effects,
        }


def test_round_trip_keeps_line_breaks_and_odd_text(report: ReportData, codes) -> None:
    texts = [
        "第一段\n第二段",
        "a_x0041_b 与 _x000D_ 原样",
        "'单引号开头",
        "  前后空格  ",
        "Tab\t中间",
    ]
    rows = [
        dataclasses.replace(row, opinion=texts[i % len(texts)]) for i, row in enumerate(report.rows)
    ]
    data = export_report_xlsx(dataclasses.replace(report, rows=rows))[2]
    result = parse_report_xlsx(data, element_codes=codes)
    assert result.ok, result.error_lines()
    for row in rows:
        assert result.rows[row.element_code]["opinion"] == normalize_text(row.opinion)


def test_export_drops_control_characters_excel_cannot_store(report: ReportData, codes) -> None:
    rows = [dataclasses.replace(report.rows[0], opinion="换页\x0c符\x00"), *report.rows[1:]]
    data = export_report_xlsx(dataclasses.replace(report, rows=rows))[2]
    assert parse_report_xlsx(data, element_codes=codes).rows["1.1"]["opinion"] == "换页符"


def test_empty_cells_are_a_draft(report: ReportData, codes) -> None:
    empty = [dataclasses.replace(row, opinion="", measures="", effects="") for row in report.rows]
    data = export_report_xlsx(dataclasses.replace(report, rows=empty))[2]
    result = parse_report_xlsx(data, element_codes=codes)
    assert result.ok, result.error_lines()
    assert result.rows == {code: {"opinion": "", "measures": "", "effects": ""} for code in codes}


def test_a_number_cell_is_read_as_text(good: bytes, codes) -> None:
    row = _row_of(codes, "2.3")
    result = parse_report_xlsx(_edit(good, {f"E{row}": 12345, f"D{row}": 2.5}), element_codes=codes)
    assert result.ok, result.error_lines()
    assert result.rows["2.3"]["effects"] == "12345"
    assert result.rows["2.3"]["measures"] == "2.5"


def test_excel_escaped_carriage_returns_are_read_as_line_breaks(good: bytes, codes) -> None:
    # Excel stores a CR inside cell text as _x000D_; openpyxl hands it over as written.
    data = _edit(good, {"C3": "第一行_x000D_\n第二行"})
    assert parse_report_xlsx(data, element_codes=codes).rows["1.1"]["opinion"] == "第一行\n第二行"


# ----------------------------------------------------------------------------- formulas


def test_formula_like_texts_stay_text(report: ReportData, codes) -> None:
    rows = []
    for index, row in enumerate(report.rows):
        text = INJECTIONS[index % len(INJECTIONS)]
        rows.append(dataclasses.replace(row, opinion=text, measures=text, effects=text))
    injected = dataclasses.replace(report, school_name="=cmd|' /C calc'!A0", rows=rows)
    data = export_report_xlsx(injected)[2]

    # In the file: plain strings, shown as text by Excel ("'" prefix), no <f> element.
    sheet = load_workbook(io.BytesIO(data), data_only=False)[SHEET_TITLE]
    assert sheet["A1"].data_type == "s"
    for number, row in enumerate(rows, start=FIRST_ROW):
        for column in "CDE":
            cell = sheet[f"{column}{number}"]
            assert cell.data_type == "s", cell.coordinate
            assert cell.value == row.opinion
            assert cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")

    # Back in: the exact texts, with no apostrophe added.
    result = parse_report_xlsx(data, element_codes=codes)
    assert result.ok, result.error_lines()
    for row in rows:
        assert result.rows[row.element_code] == {
            "opinion": row.opinion,
            "measures": row.measures,
            "effects": row.effects,
        }


def test_a_formula_cell_is_refused_with_its_cell(good: bytes, codes) -> None:
    row = _row_of(codes, "2.1")
    result = parse_report_xlsx(_edit(good, {f"D{row}": "=LEN(C8)"}), element_codes=codes)
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [(SHEET_TITLE, row, "D")]
    assert result.error_lines() == [
        f"工作表“{SHEET_TITLE}” 第 {row} 行 D 列（改进措施）：不能使用公式，请直接填写文字"
    ]


# ----------------------------------------------------------------------------- R5 limits


@pytest.mark.parametrize(("field", "limit"), [(name, limit) for name, _, limit in ELEMENT_FIELDS])
def test_r5_text_over_its_limit_is_refused_with_its_cell(good: bytes, codes, field, limit) -> None:
    column = FIELD_COLUMNS[field]
    row = _row_of(codes, "2.1")
    result = parse_report_xlsx(
        _edit(good, {f"{column}{row}": "字" * (limit + 1)}), element_codes=codes
    )
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.sheet, error.row, error.column) == (SHEET_TITLE, row, column)
    assert error.message == f"不能超过 {limit} 字（当前 {limit + 1} 字，多了 1 字）"


def test_r5_error_line_reads_as_specified(good: bytes, codes) -> None:
    result = parse_report_xlsx(_edit(good, {"C7": "诊" * 523}), element_codes=codes)
    assert result.error_lines() == [
        f"工作表“{SHEET_TITLE}” 第 7 行 C 列（自我诊断意见）："
        "不能超过 500 字（当前 523 字，多了 23 字）"
    ]


def test_r5_counts_like_the_forms(good: bytes, codes) -> None:
    # CRLF counts as one character and surrounding blanks are not counted (normalize_text).
    text = "  " + "字" * 249 + "\r\n" + "字" * 250 + "  "
    result = parse_report_xlsx(_edit(good, {"C3": text}), element_codes=codes)
    assert result.ok, result.error_lines()
    assert len(result.rows["1.1"]["opinion"]) == 500


# ----------------------------------------------------------------------------- rows


def test_a_missing_element_row_is_reported(report: ReportData, codes) -> None:
    rows = [row for row in report.rows if row.element_code != "1.3"]
    data = export_report_xlsx(dataclasses.replace(report, rows=rows))[2]
    result = parse_report_xlsx(data, element_codes=codes)
    assert result.error_lines() == [
        f"工作表“{SHEET_TITLE}”：缺少诊断要素 1.3 的行；请不要删除行或修改 B 列开头的要素编号"
    ]
    assert "1.3" not in result.rows


def test_a_duplicated_element_code_is_reported_with_both_rows(good: bytes, codes) -> None:
    row = _row_of(codes, "1.4")
    result = parse_report_xlsx(_edit(good, {f"B{row}": "1.1 质量保证理念"}), element_codes=codes)
    assert [(e.row, e.column) for e in result.errors] == [(row, "B"), (None, None)]
    assert "诊断要素 1.1 重复出现（第 3 行已有）" in result.errors[0].message
    assert "缺少诊断要素 1.4" in result.errors[1].message


def test_an_unknown_element_code_is_reported(good: bytes, codes) -> None:
    row = _row_of(codes, "3.1")
    result = parse_report_xlsx(_edit(good, {f"B{row}": "9.9 不存在的要素"}), element_codes=codes)
    lines = result.error_lines()
    assert lines[0] == (
        f"工作表“{SHEET_TITLE}” 第 {row} 行 B 列（诊断要素）："
        "未知的诊断要素编号 9.9；请不要修改 B 列"
    )
    assert "缺少诊断要素 3.1" in lines[1]


def test_a_label_without_code_or_a_text_without_label_is_reported(good: bytes, codes) -> None:
    data = _edit(good, {"B5": "制度构架", "C20": "放错位置的文字"})
    result = parse_report_xlsx(data, element_codes=codes)
    assert [(e.row, e.column) for e in result.errors] == [(5, "B"), (20, "B"), (None, None)]


def test_a_date_or_boolean_cell_is_refused(good: bytes, codes) -> None:
    data = _edit(good, {"D3": datetime(2024, 5, 1), "E3": True})
    result = parse_report_xlsx(data, element_codes=codes)
    assert [(e.row, e.column) for e in result.errors] == [(3, "D"), (3, "E")]
    assert "日期" in result.errors[0].message


def test_the_sheet_must_be_there(good: bytes, codes) -> None:
    workbook = load_workbook(io.BytesIO(good))
    workbook[SHEET_TITLE].title = "Sheet1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    error = _only_file_error(parse_report_xlsx(buffer.getvalue(), element_codes=codes))
    assert f"找不到工作表“{SHEET_TITLE}”" in error.message and "Sheet1" in error.message


def test_swapped_columns_are_reported_at_the_header(good: bytes, codes) -> None:
    data = _edit(good, {"D2": "改进成效（≤200字）", "E2": "改进措施（≤200字）"})
    result = parse_report_xlsx(data, element_codes=codes)
    assert [(e.row, e.column) for e in result.errors] == [(2, "D"), (2, "E")]


def test_several_errors_are_all_reported_at_once(good: bytes, codes) -> None:
    data = _edit(
        good,
        {
            "C3": "意" * 501,
            "D4": "=1+1",
            "E5": "效" * 230,
            "B6": "1.1 质量保证理念",
            "B7": "8.8 未知",
        },
    )
    result = parse_report_xlsx(data, element_codes=codes)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "C"),
        (4, "D"),
        (5, "E"),
        (6, "B"),
        (7, "B"),
        (None, None),  # 1.4, replaced by the duplicate
        (None, None),  # 2.1, replaced by the unknown code
    ]
    assert "多了 1 字" in result.errors[0].message
    assert "多了 30 字" in result.errors[2].message
    assert all(line.startswith(f"工作表“{SHEET_TITLE}”") for line in result.error_lines())


def test_errors_are_capped(good: bytes, codes) -> None:
    cells = {f"{column}{row}": "=1" for row in range(3, 18) for column in "CDE"}
    cells.update({f"C{row}": "=1" for row in range(30, 100)})
    result = parse_report_xlsx(_edit(good, cells), element_codes=codes)
    assert len(result.errors) == excel.MAX_ERRORS + 1
    assert "错误太多" in result.errors[-1].message


# ----------------------------------------------------------------------------- refused files


def test_too_large_is_refused_before_anything_else(good: bytes, codes, monkeypatch) -> None:
    monkeypatch.setattr(report_xlsx_import, "load_workbook", _must_not_load)
    error = _only_file_error(parse_report_xlsx(good, element_codes=codes, max_bytes=1024))
    assert "文件太大" in error.message and "1 KB" in error.message
    assert format_import_issue(error) == error.message  # no sheet/row/column to name


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (os.urandom(4096), "不是 Excel 工作簿"),
        (b"", "空"),
        ("诊断项目,诊断要素,自我诊断意见\n1 体系总体构架,1.1 质量保证理念,=1+1\n".encode(), "CSV"),
        ("诊断项目,诊断要素\n".encode("gb18030"), "CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088), ".xls"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "网页"),
    ],
    ids=["random", "empty", "csv", "csv-gbk", "pdf", "xls", "html"],
)
def test_not_an_xlsx_is_refused(codes, monkeypatch, data: bytes, hint: str) -> None:
    monkeypatch.setattr(report_xlsx_import, "load_workbook", _must_not_load)
    error = _only_file_error(parse_report_xlsx(data, element_codes=codes))
    assert hint in error.message


def test_a_docx_like_zip_is_refused(codes, monkeypatch) -> None:
    monkeypatch.setattr(report_xlsx_import, "load_workbook", _must_not_load)
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    error = _only_file_error(parse_report_xlsx(docx, element_codes=codes))
    assert "Word" in error.message and ".xlsx" in error.message


def test_a_zip_without_the_workbook_is_refused(codes) -> None:
    error = _only_file_error(parse_report_xlsx(_zip({"a.txt": b"hi"}), element_codes=codes))
    assert "ZIP" in error.message


def test_a_zip_bomb_is_refused_from_the_directory(codes, monkeypatch) -> None:
    monkeypatch.setattr(report_xlsx_import, "load_workbook", _must_not_load)
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": bytes(50 * 1024 * 1024),
        }
    )
    assert len(bomb) < 200 * 1024  # ~50 KB on the wire
    result = parse_report_xlsx(bomb, element_codes=codes)
    assert not result.ok and result.rows == {}
    messages = " ".join(result.error_lines())
    assert "解压后过大" in messages and "压缩比异常" in messages


def test_too_many_members_are_refused(codes, monkeypatch) -> None:
    monkeypatch.setattr(report_xlsx_import, "load_workbook", _must_not_load)
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    members.update({f"xl/media/{i}.bin": b"x" for i in range(excel.MAX_MEMBERS)})
    error = _only_file_error(parse_report_xlsx(_zip(members), element_codes=codes))
    assert "部件" in error.message


def test_a_broken_xlsx_is_refused_cleanly(codes) -> None:
    broken = _zip({"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"not xml"})
    error = _only_file_error(parse_report_xlsx(broken, element_codes=codes))
    assert "无法读取" in error.message


def _must_not_load(*args, **kwargs):
    raise AssertionError("openpyxl must not open a file refused by the pre-checks")


def test_a_far_away_row_costs_nothing_and_is_reported(good: bytes, codes) -> None:
    # A hostile sheet can claim row 1,048,576; read-only openpyxl would pad every row before.
    far = (
        b'<row r="1001"><c r="C1001" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="C1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    source = zipfile.ZipFile(io.BytesIO(good))
    members = {name: source.read(name) for name in source.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", far + b"</sheetData>")
    result = parse_report_xlsx(_zip(members), element_codes=codes)
    assert [(e.row, e.column) for e in result.errors] == [(excel.MAX_ROWS + 1, None)]
    assert result.rows.keys() == set(codes)
