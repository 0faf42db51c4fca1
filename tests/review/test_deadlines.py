"""R8, R10, R11 date rules."""

from datetime import date

import pytest

from review.services.deadlines import minimum_sample, recheck_deadlines, rectification_due


def test_r10_publish_30_days_and_submit_15_days_before_the_start():
    deadlines = recheck_deadlines(date(2026, 5, 20))
    assert deadlines.publish_by == date(2026, 4, 20)
    assert deadlines.submit_by == date(2026, 5, 5)


def test_r10_deadlines_cross_a_leap_february():
    deadlines = recheck_deadlines(date(2028, 3, 10))
    assert deadlines.publish_by == date(2028, 2, 9)
    assert deadlines.submit_by == date(2028, 2, 24)


def test_r11_rectification_due_one_year_after_the_end():
    assert rectification_due(date(2026, 5, 22)) == date(2027, 5, 22)


def test_r11_29_february_maps_to_28_february():
    assert rectification_due(date(2028, 2, 29)) == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("n", "minimum"), [(0, 0), (1, 1), (3, 1), (4, 2), (43, 15), (90, 30), (91, 31)]
)
def test_r8_minimum_sample_is_a_third_rounded_up(n, minimum):
    assert minimum_sample(n) == minimum


def test_r15_cycle_self_diagnosis_due_is_31_december_of_the_last_year(db):
    from datetime import date

    from review.models import Cycle, CycleKind
    from review.services.deadlines import cycle_self_diagnosis_due

    assert cycle_self_diagnosis_due(2028) == date(2028, 12, 31)
    cycle = Cycle(name="2026—2028", kind=CycleKind.TRIENNIAL, start_year=2026, end_year=2028)
    assert cycle.self_diagnosis_due == date(2028, 12, 31)
