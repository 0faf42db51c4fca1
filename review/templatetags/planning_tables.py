"""The rows of the cycle overview and the re-check list, built in Python (issue 16).

Profiled under bench/bench_pages.py, each page spent most of its time in the template: per
row an ``{% include %}`` of the school's name, two to four ``{% url %}`` reversals, date
filters and nested loops over the panel — a hundred rows a page, about 60 % of the request.
Built here with ``format_html`` (every value escaped), with each address reversed once per
page, a page of rows costs a fraction of that. The cells and labels are those the template
had; only staff who read everything (provincial staff, the committee) reach these pages, so
the school's name always links to its page, as ``schools/_name.html`` does for them.
"""

from __future__ import annotations

from collections.abc import Callable

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_MARK = 2_147_000_001  # stands in for the id while reversing; no real row reaches it


def address_of(name: str) -> Callable[[int], str]:
    """``reverse(name, pk=…)`` for many ids: reversed once, then the id put in."""
    head, tail = reverse(name, kwargs={"pk": _MARK}).split(str(_MARK))
    return lambda pk: f"{head}{pk}{tail}"


def _day(moment) -> str:
    """A stored time as the date in Fujian (as the ``date:"Y-m-d"`` filter shows it)."""
    return timezone.localdate(moment).isoformat()


_DASH = mark_safe("—")  # noqa: S308 (a constant)
_LATE = mark_safe(' <span class="tag warn">逾期</span>')  # noqa: S308 (a constant)


def _overview_row(row, school_url, recheck_url) -> str:
    school, recheck = row.school, row.recheck
    tags = ""
    if school.is_new:
        tags += ' <span class="tag warn">新建</span>'
    if row.exempt:
        tags += ' <span class="tag">备案免复核</span>'
    planned = dates = published = submitted = _DASH
    if recheck is not None:
        planned = format_html(
            '<a href="{}">{} 年</a>', recheck_url(recheck.pk), recheck.planned_year
        )
        if recheck.start_date:
            dates = f"{recheck.start_date.isoformat()} 至 {recheck.end_date:%m-%d}"
        else:
            dates = "待排期"
        if recheck.materials_published_at:
            published = format_html(
                "{}{}",
                _day(recheck.materials_published_at),
                _LATE if recheck.published_late else "",
            )
        if recheck.materials_submitted_at:
            submitted = format_html(
                "{}{}",
                _day(recheck.materials_submitted_at),
                _LATE if recheck.submitted_late else "",
            )
    return format_html(
        '<tr><td class="primary"><a href="{}" class="school-link">{}</a>{}</td>'
        '<td data-label="自我诊断">{}</td><td data-label="复核">{}</td>'
        '<td data-label="复核日期">{}</td><td data-label="材料公示">{}</td>'
        '<td data-label="材料报送">{}</td><td data-label="复核结论">{}</td></tr>\n',
        school_url(school.pk),
        school.name,
        mark_safe(tags),  # noqa: S308 (constants only)
        row.report_state,
        planned,
        dates,
        published,
        submitted,
        row.verdict or "—",
    )


@register.simple_tag
def overview_rows(rows) -> str:
    """The cycle overview's table rows (``review.selectors.CycleRow``), one ``<tr>`` each."""
    if not rows:
        return mark_safe('<tr><td colspan="7">没有符合条件的学校。</td></tr>')
    school_url, recheck_url = address_of("school_detail"), address_of("review:recheck")
    return mark_safe(  # noqa: S308 (each row built by format_html)
        "".join(_overview_row(row, school_url, recheck_url) for row in rows)
    )


def _recheck_row(row, *, publish: bool, recheck_url, school_url) -> str:
    if row.start_date:
        dates = f"{row.start_date.isoformat()} 至 {row.end_date.isoformat()}"
    else:
        dates = f"{row.planned_year} 年 · 待排期"
    button = ""
    if publish:
        button = format_html(
            '<a class="button small" href="{}#verdict">审核并发布结论</a> ', recheck_url(row.pk)
        )
    if row.panel:
        panel = format_html_join(
            "、", "{}{}", ((p.name, "（组长）" if p.is_lead else "") for p in row.panel)
        )
    else:
        panel = mark_safe('<span class="tag warn">未组建</span>')
    return format_html(
        '<tr><td class="primary"><a href="{}">{}</a> <a href="{}" class="small story-link" '
        'aria-label="{}的诊改历程">历程</a></td><td data-label="日期">{}{}</td>'
        '<td data-label="专家组">{}</td></tr>\n',
        recheck_url(row.pk),
        row.school_name,
        school_url(row.school_id),
        row.school_name,
        button,
        dates,
        panel,
    )


@register.simple_tag
def recheck_rows(rows, *, need: str, can_edit: bool) -> str:
    """The re-check list's table rows (``review.selectors.RecheckRow``), one ``<tr>`` each."""
    if not rows:
        empty = "没有符合条件的复核。" if need else "本周期还没有列入复核的学校。"
        return format_html('<tr><td colspan="3">{}</td></tr>', empty)
    recheck_url, school_url = address_of("review:recheck"), address_of("school_detail")
    publish = need == "publication" and can_edit
    return mark_safe(  # noqa: S308 (each row built by format_html)
        "".join(
            _recheck_row(row, publish=publish, recheck_url=recheck_url, school_url=school_url)
            for row in rows
        )
    )
