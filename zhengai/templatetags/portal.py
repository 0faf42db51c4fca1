"""Small template helpers shared by the portal's pages."""

from datetime import date, timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int | str:
    """Whole minutes of a timedelta, rounded up (a lockout of 14.5 minutes says 15)."""
    if not isinstance(value, timedelta):
        return ""
    seconds = int(value.total_seconds())
    return -(-seconds // 60)


@register.filter
def days_from(due: date | None, today: date) -> int | str:
    """Whole days from ``today`` to ``due``: positive ahead, negative overdue."""
    if not isinstance(due, date):
        return ""
    return (due - today).days


_NUMERALS = "一二三四五六七八九十"
PLAN_SLUG = "fujian-zhengai-plan"


def clause_label(anchor: str) -> str:
    """The plan's own way of naming a clause: s4-2-3 → 四（二）3; a2 → 附件2."""
    if anchor.startswith("a"):
        return f"附件{anchor[1:].split('-')[0]}"
    parts = [int(p) for p in anchor[1:].split("-")]
    label = _NUMERALS[parts[0] - 1]
    if len(parts) > 1:
        label += f"（{_NUMERALS[parts[1] - 1]}）"
    if len(parts) > 2:
        label += str(parts[2])
    return label


@register.simple_tag
def clause(anchor: str):
    """Where a rule matters on a page: say so in words and link the plan's clause in the
    column (rule ids such as R11 are for code and tests, not for what people read)."""
    from django.urls import reverse
    from django.utils.html import format_html

    url = reverse("column:document", args=[PLAN_SLUG]) + f"#{anchor}"
    return format_html('（见<a href="{}">实施方案{}</a>）', url, clause_label(anchor))


# The main navigation is the same for everyone with the same role, school, page and language:
# rendered once per such key in this process (17 address reversals and the role tests spared
# on every signed-in page), a bounded store emptied when full.
_NAV: dict = {}
_NAV_MAX = 2048


@register.simple_tag(takes_context=True)
def site_nav(context):
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from schools.roles import Role

    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = context.get("user")
    role, school = context.get("user_role"), context.get("user_school")
    section = context.get("nav_section")
    key = (
        get_language(),
        role,
        getattr(school, "pk", None),
        bool(getattr(user, "is_school_contact", False)),
        bool(getattr(user, "is_staff", False)),
        getattr(match, "url_name", None),
        getattr(match, "app_name", None),
        section,
    )
    html = _NAV.get(key)
    if html is None:
        html = render_to_string(
            "_site_nav.html",
            {
                "request": request,
                "user": user,
                "user_role": role,
                "Role": Role,
                "user_school": school,
                "nav_section": section,
            },
        )
        if len(_NAV) >= _NAV_MAX:
            _NAV.clear()
        _NAV[key] = html
    return mark_safe(html)  # noqa: S308 rendered by the template engine
