"""State-data pages: parse, call one service or selector, render. Outsiders get 404."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from schools.permissions import school_of
from statedata import selectors
from statedata.exporters.workbook import template_xlsx
from statedata.forms import CategoryForm, UploadForm
from statedata.permissions import (
    can_set_category,
    can_upload_for,
    get_school_for_uploader,
    get_school_for_viewer,
    sees_province,
)
from statedata.services.conditions import SchoolCategory
from statedata.services.imports import WorkbookInvalid, import_workbook, set_category


@login_required
@require_GET
def index(request):
    """Schools go to their own page; staff and the committee see the province."""
    own = school_of(request.user)
    if own is not None:
        return redirect("statedata:school", pk=own.pk)
    if not sees_province(request.user):
        raise Http404("页面不存在")
    years = selectors.result_years()
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        year = years[0] if years else timezone.localdate().year
    show = request.GET.get("show")
    show = show if show in selectors.SHOW else None
    distributions = selectors.distributions(year)
    return render(
        request,
        "statedata/province.html",
        {
            "year": year,
            "years": years,
            "show": show,
            "show_label": selectors.SHOW.get(show, ""),
            "overview": selectors.province_overview(year, show),
            "distributions": [(d, d.texts(), d.svg()) for d in distributions],
        },
    )


@login_required
@require_GET
def template(request):
    if school_of(request.user) is None and not sees_province(request.user):
        raise Http404("页面不存在")
    filename, content_type, content = template_xlsx()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _school_page(request, school, *, form=None, errors=None, status=200):
    category, registered = selectors.category_of(school)
    years = selectors.school_years(school)
    chosen = years[0]["year"] if years else None
    meta = {m["code"]: m for m in selectors.indicator_meta()}
    positions = []
    if chosen is not None:
        for dist in selectors.distributions(chosen, school=school):
            positions.append(
                {
                    "dist": dist,
                    "texts": dist.texts(),
                    "svg": dist.svg(),
                    "word": selectors.position_word(dist, meta[dist.code]["direction"]),
                }
            )
    return render(
        request,
        "statedata/school.html",
        {
            "school": school,
            "category": category,
            "registered": registered,
            "years": years,
            "chosen": chosen,
            "positions": positions,
            "may_upload": can_upload_for(request.user, school),
            "may_set_category": can_set_category(request.user),
            "form": form or UploadForm(),
            "category_form": CategoryForm(initial={"category": category.value}),
            "errors": errors or [],
        },
        status=status,
    )


@login_required
@require_GET
def school(request, pk: int):
    return _school_page(request, get_school_for_viewer(request.user, pk))


@login_required
@require_POST
def upload(request, pk: int):
    school = get_school_for_uploader(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _school_page(request, school, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        version = import_workbook(
            school=school,
            year=form.cleaned_data["year"],
            data=upload.read(),
            original_name=upload.name or "",
            user=request.user,
        )
    except WorkbookInvalid as invalid:
        return _school_page(request, school, form=form, errors=invalid.lines, status=400)
    messages.success(
        request,
        f"{version.figure_set.year} 年状态数据已导入（第 {version.number} 版），"
        "指标和预警正在计算，稍后刷新本页即可看到。",
    )
    return redirect("statedata:school", pk=school.pk)


@login_required
@require_POST
def category(request, pk: int):
    school = get_school_for_viewer(request.user, pk)
    if not can_set_category(request.user):
        raise Http404("页面不存在")
    form = CategoryForm(request.POST)
    if form.is_valid():
        set_category(school=school, category=form.cleaned_data["category"], user=request.user)
        label = SchoolCategory(form.cleaned_data["category"]).label
        messages.success(request, f"学校类别已设为“{label}”，各年度指标将重新判定。")
    return redirect("statedata:school", pk=school.pk)
