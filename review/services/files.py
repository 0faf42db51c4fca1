"""Uploaded documents: judged by their content, hashed, and stored under a server-made name.

A file is what it claims only if its structure holds, not just its first bytes: a PDF must
parse (pypdf) and end where a PDF ends; a .docx/.xlsx must be a sane zip (bounded parts,
uncompressed size and compression ratio, no encryption) holding the parts Word or Excel
needs. Stored files are served back as attachments with the verified kind's content type.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from review.models import DocumentKind

logger = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# A sane Office zip: an ordinary document stays far inside these; a zip bomb does not.
MAX_ZIP_MEMBERS = 2000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_BYTES = 1024 * 1024  # tiny parts of repetitive XML legitimately compress past 100:1
# Acrobat's own rule: the end-of-file marker must be within the file's last 1024 bytes.
PDF_TAIL_BYTES = 1024

CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.DOC: "application/msword",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentKind.XLS: "application/vnd.ms-excel",
}
_MAIN_PART = {DocumentKind.DOCX: "word/document.xml", DocumentKind.XLSX: "xl/workbook.xml"}

# Bidi controls can make "报告\u202efdp.exe" show as "报告exe.pdf"; control characters and
# path separators have no place in a shown name either.
_UNSHOWABLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\x00-\x1f\x7f/\\\\]")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedFile:
    kind: DocumentKind
    size: int
    sha256: str
    token: str


def sniff_kind(content: bytes) -> DocumentKind | None:
    """What the bytes are — PDF, Word or Excel — whatever the file's name says."""
    if content.startswith(b"%PDF-"):
        return DocumentKind.PDF
    if content.startswith(_OLE2_MAGIC):
        # Legacy Office files are OLE2 containers; their stream names tell Word from Excel.
        if "WordDocument".encode("utf-16-le") in content:
            return DocumentKind.DOC
        if "Workbook".encode("utf-16-le") in content or "Book".encode("utf-16-le") in content:
            return DocumentKind.XLS
        return None
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return DocumentKind.DOCX
        if "xl/workbook.xml" in names:
            return DocumentKind.XLSX
    return None


def check_document(
    upload: UploadedFile, *, allowed: set[DocumentKind], max_bytes: int = MAX_DOCUMENT_BYTES
) -> CheckedFile:
    """Refuse an empty, oversized or disguised file; return its real kind, size and SHA-256."""
    if upload.size is not None and upload.size > max_bytes:
        size_mb, limit_mb = upload.size / 1024 / 1024, max_bytes // 1024 // 1024
        raise ValidationError(f"文件过大：{size_mb:.1f} MB，不能超过 {limit_mb} MB。")
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(f"文件过大：不能超过 {max_bytes // 1024 // 1024} MB。")
    if not content:
        raise ValidationError("文件是空的。")
    kind = sniff_kind(content)
    if kind is None or kind not in allowed:
        names = "、".join(DocumentKind(k).label for k in sorted(allowed))
        found = f"（实际内容是 {DocumentKind(kind).label}）" if kind else ""
        raise ValidationError(f"文件内容不是允许的类型{found}：只接受 {names}。")
    if problem := structure_problem(content, kind):
        raise ValidationError(
            f"文件无法使用：{problem}。请检查文件能否正常打开，重新保存后再上传。"
        )
    upload.seek(0)
    return CheckedFile(
        kind=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        token=secrets.token_hex(16),
    )


def structure_problem(content: bytes, kind: DocumentKind) -> str | None:
    """Why a file of the sniffed ``kind`` is not really one (in Chinese), or None if it is."""
    if kind == DocumentKind.PDF:
        return _pdf_problem(content)
    if kind in _MAIN_PART:
        return _zip_problem(content, kind)
    return None  # legacy .doc/.xls: the OLE2 container and its stream name were checked


def _pdf_problem(content: bytes) -> str | None:
    if b"%%EOF" not in content[-PDF_TAIL_BYTES:]:
        return "PDF 文件不完整（缺少文件结尾，可能没有上传完或已损坏）"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about harmless oddities of real PDFs
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return "PDF 设置了打开密码，请取消密码后再上传"
            if len(reader.pages) == 0:
                return "PDF 没有任何页面"
            reader.pages[0].mediabox  # noqa: B018 — the first page's tree must resolve
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        logger.info("Unreadable PDF upload: %s", exc)
        return "PDF 文件已损坏，无法读取"
    except Exception:  # pypdf raises many types for a malformed file; none may become a 500
        logger.info("Unreadable PDF upload", exc_info=True)
        return "PDF 文件已损坏，无法读取"
    return None


def _zip_problem(content: bytes, kind: DocumentKind) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return f"文件内部部件过多（{len(members)} 个），可能是恶意构造的压缩文件"
            # zipfile never inflates more than a member's declared size (it fails the CRC
            # check first), so the directory's sizes bound what reading can cost.
            total = sum(m.file_size for m in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                limit = MAX_UNCOMPRESSED_BYTES // 1024 // 1024
                return (
                    f"文件解压后过大（{total // 1024 // 1024} MB，不能超过 {limit} MB），"
                    "可能是恶意构造的压缩文件"
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
                    return f"文件压缩比异常（{ratio:.0f}:1），可能是恶意构造的压缩文件"
                if member.flag_bits & 0x1:
                    return "文件已加密，请取消密码后再上传"
                if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    return "文件使用了不支持的压缩方式"
            types = archive.read("[Content_Types].xml")
            main = archive.read(_MAIN_PART[kind])
    except KeyError:
        return "文件缺少必需的部件，不是完整的 Office 文档"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return "文件已损坏，无法解压"
    except zlib.error:
        return "文件已损坏，无法解压"
    declared = _MAIN_PART[kind].encode() in types
    if not declared or not main.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "文件内部结构不完整，不是正常的 Office 文档"
    return None


def shown_name(name: str | None, *, limit: int = 200) -> str:
    """A user's file name safe to show and to offer as a download name."""
    return _UNSHOWABLE.sub("", name or "").strip()[:limit] or "文件"


def stored_file_response(document, *, kind: str, filename: str) -> FileResponse:
    """A stored upload, always as an attachment, typed as the kind its content was verified as."""
    return FileResponse(
        document.open("rb"),
        as_attachment=True,
        filename=shown_name(filename),
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )


def stored_file_fields(
    checked: CheckedFile, upload: UploadedFile, *, user, kind_field: str = "content_kind"
) -> dict:
    """The columns every stored upload has: token, the user's file name, kind, size, hash."""
    return {
        "token": checked.token,
        "original_name": shown_name(upload.name),
        kind_field: checked.kind,
        "size": checked.size,
        "sha256": checked.sha256,
        "uploaded_by": user,
    }


def save_upload(instance, upload: UploadedFile, *, user, reason: str | None = None):
    """Write the file under its server-made name, then the row (with its history author)."""
    instance.document.save("upload", upload, save=False)
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance


def save_checked_upload(instance, upload: UploadedFile, *, allowed, user, reason: str):
    """Check ``upload`` (its problems reported under the form's ``document`` field), record
    its columns on ``instance`` and save the file and the row."""
    try:
        checked = check_document(upload, allowed=allowed)
    except ValidationError as exc:
        raise ValidationError({"document": exc.messages}) from None
    for name, value in stored_file_fields(checked, upload, user=user).items():
        setattr(instance, name, value)
    return save_upload(instance, upload, user=user, reason=reason)
