"""The expert pool in the portal (R19): provincial staff add and edit experts, their declared
ties to schools and their availability by year; the committee reads; everyone else gets 404.
Every write is kept by simple-history (the request's user is recorded)."""

from __future__ import annotations

from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from schools import selectors
from schools.forms import AvailabilityForm, ConflictForm, ExpertForm
from schools.models import Expert, ExpertAvailability, ExpertConflict, ExpertKind
from schools.permissions import can_see_expert_pool, is_provincial


def _readers_only(user) -> None:
    if not can_see_expert_pool(user):
        raise Http404("页面不存在")


def _editors_only(user) -> None:
    if not is_provincial(user):
        raise Http404("页面不存在")


@login_required
def expert_list(request):
    _readers_only(request.user)
    kind = request.GET.get("kind") if request.GET.get("kind") in ExpertKind.values else None
    query = request.GET.get("q", "").strip()[:50]
    employer = request.GET.get("employer", "").strip()[:100]
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    available = request.GET.get("available", "")
    if available not in ("yes", "no"):
        available = ""
    experts = selectors.expert_pool(
        kind=kind,
        query=query,
        employer=employer,
        year=year,
        available={"yes": True, "no": False}.get(available),
        include_inactive=request.GET.get("inactive") == "1",
    )
    return render(
        request,
        "schools/experts.html",
        {
            "experts": experts,
            "kinds": ExpertKind.choices,
            "kind": kind,
            "q": query,
            "employer": employer,
            "year": year or "",
            "available": available,
            "inactive": request.GET.get("inactive") == "1",
            "may_edit": is_provincial(request.user),
        },
    )


@login_required
def expert_new(request):
    _editors_only(request.user)
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expert = form.save()
        messages.success(request, f"已添加专家 {expert.name}。")
        return redirect("expert_detail", expert.pk)
    return render(request, "schools/expert_form.html", {"form": form})


def _history(expert: Expert) -> list:
    rows = chain(
        expert.history.select_related("history_user")[:50],
        ExpertConflict.history.filter(expert_id=expert.pk).select_related("history_user", "school")[
            :50
        ],
        ExpertAvailability.history.filter(expert_id=expert.pk).select_related("history_user")[:50],
    )
    labels = {"+": "新增", "~": "修改", "-": "删除"}
    out = []
    for row in rows:
        if isinstance(row, Expert.history.model):
            what = "专家信息"
        elif isinstance(row, ExpertConflict.history.model):
            what = f"利益冲突：{row.school.name}（{row.get_kind_display()}）"
        else:
            what = f"{row.year} 年可用情况：{'可参加' if row.available else '不可参加'}"
        who = row.history_user
        out.append(
            {
                "when": row.history_date,
                "who": (who.display_name or who.username) if who else "系统",
                "action": labels.get(row.history_type, row.history_type),
                "what": what,
            }
        )
    return sorted(out, key=lambda r: r["when"], reverse=True)


@login_required
def expert_detail(request, pk: int):
    _readers_only(request.user)
    expert = get_object_or_404(Expert.objects.select_related("school", "user"), pk=pk)
    may_edit = is_provincial(request.user)
    form = ExpertForm(request.POST or None, instance=expert, prefix="e")
    if request.method == "POST":
        _editors_only(request.user)
        if form.is_valid():
            form.save()
            messages.success(request, "专家信息已保存。")
            return redirect("expert_detail", expert.pk)
    return render(
        request,
        "schools/expert_detail.html",
        {
            "expert": expert,
            "form": form if may_edit else None,
            "conflict_form": ConflictForm(prefix="c") if may_edit else None,
            "availability_form": AvailabilityForm(prefix="a") if may_edit else None,
            "conflicts": expert.conflicts.select_related("school"),
            "availability": expert.availability.all(),
            "history": _history(expert),
            "may_edit": may_edit,
        },
    )


def _detail_with(request, expert, **forms):
    """Re-show the page with a form's errors next to its fields (nothing saved)."""
    context = {
        "expert": expert,
        "form": ExpertForm(instance=expert, prefix="e"),
        "conflict_form": ConflictForm(prefix="c"),
        "availability_form": AvailabilityForm(prefix="a"),
        "conflicts": expert.conflicts.select_related("school"),
        "availability": expert.availability.all(),
        "history": _history(expert),
        "may_edit": True,
    }
    context.update(forms)
    return render(request, "schools/expert_detail.html", context, status=400)


@login_required
@require_POST
def expert_conflict_add(request, pk: int):
    _editors_only(request.user)
    expert = get_object_or_404(Expert, pk=pk)
    form = ConflictForm(request.POST, prefix="c", instance=ExpertConflict(expert=expert))
    if not form.is_valid():
        return _detail_with(request, expert, conflict_form=form)
    conflict = form.save()
    messages.success(request, f"已登记与 {conflict.school.name} 的关系，该校复核时自动回避。")
    return redirect("expert_detail", expert.pk)


@login_required
@require_POST
def expert_conflict_delete(request, pk: int, conflict_pk: int):
    _editors_only(request.user)
    conflict = get_object_or_404(ExpertConflict, pk=conflict_pk, expert_id=pk)
    conflict.delete()  # the history keeps the row and who removed it
    messages.success(request, "已删除这条利益冲突（历史记录中保留）。")
    return redirect("expert_detail", pk)


@login_required
@require_POST
def expert_availability_set(request, pk: int):
    _editors_only(request.user)
    expert = get_object_or_404(Expert, pk=pk)
    form = AvailabilityForm(request.POST, prefix="a")
    if not form.is_valid():
        return _detail_with(request, expert, availability_form=form)
    with transaction.atomic():
        row, _ = ExpertAvailability.objects.select_for_update().get_or_create(
            expert=expert, year=form.cleaned_data["year"]
        )
        row.available = form.cleaned_data["available"]
        row.note = form.cleaned_data["note"]
        row.save()
    messages.success(request, f"已保存 {row.year} 年的可用情况。")
    return redirect("expert_detail", expert.pk)
