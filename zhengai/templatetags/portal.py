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
