"""Safe .xlsx for every import and export: file checks, no zip bombs, no formulas.

Text cells never become formulas; an upload is checked as a zip and a workbook before
anything reads it. The self-diagnosis report's own layout is in ``report_xlsx``.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from review.services.limits import normalize_text

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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

# Excel re-evaluates a cell's text as input when it starts with one of these (Excel, WPS and
# LibreOffice also take the full-width forms in CJK input modes).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

# OOXML escapes characters as _xHHHH_ in cell text (Excel writes a CR as _x000D_ and a
# literal "_x0041_" as "_x005F_x0041_"); openpyxl neither escapes nor unescapes them.
_OOXML_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_ASK_FOR_XLSX = "请上传用本系统“导出 Excel”下载、填写后保存的 .xlsx 文件"


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
    heading: str = ""  # the column's heading, when the sheet has one: 自我诊断意见

    def __str__(self) -> str:
        return format_import_issue(self)


def format_import_issue(issue: ImportIssue) -> str:
    """One Chinese line: 工作表“…” 第 7 行 C 列（自我诊断意见）：…"""
    where: list[str] = []
    if issue.sheet:
        where.append(f"工作表“{issue.sheet}”")
    if issue.row is not None:
        where.append(f"第 {issue.row} 行")
    if issue.column is not None:
        heading = issue.heading
        where.append(f"{issue.column} 列" + (f"（{heading}）" if heading else ""))
    return f"{' '.join(where)}：{issue.message}" if where else issue.message


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
