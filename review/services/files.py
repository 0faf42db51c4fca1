"""Uploaded documents: judged by their content, hashed, and stored under a server-made name."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from review.models import DocumentKind

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

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
    upload.seek(0)
    return CheckedFile(
        kind=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        token=secrets.token_hex(16),
    )


def stored_file_fields(
    checked: CheckedFile, upload: UploadedFile, *, user, kind_field: str = "content_kind"
) -> dict:
    """The columns every stored upload has: token, the user's file name, kind, size, hash."""
    return {
        "token": checked.token,
        "original_name": (upload.name or "")[:200],
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
