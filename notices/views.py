"""The inbox (everyone's own notices) and the notice log (provincial staff and committee)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notices.models import EmailStatus, Notice, NoticeKind
from notices.selectors import STAMP as UNREAD
from notices.tasks import daily_scan
from schools.permissions import is_provincial, reads_everything
from zhengai import stampcache


@login_required
@require_GET
def inbox(request):
    notices = request.user.notices.all()
    if request.GET.get("unread"):
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/inbox.html",
        {"page": page, "unread_only": bool(request.GET.get("unread"))},
    )


def _mark_read(notices) -> int:
    """Mark the unread ones of ``notices`` read; the header's count follows (an update sends
    no signal)."""
    count = notices.filter(read_at__isnull=True).update(read_at=timezone.now())
    stampcache.changed(UNREAD)
    return count


@login_required
@require_GET
def go(request, pk: int):
    """Open a notice: mark it read and go to the page where the thing is done."""
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    if notice.read_at is None:
        _mark_read(Notice.objects.filter(pk=pk))
    if url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notices:inbox")


@login_required
@require_POST
def mark_read(request, pk: int):
    _mark_read(Notice.objects.filter(pk=pk, recipient=request.user))
    return redirect("notices:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = _mark_read(request.user.notices.all())
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("notices:inbox")


@login_required
@require_GET
def log(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    notices = Notice.objects.select_related("recipient")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in EmailStatus.values:
        notices = notices.filter(email_status=status)
    if kind in NoticeKind.values:
        notices = notices.filter(kind=kind)
    page = Paginator(notices, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notices/log.html",
        {
            "page": page,
            "statuses": EmailStatus.choices,
            "kinds": NoticeKind.choices,
            "status": status,
            "kind": kind,
            "query": query.urlencode(),
            "failed": Notice.objects.filter(email_status=EmailStatus.FAILED).count(),
            "can_scan": is_provincial(request.user),
        },
    )


@login_required
@require_POST
def scan_now(request):
    if not is_provincial(request.user):
        raise Http404("页面不存在")
    daily_scan.delay_on_commit()
    messages.success(request, "已开始扫描各项期限；新通知将陆续出现在通知记录中。")
    return redirect("notices:log")
