"""R14–R17: the verdict rule at every boundary, as pure functions."""

from datetime import date

import pytest

from review.services.verdict import (
    MeasuresRating,
    Verdict,
    decide_verdict,
    done_for_cycle,
    explain_verdict,
    improvement_period_end,
    may_reapply,
    sanction_triggered,
)

S, A, W = MeasuresRating.STRONG, MeasuresRating.ADEQUATE, MeasuresRating.WEAK
E, X, N = Verdict.EFFECTIVE, Verdict.ABNORMAL, Verdict.NEEDS_IMPROVEMENT


@pytest.mark.parametrize(
    ("matched", "measures", "expected"),
    [
        (9, S, N), (9, A, N), (9, W, X),
        (10, S, N), (10, A, N), (10, W, N),
        (11, S, N), (11, A, N), (11, W, N),
        (12, S, E), (12, A, N), (12, W, N),
    ],
)  # fmt: skip
def test_r14_boundaries(matched, measures, expected):
    assert decide_verdict(matched, measures) == expected


def test_r14_eleven_matches_is_needs_improvement():
    assert decide_verdict(11, S) == N


def test_r14_twelve_with_adequate_measures_is_needs_improvement():
    assert decide_verdict(12, A) == N


@pytest.mark.parametrize("matched", [0, 5, 9])
def test_r14_below_ten_with_weak_measures_is_abnormal(matched):
    assert decide_verdict(matched, W) == X


@pytest.mark.parametrize("matched", [12, 13, 14, 15])
def test_r14_twelve_or_more_with_strong_measures_is_effective(matched):
    assert decide_verdict(matched, S) == E


@pytest.mark.parametrize("matched", [-1, 16])
def test_r12_matched_outside_0_to_15_is_an_error(matched):
    with pytest.raises(ValueError):
        decide_verdict(matched, S)


def test_verdict_values_are_the_interface():
    assert [v.value for v in Verdict] == ["effective", "abnormal", "needs_improvement"]
    assert [m.value for m in MeasuresRating] == ["strong", "adequate", "weak"]
    assert (E.label, X.label, N.label) == ("有效", "异常", "待改进")


@pytest.mark.parametrize("measures", [S, A, W])
def test_r15_not_diagnosed_in_time_is_abnormal_whatever_else(measures):
    assert decide_verdict(15, measures, diagnosed_on_time=False) == X


def test_explanation_names_the_deciding_conditions():
    assert "相符 10–11 项" in explain_verdict(11, S)[-2]
    assert explain_verdict(12, A)[-1].startswith("相符 ≥ 12 项，但改进措施")
    assert "未开展诊改" in explain_verdict(15, S, diagnosed_on_time=False)[0]
    assert explain_verdict(13, S)[-1].endswith("有效。")


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], False),
        ([X], True),
        ([N], False),
        ([N, N], True),
        ([E, N], False),
        ([N, E], False),
        ([N, X], True),
        ([X, N], False),  # the latest is not 异常 and there is only one 待改进 in a row
        ([N, N, E], False),
        ([E, N, N], True),
    ],
)
def test_r17_sanction_triggered(history, expected):
    assert sanction_triggered(history) is expected


def test_r16_improvement_period_is_one_year():
    assert improvement_period_end(date(2026, 6, 1)) == date(2027, 6, 1)
    assert improvement_period_end(date(2028, 2, 29)) == date(2029, 2, 28)


def test_r16_reapply_only_after_the_period_and_only_after_n_or_x():
    published = date(2026, 6, 1)
    assert not may_reapply(N, published, date(2027, 5, 31))
    assert may_reapply(N, published, date(2027, 6, 1))
    assert may_reapply(X, published, date(2027, 6, 1))
    assert not may_reapply(E, published, date(2030, 1, 1))


def test_r16_effective_means_no_further_recheck_in_the_cycle():
    assert done_for_cycle(E) and not done_for_cycle(N) and not done_for_cycle(X)
