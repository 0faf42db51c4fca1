"""Recomputing at scale: exact boundaries from figures, the compiled tables, skipping rows
whose inputs did not change, and a query count that does not grow with the schools."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statedata.models import YearResult
from statedata.services.compute import recompute
from statedata.services.conditions import (
    Level,
    SchoolCategory,
    all_indicators,
    assess,
    exact_indicators,
    load_standards,
    worsening,
)
from statedata.services.conditions_plan import Plan
from statedata.services.imports import store_figures

from .helpers import GOOD_FIGURES

STANDARDS = load_standards()

# 折合在校生数 = 1022 + 8 × 0.3 = 1024.4 exactly, and 4,097,600 ÷ 1024.4 = 4000 exactly: the
# table value itself, which qualifies. In floats the quotient is 3999.9999999999995.
AT_4000 = {"students_regular": 1022, "students_evening": 8, "equipment_total": 4097600}


def test_r23_value_at_the_table_value_qualifies_even_when_floats_round_below():
    floats = all_indicators(AT_4000, STANDARDS)
    assert floats["equipment_value"] < 4000  # the rounding this guards against
    assert exact_indicators(AT_4000, STANDARDS)["equipment_value"] == 4000
    without = assess("engineering", floats)
    assert without.levels["equipment_value"] == Level.BELOW_QUALIFIED
    result = assess("engineering", floats, figures=AT_4000)
    assert result.levels["equipment_value"] == Level.MEETS
    basic, _ = Plan(STANDARDS).judge("engineering", floats, AT_4000)
    assert basic["equipment_value"] == Level.MEETS
    below = AT_4000 | {"equipment_total": 4097599}
    basic, _ = Plan(STANDARDS).judge("engineering", all_indicators(below, STANDARDS), below)
    assert basic["equipment_value"] == Level.BELOW_QUALIFIED


def test_r25_equal_values_are_not_a_trend_because_of_rounding():
    values = [4000.0000000000005, 3999.9999999999995, 3999.999999999999]
    assert worsening(values, "min")  # floats alone would call it worse three years running
    exact = [lambda: Fraction(4000)] * 3
    assert not worsening(values, "min", exact)
    assert worsening([4100.0, 4050.0, 4000.0], "min", exact)


def _random_figures(rng: random.Random) -> dict:
    students = rng.randint(1, 15000)
    teachers = rng.randint(0, 900)
    return GOOD_FIGURES | {
        "students_regular": students,
        "students_evening": rng.choice([0, 7, 8, 13]),
        "full_time_teachers": teachers,
        "external_teachers": rng.randint(0, 200),
        "postgraduate_teachers": rng.randint(0, teachers),
        "senior_teachers": rng.randint(0, teachers),
        "teaching_area": round(students * rng.uniform(5, 20), 1),
        "equipment_total": round(students * rng.uniform(2000, 6000), 2),
        "equipment_added": rng.choice([0, 10_000_001, students * 300]),
        "books_total": students * rng.randint(40, 90),
        "land_area": students * rng.randint(40, 70),
    }


def test_r23_compiled_tables_judge_exactly_like_assess():
    rng = random.Random(23)
    plan = Plan(STANDARDS)
    cases = [AT_4000] + [_random_figures(rng) for _ in range(400)]
    for figures in cases:
        indicators = all_indicators(figures, STANDARDS)
        for category in SchoolCategory:
            expected = assess(category, indicators, figures=figures)
            basic, monitoring = plan.judge(category.value, indicators, figures)
            assert basic == expected.levels
            assert monitoring == expected.monitoring


def _store(school, user, year, **changes):
    return store_figures(
        school=school,
        year=year,
        figures=GOOD_FIGURES | changes,
        tables={},
        user=user,
        recompute=False,
    )


def _stamps(school):
    return dict(YearResult.objects.filter(school=school).values_list("year", "computed_at"))


@pytest.mark.django_db
def test_recompute_writes_only_years_whose_inputs_changed(school_a, alice):
    for year in (2023, 2024, 2025):
        _store(school_a, alice, year)
    first = recompute(school_ids=[school_a.pk])
    assert (first.results, first.written) == (3, 3)
    stamps = _stamps(school_a)

    again = recompute(school_ids=[school_a.pk])
    assert (again.results, again.written) == (3, 0)
    assert _stamps(school_a) == stamps

    # A new version of 2024 changes 2024 and the year after it (its card and trend depend
    # on 2024), not 2023.
    _store(school_a, alice, 2024, books_total=400000)
    changed = recompute(school_ids=[school_a.pk])
    assert changed.written == 2
    now = _stamps(school_a)
    assert now[2023] == stamps[2023]
    assert now[2024] != stamps[2024] and now[2025] != stamps[2025]
    assert YearResult.objects.get(school=school_a, year=2024).levels["books"] == "below_qualified"

    forced = recompute(school_ids=[school_a.pk], force=True)
    assert forced.written == 3


@pytest.mark.django_db
def test_recompute_settles_the_boundary_exactly_and_stores_it(school_a, alice):
    from statedata.models import StateDataProfile

    StateDataProfile.objects.create(school=school_a, category="engineering")
    figures = {k: 0 for k in GOOD_FIGURES} | AT_4000
    store_figures(
        school=school_a, year=2025, figures=figures, tables={}, user=alice, recompute=False
    )
    recompute(school_ids=[school_a.pk])
    assert YearResult.objects.get(school=school_a).levels["equipment_value"] == "meets"


@pytest.mark.django_db
def test_recompute_query_count_does_not_grow_with_schools(school_a, school_b, alice, bob):
    _store(school_a, alice, 2025)
    with CaptureQueriesContext(connection) as one:
        recompute(school_ids=[school_a.pk], notify=False)
    _store(school_a, alice, 2024)
    _store(school_b, bob, 2024)
    _store(school_b, bob, 2025)
    with CaptureQueriesContext(connection) as two:
        recompute(school_ids=[school_a.pk, school_b.pk], notify=False)
    assert len(two.captured_queries) == len(one.captured_queries)


def test_r23_exact_indicators_one_at_a_time_match_the_formulas():
    from statedata.services.conditions_plan import _ExactLater

    rng = random.Random(24)
    for figures in [AT_4000] + [_random_figures(rng) for _ in range(100)]:
        later = _ExactLater(figures, STANDARDS)
        expected = exact_indicators(figures, STANDARDS)
        assert {code: later.value(code) for code in expected} == expected
