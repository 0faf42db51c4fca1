"""The cycle overview as .xlsx, made once by the worker and kept until the data changes.

At province scale (1,500 schools) the workbook takes about a second to build: a request never
builds it. The file's name carries a stamp of what it shows (the cycle's re-checks and
verdicts, the reports of its years, the schools: how many and when last changed, and the
filters), so a change makes a new name; the first request for a name queues the worker, which
writes the file beside the others (atomically) and drops the older copies of the same export.
Progress is kept in the cache while the worker writes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

from review.exporters.cycle import export_cycle_xlsx
from review.models import Cycle, Recheck, SelfDiagnosis, VerdictRecord
from review.selectors import cycle_overview
from schools.models import School

FOLDER = "exports"
PROGRESS_EVERY = 100


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def _filters_key(filters: dict[str, str]) -> str:
    text = json.dumps({k: v for k, v in sorted(filters.items()) if v}, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def data_stamp(cycle: Cycle, filters: dict[str, str]) -> str:
    """What the export shows, in a few aggregate queries: changes when any of it changes."""
    parts = [
        School.objects.aggregate(n=Count("pk"), m=Max("modified")),
        SelfDiagnosis.objects.filter(
            year__gte=cycle.start_year, year__lte=cycle.end_year
        ).aggregate(n=Count("pk"), m=Max("modified")),
        Recheck.objects.filter(cycle=cycle).aggregate(n=Count("pk"), m=Max("modified")),
        VerdictRecord.objects.filter(cycle=cycle).aggregate(n=Count("pk"), m=Max("modified")),
    ]
    text = json.dumps([cycle.name, *parts], default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def file_name(cycle: Cycle, filters: dict[str, str], stamp: str) -> str:
    return f"cycle-{cycle.pk}-{_filters_key(filters)}-{stamp}.xlsx"


def stored_file(cycle: Cycle, filters: dict[str, str], stamp: str) -> Path | None:
    path = _folder() / file_name(cycle, filters, stamp)
    return path if path.exists() else None


def download_name(cycle: Cycle) -> str:
    return f"{cycle.name}总览.xlsx"


def progress_key(name: str) -> str:
    return f"cycle-export-progress:{name}"


def progress(cycle: Cycle, filters: dict[str, str], stamp: str) -> dict | None:
    return cache.get(progress_key(file_name(cycle, filters, stamp)))


def build(*, cycle_id: int, filters: dict[str, str], stamp: str) -> Path:
    """Write the workbook for this stamp (once: a second run finds it written)."""
    cycle = Cycle.objects.get(pk=cycle_id)
    name = file_name(cycle, filters, stamp)
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.exists():
        return path
    rows = cycle_overview(cycle, filters=filters)
    total = len(rows)
    key = progress_key(name)
    cache.set(key, {"done": 0, "total": total}, timeout=3600)

    def counted():
        for done, row in enumerate(rows, start=1):
            if done % PROGRESS_EVERY == 0:
                cache.set(key, {"done": done, "total": total}, timeout=3600)
            yield row

    _, _, content = export_cycle_xlsx(cycle, counted())
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(content)
    os.replace(partial, path)  # readers see the whole file or none
    cache.set(key, {"done": total, "total": total}, timeout=3600)
    prefix = f"cycle-{cycle.pk}-{_filters_key(filters)}-"
    for older in folder.glob(f"{prefix}*.xlsx"):
        if older != path:
            older.unlink(missing_ok=True)
    return path
