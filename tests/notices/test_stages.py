"""When notices go out: 14 days, 3 days, the day, overdue (pure)."""

from datetime import date

import pytest

from notices.models import Stage
from notices.services.stages import stage_for

DUE = date(2028, 2, 29)  # a leap day


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2028, 2, 14), None),
        (date(2028, 2, 15), Stage.DAYS_14),
        (date(2028, 2, 25), Stage.DAYS_14),
        (date(2028, 2, 26), Stage.DAYS_3),
        (date(2028, 2, 28), Stage.DAYS_3),
        (date(2028, 2, 29), Stage.DUE),
        (date(2028, 3, 1), Stage.OVERDUE),
        (date(2028, 3, 30), Stage.OVERDUE),
        (date(2028, 3, 31), None),  # a month on, nobody is reminded of it daily
    ],
)
def test_stage_windows_around_29_february(today, expected):
    assert stage_for(DUE, today) == expected


def test_no_overdue_stage_when_not_wanted():
    assert stage_for(DUE, date(2028, 3, 1), overdue=False) is None


def test_titles_say_how_many_days_are_left():
    from notices.services.stages import when_text

    assert (
        when_text(DUE, Stage.DAYS_14, date(2028, 2, 19))
        == "将于 2028 年 2 月 29 日截止（还有 10 天）"
    )
    assert when_text(DUE, Stage.OVERDUE, date(2028, 3, 2)) == "已于 2028 年 2 月 29 日逾期"
