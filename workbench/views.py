"""The workbenches: each role's home page as an attention queue, the charts, reminders.

Parse, call the selectors and the pure chart/stage services, render. Outsiders get 404.
"""

from __future__ import annotations

import dataclasses
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from review.services.panels import DEFAULT_PANEL_SIZE
from schools.models import City
from schools.permissions import is_provincial, reads_everything, role_of, school_of
from schools.roles import Role
from workbench.models import ReminderBatch, ReminderStep
from workbench.selectors import charts as chart_data
from workbench.selectors.expert import expert_queue
from workbench.selectors.province import failed_emails, province_queue, report_progress
from workbench.selectors.reminders import behind_on, with_people
from workbench.selectors.school import school_round
from workbench.services import charts
from workbench.services.charts import REPORT_SERIES, VERDICT_SERIES, legend, stacked_bars
from workbench.services.reminders import reminder_text, send_reminder
from workbench.services.stages import stage_bar
from zhengai import stampcache

STEP_URLS = {
    "rules": lambda ctx: reverse("review:index"),
    "report": lambda ctx: (
        reverse("review:report", args=[ctx["report"].pk])
        if ctx["report"]
        else reverse("review:index")
    ),
    "recheck": lambda ctx: reverse("review:recheck", args=[ctx["recheck"].pk]),
    "verdict": lambda ctx: (
        reverse("review:verdict", args=[ctx["verdict"].pk]) if ctx["verdict"] else ""
    ),
    "rectification": lambda ctx: (
        reverse("review:rectification", args=[ctx["verdict"].pk]) if ctx["verdict"] else ""
    ),
}


def school_context(request, school) -> dict:
    """The school's round (stored until a row it is read from changes), its notices (live)."""
    today = timezone.localdate()
    data = stampcache.cached(
        f"school:{school.pk}:{today.isoformat()}", lambda: _school_round(school, today)
    )
    return {
        **data,
        "round_markup": mark_safe(data["round_markup"]),  # noqa: S308 rendered by the engine
        "school": school,
        "today": today,
        "notices": list(request.user.notices.all()[:5]),
        "own": own_heat_row(school),
    }


def _school_round(school, today) -> dict:
    data = school_round(school, today=today)
    bar = stage_bar(data["facts"], today=today)
    for step in bar.steps:
        step.url = (
            STEP_URLS[step.url_name](data) if step.url_name and step.state != "skipped" else ""
        )
    markup = render_to_string(
        "workbench/_school_round.html", {**data, "bar": bar, "school": school, "today": today}
    )
    return {**data, "bar": bar, "round_markup": markup}


def province_context(request) -> dict:
    """The province's queue and charts, stored until a row they are read from changes (the
    markup of the charts too); only the failed e-mails are counted on every request."""
    today = timezone.localdate()
    page = stampcache.cached(f"province:{today.isoformat()}", lambda: _province_page(today))
    read_only = not is_provincial(request.user)
    live = [failed_emails()]
    return {
        **page,
        "items": [*page["items"], *live],
        "live_items": live,
        "queue": mark_safe(page["queue"][read_only]),  # noqa: S308 rendered by the engine
        "charts": mark_safe(page["charts"]),  # noqa: S308 rendered by the template engine
        "today": today,
        "read_only": read_only,
    }


def _province_page(today) -> dict:
    progress = report_progress(today.year)
    queue = province_queue(today=today, panel_size=DEFAULT_PANEL_SIZE, progress=progress)
    rows = [(label, dict(progress.get(value, {}))) for value, label in City.choices]
    charts = render_to_string(
        "workbench/_province_charts.html",
        {
            "year": queue["year"],
            "progress": stacked_bars(rows, REPORT_SERIES),
            "progress_legend": legend(REPORT_SERIES),
            "verdict_chart": stacked_bars(
                chart_data.verdicts_per_cycle(), VERDICT_SERIES, label_width=76
            ),
            "verdict_legend": legend(VERDICT_SERIES),
        },
    )
    # The queue's stored items as markup, for staff and (without reminders) the committee.
    markup = {
        read_only: render_to_string(
            "workbench/_queue_items.html", {"queue_items": queue["items"], "read_only": read_only}
        )
        for read_only in (False, True)
    }
    return {**queue, "queue": markup, "charts": charts}


def expert_context(request) -> dict:
    """The expert's assignments with their next steps, stored until a row they are read from
    changes (an assignment, its re-check, the panel's consolidation, a verdict, the expert)."""
    today = timezone.localdate()
    user = request.user
    page = stampcache.cached(
        f"expert:{user.pk}:{today.isoformat()}", lambda: _expert_page(user, today)
    )
    return {**page, "tasks_markup": mark_safe(page["tasks_markup"])}  # noqa: S308 engine


def _expert_page(user, today) -> dict:
    rows = expert_queue(user, today=today)
    for row in rows:
        row["url"] = reverse(f"review:{row['page']}", args=[row["recheck"].pk])
    page = {"rows": rows, "today": today, "expert": getattr(user, "expert", None)}
    return {**page, "tasks_markup": render_to_string("workbench/_expert_tasks.html", page)}


@login_required
@require_GET
def school_workbench(request):
    school = school_of(request.user)
    if school is None:
        raise Http404("页面不存在")
    return render(request, "home/school.html", school_context(request, school))


@login_required
@require_GET
def province_workbench(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    return render(request, "home/province.html", province_context(request))


@login_required
@require_GET
def expert_workbench(request):
    if role_of(request.user) != Role.EXPERT:
        raise Http404("页面不存在")
    return render(request, "home/expert.html", expert_context(request))


def own_heat_row(school) -> dict:
    """The school's own result per element beside the province's share (no school named):
    its chart and table as markup, stored until a verdict, a finding or an element changes."""
    own = chart_data.cached(f"own:{school.pk}", lambda: _own_heat_row(school))
    return {**own, "markup": mark_safe(own["markup"])}  # noqa: S308 rendered by the engine


def _own_heat_row(school) -> dict:
    elements = chart_data.elements_in_force()
    own = chart_data.own_results(school)
    heat = charts.heatmap(elements, [], {}, totals=chart_data.element_shares())
    rows = []
    for i, row in enumerate(heat.rows):
        value = own.get(row.code)
        state = "none" if value is None else ("yes" if value else "no")
        rows.append(
            {
                "y": i * 22,
                "code": row.code,
                "name": row.name,
                "share": row.share,
                "checked": row.checked,
                "own": charts.STATE_TEXT[state],
                "state": state,
                "bar": round(row.share * 1.6, 1),
            }
        )
    data = {"rows": rows, "height": len(rows) * 22 + 4, "checked": bool(own)}
    return {**data, "markup": render_to_string("workbench/_own_row.html", {"own": data})}


@login_required
@require_GET
def heatmap(request):
    """Province-wide for staff and the committee; a school sees its own row only."""
    school = school_of(request.user)
    if school is not None:
        return render(
            request,
            "workbench/heatmap_school.html",
            {"school": school, "own": own_heat_row(school)},
        )
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    page = chart_data.cached("heatmap-page", _heatmap_page)
    return render(
        request,
        "workbench/heatmap.html",
        {**page, "markup": mark_safe(page["markup"])},  # noqa: S308 rendered by the engine
    )


def _heatmap_page() -> dict:
    elements = chart_data.elements_in_force()
    schools, results = chart_data.element_results()
    longest = max((len(name) for _, name in schools), default=0)
    heat = charts.heatmap(elements, schools, results, names_height=min(longest, 16) * 13 + 8)
    page = {
        "rows": [dataclasses.replace(row, cells=[]) for row in heat.rows],
        "schools": len(schools),
    }
    # Escaped by heatmap_svg itself (every name and title goes through html.escape).
    svg = mark_safe(charts.heatmap_svg(heat))  # noqa: S308
    markup = render_to_string("workbench/_heatmap_body.html", {**page, "svg": svg})
    return {**page, "markup": markup}


@login_required
def reminders(request):
    """Pick the schools behind on a step, preview who receives the reminder, confirm."""
    if not is_provincial(request.user):
        raise Http404("页面不存在")
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    step = data.get("step", "")
    if step not in ReminderStep.values:
        raise Http404("页面不存在")
    city = data.get("city", "") if data.get("city", "") in City.values else ""
    rows = behind_on(step, today=today, city=city)
    context = {
        "step": step,
        "step_label": ReminderStep(step).label,
        "city": city,
        "city_label": City(city).label if city else "",
        "rows": rows,
        "note": data.get("note", "")[:300],
    }
    if request.method != "POST":
        return render(request, "workbench/reminders_pick.html", context)
    picked = {int(v) for v in request.POST.getlist("school") if v.isdecimal()}
    chosen = with_people([row for row in rows if row.school.pk in picked])
    if not chosen:
        context["error"] = "请至少选择一所学校。"
        return render(request, "workbench/reminders_pick.html", context, status=400)
    if request.POST.get("action") != "confirm":
        title, body = reminder_text(step, chosen[0].due, context["note"])
        return render(
            request,
            "workbench/reminders_preview.html",
            {
                **context,
                "chosen": chosen,
                "title": title,
                "body": body,
                "token": secrets.token_hex(16),
                "recipients": sum(len(row.people) for row in chosen),
                "nobody": [row for row in chosen if not row.people],
            },
        )
    token = request.POST.get("token", "")
    if not (len(token) == 32 and all(c in "0123456789abcdef" for c in token)):
        raise Http404("页面不存在")
    batch, sent = send_reminder(
        token=token, step=step, rows=chosen, user=request.user, note=context["note"], today=today
    )
    if sent:
        messages.success(
            request, f"已向 {batch.schools} 所学校的 {batch.recipients} 位人员发出催办提醒。"
        )
    else:
        messages.info(request, "这条提醒已经发出，未重复发送。")
    return redirect("workbench:reminder_log")


@login_required
@require_GET
def reminder_log(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    batches = ReminderBatch.objects.select_related("sent_by").prefetch_related(
        "sent_to__school", "sent_to__user"
    )[:50]
    return render(request, "workbench/reminder_log.html", {"batches": batches})
