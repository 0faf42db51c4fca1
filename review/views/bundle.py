"""All of a re-check's materials in one zip: served when stored, else made (here when small,
by the worker when large, with a progress page that refreshes itself until it is there)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from review.permissions import can_download_bundle, get_recheck_for_user
from review.services import bundle as service
from review.tasks import queue_materials_bundle

REFRESH_SECONDS = 2


@login_required
@require_GET
def bundle(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    if not can_download_bundle(request.user, recheck):
        raise Http404("页面不存在")
    items = service.entries(recheck)
    key = service.key_of(items)
    path = service.stored(recheck.pk, key)
    queued = True
    if path is None and service.included_bytes(items) <= service.INLINE_BYTES:
        try:
            path = service.build(recheck_id=recheck.pk)
        except service.BundleError:
            path = None  # the reason is in the progress, shown below
    elif path is None:
        if cache.add(f"materials-bundle-queued:{recheck.pk}:{key}", True, timeout=600):
            queued = queue_materials_bundle(recheck.pk)
            if not queued:
                cache.delete(f"materials-bundle-queued:{recheck.pk}:{key}")
        # A worker that ran at once (eager in development) has left the zip already.
        path = service.stored(recheck.pk, key)
    if path is not None:
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=service.download_name(recheck),
            content_type="application/zip",
        )
    progress = service.progress(recheck.pk, key)
    response = render(
        request,
        "review/bundle_pending.html",
        {
            "recheck": recheck,
            "progress": progress,
            "queued": queued,
            "refresh": REFRESH_SECONDS,
            "files": sum(1 for e in items if e.included),
        },
        status=500 if progress and progress.get("error") else 202,
    )
    response["Cache-Control"] = "no-store"
    return response
