"""A re-check's materials in one zip, with a manifest of each file's version and SHA-256.

The zip holds every file of the re-check's materials that is not withdrawn (each version of
each of the eight materials, oldest first) and ``manifest.csv`` (in Chinese, UTF-8 with a
BOM so Excel opens it): each file's material, version, name inside the zip, the school's own
file name, type, size, upload time, status and SHA-256. A withdrawn file is listed with its
status and hash but its bytes are left out.

The zip is stored under ``MEDIA_ROOT/bundles/`` keyed by the SHA-256 of the manifest: any
new version, deletion, withdrawal or publication changes the manifest, so it changes the key
and the next download makes a new zip; until then the stored one is served. Every file's
bytes are hashed while they are written and checked against the SHA-256 recorded at upload:
a mismatch stops the build (nothing half-written is kept).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from review.models import Material, Recheck
from review.services.files import shown_name

FOLDER = "bundles"
MANIFEST_NAME = "manifest.csv"
# Up to this many bytes of files the request builds the zip itself; above, the worker does.
INLINE_BYTES = 20 * 1024 * 1024
CHUNK = 1024 * 1024
MANIFEST_HEADER = [
    "序号",
    "材料",
    "版本",
    "压缩包内文件名",
    "原文件名",
    "文件类型",
    "大小（字节）",
    "上传时间",
    "状态",
    "SHA-256",
]


class BundleError(Exception):
    """A stored file does not match its record: the zip is not made."""


@dataclass(frozen=True)
class Entry:
    material_id: int
    kind: int
    kind_label: str
    version: int
    original_name: str
    content_kind: str
    size: int
    uploaded_at: str
    sha256: str
    withdrawn: bool
    disclosed: bool

    @property
    def included(self) -> bool:
        return not self.withdrawn

    @property
    def arcname(self) -> str:
        name = shown_name(self.original_name, limit=120)
        if not name.lower().endswith(f".{self.content_kind}"):
            name = f"{name}.{self.content_kind}"
        return f"材料{self.kind}/第{self.version}版-{name}"

    @property
    def status(self) -> str:
        if self.withdrawn:
            return "已撤下（未附文件）"
        return "已公示" if self.disclosed else "未公示"


def entries(recheck: Recheck) -> list[Entry]:
    """Every material file of the re-check, numbered by version within its material."""
    versions: dict[int, int] = {}
    result = []
    for m in Material.objects.filter(recheck=recheck).order_by("kind", "created", "pk"):
        versions[m.kind] = versions.get(m.kind, 0) + 1
        result.append(
            Entry(
                material_id=m.pk,
                kind=m.kind,
                kind_label=m.get_kind_display(),
                version=versions[m.kind],
                original_name=m.original_name,
                content_kind=m.content_kind,
                size=m.size,
                uploaded_at=timezone.localtime(m.created).strftime("%Y-%m-%d %H:%M:%S"),
                sha256=m.sha256,
                withdrawn=m.withdrawn_at is not None,
                disclosed=m.disclosed_at is not None,
            )
        )
    return result


def manifest_bytes(items: list[Entry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADER)
    for n, e in enumerate(items, start=1):
        writer.writerow(
            [
                n,
                e.kind_label,
                f"第{e.version}版",
                e.arcname if e.included else "",
                e.original_name,
                e.content_kind,
                e.size,
                e.uploaded_at,
                e.status,
                e.sha256,
            ]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def key_of(items: list[Entry]) -> str:
    """The stored zip's key: the manifest's SHA-256 (shortened)."""
    return hashlib.sha256(manifest_bytes(items)).hexdigest()[:20]


def included_bytes(items: list[Entry]) -> int:
    return sum(e.size for e in items if e.included)


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def path_for(recheck_id: int, key: str) -> Path:
    return _folder() / f"recheck-{recheck_id}-{key}.zip"


def stored(recheck_id: int, key: str) -> Path | None:
    path = path_for(recheck_id, key)
    return path if path.exists() else None


def download_name(recheck: Recheck) -> str:
    return f"{recheck.school.name}-{recheck.planned_year}年复核材料.zip"


def progress_key(recheck_id: int, key: str) -> str:
    return f"materials-bundle-progress:{recheck_id}:{key}"


def progress(recheck_id: int, key: str) -> dict | None:
    return cache.get(progress_key(recheck_id, key))


def build(*, recheck_id: int) -> Path:
    """Write the zip for the materials as they are now (once: a second run finds it)."""
    recheck = Recheck.objects.get(pk=recheck_id)
    items = entries(recheck)
    manifest = manifest_bytes(items)
    key = hashlib.sha256(manifest).hexdigest()[:20]
    path = path_for(recheck_id, key)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    state = progress_key(recheck_id, key)
    total = included_bytes(items)
    done = 0
    cache.set(state, {"done": 0, "total": total}, timeout=3600)
    partial = path.with_suffix(f".{os.getpid()}.part")
    materials = Material.objects.in_bulk([e.material_id for e in items if e.included])
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            archive.writestr(
                zipfile.ZipInfo(MANIFEST_NAME, _zip_time(timezone.now())),
                manifest,
                compress_type=zipfile.ZIP_DEFLATED,
            )
            for e in items:
                if not e.included:
                    continue
                material = materials[e.material_id]
                info = zipfile.ZipInfo(e.arcname, _zip_time(material.created))
                info.compress_type = zipfile.ZIP_STORED  # PDFs and Office files are packed
                info.file_size = e.size
                digest = hashlib.sha256()
                with material.document.open("rb") as source, archive.open(info, "w") as target:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        target.write(chunk)
                        done += len(chunk)
                        cache.set(state, {"done": done, "total": total}, timeout=3600)
                if digest.hexdigest() != e.sha256:
                    raise BundleError(f"文件“{e.original_name}”与登记的 SHA-256 不符")
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, BundleError):
            cache.set(state, {"done": done, "total": total, "error": str(exc)}, timeout=3600)
        raise
    os.replace(partial, path)  # readers see the whole zip or none
    cache.set(state, {"done": total, "total": total}, timeout=3600)
    for older in _folder().glob(f"recheck-{recheck_id}-*.zip"):
        if older != path:
            older.unlink(missing_ok=True)
    return path


def _zip_time(moment) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
