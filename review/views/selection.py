"""The cycle's sample: staff pick the schools to re-check and close the selection (R8)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from review import selectors
from review.forms import (
    SuggestForm,
)
from review.models import (
    CycleKind,
)
from review.permissions import (
    require_provincial,
)
from review.services import rechecks as service
from review.services.deadlines import minimum_sample
from review.views.rechecks import _errors, _staff_cycle
from schools.models import School
from zhengai.confirm import Confirmation, confirmation_page, confirmed


@login_required
def selection(request, pk: int):
    cycle = _staff_cycle(request, pk)
    require_provincial(request.user)
    errors: list[str] = []
    chosen = set(cycle.rechecks.values_list("school_id", flat=True))
    if request.method == "POST":
        picked = {int(v) for v in request.POST.getlist("school") if v.isdigit()}
        action = request.POST.get("action")
        try:
            if action == "suggest":
                form = SuggestForm(request.POST)
                seed = form.cleaned_data["seed"] if form.is_valid() else secrets.randbelow(10**6)
                chosen = set(service.suggest_sample(cycle=cycle, seed=seed))
                cycle.refresh_from_db()
                messages.info(
                    request,
                    f"已按“最久未复核优先、其余随机（种子 {seed}）”勾选建议名单，确认后请保存。",
                )
            else:
                service.set_selection(cycle=cycle, school_ids=picked, user=request.user)
                chosen = picked
                if action == "close":
                    # Saved; closing is confirmed on its own summary page.
                    return redirect("review:close_selection", pk=pk)
                messages.success(request, f"已保存抽样名单：{len(picked)} 所。")
                return redirect("review:selection", pk=pk)
        except ValidationError as exc:
            errors = _errors(exc)
            chosen = picked
    last = selectors.last_rechecks(other_than=cycle, today=timezone.localdate())
    rows = [
        {
            "school": school,
            "checked": school.pk in chosen,
            "refusal": service.selection_refusal(cycle, school),
            "last": last.get(school.pk),
        }
        for school in School.objects.order_by("name")
    ]
    total = len(rows)
    return render(
        request,
        "review/selection.html",
        {
            "cycle": cycle,
            "rows": rows,
            "count": len(chosen),
            "minimum": minimum_sample(total),
            "total": total,
            "errors": errors,
            "annex2": cycle.kind == CycleKind.ANNEX2,
            "seed": cycle.sample_seed
            if cycle.sample_seed is not None
            else secrets.randbelow(10**6),
        },
        status=400 if errors else 200,
    )


def _close_confirmation(cycle) -> Confirmation:
    chosen = cycle.rechecks.select_related("school").order_by("school__name")
    total = service.total_for_sample()
    needed = minimum_sample(total)
    problems = []
    if cycle.selection_closed_at:
        problems.append("抽样名单已经确认过。")
    elif len(chosen) < needed:
        problems.append(
            f"抽样 {len(chosen)} 所，少于全省 {total} 所的 1/3（至少 {needed} 所），"
            f"还差 {needed - len(chosen)} 所。"
        )
    return Confirmation(
        title=f"确认{cycle.name}的抽样名单",
        action=reverse("review:close_selection", kwargs={"pk": cycle.pk}),
        cancel=reverse("review:selection", kwargs={"pk": cycle.pk}),
        button="确认抽样名单",
        back_label="返回名单，不确认",
        details=[
            ("抽中学校", f"{len(chosen)} 所（全省 {total} 所，至少 {needed} 所）"),
            ("名单", "、".join(r.school.name for r in chosen) or "（无）"),
        ],
        happens=[
            "抽样名单确认后锁定，不能再增减学校。",
            "被抽中的学校可在复核页面看到复核安排；排定日期后显示材料公示和报送期限。",
            "此后可为每所学校排定复核日期、组建专家组。",
        ],
        audience=["被抽中学校的用户", "省级管理人员和专家委员会", "专栏的复核安排在排定日期后公开"],
        irreversible="确认后名单不能再修改。",
        problems=problems,
    )


@login_required
def close_selection(request, pk: int):
    """Closing the sample: a summary first; only the confirmed POST closes it, once."""
    cycle = _staff_cycle(request, pk)
    require_provincial(request.user)
    if not confirmed(request):
        return confirmation_page(request, _close_confirmation(cycle))
    try:
        service.close_selection(cycle=cycle, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review:selection", pk=pk)
    messages.success(request, "抽样名单已确认。")
    return redirect("review:cycle", pk=pk)
