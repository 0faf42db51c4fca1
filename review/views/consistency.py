"""How consistent the panels are, province-wide, and how often each expert matched the panel.

The province page is for provincial staff and the committee; the experts' match rates are
for provincial staff only (an aid when choosing panels): everyone else gets 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from review.models import Cycle
from review.permissions import require_provincial
from review.selectors import consistency
from review.services.consistency import MIN_OTHER_PANELS, OUTLIER_P
from schools.permissions import is_provincial, reads_everything


@login_required
@require_GET
def province(request):
    """Per element: the share found 不相符 and the experts' agreement; outlying panels."""
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    cycles = list(Cycle.objects.order_by("-start_year"))
    chosen = next((c for c in cycles if str(c.pk) == request.GET.get("cycle", "")), None)
    return render(
        request,
        "review/consistency_province.html",
        {
            "figures": consistency.province_figures(cycle_id=chosen.pk if chosen else None),
            "cycles": cycles,
            "chosen": chosen,
            "outlier_p": OUTLIER_P,
            "min_others": MIN_OTHER_PANELS,
            "can_see_experts": is_provincial(request.user),
        },
    )


@login_required
@require_GET
def experts(request):
    """Each expert's findings against their panels' final findings (provincial staff only)."""
    require_provincial(request.user)
    return render(request, "review/consistency_experts.html", {"rows": consistency.expert_table()})
