"""Downloads the worker makes: the stored file when it is there, a progress page until then."""

from __future__ import annotations

from django.core.cache import cache
from django.http import FileResponse
from django.shortcuts import render

from review.exporters.excel import CONTENT_TYPE
from review.services import cycle_export
from review.tasks import queue_cycle_export

REFRESH_SECONDS = 2


def cycle_overview_file(request, cycle, filters: dict[str, str]):
    """The cycle overview's .xlsx: served from the stored file made for the data as it is
    now; the first request after a change queues the worker (once) and shows its progress,
    and the page refreshes itself (a meta refresh, no script) until the file is there."""
    stamp = cycle_export.data_stamp(cycle, filters)
    path = cycle_export.stored_file(cycle, filters, stamp)
    queued = True
    if path is None:
        name = cycle_export.file_name(cycle, filters, stamp)
        if cache.add(f"cycle-export-queued:{name}", True, timeout=600):
            queued = queue_cycle_export(cycle.pk, filters, stamp)
            if not queued:
                cache.delete(f"cycle-export-queued:{name}")
        # A worker that ran at once (eager in development) has left the file already.
        path = cycle_export.stored_file(cycle, filters, stamp)
    if path is not None:
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=cycle_export.download_name(cycle),
            content_type=CONTENT_TYPE,
        )
    response = render(
        request,
        "review/cycle_export_pending.html",
        {
            "cycle": cycle,
            "progress": cycle_export.progress(cycle, filters, stamp),
            "queued": queued,
            "refresh": REFRESH_SECONDS,
            "back": request.GET.urlencode(),
        },
        status=202,
    )
    response["Cache-Control"] = "no-store"
    return response
