"""Consistency figures against a hand-computed example (issue 20, part 3).

The example: the same three experts X, Y, Z sit on four panels A–D (four schools); each
judges elements 1.1, 1.2, 1.3; ✓ = 相符, ✗ = 不相符; "final" is the panel's consolidation.

    element 1.1   X Y Z   final        element 1.2: everyone ✓ on every panel, final ✓
      A           ✓ ✓ ✓   ✓
      B           ✓ ✓ ✗   ✓            element 1.3   X Y Z   final
      C           ✓ ✗ ✗   ✗              A, B, D     ✓ ✓ ✓   ✓
      D           ✗ ✗ ✗   ✗              C           ✓ ✓ ✗   ✓

Fleiss' kappa, element 1.1 (subjects = panels, n = 3 raters, categories (✓, ✗)):
    counts A (3,0) B (2,1) C (1,2) D (0,3)
    P_i = (Σ n_ij² − n) / (n(n−1)):  A (9−3)/6 = 1, B (4+1−3)/6 = 1/3, C 1/3, D 1
    P̄  = (1 + 1/3 + 1/3 + 1) / 4 = 2/3
    p✓ = (3+2+1+0)/12 = 1/2, p✗ = 1/2, P̄_e = 1/4 + 1/4 = 1/2
    κ  = (2/3 − 1/2) / (1 − 1/2) = (1/6) / (1/2) = 1/3
Element 1.3: counts (3,0) (3,0) (2,1) (3,0)
    P̄  = (1 + 1 + 1/3 + 1) / 4 = 5/6
    p✓ = 11/12, p✗ = 1/12, P̄_e = 121/144 + 1/144 = 61/72
    κ  = (60/72 − 61/72) / (11/72) = −1/11 ≈ −0.0909 (rare disagreement on a common ✓)
Element 1.2: every rating ✓, P̄_e = 1: κ undefined (shown as 无法计算).
All three elements pooled (12 subjects): see test_province_figures_match_the_hand_computed_example.

Share found 不相符: 1.1 2 of 4 panels (50%), 1.2 0 of 4, 1.3 0 of 4.
Each expert against the final (12 findings each):
    X: 1.1 ✓ at A, B, D, ✗ at C → 3; 1.2 4; 1.3 4 → 11/12
    Y: 1.1 4; 1.2 4; 1.3 4 → 12/12
    Z: 1.1 ✓ at A, C, D, ✗ at B → 3; 1.2 4; 1.3 ✓ at A, B, D → 3 → 10/12
A fifth panel E whose consolidation is only submitted (not accepted) finds everything ✗:
it counts nowhere.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import Element
from review.models import (
    ConsolidatedFinding,
    Consolidation,
    ConsolidationState,
    Finding,
    PanelAssignment,
    Recheck,
)
from review.selectors.consistency import (
    _expert_matches,
    expert_matches,
    province_figures,
    recheck_agreement,
)
from review.services.consistency import (
    PanelRate,
    binomial_two_sided_p,
    fleiss_kappa,
    outlier_panels,
)
from schools.models import Expert, School

pytestmark = pytest.mark.django_db

Y, N = True, False
EXAMPLE = {
    # panel: {element: ([X, Y, Z], final)}
    "A": {"1.1": ([Y, Y, Y], Y), "1.2": ([Y, Y, Y], Y), "1.3": ([Y, Y, Y], Y)},
    "B": {"1.1": ([Y, Y, N], Y), "1.2": ([Y, Y, Y], Y), "1.3": ([Y, Y, Y], Y)},
    "C": {"1.1": ([Y, N, N], N), "1.2": ([Y, Y, Y], Y), "1.3": ([Y, Y, N], Y)},
    "D": {"1.1": ([N, N, N], N), "1.2": ([Y, Y, Y], Y), "1.3": ([Y, Y, Y], Y)},
}
OWN_FIXTURES = ["厦门海洋职业技术学院", "福建船政交通职业学院"]
STATES = {
    "A": ConsolidationState.PUBLISHED,
    "B": ConsolidationState.PUBLISHED,
    "C": ConsolidationState.ACCEPTED,
    "D": ConsolidationState.ACCEPTED,
}


def make_panel(cycle, school, experts, table, state, *, system_elements):
    recheck = Recheck.objects.create(cycle=cycle, school=school, planned_year=2026)
    consolidation = Consolidation.objects.create(recheck=recheck, state=state)
    assignments = [
        PanelAssignment.objects.create(
            recheck=recheck,
            expert=expert,
            is_lead=i == 0,
            certified_at=timezone.now(),
            findings_submitted_at=timezone.now(),
        )
        for i, expert in enumerate(experts)
    ]
    for code, (votes, final) in table.items():
        element = system_elements[code]
        for assignment, vote in zip(assignments, votes, strict=True):
            Finding.objects.create(
                assignment=assignment,
                element=element,
                consistent=vote,
                reason="" if vote else "缺依据",
            )
        ConsolidatedFinding.objects.create(
            consolidation=consolidation, element=element, consistent=final, reason="合议"
        )
    return recheck


@pytest.fixture
def example(cycle_2026):
    # Not school A or B: their own fixtures (recheck_a…) may sit in the same cycle.
    schools = list(School.objects.exclude(name__in=OWN_FIXTURES).order_by("pk")[:6])
    experts = [
        Expert.objects.create(name=name, employer="外单位", kind="education_research")
        for name in ("专家X", "专家Y", "专家Z")
    ]
    probe = Recheck(cycle=cycle_2026, school=schools[0], planned_year=2026)
    elements = {e.code: e for e in Element.objects.filter(project__system_id=probe.system_id)}
    panels = {
        name: make_panel(
            cycle_2026, schools[i], experts, table, STATES[name], system_elements=elements
        )
        for i, (name, table) in enumerate(EXAMPLE.items())
    }
    everything_wrong = {code: ([N, N, N], N) for code in ("1.1", "1.2", "1.3")}
    panels["E"] = make_panel(
        cycle_2026,
        schools[4],
        experts,
        everything_wrong,
        ConsolidationState.SUBMITTED,
        system_elements=elements,
    )
    return {"panels": panels, "experts": experts, "elements": elements, "schools": schools}


# --- The formulas, by hand --------------------------------------------------------------------


def test_fleiss_kappa_matches_the_hand_computed_values():
    assert fleiss_kappa([(3, 0), (2, 1), (1, 2), (0, 3)]) == pytest.approx(1 / 3, abs=1e-12)
    assert fleiss_kappa([(3, 0), (3, 0), (2, 1), (3, 0)]) == pytest.approx(-1 / 11, abs=1e-12)
    assert fleiss_kappa([(3, 0)] * 4) is None  # everyone ✓: chance agreement is 1
    assert fleiss_kappa([(1, 0), (0, 1)]) is None  # one rater per subject: no agreement to see


def test_fleiss_kappa_on_the_wikipedia_worked_example():
    """Wikipedia's worked example (10 subjects, 14 raters, 5 categories): κ = 0.210."""
    table = [
        (0, 0, 0, 0, 14),
        (0, 2, 6, 4, 2),
        (0, 0, 3, 5, 6),
        (0, 3, 9, 2, 0),
        (2, 2, 8, 1, 1),
        (7, 7, 0, 0, 0),
        (3, 2, 6, 3, 0),
        (2, 5, 3, 2, 2),
        (6, 5, 2, 1, 0),
        (0, 2, 2, 3, 7),
    ]
    assert fleiss_kappa(table) == pytest.approx(0.20993, abs=1e-5)


def test_binomial_two_sided_p_by_hand():
    """n = 6, p = 1/2. P(X=i) = C(6,i)/64: 1, 6, 15, 20, 15, 6, 1 (over 64).

    k = 0: outcomes no more likely than P(0) = 1/64 are 0 and 6 → p = 2/64 = 0.03125.
    k = 1: outcomes with P ≤ 6/64 are 0, 1, 5, 6 → p = 14/64 = 0.21875.
    k = 3: every outcome → 1.
    """
    assert binomial_two_sided_p(0, 6, 0.5) == pytest.approx(0.03125)
    assert binomial_two_sided_p(1, 6, 0.5) == pytest.approx(0.21875)
    assert binomial_two_sided_p(3, 6, 0.5) == pytest.approx(1.0)


def test_outlier_panels_are_tested_against_the_rest_of_the_province():
    """Five ordinary panels at 2/15 and one at 12/15 (15 elements each).

    The odd one against the rest: 10/75 = 2/15; P(X ≥ 12) at 2/15 is about 1e-8 → flagged.
    An ordinary one against the rest: (12 + 8)/60 = 1/3; P(X = 2) = C(15,2)(1/3)²(2/3)¹³
    ≈ 0.0600 > 0.05 on its own, so its two-sided p is larger still → not flagged.
    """
    panels = [PanelRate(i, f"组{i}", 15, 2) for i in range(5)] + [PanelRate(9, "异常组", 15, 12)]
    (flagged,) = outlier_panels(panels)
    assert flagged.panel.recheck_id == 9 and flagged.direction == "偏高"
    assert flagged.others_rate == pytest.approx(2 / 15)
    assert flagged.p_value < 1e-6
    # Three panels: each has only two others to compare with, too few (at least three).
    assert outlier_panels(panels[:2] + panels[-1:]) == []
    assert len(outlier_panels(panels[:3] + panels[-1:])) == 1


# --- In the database --------------------------------------------------------------------------


def test_province_figures_match_the_hand_computed_example(example):
    figures = province_figures()
    by_code = {e.code: e for e in figures.elements}
    assert set(by_code) == {"1.1", "1.2", "1.3"}
    assert (by_code["1.1"].panels, by_code["1.1"].inconsistent) == (4, 2)
    assert by_code["1.1"].share == 0.5
    assert by_code["1.1"].kappa == pytest.approx(1 / 3, abs=1e-12)
    assert by_code["1.2"].kappa is None and by_code["1.2"].share == 0
    assert by_code["1.3"].kappa == pytest.approx(-1 / 11, abs=1e-12)
    # Pooled over the 12 subjects: P̄ = (1+1/3+1/3+1 + 4·1 + 1+1+1/3+1)/12 = (8/3+4+10/3)/12
    # = 10/12 = 5/6; ✓ ratings 6 + 12 + 11 = 29 of 36 → P̄_e = (29² + 7²)/36² = 890/1296.
    mean, chance = Fraction(5, 6), Fraction(890, 1296)
    assert figures.overall_kappa == pytest.approx(float((mean - chance) / (1 - chance)))
    assert sorted((p.judged, p.inconsistent) for p in figures.panels) == [
        (3, 0),
        (3, 0),
        (3, 1),
        (3, 1),
    ]  # panel E (only submitted) is not there
    assert figures.rate == pytest.approx(2 / 12)


def test_each_experts_findings_against_the_panels_final_ones(example):
    x, y, z = example["experts"]
    matches = expert_matches()
    assert (matches[x.pk].matched, matches[x.pk].compared, matches[x.pk].panels) == (11, 12, 4)
    assert (matches[y.pk].matched, matches[y.pk].compared) == (12, 12)
    assert (matches[z.pk].matched, matches[z.pk].compared) == (10, 12)
    assert matches[z.pk].rate == pytest.approx(10 / 12)


def test_agreement_before_consolidation_on_one_recheck(example):
    agreement = recheck_agreement(example["panels"]["C"])
    rows = {e.code: e for e in agreement.elements}
    assert len(agreement.elements) == 15  # the re-check's own 15 elements
    one = rows["1.1"]
    assert (one.consistent, one.inconsistent, one.final, one.split) == (1, 2, False, True)
    assert one.resolution == "按多数意见合议为不相符"
    assert rows["1.2"].resolution == "全组一致，合议相符"
    assert [e.code for e in agreement.splits] == ["1.1", "1.3"]
    assert agreement.against_majority == []
    # Pairs agreeing: 1.1 1/3, 1.2 1, 1.3 1/3 → mean 5/9 (elements with no findings skipped).
    assert agreement.pair_agreement == pytest.approx(5 / 9)


def test_a_lead_going_against_the_majority_is_shown_as_such(example):
    recheck = example["panels"]["B"]
    ConsolidatedFinding.objects.filter(
        consolidation__recheck=recheck, element=example["elements"]["1.1"]
    ).update(consistent=False)
    (against,) = recheck_agreement(recheck).against_majority
    assert against.code == "1.1" and against.majority is True and against.final is False
    assert against.resolution == "未按多数意见，合议为不相符（见合议理由）"


def test_query_counts_do_not_grow_with_the_number_of_rechecks(example, cycle_2026):
    def count(fn):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    before = (count(province_figures), count(expert_matches))
    more = {code: ([Y, N, N], N) for code in ("1.1", "1.2", "1.3")}
    for school in example["schools"][5:6] + list(
        School.objects.exclude(name__in=OWN_FIXTURES).order_by("-pk")[:3]
    ):
        make_panel(
            cycle_2026,
            school,
            example["experts"],
            more,
            ConsolidationState.ACCEPTED,
            system_elements=example["elements"],
        )
    assert len(province_figures().panels) == 8
    assert (count(province_figures), count(expert_matches)) == before
    assert before == (4, 2)  # the experts' figures: what they rest on, then the count


def test_expert_figures_are_kept_until_a_finding_or_a_consolidation_changes(example):
    """The panel builder shows every expert's figures on each load: kept, never stale."""
    x, y, z = example["experts"]
    assert expert_matches()[x.pk].matched == 11
    with CaptureQueriesContext(connection) as ctx:
        assert expert_matches()[x.pk].matched == 11
    assert len(ctx.captured_queries) == 1  # only whether anything changed
    # The lead changes a final finding: X's vote on it now differs from the panel's.
    final = ConsolidatedFinding.objects.filter(
        consolidation__recheck=example["panels"]["A"], consistent=True
    ).first()
    final.consistent = False
    final.save()
    changed = expert_matches()
    assert changed[x.pk].matched == 10 and changed == _expert_matches()
    # A submitted consolidation accepted by staff joins the figures at once.
    submitted = Consolidation.objects.get(recheck=example["panels"]["E"])
    submitted.state = ConsolidationState.ACCEPTED
    submitted.save()
    assert expert_matches()[x.pk].panels == 5 and expert_matches() == _expert_matches()
