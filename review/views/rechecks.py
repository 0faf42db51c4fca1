"""Re-check planning pages (R7–R10, R19): parse, call one service, render."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from review import selectors
from review.forms import (
    AssignForm,
    CertifyForm,
    CycleForm,
    ReasonForm,
    ScheduleForm,
)
from review.models import (
    Consolidation,
    Cycle,
    MaterialKind,
    PanelAssignment,
    ReportStatus,
    VerdictRecord,
)
from review.permissions import (
    can_download_bundle,
    can_see_materials,
    expert_assignment,
    get_recheck_for_user,
    is_school_of,
    require_provincial,
    sees_verdict_before_publication,
)
from review.selectors.consistency import expert_matches
from review.services import panel_assignments
from review.services import rechecks as service
from review.services.deadlines import minimum_sample
from review.services.materials import source_of
from review.services.panels import DEFAULT_PANEL_SIZE, KIND_LABELS
from review.services.scoring import consolidated_matched
from review.services.verdict import (
    MeasuresRating,
    decide_verdict,
    explain_in_words,
)
from review.templatetags import planning_tables
from review.views import exports
from schools.models import City, Expert, School
from schools.permissions import is_provincial, reads_everything, role_of
from schools.roles import Role
from zhengai import stampcache


def _staff_cycle(request, pk: int) -> Cycle:
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    return get_object_or_404(Cycle, pk=pk)


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


@login_required
def cycles(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        require_provincial(request.user)
        if form.is_valid():
            try:
                cycle = service.create_cycle(
                    start_year=form.cleaned_data["start_year"], user=request.user
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"已建立“{cycle.name}”。")
                return redirect("review:cycle", pk=cycle.pk)
    return render(
        request,
        "review/cycles.html",
        {"cycles": Cycle.objects.all(), "form": form, "can_edit": is_provincial(request.user)},
        status=400 if form.errors else 200,
    )


def _overview_filters(request) -> dict[str, str]:
    return {key: request.GET.get(key, "") for key in ("q", "city", "report", "recheck")}


@login_required
@require_GET
def cycle(request, pk: int):
    cycle = _staff_cycle(request, pk)
    filters = _overview_filters(request)
    number = request.GET.get("page") or "1"
    # Stored until a row it is read from changes (zhengai/stampcache.py: the schools, reports,
    # re-checks, verdicts and proposals are watched), so a page of 1,500 schools is not read
    # and drawn again for every request; never older than the last commit.
    key = stampcache.key_of("cycle-overview", cycle.pk, sorted(filters.items()), number)
    data = stampcache.cached(key, lambda: _overview_page(cycle, filters, number))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/cycle.html",
        {
            **data,
            "cycle": cycle,
            "query": query.urlencode(),
            "filters": filters,
            "cities": City.choices,
            "report_states": [("not_started", "未开始"), *ReportStatus.choices],
            "can_edit": is_provincial(request.user),
        },
    )


def _page_info(page) -> SimpleNamespace:
    """What the pager shows of a page, without its query (stored with the page's rows)."""
    return SimpleNamespace(
        number=page.number,
        object_list=list(page.object_list),
        has_previous=page.has_previous(),
        has_next=page.has_next(),
        previous_page_number=page.number - 1,
        next_page_number=page.number + 1,
        paginator=SimpleNamespace(num_pages=page.paginator.num_pages, count=page.paginator.count),
    )


def _overview_page(cycle, filters: dict, number: str) -> dict:
    total = School.objects.count()
    # 100 schools a page: a province-wide list stays quick to load and usable on a phone;
    # the filters and the Excel export cover the whole list. The database filters and pages
    # the schools; only the page's rows are built (a fixed number of queries).
    schools = selectors.overview_schools(cycle, filters=filters)
    paginator = Paginator(schools, 100)
    if not any(filters.values()):
        paginator.count = total  # unfiltered: every school, counted once above
    page = paginator.get_page(number)
    rows = selectors.overview_rows(cycle, list(page.object_list))
    return {
        "rows": rows,
        "rows_html": planning_tables.overview_rows(rows),
        "not_started": [row.school for row in rows if row.state_key == "not_started"],
        "page": _page_info(page),
        "matched": page.paginator.count,
        "selected": cycle.rechecks.count(),
        "minimum": minimum_sample(total),
        "total": total,
        "proposals": list(
            cycle.r15_proposals.filter(record__isnull=True, dismissed_reason="")
            .select_related("school")
            .order_by("school__name")
        ),
    }


@login_required
@require_GET
def cycle_export(request, pk: int):
    # Made by the worker, kept until the data changes; a progress page until then.
    return exports.cycle_overview_file(
        request, _staff_cycle(request, pk), _overview_filters(request)
    )


@login_required
@require_GET
def cycle_rechecks(request, pk: int):
    cycle = _staff_cycle(request, pk)
    need = request.GET.get("need", "")
    need = need if need in selectors.NEEDS else ""
    number = request.GET.get("page") or "1"
    can_edit = is_provincial(request.user)
    # Stored as the overview is (the re-checks, their panels and experts are watched).
    key = stampcache.key_of("cycle-rechecks", cycle.pk, need, number, can_edit)
    return render(
        request,
        "review/cycle_rechecks.html",
        {
            **stampcache.cached(key, lambda: _recheck_list_page(cycle, need, number, can_edit)),
            "cycle": cycle,
            "need": need,
            "needs": selectors.NEEDS.items(),
            "can_edit": can_edit,
        },
    )


def _recheck_list_page(cycle, need: str, number: str, can_edit: bool) -> dict:
    # 100 a page, each with its panel, in a fixed number of queries.
    page = selectors.cycle_recheck_page(cycle, number, need=need, panel_size=DEFAULT_PANEL_SIZE)
    return {
        "rows_html": planning_tables.recheck_rows(page.object_list, need=need, can_edit=can_edit),
        "rechecks": page.object_list,
        "page": _page_info(page),
    }


@login_required
@require_POST
def propose(request, pk: int):
    cycle = _staff_cycle(request, pk)
    require_provincial(request.user)
    added = panel_assignments.propose_for_cycle(cycle=cycle, user=request.user)
    messages.success(request, f"已按回避规则和均衡负担建议专家组，新增 {added} 人次；可逐项调整。")
    return redirect("review:cycle_rechecks", pk=pk)


def _recheck_page(request, recheck, *, status=200, **forms):
    user = request.user
    assignment = expert_assignment(user, recheck)
    show_materials = can_see_materials(user, recheck)
    materials = (
        list(
            recheck.materials.select_related("uploaded_by").prefetch_related("withdrawal_requests")
        )
        if show_materials
        else []
    )
    by_kind = {k.value: [] for k in MaterialKind}
    for material in materials:
        by_kind[material.kind].append(material)
    year = recheck.start_date.year if recheck.start_date else recheck.planned_year
    school_side = is_school_of(user, recheck)
    checklist = [
        {
            "kind": kind,
            "files": by_kind[kind.value],
            "years": _years_needed(kind, year),
            # Material 1 and 2 can be taken from what the school filed already.
            "source": source_of(recheck, kind.value) if school_side else None,
        }
        for kind in MaterialKind
    ]
    provincial = is_provincial(user)
    assignments = list(recheck.assignments.select_related("expert__school", "expert__user"))
    context = {
        "recheck": recheck,
        "deadlines": recheck.deadlines,
        "today": timezone.localdate(),
        "assignments": assignments,
        "assignment": assignment,
        "show_materials": show_materials,
        "can_bundle": show_materials and can_download_bundle(user, recheck),
        "checklist": checklist,
        "materials_count": len(materials),
        "is_school": school_side,
        "can_edit": provincial,
        "shows_panel": reads_everything(user) or assignment is not None,
        "date_changes": recheck.date_changes.select_related("by"),
        "panel_changes": recheck.panel_changes.select_related("expert", "by")[:20]
        if reads_everything(user)
        else [],
        "kind_labels": KIND_LABELS,
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(initial={"start_date": recheck.start_date, "end_date": recheck.end_date}),
        "assign_form": forms.get("assign_form") or AssignForm(),
        "certify_form": forms.get("certify_form") or CertifyForm(),
        "material_errors": forms.get("material_errors", {}),
        "publish_errors": forms.get("publish_errors", []),
    }
    context |= _verdict_context(recheck, preview=sees_verdict_before_publication(user, recheck))
    if reads_everything(user):
        # R19: staff see, for each assigned expert, any reason on record not to sit.
        problems = panel_assignments.sitting_problems(assignments)
        for a in assignments:
            a.problems = problems.get(a.pk, [])
    if provincial:
        # R19: everyone in the pool is listed; who may not sit is greyed with the reason.
        context["pool"] = panel_assignments.pool_for(recheck)
        # An aid when choosing: how often each expert's findings matched their panels' final.
        matches = expert_matches()
        for a in assignments:
            a.match = matches.get(a.expert_id)
        for e, _reasons in context["pool"]:
            e.match = matches.get(e.pk)
        context["pool_open"] = any(not reasons for _, reasons in context["pool"])
        context["panel_target"] = DEFAULT_PANEL_SIZE
        context["panel_missing"] = max(0, DEFAULT_PANEL_SIZE - len(assignments))
    return render(request, "review/recheck.html", context, status=status)


def _verdict_context(recheck, *, preview: bool) -> dict:
    """Where scoring stands, and the verdict the rule gives once the panel has consolidated.

    ``preview``: whether the viewer may see that verdict before staff publish it (no sign-off,
    no verdict for the school or for an expert who has not certified).
    """
    consolidation = Consolidation.objects.filter(recheck=recheck).first()
    records = list(VerdictRecord.objects.filter(recheck=recheck).order_by("published_at"))
    verdict_preview = None
    if preview and consolidation and consolidation.submitted_at and not records:
        matched = consolidated_matched(consolidation)
        rating = MeasuresRating(consolidation.measures_rating)
        verdict_preview = {
            "verdict": decide_verdict(matched, rating),
            "explanation": explain_in_words(matched, rating),
        }
    return {
        "consolidation": consolidation,
        "verdict_record": records[-1] if records else None,
        "verdict_preview": verdict_preview,
    }


def _years_needed(kind: MaterialKind, year: int) -> str:
    """R9: the years each material must cover, counted back from the re-check's year."""
    if kind in (MaterialKind.QUALITY_REPORTS, MaterialKind.STATE_DATA, MaterialKind.ANNUAL_SELF):
        return f"{year - 2} 年、{year - 1} 年（近 2 年）"
    if kind == MaterialKind.SATISFACTION:
        return f"在校生，及 {year - 3}、{year - 2}、{year - 1} 届毕业生（近 3 届）"
    return ""


@login_required
@require_GET
def recheck(request, pk: int):
    return _recheck_page(request, get_recheck_for_user(request.user, pk))


@login_required
@require_POST
def schedule(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    require_provincial(request.user)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            service.schedule(
                recheck=recheck,
                start=form.cleaned_data["start_date"],
                end=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "复核日期已保存，材料公示和报送期限已重新计算。")
            return redirect("review:recheck", pk=pk)
    return _recheck_page(request, recheck, status=400, schedule_form=form)


@login_required
@require_POST
def assign(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    require_provincial(request.user)
    form = AssignForm(request.POST)
    if form.is_valid():
        expert = get_object_or_404(Expert, pk=form.cleaned_data["expert"], active=True)
        try:
            panel_assignments.assign_expert(
                recheck=recheck,
                expert=expert,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已将 {expert.name} 加入专家组。")
            return redirect("review:recheck", pk=pk)
    return _recheck_page(request, recheck, status=400, assign_form=form)


def _assignment_of(request, pk: int, assignment_pk: int) -> PanelAssignment:
    recheck = get_recheck_for_user(request.user, pk)
    require_provincial(request.user)
    return get_object_or_404(PanelAssignment, pk=assignment_pk, recheck=recheck)


@login_required
@require_POST
def unassign(request, pk: int, assignment_pk: int):
    assignment = _assignment_of(request, pk, assignment_pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "移出专家须填写原因。")
        return redirect("review:recheck", pk=pk)
    panel_assignments.remove_expert(
        assignment=assignment, user=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(request, f"已将 {assignment.expert.name} 移出专家组，其查看权限已撤销。")
    return redirect("review:recheck", pk=pk)


@login_required
@require_POST
def make_lead(request, pk: int, assignment_pk: int):
    assignment = _assignment_of(request, pk, assignment_pk)
    panel_assignments.set_lead(assignment=assignment, user=request.user)
    messages.success(request, f"{assignment.expert.name} 为专家组组长。")
    return redirect("review:recheck", pk=pk)


@login_required
@require_POST
def certify(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    assignment = expert_assignment(request.user, recheck)
    if assignment is None:
        raise Http404("页面不存在")
    form = CertifyForm(request.POST)
    if form.is_valid():
        no_conflict = form.cleaned_data["decision"] == "no_conflict"
        try:
            panel_assignments.certify(
                assignment=assignment,
                user=request.user,
                no_conflict=no_conflict,
                statement=form.cleaned_data["statement"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if no_conflict:
                messages.success(request, "已确认无利益冲突，现在可以查看该校材料。")
                return redirect("review:recheck", pk=pk)
            messages.info(request, "已申报利益冲突并退出该校复核，省级管理人员已收到通知。")
            return redirect("review:my_rechecks")
    return _recheck_page(request, recheck, status=400, certify_form=form)


@login_required
@require_GET
def my_rechecks(request):
    if role_of(request.user) != Role.EXPERT:
        raise Http404("页面不存在")
    return render(
        request, "review/my_rechecks.html", {"assignments": selectors.assignments_of(request.user)}
    )
