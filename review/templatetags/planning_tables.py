"""The rows of the cycle overview and the re-check list, built in Python (issue 16).

Profiled under bench/bench_pages.py, each page spent most of its time in the template: per
row an ``{% include %}`` of the school's name, two to four ``{% url %}`` reversals, date
filters and nested loops over the panel — a hundred rows a page, about 60 % of the request.
Built here as plain strings (every value from the database escaped), with each address
reversed once per page, a page of rows costs a fraction of that (``format_html`` per cell
still cost twice as much again). The cells and labels are those the template had; only
staff who read everything (provincial staff, the committee) reach these pages, so the
school's name always links to its page, as ``schools/_name.html`` does for them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()

_MARK = 2_147_000_001  # stands in for the id while reversing; no real row reaches it
_LATE = ' <span class="tag warn">逾期</span>'


def address_of(name: str) -> Callable[[int], str]:
    """``reverse(name, pk=…)`` for many ids: reversed once, then the id put in."""
    head, tail = reverse(name, kwargs={"pk": _MARK}).split(str(_MARK))
    return lambda pk: f"{head}{int(pk)}{tail}"


def _day(moment) -> str:
    """A stored time as the date in Fujian (as the ``date:"Y-m-d"`` filter shows it)."""
    return timezone.localdate(moment).isoformat()


# Each row is one f-string: every value from the database goes through ``escape`` (the
# standard library's, which Django's ``escape`` wraps); ids are ints, dates are formatted here.


def _overview_row(row, school_url, recheck_url) -> str:
    school, recheck = row.school, row.recheck
    tags = ""
    if school.is_new:
        tags += ' <span class="tag warn">新建</span>'
    if row.exempt:
        tags += ' <span class="tag">备案免复核</span>'
    planned = dates = published = submitted = "—"
    if recheck is not None:
        planned = f'<a href="{recheck_url(recheck.pk)}">{int(recheck.planned_year)} 年</a>'
        if recheck.start_date:
            dates = f"{recheck.start_date.isoformat()} 至 {recheck.end_date:%m-%d}"
        else:
            dates = "待排期"
        if recheck.materials_published_at:
            published = _day(recheck.materials_published_at)
            published += _LATE if recheck.published_late else ""
        if recheck.materials_submitted_at:
            submitted = _day(recheck.materials_submitted_at)
            submitted += _LATE if recheck.submitted_late else ""
    return (
        f'<tr><td class="primary"><a href="{school_url(school.pk)}" class="school-link">'
        f"{escape(school.name)}</a>{tags}</td>"
        f'<td data-label="自我诊断">{escape(str(row.report_state))}</td>'
        f'<td data-label="复核">{planned}</td><td data-label="复核日期">{dates}</td>'
        f'<td data-label="材料公示">{published}</td><td data-label="材料报送">{submitted}</td>'
        f'<td data-label="复核结论">{escape(str(row.verdict or "—"))}</td></tr>\n'
    )


@register.simple_tag
def overview_rows(rows) -> str:
    """The cycle overview's table rows (``review.selectors.CycleRow``), one ``<tr>`` each."""
    if not rows:
        return mark_safe('<tr><td colspan="7">没有符合条件的学校。</td></tr>')
    school_url, recheck_url = address_of("school_detail"), address_of("review:recheck")
    return mark_safe(  # noqa: S308 (every value escaped in _overview_row)
        "".join(_overview_row(row, school_url, recheck_url) for row in rows)
    )


def _recheck_row(row, *, publish: bool, recheck_url, school_url) -> str:
    if row.start_date:
        dates = f"{row.start_date.isoformat()} 至 {row.end_date.isoformat()}"
    else:
        dates = f"{int(row.planned_year)} 年 · 待排期"
    button = ""
    if publish:
        button = f'<a class="button small" href="{recheck_url(row.pk)}#verdict">审核并发布结论</a> '
    if row.panel:
        panel = "、".join(escape(p.name) + ("（组长）" if p.is_lead else "") for p in row.panel)
    else:
        panel = '<span class="tag warn">未组建</span>'
    name = escape(row.school_name)
    return (
        f'<tr><td class="primary"><a href="{recheck_url(row.pk)}">{name}</a> '
        f'<a href="{school_url(row.school_id)}" class="small story-link" '
        f'aria-label="{name}的诊改历程">历程</a></td>'
        f'<td data-label="日期">{button}{dates}</td><td data-label="专家组">{panel}</td></tr>\n'
    )


@register.simple_tag
def recheck_rows(rows, *, need: str, can_edit: bool) -> str:
    """The re-check list's table rows (``review.selectors.RecheckRow``), one ``<tr>`` each."""
    if not rows:
        empty = "没有符合条件的复核。" if need else "本周期还没有列入复核的学校。"
        return mark_safe(f'<tr><td colspan="3">{empty}</td></tr>')  # noqa: S308 (constants)
    recheck_url, school_url = address_of("review:recheck"), address_of("school_detail")
    publish = need == "publication" and can_edit
    return mark_safe(  # noqa: S308 (every value escaped in _recheck_row)
        "".join(
            _recheck_row(row, publish=publish, recheck_url=recheck_url, school_url=school_url)
            for row in rows
        )
    )
