"""Median time to propose R19 re-check panels for a whole cycle; pure Python, no database.

Run as ``python bench/bench_panel_proposal.py``. It also checks every proposal against
``conflict_reasons``, so a fast but wrong algorithm fails here too.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

# Not harness.py: that one sets up Django and a database, which this benchmark never needs.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review.services.panels import (  # noqa: E402
    KINDS,
    ExpertCandidate,
    PanelProposal,
    RecheckSlot,
    conflict_reasons,
    propose_panels,
    slot_span,
)

SCHOOLS = 90
EXPERTS = 300
YEARS = (2026, 2027, 2028)
SIZE = 5
RUNS = 9


def build_slots(rng: random.Random) -> list[RecheckSlot]:
    """One re-check per school, a third per year, 3-day ranges between April and November."""
    slots = []
    for school_id in range(1, SCHOOLS + 1):
        year = YEARS[(school_id - 1) % len(YEARS)]
        # ~30 re-checks in ~210 days of 3 days each: enough overlap to exercise the clash rule.
        start = date(year, 4, 1) + timedelta(days=rng.randrange(210))
        slots.append(
            RecheckSlot(
                id=1000 + school_id,
                school_id=school_id,
                school_name=f"学校{school_id}",
                year=year,
                start=start,
                end=start + timedelta(days=2),
            )
        )
    rng.shuffle(slots)  # the caller's order need not be date order
    return slots


def build_experts(rng: random.Random) -> list[ExpertCandidate]:
    """300 experts, kinds ~40/30/30 %, a third at one of the schools, a few conflicts each."""
    experts = []
    for expert_id in range(1, EXPERTS + 1):
        share = rng.random()
        kind = KINDS[0] if share < 0.4 else KINDS[1] if share < 0.7 else KINDS[2]
        conflicts = rng.sample(range(1, SCHOOLS + 1), rng.randint(0, 4))
        unavailable = {rng.choice(YEARS)} if rng.random() < 0.15 else set()
        experts.append(
            ExpertCandidate(
                id=expert_id,
                name=f"专家{expert_id}",
                kind=kind,
                school_id=rng.randint(1, SCHOOLS) if expert_id % 3 == 0 else None,
                conflict_school_ids=frozenset(conflicts),
                unavailable_years=frozenset(unavailable),
                load=rng.choice((0, 0, 0, 1)),  # a few already hold a task this cycle
            )
        )
    return experts


def violations(
    slots: list[RecheckSlot], experts: list[ExpertCandidate], proposals: list[PanelProposal]
) -> list[str]:
    """Every R19 breach in the proposals, checked independently of the algorithm."""
    by_id = {expert.id: expert for expert in experts}
    held: dict[int, list[tuple[int, tuple[date, date] | None]]] = {}
    for slot, proposal in zip(slots, proposals, strict=True):
        for expert_id in proposal.expert_ids:
            held.setdefault(expert_id, []).append((slot.id, slot_span(slot)))
    found = []
    for slot, proposal in zip(slots, proposals, strict=True):
        if len(set(proposal.expert_ids)) != len(proposal.expert_ids):
            found.append(f"re-check {slot.id}: an expert twice")
        if proposal.lead_id not in proposal.expert_ids:
            found.append(f"re-check {slot.id}: lead not on the panel")
        for expert_id in proposal.expert_ids:
            busy = [span for other, span in held[expert_id] if other != slot.id and span]
            for reason in conflict_reasons(by_id[expert_id], slot, busy=busy):
                found.append(f"re-check {slot.id}, expert {expert_id}: {reason}")
    return found


def main() -> None:
    """Time the proposal, then check it."""
    rng = random.Random(19)
    slots, experts = build_slots(rng), build_experts(rng)
    propose_panels(slots, experts, size=SIZE, seed=1)  # warm-up
    timings = []
    for run in range(RUNS):
        start = time.perf_counter()
        proposals = propose_panels(slots, experts, size=SIZE, seed=run)
        timings.append(time.perf_counter() - start)
        problems = violations(slots, experts, proposals)
        assert not problems, problems[:5]
    print(
        f"panel proposal ({len(slots)} re-checks, {len(experts)} experts, size {SIZE}): "
        f"median {statistics.median(timings):.3f} s, min {min(timings):.3f} s, "
        f"max {max(timings):.3f} s over {RUNS} runs"
    )
    loads = Counter({expert.id: expert.load for expert in experts})
    for proposal in proposals:
        loads.update(proposal.expert_ids)
    short = sum(1 for proposal in proposals if proposal.shortfall)
    print(
        f"  no R19 violations in any run; panels with a shortfall: {short}; "
        f"load per expert {min(loads.values())}…{max(loads.values())}"
    )


if __name__ == "__main__":
    main()
