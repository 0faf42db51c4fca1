"""附件3's 15-element table as an .xlsx: export a school's texts, and import them back safely.

The import is pure (it saves nothing) and defensive: an upload is untrusted, so the file's
size, type and zip directory are checked before openpyxl parses anything, every error is
collected (not just the first) and each is located by sheet, row and column, in Chinese.

No cell text may ever become a formula (CSV/formula injection): texts are written as plain
strings whatever they start with, and formula cells in an upload are refused.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
import logging
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from review.exporters.data import ReportData
from review.services.limits import ELEMENT_FIELDS, normalize_text, over_limit

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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

# Upload limits. The defaults are generous for a 15-row table (our export of the
# full-length report is ~11 KB) and tight enough that a hostile file costs little to refuse.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 200
MAX_RATIO = 100
# Tiny members of very repetitive text legitimately compress past 100:1 and cannot hurt;
# the ratio only flags members big enough to matter (the total cap bounds the rest).
RATIO_MIN_BYTES = 1024 * 1024
MAX_ROWS = 1000  # rows read from the sheet; the table has 17
MAX_ERRORS = 100  # a file that is wrong everywhere should not produce a wall of messages
HEADER_SEARCH_ROWS = 10

# Excel re-evaluates a cell's text as input when it starts with one of these (Excel, WPS and
# LibreOffice also take the full-width forms in CJK input modes).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

# OOXML escapes characters as _xHHHH_ in cell text (Excel writes a CR as _x000D_ and a
# literal "_x0041_" as "_x005F_x0041_"); openpyxl neither escapes nor unescapes them.
_OOXML_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ELEMENT_CODE_RE = re.compile(r"^(\d+(?:\.\d+)*)(?![\d.])")

# The workbook custom property that records which report and which revision of each
# element the file was exported from: the import merges against it, as a browser save does.
STAMP_PROPERTY = "zhengai-export-stamp"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ASK_FOR_XLSX = "请上传用本系统“导出 Excel”下载、填写后保存的 .xlsx 文件"

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


def set_text(cell: Cell, text: str) -> None:
    """Store ``text`` in ``cell`` as a plain string: never a formula, exactly as given."""
    # Control characters other than tab/LF/CR cannot be stored in an .xlsx at all.
    text = ILLEGAL_CHARACTERS_RE.sub("", text or "")
    # Escape literal "_xHHHH_" so Excel (and our import) read the text back unchanged.
    text = _OOXML_ESCAPE_RE.sub(r"_x005F_x\1_", text)
    cell.value = text
    # openpyxl makes any str starting with "=" a formula; the type must be forced back.
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        # Excel's "'" prefix: the text stays text even after the user edits the cell.
        cell.quotePrefix = True


# ----------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportIssue:
    """One problem with an uploaded file; row and column are None when they do not apply."""

    sheet: str  # "" for a problem with the file itself
    row: int | None
    column: str | None  # Excel letter: "C"
    message: str  # Chinese

    def __str__(self) -> str:
        return format_import_issue(self)


@dataclass(frozen=True)
class ImportResult:
    """What an upload holds: texts by element code, and every problem found."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[ImportIssue] = field(default_factory=list)
    stamp: ExportStamp | None = None  # None: the file carries no (readable) export stamp

    @property
    def ok(self) -> bool:
        """True when the texts may be saved."""
        return not self.errors

    def error_lines(self) -> list[str]:
        """Each error as one Chinese line, in the order found."""
        return [format_import_issue(error) for error in self.errors]


def format_import_issue(issue: ImportIssue) -> str:
    """One Chinese line: 工作表“…” 第 7 行 C 列（自我诊断意见）：…"""
    where: list[str] = []
    if issue.sheet:
        where.append(f"工作表“{issue.sheet}”")
    if issue.row is not None:
        where.append(f"第 {issue.row} 行")
    if issue.column is not None:
        heading = COLUMN_HEADINGS.get(issue.column)
        where.append(f"{issue.column} 列" + (f"（{heading}）" if heading else ""))
    return f"{' '.join(where)}：{issue.message}" if where else issue.message


def parse_report_xlsx(
    data: bytes, *, element_codes: list[str], max_bytes: int = MAX_UPLOAD_BYTES
) -> ImportResult:
    """Read the 15 elements' texts from an uploaded .xlsx; check everything, save nothing."""
    file_errors = _check_file(data, max_bytes)
    if file_errors:
        return ImportResult(errors=file_errors)
    return _read_workbook(data, element_codes)


def _file_error(message: str) -> ImportIssue:
    return ImportIssue(sheet="", row=None, column=None, message=message)


def _check_file(data: bytes, max_bytes: int) -> list[ImportIssue]:
    """Size, type and zip directory: everything that must hold before openpyxl opens it."""
    if len(data) > max_bytes:
        return [
            _file_error(
                f"文件太大（{_size(len(data))}），不能超过 {_size(max_bytes)}；{_ASK_FOR_XLSX}"
            )
        ]
    if not data:
        return [_file_error(f"文件是空的；{_ASK_FOR_XLSX}")]
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [_file_error(_not_a_zip(data))]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return [_file_error(f"文件已损坏，无法读取；{_ASK_FOR_XLSX}")]

    errors: list[ImportIssue] = []
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return [_file_error(_not_an_xlsx_zip(names))]
    if len(members) > MAX_MEMBERS:
        errors.append(
            _file_error(f"文件内部结构异常（包含 {len(members)} 个部件，超过 {MAX_MEMBERS} 个）")
        )
    # zipfile never returns more bytes than a member's declared size (it stops and fails
    # the CRC check), so the directory's sizes are a safe bound on what parsing will inflate.
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        errors.append(
            _file_error(
                f"文件解压后过大（{_size(total)}，不能超过 {_size(MAX_UNCOMPRESSED_BYTES)}），"
                "可能是恶意构造的压缩文件"
            )
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            errors.append(
                _file_error(
                    f"文件中的部件“{member.filename}”压缩比异常（{ratio:.0f}:1，"
                    f"超过 {MAX_RATIO}:1），可能是恶意构造的压缩文件"
                )
            )
        if member.flag_bits & 0x1:
            errors.append(_file_error("文件已加密，请取消密码后另存为 .xlsx 再上传"))
            break
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            errors.append(
                _file_error(
                    f"文件中的部件“{member.filename}”使用了不支持的压缩方式；{_ASK_FOR_XLSX}"
                )
            )
    return errors


def _not_a_zip(data: bytes) -> str:
    """Name what the upload looks like, so the user knows how to fix it."""
    head = data[:1024]
    if head.startswith(_OLE2_MAGIC):
        return (
            "这是旧版 Excel（.xls）文件或设置了打开密码的文件，系统无法读取；"
            "请在 Excel 中“另存为”→“Excel 工作簿（*.xlsx）”（并取消密码）后再上传"
        )
    if head.startswith(b"%PDF"):
        return f"这是 PDF 文件，不是 Excel 表格；{_ASK_FOR_XLSX}"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<?xml", b"<html", b"<!doctype", b"<table")):
        return (
            "这是网页或 XML 格式的文件（可能只是扩展名改成了 .xlsx），不是 Excel 工作簿；"
            "请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后再上传"
        )
    if b"\x00" not in head and _decodes(head):
        return (
            "这是文本或 CSV 文件，不是 Excel 工作簿；"
            "请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后再上传"
        )
    return f"文件不是 Excel 工作簿（.xlsx）格式；{_ASK_FOR_XLSX}"


def _decodes(head: bytes) -> bool:
    """True when ``head`` reads as text (UTF-8 or GB18030, as Chinese CSVs are saved)."""
    for encoding in ("utf-8", "gb18030"):
        # Incremental: the sample may end in the middle of a multi-byte character.
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _not_an_xlsx_zip(names: set[str]) -> str:
    """The message for a zip that is not a workbook: a Word/PowerPoint/WPS/ODS file or other."""
    if "word/document.xml" in names:
        kind = "Word 文档（.docx）"
    elif "ppt/presentation.xml" in names:
        kind = "PowerPoint 演示文稿（.pptx）"
    elif "content.xml" in names and "mimetype" in names:
        kind = "OpenDocument（.ods/.odt）文件"
    else:
        kind = "ZIP 压缩包"
    return f"这是{kind}，不是 Excel 工作簿（.xlsx）；{_ASK_FOR_XLSX}"


def _size(n: int) -> str:
    """A byte count as the user reads it: 2 MB, 512 KB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"
    return f"{max(1, round(n / 1024))} KB"


class _Collector:
    """Errors in order, capped so a file that is wrong everywhere stays readable."""

    def __init__(self) -> None:
        self.errors: list[ImportIssue] = []
        self.full = False

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if self.full:
            return
        if len(self.errors) >= MAX_ERRORS:
            self.errors.append(
                ImportIssue(SHEET_TITLE, None, None, f"错误太多，只列出前 {MAX_ERRORS} 处")
            )
            self.full = True
            return
        self.errors.append(ImportIssue(SHEET_TITLE, row, column, message))


def _read_workbook(data: bytes, element_codes: list[str]) -> ImportResult:
    """Parse the checked file with openpyxl (read-only, formulas kept as formulas)."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (extensions, styles); not ours.
            warnings.simplefilter("ignore")
            workbook = load_workbook(
                io.BytesIO(data),
                read_only=True,
                data_only=False,  # keep formulas visible so they can be refused
                keep_links=False,
                rich_text=False,
            )
    except Exception:  # openpyxl raises many types for a malformed file
        logger.info("Unreadable .xlsx upload", exc_info=True)
        return ImportResult(
            errors=[_file_error(f"文件已损坏或格式不正确，无法读取；{_ASK_FOR_XLSX}")]
        )
    try:
        if SHEET_TITLE not in workbook.sheetnames:
            found = "、".join(f"“{name}”" for name in workbook.sheetnames[:10])
            return ImportResult(
                errors=[
                    _file_error(
                        f"找不到工作表“{SHEET_TITLE}”（文件中的工作表：{found}）；"
                        "请不要修改工作表名称"
                    )
                ]
            )
        sheet = workbook[SHEET_TITLE]
        if not hasattr(sheet, "iter_rows"):
            return ImportResult(
                errors=[_file_error(f"“{SHEET_TITLE}”不是普通工作表；{_ASK_FOR_XLSX}")]
            )
        try:
            result = _read_rows(sheet, element_codes)
        except Exception:  # read-only sheets are parsed lazily, while iterating
            # Logged with the traceback: a bug here would otherwise look like a bad file.
            logger.warning("Unreadable sheet in .xlsx upload", exc_info=True)
            return ImportResult(
                errors=[_file_error(f"工作表“{SHEET_TITLE}”已损坏，无法读取；{_ASK_FOR_XLSX}")]
            )
        return dataclasses.replace(result, stamp=_read_stamp(workbook))
    finally:
        workbook.close()


def _read_rows(sheet: ReadOnlyWorksheet, element_codes: list[str]) -> ImportResult:
    """Walk rows 1–MAX_ROWS of columns A–E; match rows to element codes by column B."""
    errors = _Collector()
    expected = set(element_codes)
    found_at: dict[str, int] = {}
    rows: dict[str, dict[str, str]] = {}
    header_row: int | None = None
    width = len(COLUMNS)

    # max_row bounds the work: read-only sheets pad missing rows, and a hostile file can
    # claim row 1,048,576.
    for row_number, cells in enumerate(
        sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=width), start=1
    ):
        texts: dict[str, str | None] = {}
        problems: list[tuple[str, str]] = []
        for (letter, _, _, _), cell in zip(COLUMNS, cells, strict=False):
            text, problem = _cell_text(cell)
            if problem:
                problems.append((letter, problem))
            texts[letter] = text
        if not problems and not any(texts.values()):
            continue  # a blank row
        if row_number > MAX_ROWS:
            errors.add(row_number, None, f"表格超过 {MAX_ROWS} 行，之后的内容没有读取")
            break
        for letter, problem in problems:
            errors.add(row_number, letter, problem)
        if header_row is None and row_number <= HEADER_SEARCH_ROWS and _is_header(texts):
            header_row = row_number
            _check_header(texts, row_number, errors)
            continue
        if header_row is None and row_number <= HEADER_SEARCH_ROWS and not texts.get("B"):
            continue  # the title row, above the header
        _read_element_row(row_number, texts, expected, found_at, rows, errors)

    if header_row is None:
        errors.add(
            None,
            None,
            f"找不到表头行（A 列“{PROJECT_HEADING}”、B 列“{ELEMENT_HEADING}”）；"
            "请不要删除表头或调整列的顺序",
        )
    for code in element_codes:
        if code not in found_at:
            errors.add(
                None, None, f"缺少诊断要素 {code} 的行；请不要删除行或修改 B 列开头的要素编号"
            )
    return ImportResult(rows=rows, errors=errors.errors)


def _read_stamp(workbook) -> ExportStamp | None:
    for prop in getattr(workbook, "custom_doc_props", None) or []:
        if prop.name == STAMP_PROPERTY and isinstance(prop.value, str):
            return ExportStamp.loads(prop.value)
    return None


def _is_header(texts: dict[str, str | None]) -> bool:
    return (texts.get("A") or "") == PROJECT_HEADING and (texts.get("B") or "") == ELEMENT_HEADING


def _check_header(texts: dict[str, str | None], row: int, errors: _Collector) -> None:
    """C–E must still be the three texts in 附件3's order, or texts would land in wrong fields."""
    for letter, name, heading, limit in COLUMNS:
        if name is None:
            continue
        if not (texts.get(letter) or "").startswith(heading):
            errors.add(
                row,
                letter,
                f"表头应为“{heading}（≤{limit}字）”；请不要调整列的顺序",
            )


def _read_element_row(
    row: int,
    texts: dict[str, str | None],
    expected: set[str],
    found_at: dict[str, int],
    rows: dict[str, dict[str, str]],
    errors: _Collector,
) -> None:
    """One data row: its element code from column B, then its three texts within R5."""
    label = texts.get("B")
    has_text = any(texts.get(letter) for letter, name, _, _ in COLUMNS if name)
    if not label:
        if has_text:
            errors.add(
                row, "B", "缺少诊断要素编号（如“1.1 质量保证理念”），无法确定这一行属于哪个要素"
            )
        return  # column A alone (a note, a merged project cell) is not an element row
    match = _ELEMENT_CODE_RE.match(label)
    if match is None:
        errors.add(row, "B", f"无法识别诊断要素“{_clip(label)}”：应以要素编号开头，如“1.1”")
        return
    code = match.group(1)
    if code not in expected:
        errors.add(row, "B", f"未知的诊断要素编号 {code}；请不要修改 B 列")
        return
    if code in found_at:
        errors.add(
            row,
            "B",
            f"诊断要素 {code} 重复出现（第 {found_at[code]} 行已有），每个要素只能有一行",
        )
    for letter, name, _, limit in COLUMNS:
        if name is None or limit is None:
            continue
        message = over_limit(texts.get(letter), limit)
        if message:
            errors.add(row, letter, message)
    if code not in found_at:
        found_at[code] = row
        rows[code] = {
            name: texts.get(letter) or "" for letter, name, _, _ in COLUMNS if name is not None
        }


def _cell_text(cell: object) -> tuple[str | None, str | None]:
    """(normalized text, None) for a usable cell, or (None, Chinese problem) for one refused."""
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if value is None:
        return "", None
    if data_type == "f":
        return None, "不能使用公式，请直接填写文字"
    if data_type == "e":
        return None, f"单元格是错误值 {_clip(str(value))}，请直接填写文字"
    if isinstance(value, bool):
        return None, "单元格是逻辑值（TRUE/FALSE），请填写文字"
    if isinstance(value, int):
        return normalize_text(str(value)), None
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
        return normalize_text(text), None
    if isinstance(value, str):
        return normalize_text(_unescape(value)), None
    # Dates and times: Excel turned typed text into a date; the original wording is lost.
    return None, "单元格是日期或时间，不是文字；请把单元格设为“文本”格式后重新填写"


def _unescape(text: str) -> str:
    """Undo OOXML's _xHHHH_ escapes, dropping characters no text field should hold."""
    if "_x" in text:
        text = _OOXML_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _clip(text: str, limit: int = 20) -> str:
    """A short quote of a cell in a message."""
    return text if len(text) <= limit else text[:limit] + "…"
