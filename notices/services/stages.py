"""When a notice goes out, relative to its due date (pure)."""

from __future__ import annotations

from datetime import date

from notices.models import Stage

OVERDUE_WINDOW_DAYS = 30  # an overdue notice is sent within a month of the date, not years on


def stage_for(due: date, today: date, *, overdue: bool = True) -> Stage | None:
    """The stage whose window ``today`` falls in: 14 days, 3 days, the day itself, overdue."""
    days = (due - today).days
    if days < 0:
        return Stage.OVERDUE if overdue and -days <= OVERDUE_WINDOW_DAYS else None
    if days == 0:
        return Stage.DUE
    if days <= 3:
        return Stage.DAYS_3
    if days <= 14:
        return Stage.DAYS_14
    return None


def when_text(due: date, stage: Stage, today: date | None = None) -> str:
    """The due date as the notice's title says it (with the days left when ``today`` is given)."""
    day = f"{due.year} 年 {due.month} 月 {due.day} 日"
    left = f"（还有 {(due - today).days} 天）" if today else ""
    return {
        Stage.DAYS_14: f"将于 {day}截止{left}",
        Stage.DAYS_3: f"将于 {day}截止{left}",
        Stage.DUE: f"今天（{day}）截止",
        Stage.OVERDUE: f"已于 {day}逾期",
        Stage.EVENT: day,
    }[stage]
