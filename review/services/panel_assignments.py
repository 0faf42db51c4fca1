"""Re-check panels (R19): who may sit, assignment, the lead, certification, conflicts."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm
from simple_history.utils import bulk_create_with_history

from review import events
from review.models import (
    Cycle,
    PanelAssignment,
    PanelChange,
    Recheck,
    RecheckUserObjectPermission,
)
from review.services.panels import (
    DEFAULT_PANEL_SIZE,
    ExpertCandidate,
    RecheckSlot,
    conflict_reasons,
    propose_panels,
)
from review.services.rechecks import REVIEW_RECHECK
from schools.models import ConflictKind, Expert, ExpertAvailability, ExpertConflict, School

# --- Panels (R19) -----------------------------------------------------------------------------


def candidates(*, cycle: Cycle, slot_ids: list[int]) -> list[ExpertCandidate]:
    """The active pool as the proposal sees it.

    ``load`` counts an expert's assignments in the cycle outside the slots being proposed:
    the slots' own assignments travel with the slots, and counting them here too would count
    them twice.
    """
    experts = (
        Expert.objects.filter(active=True)
        .annotate(
            load=Count(
                "assignments",
                filter=Q(assignments__recheck__cycle=cycle) & ~Q(assignments__recheck__in=slot_ids),
            )
        )
        .prefetch_related("conflicts", "availability")
    )
    return [
        ExpertCandidate(
            id=e.pk,
            name=e.name,
            kind=e.kind,
            school_id=e.school_id,
            conflict_school_ids=frozenset(c.school_id for c in e.conflicts.all()),
            unavailable_years=frozenset(a.year for a in e.availability.all() if not a.available),
            load=e.load,
        )
        for e in experts
    ]


def _slot(recheck: Recheck) -> RecheckSlot:
    assignments = list(recheck.assignments.all())
    lead = next((a.expert_id for a in assignments if a.is_lead), None)
    return RecheckSlot(
        id=recheck.pk,
        school_id=recheck.school_id,
        school_name=recheck.school.name,
        year=recheck.planned_year,
        start=recheck.start_date,
        end=recheck.end_date,
        fixed_expert_ids=tuple(a.expert_id for a in assignments),
        fixed_lead_id=lead,
    )


def _busy_ranges(expert: Expert, *, except_recheck: Recheck) -> list[tuple[date, date]]:
    return [
        (a.recheck.start_date, a.recheck.end_date)
        for a in expert.assignments.select_related("recheck").exclude(recheck=except_recheck)
        if a.recheck.start_date and a.recheck.end_date
    ]


def _candidate(expert: Expert) -> ExpertCandidate:
    return ExpertCandidate(
        id=expert.pk,
        name=expert.name,
        kind=expert.kind,
        school_id=expert.school_id,
        conflict_school_ids=frozenset(expert.conflicts.values_list("school_id", flat=True)),
        unavailable_years=frozenset(
            expert.availability.filter(available=False).values_list("year", flat=True)
        ),
    )


def why_not(*, recheck: Recheck, expert: Expert) -> list[str]:
    """R19: the reasons this expert may not sit on this re-check (empty: allowed)."""
    return conflict_reasons(
        _candidate(expert), _slot(recheck), busy=_busy_ranges(expert, except_recheck=recheck)
    )


def pool_for(recheck: Recheck) -> list[tuple[Expert, list[str]]]:
    """R19: the active pool not yet on this panel, each with why they may not sit (or []).

    Those who may sit come first. Conflicts, availability and other tasks are read once for
    the whole pool, not per expert.
    """
    taken = set(recheck.assignments.values_list("expert_id", flat=True))
    slot = _slot(recheck)
    experts = (
        Expert.objects.filter(active=True)
        .exclude(pk__in=taken)
        .prefetch_related("conflicts", "availability", "assignments__recheck")
        .order_by("kind", "name")
    )
    rows = []
    for e in experts:
        candidate = ExpertCandidate(
            id=e.pk,
            name=e.name,
            kind=e.kind,
            school_id=e.school_id,
            conflict_school_ids=frozenset(c.school_id for c in e.conflicts.all()),
            unavailable_years=frozenset(a.year for a in e.availability.all() if not a.available),
        )
        busy = [
            (a.recheck.start_date, a.recheck.end_date)
            for a in e.assignments.all()
            if a.recheck_id != recheck.pk and a.recheck.start_date and a.recheck.end_date
        ]
        rows.append((e, conflict_reasons(candidate, slot, busy=busy)))
    rows.sort(key=lambda row: bool(row[1]))  # stable: kind and name order kept within each
    return rows


def _grant(assignment: PanelAssignment) -> None:
    if assignment.expert.user_id:
        assign_perm(REVIEW_RECHECK, assignment.expert.user, assignment.recheck)


def _revoke(assignment: PanelAssignment) -> None:
    if assignment.expert.user_id:
        remove_perm(REVIEW_RECHECK, assignment.expert.user, assignment.recheck)


@transaction.atomic
def assign_expert(
    *, recheck: Recheck, expert: Expert, user, reason: str = "", proposed: bool = False
) -> PanelAssignment:
    """Put an expert on the panel; a conflicted expert is refused with the reasons (R19)."""
    recheck = Recheck.objects.select_for_update().select_related("school").get(pk=recheck.pk)
    # The first expert builds the panel, nothing is adjusted yet: no reason asked for.
    if not proposed and not reason.strip() and recheck.assignments.exists():
        raise ValidationError({"reason": "专家组已有成员，手动调整须填写原因。"})
    if recheck.assignments.filter(expert=expert).exists():
        raise ValidationError({"expert": f"{expert.name} 已在专家组中。"})
    reasons = why_not(recheck=recheck, expert=expert)
    if reasons:
        raise ValidationError({"expert": [f"不能指派 {expert.name}：{r}" for r in reasons]})
    assignment = PanelAssignment(
        recheck=recheck,
        expert=expert,
        assigned_by=user,
        reason=reason.strip() or "系统建议",
        is_lead=not recheck.assignments.filter(is_lead=True).exists() and not proposed,
    )
    assignment._history_user = user
    assignment.save()
    change = PanelChange.objects.create(
        recheck=recheck,
        expert=expert,
        action="proposed" if proposed else "added",
        by=user,
        reason=reason.strip(),
    )
    _grant(assignment)
    events.experts_assigned.send(sender=PanelAssignment, changes=[change])
    return assignment


@transaction.atomic
def remove_expert(
    *, assignment: PanelAssignment, user, reason: str, action: str = "removed"
) -> None:
    """Take an expert off the panel; their object permission goes at once."""
    if not reason.strip():
        raise ValidationError({"reason": "移出专家须填写原因。"})
    change = PanelChange.objects.create(
        recheck=assignment.recheck,
        expert=assignment.expert,
        action=action,
        by=user,
        reason=reason.strip(),
    )
    _revoke(assignment)
    assignment._history_user = user
    assignment.delete()
    events.expert_removed.send(sender=PanelAssignment, change=change)


@transaction.atomic
def set_lead(*, assignment: PanelAssignment, user) -> None:
    """Name the panel lead (exactly one per panel)."""
    assignment.recheck.assignments.filter(is_lead=True).update(is_lead=False)
    assignment.is_lead = True
    assignment._history_user = user
    assignment.save()
    change = PanelChange.objects.create(
        recheck=assignment.recheck, expert=assignment.expert, action="lead", by=user
    )
    events.lead_named.send(sender=PanelAssignment, change=change)


@transaction.atomic
def propose_for_cycle(*, cycle: Cycle, user, size: int = DEFAULT_PANEL_SIZE, seed: int = 0) -> int:
    """Fill every panel of the cycle from the proposal; returns how many experts were added.

    Writes in bulk (assignments with their history, change log, object permissions): a cycle
    of 90 re-checks adds some 450 rows of each.
    """
    rechecks = list(
        cycle.rechecks.select_for_update(of=("self",))
        .select_related("school")
        .prefetch_related("assignments")
    )
    slots = [_slot(r) for r in rechecks]
    pool = candidates(cycle=cycle, slot_ids=[r.pk for r in rechecks])
    by_id = {r.pk: r for r in rechecks}
    experts = {e.pk: e for e in Expert.objects.filter(pk__in=[c.id for c in pool])}
    new: list[PanelAssignment] = []
    for proposal in propose_panels(slots, pool, size=size, seed=seed):
        recheck = by_id[proposal.recheck_id]
        fixed = {a.expert_id: a for a in recheck.assignments.all()}
        lead = fixed.get(proposal.lead_id)
        if lead is not None and not lead.is_lead:
            set_lead(assignment=lead, user=user)  # the proposal may name a kept expert lead
        new += [
            PanelAssignment(
                recheck=recheck,
                expert=experts[expert_id],
                assigned_by=user,
                reason="系统建议",
                is_lead=proposal.lead_id == expert_id,
            )
            for expert_id in proposal.expert_ids
            if expert_id not in fixed
        ]
    bulk_create_with_history(
        new, PanelAssignment, default_user=user, default_change_reason="review.panel.proposed"
    )
    changes = PanelChange.objects.bulk_create(
        PanelChange(recheck=a.recheck, expert=a.expert, action="proposed", by=user) for a in new
    )
    _grant_many(new)
    if changes:
        events.experts_assigned.send(sender=PanelAssignment, changes=changes)
    return len(new)


def _grant_many(assignments: list[PanelAssignment]) -> None:
    """The object permission of each assignment, in one insert (same rows as assign_perm)."""
    permission = Permission.objects.get(
        content_type__app_label="review", codename=REVIEW_RECHECK.split(".")[1]
    )
    RecheckUserObjectPermission.objects.bulk_create(
        [
            RecheckUserObjectPermission(
                user_id=a.expert.user_id, permission=permission, content_object=a.recheck
            )
            for a in assignments
            if a.expert.user_id
        ],
        ignore_conflicts=True,
    )


# --- The expert's certification (R19) -------------------------------------------------------


@transaction.atomic
def sitting_problems(assignments: list[PanelAssignment]) -> dict[int, list[str]]:
    """R19: for each assignment, any reason on record that its expert should not sit.

    Two queries however many assignments: the conflicts on record and the unavailable years.
    """
    if not assignments:
        return {}
    expert_ids = {a.expert_id for a in assignments}
    conflicts: dict[tuple[int, int], list[str]] = {}
    for conflict in ExpertConflict.objects.filter(expert_id__in=expert_ids):
        conflicts.setdefault((conflict.expert_id, conflict.school_id), []).append(
            conflict.get_kind_display() + (f"：{conflict.note}" if conflict.note else "")
        )
    unavailable = set(
        ExpertAvailability.objects.filter(expert_id__in=expert_ids).values_list("expert_id", "year")
    )
    problems: dict[int, list[str]] = {}
    for a in assignments:
        recheck = a.recheck
        year = recheck.start_date.year if recheck.start_date else recheck.planned_year
        found = []
        if a.expert.school_id is not None and a.expert.school_id == recheck.school_id:
            found.append("该专家在本校任职，不能参加本校复核。")
        for what in conflicts.get((a.expert_id, recheck.school_id), []):
            found.append(f"已记录与该校的利益冲突（{what}）。")
        if (a.expert_id, year) in unavailable:
            found.append(f"该专家 {year} 年不可参加复核。")
        problems[a.pk] = found
    return problems


def _has_conflict(expert: Expert, school: School) -> bool:
    return (
        expert.school_id == school.pk
        or ExpertConflict.objects.filter(expert=expert, school=school).exists()
    )


@transaction.atomic
def withdraw_for_conflicts(*, expert: Expert, user) -> list[Recheck]:
    """R19: a conflict recorded after assignment takes the expert off that school's open panels.

    Open: no verdict published yet. The expert and staff are told through the notices (the
    removal's event), staff to assign someone else. Called wherever a conflict is recorded
    (the expert's declaration, the admin), safe to run again.
    """
    ties: dict[int, list[str]] = {}
    for conflict in ExpertConflict.objects.filter(expert=expert):
        ties.setdefault(conflict.school_id, []).append(
            conflict.get_kind_display() + (f"：{conflict.note}" if conflict.note else "")
        )
    if expert.school_id:
        ties.setdefault(expert.school_id, []).insert(0, "在该校任职")
    withdrawn = []
    for assignment in PanelAssignment.objects.filter(
        expert=expert, recheck__school_id__in=ties, recheck__verdicts__isnull=True
    ).select_related("recheck__school"):
        recheck = assignment.recheck
        what = "；".join(ties[recheck.school_id])
        remove_expert(
            assignment=assignment,
            user=user,
            reason=f"已记录与该校的利益冲突（{what}）",
            action="conflict",
        )
        withdrawn.append(recheck)
    return withdrawn


@transaction.atomic
def record_conflict(
    *, expert: Expert, school: School, kind: str, user, note: str = ""
) -> ExpertConflict:
    """Record a tie between an expert and a school, and take the expert off its open panels."""
    conflict = ExpertConflict.objects.create(
        expert=expert, school=school, kind=kind, note=note.strip()[:200]
    )
    withdraw_for_conflicts(expert=expert, user=user)
    return conflict


def certify(*, assignment: PanelAssignment, user, no_conflict: bool, statement: str = "") -> None:
    """The expert certifies no conflict, or declares one: then they leave the panel."""
    if no_conflict:
        if _has_conflict(assignment.expert, assignment.recheck.school):
            raise ValidationError(
                {
                    "decision": "已记录你与该校存在利益冲突（或你在该校任职），不能声明无利益"
                    "冲突；请申报冲突，省级管理人员将另行指派专家。"
                }
            )
        PanelAssignment.objects.filter(pk=assignment.pk, certified_at__isnull=True).update(
            certified_at=timezone.now()
        )
        from zhengai import stampcache as cache  # the expert's next step: update() sends no signal

        cache.changed(cache.QUEUES)
        return
    if not statement.strip():
        raise ValidationError({"statement": "请说明与该校的关系（辅导、讲座、任职等）。"})
    ExpertConflict.objects.create(
        expert=assignment.expert,
        school=assignment.recheck.school,
        kind=ConflictKind.OTHER,
        note=statement.strip()[:200],
    )
    # Staff are told through the removal's event (notices), to assign someone else.
    remove_expert(assignment=assignment, user=user, reason=statement.strip(), action="declared")
