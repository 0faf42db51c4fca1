"""Pages about schools and the expert pool; every check goes through ``permissions``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from schools import selectors
from schools.models import City, GuidanceFocus, SecondRoundStatus
from schools.permissions import get_school_for_user, is_provincial, reads_everything
from schools.services.guidance import set_guidance_focus


@login_required
def school_list(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    filters = {key: request.GET.get(key, "") for key in ("q", "city", "status", "year")}
    schools = selectors.school_list(request.user, filters=filters)
    return render(
        request,
        "schools/list.html",
        {
            "schools": schools,
            "filters": filters,
            "cities": City.choices,
            "statuses": SecondRoundStatus.choices,
            "years": [2017, 2018, 2019, 2020],
        },
    )


@login_required
def school_detail(request, pk: int):
    """A school's facts; provincial staff also set its guidance focus here (R21)."""
    school = get_school_for_user(request.user, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not is_provincial(request.user):
            raise Http404("页面不存在")
        try:
            set_guidance_focus(
                school=school, focus=request.POST.get("guidance_focus", ""), user=request.user
            )
        except ValidationError as exc:
            errors = {key: " ".join(value) for key, value in exc.message_dict.items()}
        else:
            messages.success(request, "分类指导重点已保存。")
            return redirect("school_detail", pk=school.pk)
    return render(
        request,
        "schools/detail.html",
        {
            "school": school,
            "can_set_focus": is_provincial(request.user),
            "focuses": GuidanceFocus.choices,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
