"""Reading a filled-in report workbook back (R5): all or nothing, problems by sheet, row, column."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import warnings
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from review.exporters.excel import (
    _ASK_FOR_XLSX,
    MAX_ERRORS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ImportIssue,
    _cell_text,
    _check_file,
    _clip,
    _file_error,
    format_import_issue,
)
from review.exporters.report_xlsx import (
    COLUMN_HEADINGS,
    COLUMNS,
    ELEMENT_HEADING,
    PROJECT_HEADING,
    SHEET_TITLE,
    STAMP_PROPERTY,
    ExportStamp,
)
from review.services.limits import over_limit

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10

_ELEMENT_CODE_RE = re.compile(r"^(\d+(?:\.\d+)*)(?![\d.])")


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
        self.errors.append(
            ImportIssue(SHEET_TITLE, row, column, message, COLUMN_HEADINGS.get(column, ""))
        )


def parse_report_xlsx(
    data: bytes, *, element_codes: list[str], max_bytes: int = MAX_UPLOAD_BYTES
) -> ImportResult:
    """Read the 15 elements' texts from an uploaded .xlsx; check everything, save nothing."""
    file_errors = _check_file(data, max_bytes)
    if file_errors:
        return ImportResult(errors=file_errors)
    return _read_workbook(data, element_codes)


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
