"""The self-diagnosis report as .xlsx (R5): the workbook laid out like 附件3, with revisions."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from review.exporters.data import ReportData
from review.exporters.excel import (
    CONTENT_TYPE,
    set_text,
)
from review.services.limits import ELEMENT_FIELDS

SHEET_TITLE = "自我诊断与改进报告表"

HELP_SHEET_TITLE = "填写说明"

DRAFT_LABEL = "草稿"

PROJECT_HEADING = "诊断项目"

ELEMENT_HEADING = "诊断要素"

# Column letter → (field name or None, heading as the errors name it, limit or None).
COLUMNS: tuple[tuple[str, str | None, str, int | None], ...] = (
    ("A", None, PROJECT_HEADING, None),
    ("B", None, ELEMENT_HEADING, None),
    *(
        (get_column_letter(3 + i), name, heading, limit)
        for i, (name, heading, limit) in enumerate(ELEMENT_FIELDS)
    ),
)


COLUMN_HEADINGS = {letter: heading for letter, _, heading, _ in COLUMNS}

TITLE_ROW = 1

HEADER_ROW = 2

FIRST_DATA_ROW = 3

# The workbook custom property that records which report and which revision of each
# element the file was exported from: the import merges against it, as a browser save does.
STAMP_PROPERTY = "zhengai-export-stamp"

_THIN = Side(style="thin", color="808080")

_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

_FONT_NAME = "宋体"

_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")

_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")  # grey: matched by code, do not edit

_COLUMN_WIDTHS = {"A": 16, "B": 22, "C": 64, "D": 42, "E": 42}

_LINE_HEIGHT = 14.5  # points per wrapped line of 11 pt text

_MAX_ROW_HEIGHT = 409  # Excel's maximum

# ----------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportStamp:
    """Which report a file was exported from, and each element's revision at that moment."""

    report_id: int
    revisions: dict[str, int]

    def dumps(self) -> str:
        return json.dumps({"report": self.report_id, "revisions": self.revisions})

    @classmethod
    def loads(cls, text: str) -> ExportStamp | None:
        """The stamp read back, or None when it is missing or was tampered into nonsense."""
        try:
            data = json.loads(text)
            report_id = data["report"]
            revisions = data["revisions"]
        except (ValueError, TypeError, KeyError):
            return None
        if not isinstance(report_id, int) or not isinstance(revisions, dict):
            return None
        if not all(
            isinstance(code, str) and isinstance(rev, int) and 0 <= rev < 2**31
            for code, rev in revisions.items()
        ):
            return None
        return cls(report_id=report_id, revisions=revisions)


def export_report_xlsx(
    report: ReportData, *, stamp: ExportStamp | None = None
) -> tuple[str, str, bytes]:
    """The report's 15-element table as (filename, content type, .xlsx bytes).

    ``stamp`` is stored as a workbook custom property (File → Properties → Custom in Excel);
    Excel, WPS and LibreOffice keep it when the user saves, so the import knows what the
    texts in the file were based on.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _write_table(sheet, report)
    _write_help(workbook.create_sheet(HELP_SHEET_TITLE))
    workbook.properties.creator = "福建省高职院校诊改复核门户"
    workbook.properties.title = _title(report)
    if stamp is not None:
        workbook.custom_doc_props.append(StringProperty(name=STAMP_PROPERTY, value=stamp.dumps()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _filename(report), CONTENT_TYPE, buffer.getvalue()


def _title(report: ReportData) -> str:
    """The title row: school, year and, on a draft, the draft mark (as on the PDF)."""
    title = f"{report.school_name} {report.year} 年自我诊断与改进报告表"
    if report.status_label == DRAFT_LABEL:
        title += f"（{DRAFT_LABEL}）"
    return title


def _filename(report: ReportData) -> str:
    """A download name safe on Windows and macOS: no path separators or reserved characters."""
    school = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "", report.school_name).strip() or "学校"
    name = f"{school}_{report.year}年_自我诊断与改进报告表"
    if report.status_label == DRAFT_LABEL:
        name += f"_{DRAFT_LABEL}"
    return f"{name}.xlsx"


def _write_table(sheet: Worksheet, report: ReportData) -> None:
    """Title, header and the 15 rows, styled so the texts are readable and A/B look fixed."""
    last = get_column_letter(len(COLUMNS))
    for letter, width in _COLUMN_WIDTHS.items():
        sheet.column_dimensions[letter].width = width

    title = sheet.cell(TITLE_ROW, 1)
    set_text(title, _title(report))
    title.font = Font(name=_FONT_NAME, size=14, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    sheet.row_dimensions[TITLE_ROW].height = 30

    for index, (_, _, heading, limit) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, index)
        set_text(cell, heading if limit is None else f"{heading}（≤{limit}字）")
        cell.font = Font(name=_FONT_NAME, size=11, bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[HEADER_ROW].height = 22

    body_font = Font(name=_FONT_NAME, size=11)
    fixed = Alignment(horizontal="center", vertical="center", wrap_text=True)
    free = Alignment(horizontal="left", vertical="top", wrap_text=True)
    project_start: dict[str, int] = {}
    project_end: dict[str, int] = {}
    for row_number, row in enumerate(report.rows, start=FIRST_DATA_ROW):
        values = (
            f"{row.project_code} {row.project_name}",
            f"{row.element_code} {row.element_name}",
            *(getattr(row, name) for name, _, _ in ELEMENT_FIELDS),
        )
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, index)
            set_text(cell, value)
            cell.font = body_font
            cell.border = _BORDER
            # Text format: whatever a user types later stays text (no dates, no formulas).
            cell.number_format = "@"
            if index <= 2:
                cell.fill = _LOCKED_FILL
                cell.alignment = fixed
            else:
                cell.alignment = free
        sheet.row_dimensions[row_number].height = _row_height(values)
        project_start.setdefault(row.project_code, row_number)
        project_end[row.project_code] = row_number

    # One merged project cell per project, as 附件3 prints it (the import ignores column A).
    for code, start in project_start.items():
        if project_end[code] > start:
            sheet.merge_cells(f"A{start}:A{project_end[code]}")

    last_row = FIRST_DATA_ROW + len(report.rows) - 1
    if report.rows:
        # Early feedback while typing; the import enforces the limits whatever Excel allows.
        # A warning, not a stop: Excel counts an emoji as 2 characters, R5 counts it as 1.
        for letter, _, heading, limit in COLUMNS:
            if limit is None:
                continue
            validation = DataValidation(
                type="textLength",
                operator="lessThanOrEqual",
                formula1=str(limit),
                errorStyle="warning",
                showErrorMessage=True,
                allow_blank=True,
                errorTitle="超出字数",
                error=f"{heading}不能超过 {limit} 字，超出的内容导入时会被拒绝。",
            )
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
            sheet.add_data_validation(validation)

    sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _row_height(values: tuple[str, ...]) -> float:
    """Points for a row tall enough to show its longest wrapped text (Excel does not autofit)."""
    lines = 1
    for (letter, _, _, _), value in zip(COLUMNS, values, strict=True):
        per_line = max(_COLUMN_WIDTHS[letter] - 2, 1)
        count = sum(
            max(1, -(-_display_width(part) // per_line)) for part in (value or "").split("\n")
        )
        lines = max(lines, count)
    return min(_MAX_ROW_HEIGHT, lines * _LINE_HEIGHT + 6)


def _display_width(text: str) -> int:
    """Width in Excel column units: a CJK character takes about two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _write_help(sheet: Worksheet) -> None:
    """The 填写说明 sheet: a few short rules, one per row."""
    limits = "、".join(f"{heading}不超过 {limit} 字" for _, heading, limit in ELEMENT_FIELDS)
    lines = (
        "填写说明",
        f"1. 请在“{SHEET_TITLE}”工作表的 C、D、E 列填写文字：{limits}"
        "（按字符计，一个汉字、字母、数字或标点都算 1 个字，换行算 1 个字）。",
        "2. 不要修改 A 列（诊断项目）和 B 列（诊断要素）：导入时按 B 列开头的要素编号"
        "（如“1.1”）对应到各要素；不要增加、删除或调整行和列的顺序，也不要修改工作表名称。",
        "3. 可以留空，导入后作为草稿保存；超出字数或内容有误时整份文件不会导入，"
        "系统会列出每处错误所在的行和列。",
        "4. 只填写文字，不要使用公式；以“=”“+”“-”“@”开头的内容会按普通文字保存。",
        "5. 填好后请直接保存为 .xlsx 格式（Excel 工作簿）再上传；不要另存为 .xls、.csv 或 .et，"
        "也不要给文件设置打开密码。",
        "6. 工作概述和校长签字请在网页中填写，本表不包含这两项。",
    )
    sheet.column_dimensions["A"].width = 110
    for row_number, line in enumerate(lines, start=1):
        cell = sheet.cell(row_number, 1)
        set_text(cell, line)
        cell.font = Font(name=_FONT_NAME, size=14 if row_number == 1 else 11, bold=row_number == 1)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.row_dimensions[row_number].height = 24 if row_number == 1 else 34
