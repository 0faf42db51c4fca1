"""The school's own diagnostic points beside 附件1's (added to and removed from a report)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators.models import Element
from review.forms import (
    SchoolPointForm,
)
from review.models import SchoolPoint
from review.permissions import (
    get_report_for_writer,
)
from review.services import self_diagnosis as service
from review.views.report_page import report_response


@login_required
@require_POST
def add_point(request, pk: int):
    report = get_report_for_writer(request.user, pk)
    form = SchoolPointForm(request.POST)
    if form.is_valid():
        element = get_object_or_404(
            Element, pk=form.cleaned_data["element"], project__system=report.system
        )
        try:
            service.add_school_point(
                self_diagnosis=report,
                user=request.user,
                element=element,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except service.ReportLocked as exc:
            typed = [
                (f"{element.code} 本校诊断点", form.cleaned_data["name"]),
                (f"{element.code} 本校诊断点说明", form.cleaned_data["description"]),
            ]
            report.refresh_from_db()
            return report_response(
                request,
                report,
                status=409,
                unsaved=[(label, text) for label, text in typed if text],
                unsaved_reason=" ".join(exc.messages),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"已在 {element.code} 下添加本校诊断点。")
        return redirect(reverse("review:report", kwargs={"pk": pk}) + f"#e{element.code}")
    messages.error(request, "请填写诊断点名称（100 字以内）。")
    return redirect("review:report", pk=pk)


@login_required
@require_POST
def remove_point(request, pk: int, point_pk: int):
    report = get_report_for_writer(request.user, pk)
    point = get_object_or_404(SchoolPoint, pk=point_pk, self_diagnosis=report)
    try:
        service.remove_school_point(point=point, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("review:report", kwargs={"pk": pk}) + f"#e{point.element.code}")
