"""The state-data workbook: the template the portal publishes, and reading an upload of it.

Reading is pure (it saves nothing) and defensive, with the project's safe-import checks
(size, real type, zip directory, ratio — ``review.exporters.excel``) run before openpyxl
parses anything. Every problem is collected and named by sheet, row and column in Chinese.
Formulas are refused, never evaluated: the figures must be typed in.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from review.exporters.excel import (
    CONTENT_TYPE,
    ImportIssue,
    _check_file,
    _unescape,
    set_text,
)

logger = logging.getLogger(__name__)

BASE_SHEET = "基础数据"
HELP_SHEET = "填写说明"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TABLE_SHEETS = 60
MAX_TABLE_ROWS = 500
MAX_TABLE_COLUMNS = 40
MAX_CELL_CHARS = 500
MAX_ERRORS = 100
TABLE_SHEET_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,2})(?:\s+(.*))?$")

# (key, label as the sheet shows it, unit, required, integer)
ROWS: tuple[tuple[str, str, str, bool, bool], ...] = (
    ("students_regular", "普通专科（高职）在校生数", "人", True, True),
    ("students_master", "硕士研究生数", "人", False, True),
    ("students_doctoral", "博士研究生数", "人", False, True),
    ("students_international", "留学生数", "人", False, True),
    ("students_preparatory", "预科生数", "人", False, True),
    ("students_further_study", "进修生数", "人", False, True),
    ("students_adult_full_time", "成人脱产班学生数", "人", False, True),
    ("students_evening", "夜大（业余）学生数", "人", False, True),
    ("students_correspondence", "函授生数", "人", False, True),
    ("full_time_teachers", "专任教师数", "人", True, True),
    ("external_teachers", "聘请校外教师数", "人", True, True),
    ("postgraduate_teachers", "具有研究生学位的专任教师数", "人", True, True),
    ("senior_teachers", "具有副高级以上职务的专任教师数", "人", True, True),
    ("teaching_area", "教学及辅助用房面积", "平方米", True, False),
    ("admin_area", "行政办公用房面积", "平方米", True, False),
    ("equipment_total", "教学科研仪器设备资产总值", "元", True, False),
    ("equipment_added", "当年新增教学科研仪器设备值", "元", True, False),
    ("books_total", "图书总数", "册", True, True),
    ("books_added", "当年新增图书", "册", True, True),
    ("land_area", "占地面积", "平方米", True, False),
    ("dormitory_area", "学生宿舍面积", "平方米", True, False),
    ("teaching_computers", "教学用计算机台数", "台", True, True),
    ("multimedia_seats", "多媒体教室和语音实验室座位数", "个", True, True),
)
ROW_BY_LABEL = {
    label: (key, unit, required, integer) for key, label, unit, required, integer in ROWS
}
LABELS = {key: label for key, label, *_ in ROWS}
UNITS = {key: unit for key, _, unit, *_ in ROWS}
FIRST_ROW = 3  # row 1 title, row 2 header
HEADER = ("序号", "项目", "数值", "单位")
_ASK = "请从本页下载模板，填写后保存为 .xlsx 再上传"


@dataclass(frozen=True)
class ParsedWorkbook:
    figures: dict[str, float] = field(default_factory=dict)
    tables: dict[str, dict] = field(default_factory=dict)  # "3.4" → {"title", "rows"}
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [describe(issue) for issue in self.errors]


def describe(issue: ImportIssue) -> str:
    """工作表“基础数据” 第 5 行 C 列（数值）：…"""
    where = []
    if issue.sheet:
        where.append(f"工作表“{issue.sheet}”")
    if issue.row is not None:
        where.append(f"第 {issue.row} 行")
    if issue.column is not None:
        heading = HEADER[ord(issue.column) - ord("A")] if issue.sheet == BASE_SHEET else ""
        where.append(f"{issue.column} 列" + (f"（{heading}）" if heading else ""))
    return f"{' '.join(where)}：{issue.message}" if where else issue.message


# ---------------------------------------------------------------------------- template


def template_xlsx() -> tuple[str, str, bytes]:
    """The blank workbook schools fill in: base figures, and how to add platform tables."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = BASE_SHEET
    set_text(sheet["A1"], "人才培养工作状态数据 · 基础数据（每年一份）")
    sheet["A1"].font = Font(bold=True, size=13)
    for index, heading in enumerate(HEADER, start=1):
        cell = sheet.cell(row=2, column=index)
        set_text(cell, heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for offset, (_, label, unit, required, _) in enumerate(ROWS):
        row = FIRST_ROW + offset
        sheet.cell(row=row, column=1, value=offset + 1)
        set_text(sheet.cell(row=row, column=2), label + ("" if required else "（没有可不填）"))
        set_text(sheet.cell(row=row, column=4), unit)
    for letter, width in zip("ABCD", (8, 40, 18, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    help_sheet = workbook.create_sheet(HELP_SHEET)
    lines = [
        "1. 在“基础数据”工作表的 C 列填写数值，只填数字（不要填公式、不要带单位）。",
        "2. 不要修改 B 列的项目名称，也不要删除行；标“没有可不填”的项目没有就留空。",
        "3. 人数、册数、台数、座位数填整数；面积、金额可带小数。",
        "4. 可以另加工作表，存放数据采集平台的原表，工作表名以平台表号开头，"
        "如“3.4 信息化建设”；这些表按原样保存和显示，不参与计算。",
        "5. 上传后系统按《普通高等学校基本办学条件指标（试行）》（教发〔2004〕2号）计算各项指标。",
    ]
    for row, line in enumerate(lines, start=1):
        set_text(help_sheet.cell(row=row, column=1), line)
    help_sheet.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "状态数据模板.xlsx", CONTENT_TYPE, buffer.getvalue()


# ---------------------------------------------------------------------------- import


class _Errors:
    def __init__(self) -> None:
        self.items: list[ImportIssue] = []

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(ImportIssue(sheet, row, column, message))
        elif len(self.items) == MAX_ERRORS:
            self.items.append(ImportIssue("", None, None, f"错误太多，只列出前 {MAX_ERRORS} 处"))


def parse_workbook(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> ParsedWorkbook:
    """Read the figures and the platform tables from an upload; check everything, save nothing."""
    file_errors = _check_file(data, max_bytes)
    if file_errors:
        return ParsedWorkbook(errors=file_errors)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
    except Exception:  # openpyxl raises many types for a malformed file
        logger.info("Unreadable state-data upload", exc_info=True)
        return ParsedWorkbook(errors=[ImportIssue("", None, None, f"文件已损坏，无法读取；{_ASK}")])
    errors = _Errors()
    try:
        if BASE_SHEET not in workbook.sheetnames:
            found = "、".join(f"“{n}”" for n in workbook.sheetnames[:10])
            errors.add("", None, None, f"找不到工作表“{BASE_SHEET}”（文件中的工作表：{found}）")
            return ParsedWorkbook(errors=errors.items)
        try:
            figures = _read_base(workbook[BASE_SHEET], errors)
            tables = _read_tables(workbook, errors)
        except Exception:  # read-only sheets are parsed lazily, while iterating
            logger.warning("Unreadable sheet in state-data upload", exc_info=True)
            return ParsedWorkbook(
                errors=[ImportIssue("", None, None, f"工作表已损坏，无法读取；{_ASK}")]
            )
    finally:
        workbook.close()
    if errors.items:
        return ParsedWorkbook(errors=errors.items)
    return ParsedWorkbook(figures=figures, tables=tables)


def _read_base(sheet, errors: _Errors) -> dict[str, float]:
    figures: dict[str, float] = {}
    seen: dict[str, int] = {}
    max_row = FIRST_ROW + len(ROWS) + 20
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=1, max_row=max_row, max_col=4), start=1
    ):
        if row_number < FIRST_ROW:
            continue
        cells = list(cells) + [None] * (4 - len(cells))
        label_cell, value_cell = cells[1], cells[2]
        label = _text(label_cell)
        if not label:
            if getattr(value_cell, "value", None) not in (None, ""):
                errors.add(BASE_SHEET, row_number, "B", "有数值但没有项目名称；请不要修改 B 列")
            continue
        label = label.removesuffix("（没有可不填）")
        if label not in ROW_BY_LABEL:
            errors.add(BASE_SHEET, row_number, "B", f"项目“{label[:30]}”不是模板中的项目")
            continue
        key, unit, required, integer = ROW_BY_LABEL[label]
        if key in seen:
            errors.add(BASE_SHEET, row_number, "B", f"“{label}”重复（第 {seen[key]} 行已有）")
            continue
        seen[key] = row_number
        value, problem = _number(value_cell, integer=integer)
        if problem:
            errors.add(BASE_SHEET, row_number, "C", f"“{label}”{problem}")
        elif value is None:
            if required:
                errors.add(BASE_SHEET, row_number, "C", f"“{label}”未填写")
        else:
            figures[key] = value
    for key, label, _, _, _ in ROWS:
        if key not in seen:
            errors.add(BASE_SHEET, None, None, f"缺少“{label}”一行；请不要删除模板中的行")
    return figures


def _text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    return _unescape(str(value)).strip()


def _number(cell, *, integer: bool) -> tuple[float | None, str | None]:
    """(value, None), (None, None) when blank, or (None, the problem in Chinese)."""
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if data_type == "f":
        return None, "不能使用公式，请直接填写数值"
    if data_type == "e" or isinstance(value, bool):
        return None, "不是数字，请直接填写数值"
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            value = float(text)
        except ValueError:
            return None, f"“{value[:20]}”不是数字，请只填数字、不带单位"
    if not isinstance(value, int | float):
        return None, "不是数字（可能被识别成了日期），请把单元格设为“常规”后填写数字"
    if value != value or value in (float("inf"), float("-inf")):
        return None, "不是有效的数字"
    if value < 0:
        return None, "不能是负数"
    if value > 1e12:
        return None, "数值过大，请检查单位"
    if integer and float(value) != int(value):
        return None, "应为整数"
    return float(value), None


def _read_tables(workbook, errors: _Errors) -> dict[str, dict]:
    tables: dict[str, dict] = {}
    extra = [n for n in workbook.sheetnames if n not in (BASE_SHEET, HELP_SHEET)]
    if len(extra) > MAX_TABLE_SHEETS:
        errors.add("", None, None, f"平台数据表超过 {MAX_TABLE_SHEETS} 个")
        return {}
    for name in extra:
        match = TABLE_SHEET_RE.match(name.strip())
        if not match:
            errors.add(name, None, None, "工作表名称应以数据采集平台的表号开头，如“3.4 信息化建设”")
            continue
        code, title = match.group(1), (match.group(2) or "").strip()
        if code in tables:
            errors.add(name, None, None, f"表号 {code} 重复")
            continue
        sheet = workbook[name]
        if not hasattr(sheet, "iter_rows"):
            errors.add(name, None, None, "不是普通工作表")
            continue
        rows: list[list[str]] = []
        for row_number, cells in enumerate(
            sheet.iter_rows(min_row=1, max_row=MAX_TABLE_ROWS + 1, max_col=MAX_TABLE_COLUMNS),
            start=1,
        ):
            texts = []
            for column, cell in enumerate(cells, start=1):
                if getattr(cell, "data_type", None) == "f":
                    errors.add(
                        name,
                        row_number,
                        get_column_letter(column),
                        "不能使用公式，请填写数值或文字",
                    )
                    texts.append("")
                    continue
                value = getattr(cell, "value", None)
                text = "" if value is None else _unescape(str(value)).strip()
                if len(text) > MAX_CELL_CHARS:
                    errors.add(
                        name, row_number, get_column_letter(column), f"内容超过 {MAX_CELL_CHARS} 字"
                    )
                texts.append(text[:MAX_CELL_CHARS])
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                continue
            if row_number > MAX_TABLE_ROWS:
                errors.add(name, row_number, None, f"超过 {MAX_TABLE_ROWS} 行")
                break
            rows.append(texts)
        tables[code] = {"title": title, "sheet": name, "rows": rows}
    return tables
