"""Pure rule tests for proposing re-check expert panels (R19); no database."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from review.services.panels import (
    DEFAULT_PANEL_SIZE,
    KIND_LABELS,
    KINDS,
    ExpertCandidate,
    PanelProposal,
    RecheckSlot,
    conflict_reasons,
    propose_panels,
    slot_span,
)

VOC, EDU, IND = KINDS
SCHOOL = 7


def expert(expert_id, kind=VOC, **fields):
    """An expert of the pool, working nowhere unless told."""
    fields.setdefault("school_id", None)
    return ExpertCandidate(id=expert_id, name=f"专家{expert_id}", kind=kind, **fields)


def slot(slot_id=1, school_id=SCHOOL, start=None, days=3, year=None, **fields):
    """A re-check of ``days`` days from ``start`` (undated when start is None)."""
    end = start + timedelta(days=days - 1) if start else None
    year = year or (start.year if start else 2026)
    return RecheckSlot(
        id=slot_id,
        school_id=school_id,
        school_name=f"学校{school_id}",
        year=year,
        start=start,
        end=end,
        **fields,
    )


def mixed_pool(per_kind, first_id=1, **fields):
    """``per_kind`` experts of each kind, ids from ``first_id``, kinds interleaved."""
    return [
        expert(first_id + i * len(KINDS) + k, kind, **fields)
        for i in range(per_kind)
        for k, kind in enumerate(KINDS)
    ]


def one(slot_, experts, **kwargs):
    """The proposal for a single re-check."""
    [proposal] = propose_panels([slot_], experts, **kwargs)
    return proposal


def kinds_of(proposal, experts):
    """The kinds on a proposed panel, in panel order."""
    by_id = {e.id: e for e in experts}
    return [by_id[i].kind for i in proposal.expert_ids]


def r19_breaches(slots, experts, proposals):
    """Every R19 breach in a set of proposals, checked independently of the algorithm."""
    by_id = {e.id: e for e in experts}
    held = {}
    for s, p in zip(slots, proposals, strict=True):
        for expert_id in p.expert_ids:
            held.setdefault(expert_id, []).append((s.id, slot_span(s)))
    found = []
    for s, p in zip(slots, proposals, strict=True):
        for expert_id in p.expert_ids:
            busy = [span for other, span in held[expert_id] if other != s.id and span]
            found += [
                (s.id, expert_id, r) for r in conflict_reasons(by_id[expert_id], s, busy=busy)
            ]
    return found


# --- conflict_reasons -------------------------------------------------------------------


def test_conflict_reasons_empty_when_allowed():
    assert conflict_reasons(expert(1, school_id=3), slot(start=date(2026, 5, 10))) == []


def test_conflict_reasons_messages():
    e = expert(
        1,
        school_id=SCHOOL,
        conflict_school_ids=frozenset({SCHOOL}),
        unavailable_years=frozenset({2026}),
    )
    s = slot(start=date(2026, 5, 10))
    reasons = conflict_reasons(e, s, busy=[(date(2026, 5, 12), date(2026, 5, 14))])
    assert reasons == [
        "该专家在本校任职",
        "该专家申报过与该校的利益冲突（辅导、讲座或任职）",
        "该专家 2026 年不可参加复核",
        "该专家 2026-05-12 至 2026-05-14 已有其他复核任务",
    ]


def test_conflict_reasons_ignores_busy_ranges_that_do_not_touch():
    s = slot(start=date(2026, 5, 10))  # 10–12 May
    busy = [(date(2026, 5, 1), date(2026, 5, 9)), (date(2026, 5, 13), date(2026, 5, 20))]
    assert conflict_reasons(expert(1), s, busy=busy) == []


def test_conflict_reasons_undated_recheck_clashes_with_nothing():
    busy = [(date(2026, 1, 1), date(2026, 12, 31))]
    assert conflict_reasons(expert(1), slot(start=None), busy=busy) == []


def test_conflict_reasons_other_years_and_schools_do_not_count():
    e = expert(
        1, school_id=8, conflict_school_ids=frozenset({9}), unavailable_years=frozenset({2027})
    )
    assert conflict_reasons(e, slot(start=date(2026, 5, 10))) == []


# --- R19 rules ---------------------------------------------------------------------------


def test_r19_never_the_experts_own_school():
    # The insider is the only unloaded expert: least-loaded-first would pick them every time.
    insider = expert(1, VOC, school_id=SCHOOL)
    pool = [insider, *mixed_pool(3, first_id=10, load=2)]
    for seed in range(5):
        proposal = one(slot(start=date(2026, 5, 10)), pool, seed=seed)
        assert insider.id not in proposal.expert_ids
        assert len(proposal.expert_ids) == DEFAULT_PANEL_SIZE
    # At another school they are the first choice.
    assert 1 in one(slot(school_id=SCHOOL + 1), pool).expert_ids
    assert conflict_reasons(insider, slot()) == ["该专家在本校任职"]


def test_r19_never_a_declared_conflict():
    coached = expert(1, VOC, conflict_school_ids=frozenset({SCHOOL, 99}))
    pool = [coached, *mixed_pool(3, first_id=10, load=2)]
    for seed in range(5):
        assert coached.id not in one(slot(), pool, seed=seed).expert_ids
    assert coached.id in one(slot(school_id=SCHOOL + 1), pool).expert_ids
    assert conflict_reasons(coached, slot()) == ["该专家申报过与该校的利益冲突（辅导、讲座或任职）"]


def test_r19_unavailable_year_excluded():
    away = expert(1, VOC, unavailable_years=frozenset({2026}))
    pool = [away, *mixed_pool(3, first_id=10, load=2)]
    assert away.id not in one(slot(start=date(2026, 5, 10)), pool).expert_ids
    assert away.id in one(slot(start=date(2027, 5, 10)), pool).expert_ids
    assert conflict_reasons(away, slot(year=2026)) == ["该专家 2026 年不可参加复核"]


def test_r19_no_two_overlapping_rechecks():
    pool = mixed_pool(4)  # 12 experts, enough for two disjoint panels of 5
    first = slot(1, school_id=1, start=date(2026, 5, 3))  # 3–5 May
    second = slot(2, school_id=2, start=date(2026, 5, 5))  # 5–7 May: shares 5 May
    for seed in range(5):
        a, b = propose_panels([first, second], pool, seed=seed)
        assert not set(a.expert_ids) & set(b.expert_ids)
        assert len(a.expert_ids) == len(b.expert_ids) == 5


def test_r19_overlap_boundaries_are_inclusive():
    e = expert(1)
    ends_5_may = [(date(2026, 5, 3), date(2026, 5, 5))]
    assert conflict_reasons(e, slot(start=date(2026, 5, 5)), busy=ends_5_may) == [
        "该专家 2026-05-03 至 2026-05-05 已有其他复核任务"
    ]
    assert conflict_reasons(e, slot(start=date(2026, 5, 6)), busy=ends_5_may) == []
    assert conflict_reasons(e, slot(start=date(2026, 5, 1)), busy=ends_5_may) != []  # 1–3 May


def test_r19_adjacent_rechecks_may_share_experts():
    pool = mixed_pool(2)[:5]  # exactly five experts, all three kinds
    first = slot(1, school_id=1, start=date(2026, 5, 3))  # 3–5 May
    second = slot(2, school_id=2, start=date(2026, 5, 6))  # 6–8 May
    a, b = propose_panels([first, second], pool)
    assert set(a.expert_ids) == set(b.expert_ids) == {e.id for e in pool}
    assert a.shortfall == b.shortfall == ()


def test_r19_overlap_leaves_the_later_recheck_short_when_the_pool_is_used_up():
    pool = mixed_pool(2)[:5]
    first = slot(1, school_id=1, start=date(2026, 5, 3))
    second = slot(2, school_id=2, start=date(2026, 5, 5))
    a, b = propose_panels([first, second], pool)
    assert len(a.expert_ids) == 5
    assert b.expert_ids == ()
    assert b.lead_id is None
    assert "可用专家不足：专家组需 5 人，仅能安排 0 人，缺 5 人" in b.shortfall


def test_r19_undated_rechecks_clash_with_nothing():
    pool = mixed_pool(2)[:5]
    dated = slot(1, school_id=1, start=date(2026, 5, 3))
    undated = slot(2, school_id=2, start=None)
    a, b = propose_panels([dated, undated], pool)
    assert set(a.expert_ids) == set(b.expert_ids) == {e.id for e in pool}


def test_r19_panel_mixes_three_kinds():
    # Vocational experts are plentiful and unloaded; the others carry load. Without the
    # kind-first step the panel would be all vocational.
    pool = [
        *[expert(i, VOC) for i in range(1, 11)],
        expert(20, EDU, load=4),
        expert(21, EDU, load=5),
        expert(30, IND, load=4),
        expert(31, IND, load=5),
    ]
    for seed in range(5):
        proposal = one(slot(), pool, seed=seed)
        counts = Counter(kinds_of(proposal, pool))
        assert counts == {VOC: 3, EDU: 1, IND: 1}
        # The least-loaded of each kind is the one taken.
        assert {20, 30} <= set(proposal.expert_ids)
        assert proposal.shortfall == ()


def test_r19_shortfall_explained_when_pool_too_small():
    pool = [expert(1, VOC), expert(2, VOC), expert(3, VOC), expert(4, EDU)]  # no industry
    proposal = one(slot(), pool)
    assert sorted(proposal.expert_ids) == [1, 2, 3, 4]
    assert proposal.shortfall == (
        "可用的行业企业专家不足：缺 1 人",
        "可用专家不足：专家组需 5 人，仅能安排 4 人，缺 1 人",
    )


def test_r19_shortfall_when_the_only_expert_of_a_kind_is_excluded():
    insider = expert(99, IND, school_id=SCHOOL)  # the pool's only industry expert
    pool = [insider, *[e for e in mixed_pool(3) if e.kind != IND]]
    proposal = one(slot(), pool)
    assert insider.id not in proposal.expert_ids
    assert len(proposal.expert_ids) == 5
    assert proposal.shortfall == ("可用的行业企业专家不足：缺 1 人",)


def test_full_panel_has_no_shortfall():
    assert one(slot(), mixed_pool(3)).shortfall == ()


# --- load -------------------------------------------------------------------------------


EVEN_KINDS = [VOC, EDU, IND] * 10
UNEVEN_KINDS = [VOC] * 12 + [EDU] * 9 + [IND] * 9  # the pool's ~40/30/30 %


@pytest.mark.parametrize("kinds", [EVEN_KINDS, UNEVEN_KINDS], ids=["even", "40-30-30"])
@pytest.mark.parametrize("seed", range(10))
def test_load_is_spread_evenly(kinds, seed):
    pool = [expert(i, kind) for i, kind in enumerate(kinds, start=1)]  # 30 experts
    # 30 re-checks a week apart: no overlaps, so only the load decides.
    slots = [slot(i, school_id=i, start=date(2026, 3, 2) + timedelta(weeks=i)) for i in range(30)]
    proposals = propose_panels(slots, pool, size=5, seed=seed)
    loads = Counter({e.id: 0 for e in pool})
    for proposal in proposals:
        assert len(set(kinds_of(proposal, pool))) == 3
        loads.update(proposal.expert_ids)
    assert sum(loads.values()) == 150
    assert max(loads.values()) - min(loads.values()) <= 1


def test_existing_load_is_counted():
    busy_voc = expert(1, VOC, load=3)
    pool = [busy_voc, *mixed_pool(2, first_id=10)]  # six unloaded experts besides
    for seed in range(5):
        assert busy_voc.id not in one(slot(), pool, seed=seed).expert_ids


def test_load_includes_choices_made_earlier_in_the_same_proposal():
    pool = mixed_pool(2)  # 6 experts
    slots = [slot(i, school_id=i, start=date(2026, 3, 2) + timedelta(weeks=i)) for i in range(6)]
    proposals = propose_panels(slots, pool, size=3, seed=0)
    loads = Counter(i for p in proposals for i in p.expert_ids)
    assert sorted(loads.values()) == [3] * 6


# --- fixed experts ------------------------------------------------------------------------


def test_fixed_experts_are_kept_first_and_count_toward_size_and_kinds():
    pool = mixed_pool(4)
    fixed = (12, 1)  # 12 is industry, 1 vocational
    by_id = {e.id: e for e in pool}
    assert (by_id[12].kind, by_id[1].kind) == (IND, VOC)
    proposal = one(slot(fixed_expert_ids=fixed), pool)
    assert proposal.expert_ids[:2] == fixed
    assert len(proposal.expert_ids) == 5
    assert Counter(kinds_of(proposal, pool))[EDU] >= 1
    assert proposal.shortfall == ()


def test_fixed_experts_that_fill_the_panel_leave_no_room():
    pool = [*[expert(i, VOC) for i in range(1, 6)], *mixed_pool(3, first_id=10)]
    proposal = one(slot(fixed_expert_ids=(1, 2, 3, 4, 5)), pool)
    assert proposal.expert_ids == (1, 2, 3, 4, 5)
    assert proposal.shortfall == ("专家组限 5 人，已无名额安排教育研究专家、行业企业专家",)


def test_fixed_assignments_count_toward_load_across_the_cycle():
    # v1 is fixed on the later re-check; the earlier one is chosen first and must prefer v2.
    pool = [expert(1, VOC), expert(2, VOC), expert(3, EDU), expert(4, IND)]
    early = slot(1, school_id=1, start=date(2026, 5, 1))
    late = slot(2, school_id=2, start=date(2026, 9, 1), fixed_expert_ids=(1,))
    for seed in range(8):
        a, b = propose_panels([early, late], pool, size=3, seed=seed)
        assert set(a.expert_ids) == {2, 3, 4}
        assert b.expert_ids[0] == 1


def test_fixed_assignments_block_their_dates_from_the_start():
    pool = [expert(1, VOC), expert(2, VOC, load=9), expert(3, EDU), expert(4, IND)]
    early = slot(1, school_id=1, start=date(2026, 5, 1))  # 1–3 May
    late = slot(2, school_id=2, start=date(2026, 5, 3), fixed_expert_ids=(1,))  # 3–5 May
    a, b = propose_panels([early, late], pool, size=3)
    assert 1 not in a.expert_ids  # v1 is unloaded, but already on 3 May's re-check
    assert 2 in a.expert_ids


def test_fixed_expert_breaking_r19_is_kept_and_explained():
    pool = [expert(1, VOC, school_id=SCHOOL), *mixed_pool(2, first_id=10)]
    proposal = one(slot(fixed_expert_ids=(1,)), pool)
    assert proposal.expert_ids[0] == 1
    assert "已指派的专家专家1不符合回避要求：该专家在本校任职" in proposal.shortfall


def test_fixed_expert_on_two_overlapping_rechecks_is_explained():
    pool = mixed_pool(4)
    a_slot = slot(1, school_id=1, start=date(2026, 5, 1), fixed_expert_ids=(1,))
    b_slot = slot(2, school_id=2, start=date(2026, 5, 2), fixed_expert_ids=(1,))
    a, b = propose_panels([a_slot, b_slot], pool)
    assert any("2026-05-02 至 2026-05-04 已有其他复核任务" in s for s in a.shortfall)
    assert any("2026-05-01 至 2026-05-03 已有其他复核任务" in s for s in b.shortfall)


def test_fixed_expert_not_in_the_pool_is_kept_and_explained():
    proposal = one(slot(fixed_expert_ids=(999,)), mixed_pool(3))
    assert proposal.expert_ids[0] == 999
    assert "已指派的专家 #999 不在专家库中" in proposal.shortfall


# --- lead -----------------------------------------------------------------------------


def test_lead_is_the_fixed_lead():
    pool = mixed_pool(3)
    proposal = one(slot(fixed_expert_ids=(1, 2), fixed_lead_id=2), pool)
    assert proposal.lead_id == 2  # an education-research expert, not the vocational 1


def test_fixed_lead_not_among_fixed_experts_joins_the_panel():
    pool = mixed_pool(3)
    proposal = one(slot(fixed_lead_id=3), pool)
    assert proposal.expert_ids[0] == 3
    assert proposal.lead_id == 3
    assert len(proposal.expert_ids) == 5


def test_lead_is_the_first_vocational_expert_chosen():
    pool = [expert(1, EDU), expert(2, IND), expert(3, VOC, load=1), expert(4, VOC, load=2)]
    proposal = one(slot(fixed_expert_ids=(1,)), pool, size=4)
    assert proposal.lead_id == 3
    assert [p for p in proposal.expert_ids if p in (3, 4)] == [3, 4]


def test_lead_is_a_fixed_vocational_expert_before_a_new_one():
    pool = mixed_pool(3)
    proposal = one(slot(fixed_expert_ids=(2, 4)), pool)  # 2: education, 4: vocational
    assert proposal.lead_id == 4


def test_lead_is_the_first_chosen_without_vocational_experts():
    pool = [expert(1, EDU, load=1), expert(2, IND), expert(3, EDU)]
    proposal = one(slot(), pool)
    assert proposal.lead_id == proposal.expert_ids[0]
    assert VOC not in kinds_of(proposal, pool)
    assert "可用的高职院校专家不足：缺 1 人" in proposal.shortfall


def test_exactly_one_lead_on_every_panel():
    pool = mixed_pool(5)
    slots = [slot(i, school_id=i, start=date(2026, 4, 1) + timedelta(days=2 * i)) for i in range(8)]
    for proposal in propose_panels(slots, pool):
        assert proposal.lead_id in proposal.expert_ids


# --- order and determinism --------------------------------------------------------------


def test_earliest_recheck_chooses_first_but_results_come_in_input_order():
    pool = mixed_pool(1)  # one of each kind: whoever chooses first takes them all
    later = slot(1, school_id=1, start=date(2026, 5, 11))
    earlier = slot(2, school_id=2, start=date(2026, 5, 10))
    first, second = propose_panels([later, earlier], pool, size=3)
    assert (first.recheck_id, second.recheck_id) == (1, 2)
    assert first.expert_ids == ()
    assert set(second.expert_ids) == {1, 2, 3}


def test_same_seed_same_proposal():
    pool = mixed_pool(10)
    slots = [slot(i, school_id=i, start=date(2026, 4, 1) + timedelta(days=i)) for i in range(20)]
    assert propose_panels(slots, pool, seed=3) == propose_panels(slots, pool, seed=3)


def test_different_seeds_differ_and_no_one_is_always_first():
    pool = mixed_pool(10)
    s = slot()
    proposals = [one(s, pool, seed=seed) for seed in range(10)]
    assert len({p.expert_ids for p in proposals}) > 1
    assert len({p.expert_ids[0] for p in proposals}) > 1


# --- random pools, checked independently ------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_random_pools_never_break_r19(seed):
    rng = random.Random(seed)
    slots = []
    for i in range(1, 25):
        start = date(2026, 4, 1) + timedelta(days=rng.randrange(60))
        slots.append(slot(i, school_id=i, start=start if rng.random() > 0.1 else None))
    experts = [
        expert(
            i,
            rng.choice(KINDS),
            school_id=rng.choice([None, rng.randint(1, 24)]),
            conflict_school_ids=frozenset(rng.sample(range(1, 25), 3)),
            unavailable_years=frozenset({2026}) if rng.random() < 0.1 else frozenset(),
            load=rng.randint(0, 2),
        )
        for i in range(1, 41)
    ]
    proposals = propose_panels(slots, experts, seed=seed)
    assert r19_breaches(slots, experts, proposals) == []
    for p in proposals:
        assert len(set(p.expert_ids)) == len(p.expert_ids) <= DEFAULT_PANEL_SIZE
        assert isinstance(p, PanelProposal)


# --- bad input ---------------------------------------------------------------------------


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        propose_panels([slot()], mixed_pool(2), size=0)
    with pytest.raises(ValueError):
        propose_panels([slot()], [expert(1, "teacher")])
    with pytest.raises(ValueError):
        propose_panels([slot(), slot()], mixed_pool(2))
    backwards = RecheckSlot(1, SCHOOL, "学校", 2026, date(2026, 5, 3), date(2026, 5, 1))
    with pytest.raises(ValueError):
        propose_panels([backwards], mixed_pool(2))


def test_kind_labels_cover_every_kind():
    assert set(KIND_LABELS) == set(KINDS)
    assert KIND_LABELS[IND] == "行业企业专家"
