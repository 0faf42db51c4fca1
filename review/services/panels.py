"""R19: propose re-check expert panels from the provincial pool.

Pure Python, no database: the caller turns experts, conflicts, availability and re-checks
into the dataclasses below and saves whatever proposal staff accept.

Assumptions (see ``propose_panels``): fixed experts are kept even when they break R19, and
the breach is reported in ``shortfall`` rather than silently dropping someone staff chose;
a re-check with only one of its two dates is treated as a one-day re-check on that date.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

KINDS = ("vocational_college", "education_research", "industry_enterprise")
KIND_LABELS = {
    "vocational_college": "高职院校专家",
    "education_research": "教育研究专家",
    "industry_enterprise": "行业企业专家",
}
DEFAULT_PANEL_SIZE = 5
LEAD_KIND = "vocational_college"


@dataclass(frozen=True)
class ExpertCandidate:
    """An expert of the pool, with what R19 needs to know about them."""

    id: int
    name: str
    kind: str  # one of KINDS
    school_id: int | None  # the school they work at
    conflict_school_ids: frozenset[int] = frozenset()
    unavailable_years: frozenset[int] = frozenset()
    load: int = 0  # assignments already held in this cycle outside the slots given


@dataclass(frozen=True)
class RecheckSlot:
    """A re-check that needs a panel; ``start``/``end`` are inclusive, None when not set."""

    id: int
    school_id: int
    school_name: str
    year: int
    start: date | None
    end: date | None
    fixed_expert_ids: tuple[int, ...] = ()
    fixed_lead_id: int | None = None


@dataclass(frozen=True)
class PanelProposal:
    """The proposed panel of one re-check."""

    recheck_id: int
    expert_ids: tuple[int, ...]  # fixed ones first, then the new ones in choice order
    lead_id: int | None
    shortfall: tuple[str, ...]  # Chinese explanations of what could not be satisfied


def slot_span(slot: RecheckSlot) -> tuple[date, date] | None:
    """The inclusive date range of a re-check, or None while it has no dates."""
    start, end = slot.start, slot.end
    if start is None and end is None:
        return None
    # One date only: block that day rather than let the expert be double-booked on it.
    start = start or end
    end = end or start
    assert start is not None and end is not None
    if end < start:
        raise ValueError(f"复核 #{slot.id} 的结束日期早于开始日期")
    return start, end


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two inclusive date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end


def conflict_reasons(
    expert: ExpertCandidate, slot: RecheckSlot, *, busy: Iterable[tuple[date, date]] = ()
) -> list[str]:
    """R19: why this expert may not sit on this re-check, in Chinese; empty list = allowed."""
    reasons = []
    if expert.school_id is not None and expert.school_id == slot.school_id:
        reasons.append("该专家在本校任职")
    if slot.school_id in expert.conflict_school_ids:
        reasons.append("该专家申报过与该校的利益冲突（辅导、讲座或任职）")
    if slot.year in expert.unavailable_years:
        reasons.append(f"该专家 {slot.year} 年不可参加复核")
    span = slot_span(slot)
    if span is not None:
        seen = set()
        for busy_start, busy_end in sorted(busy):
            if (busy_start, busy_end) in seen:
                continue
            if _overlaps(span[0], span[1], busy_start, busy_end):
                seen.add((busy_start, busy_end))
                reasons.append(
                    f"该专家 {busy_start.isoformat()} 至 {busy_end.isoformat()} 已有其他复核任务"
                )
    return reasons


def _processing_key(slot: RecheckSlot) -> tuple[bool, date, int]:
    """Earliest re-checks choose first; undated ones last, then by id."""
    span = slot_span(slot)
    return (span is None, span[0] if span else date.min, slot.id)


class _Ledger:
    """Who holds what so far in the cycle: each expert's load and dated re-checks."""

    def __init__(self, experts: Sequence[ExpertCandidate]) -> None:
        """Start from the loads the experts already carry."""
        self.load = {expert.id: expert.load for expert in experts}
        # Per expert: (start, end, re-check id) of every dated task, so a clash check scans
        # that expert's few tasks instead of every panel so far.
        self.busy: dict[int, list[tuple[date, date, int]]] = {e.id: [] for e in experts}
        # How many experts of a kind sit at a load: the fill step's tie-break reads it.
        self.at_level = Counter((expert.kind, expert.load) for expert in experts)

    def assign(self, expert: ExpertCandidate, slot_id: int, span: tuple[date, date] | None) -> None:
        """Record one more task for ``expert``."""
        level = self.load[expert.id]
        self.at_level[(expert.kind, level)] -= 1
        self.at_level[(expert.kind, level + 1)] += 1
        self.load[expert.id] = level + 1
        if span is not None:
            self.busy[expert.id].append((span[0], span[1], slot_id))

    def busy_elsewhere(self, expert_id: int, slot_id: int) -> list[tuple[date, date]]:
        """The expert's dated tasks other than ``slot_id``."""
        return [(start, end) for start, end, other in self.busy[expert_id] if other != slot_id]


def propose_panels(
    slots: Sequence[RecheckSlot],
    experts: Sequence[ExpertCandidate],
    *,
    size: int = DEFAULT_PANEL_SIZE,
    seed: int = 0,
) -> list[PanelProposal]:
    """One proposal per slot, in the given order.

    Fixed experts are kept (duplicates dropped; a fixed lead not among them is added) and
    count toward the panel's size and kinds; their load and dates count for the whole cycle
    from the start. Then each slot, earliest first, gets the least-loaded allowed expert of
    every kind it still lacks, then the least-loaded allowed experts up to ``size``. Equal
    loads go to the kind with the most experts left at that load, then by a shuffle seeded
    with ``seed``. The lead is the fixed lead, else the panel's first vocational-college
    expert, else its first expert.
    """
    if size < 1:
        raise ValueError("专家组人数至少为 1")
    by_id: dict[int, ExpertCandidate] = {}
    for expert in experts:
        if expert.kind not in KIND_LABELS:
            raise ValueError(f"专家 #{expert.id} 的类别无效：{expert.kind!r}")
        if expert.id in by_id:
            raise ValueError(f"专家 #{expert.id} 重复出现")
        by_id[expert.id] = expert
    if len({slot.id for slot in slots}) != len(slots):
        raise ValueError("复核编号重复")

    spans = {slot.id: slot_span(slot) for slot in slots}
    ledger = _Ledger(experts)
    fixed: dict[int, list[int]] = {}
    for slot in slots:
        ids = list(dict.fromkeys(slot.fixed_expert_ids))
        if slot.fixed_lead_id is not None and slot.fixed_lead_id not in ids:
            ids.append(slot.fixed_lead_id)
        fixed[slot.id] = ids
        # Fixed tasks are already held: record them all before any choice, so an earlier
        # re-check cannot take someone a later one already has on those dates.
        for expert_id in ids:
            if expert_id in by_id:
                ledger.assign(by_id[expert_id], slot.id, spans[slot.id])

    rng = random.Random(seed)
    proposals: dict[int, PanelProposal] = {}
    for slot in sorted(slots, key=_processing_key):
        proposals[slot.id] = _propose_one(
            slot, spans[slot.id], fixed[slot.id], by_id, experts, ledger, size, rng
        )
    return [proposals[slot.id] for slot in slots]


def _propose_one(
    slot: RecheckSlot,
    span: tuple[date, date] | None,
    fixed_ids: list[int],
    by_id: dict[int, ExpertCandidate],
    experts: Sequence[ExpertCandidate],
    ledger: _Ledger,
    size: int,
    rng: random.Random,
) -> PanelProposal:
    """Complete one slot's panel, recording the new members in ``ledger``."""
    shortfall: list[str] = []
    panel = list(fixed_ids)
    covered = set()
    for expert_id in fixed_ids:
        expert = by_id.get(expert_id)
        if expert is None:
            shortfall.append(f"已指派的专家 #{expert_id} 不在专家库中")
            continue
        covered.add(expert.kind)
        busy = ledger.busy_elsewhere(expert_id, slot.id)
        for reason in conflict_reasons(expert, slot, busy=busy):
            shortfall.append(f"已指派的专家{expert.name}不符合回避要求：{reason}")

    # conflict_reasons without the messages: this runs once per expert and re-check, the
    # hot loop of the whole proposal.
    school_id, year, load, taken = slot.school_id, slot.year, ledger.load, set(panel)
    candidates = []
    for expert in experts:
        if expert.id in taken or year in expert.unavailable_years:
            continue
        if expert.school_id == school_id or school_id in expert.conflict_school_ids:
            continue
        if span is not None and any(
            span[0] <= busy_end and busy_start <= span[1]
            for busy_start, busy_end, _ in ledger.busy[expert.id]
        ):
            continue
        candidates.append(expert)
    # A fresh seeded shuffle per re-check, then stable sorts by load: equal loads come out
    # in random order, so no one is always first in line.
    rng.shuffle(candidates)
    rank = {expert.id: position for position, expert in enumerate(candidates)}
    queues: dict[str, list[ExpertCandidate]] = {kind: [] for kind in KINDS}
    for expert in candidates:
        queues[expert.kind].append(expert)
    for queue in queues.values():
        queue.sort(key=lambda expert: load[expert.id])
        queue.reverse()  # pop() from the end takes the least-loaded

    def take(kind: str) -> None:
        expert = queues[kind].pop()
        panel.append(expert.id)
        ledger.assign(expert, slot.id, span)

    no_room = []
    for kind in KINDS:
        if kind in covered:
            continue
        if len(panel) >= size:
            no_room.append(kind)
        elif queues[kind]:
            take(kind)
        else:
            shortfall.append(f"可用的{KIND_LABELS[kind]}不足：缺 1 人")

    def fill_order(kind: str) -> tuple[int, int, int]:
        head = queues[kind][-1]
        level = load[head.id]
        # Every panel takes one of each kind, so a kind whose lightly loaded experts the
        # fill used up would later push someone two tasks ahead: take from the kind with
        # the most experts left at this load.
        return (level, -ledger.at_level[(kind, level)], rank[head.id])

    while len(panel) < size and (ready := [kind for kind in KINDS if queues[kind]]):
        take(min(ready, key=fill_order))

    if no_room:
        labels = "、".join(KIND_LABELS[kind] for kind in no_room)
        shortfall.append(f"专家组限 {size} 人，已无名额安排{labels}")
    if len(panel) < size:
        missing = size - len(panel)
        shortfall.append(
            f"可用专家不足：专家组需 {size} 人，仅能安排 {len(panel)} 人，缺 {missing} 人"
        )

    if slot.fixed_lead_id is not None:
        lead_id: int | None = slot.fixed_lead_id
    else:
        lead_id = next(
            (i for i in panel if i in by_id and by_id[i].kind == LEAD_KIND),
            panel[0] if panel else None,
        )
    return PanelProposal(
        recheck_id=slot.id,
        expert_ids=tuple(panel),
        lead_id=lead_id,
        shortfall=tuple(shortfall),
    )
