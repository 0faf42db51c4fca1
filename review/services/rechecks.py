"""Cycles and re-checks (R7, R8, R10): planning, sampling, scheduling."""

from __future__ import annotations

import random
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from review.models import (
    Cycle,
    CycleKind,
    Recheck,
    RecheckDateChange,
)
from review.selectors.rechecks import last_rechecks
from review.services.deadlines import minimum_sample
from review.services.rules import exempt_from_recheck
from schools.models import School

REVIEW_RECHECK = "review.review_recheck"

# --- Cycles and sampling (R7, R8) -----------------------------------------------------------


@transaction.atomic
def create_cycle(*, start_year: int, user) -> Cycle:
    """A 3-year cycle from 2020 on (R8)."""
    if start_year < 2020:
        raise ValidationError(
            {"start_year": "2020 年以前按附件2工作计划执行，三年周期从 2020 年起。"}
        )
    if Cycle.objects.filter(kind=CycleKind.TRIENNIAL, start_year=start_year).exists():
        raise ValidationError({"start_year": f"{start_year} 年起的周期已经存在。"})
    overlapping = Cycle.objects.filter(
        kind=CycleKind.TRIENNIAL, start_year__lte=start_year + 2, end_year__gte=start_year
    ).first()
    if overlapping:
        raise ValidationError({"start_year": f"与已有周期“{overlapping.name}”重叠。"})
    cycle = Cycle(
        name=f"{start_year}—{start_year + 2} 年诊改周期",
        kind=CycleKind.TRIENNIAL,
        start_year=start_year,
        end_year=start_year + 2,
    )
    cycle._history_user = user
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:
        # Created at the same moment by another request: the database's unique and (on
        # PostgreSQL) exclusion constraints let only one in, whatever the checks above saw.
        raise ValidationError(
            {"start_year": f"{start_year} 年起的周期已经存在，或与刚建立的周期重叠。"}
        ) from None
    return cycle


@transaction.atomic
def load_annex2_plan() -> Cycle:
    """R7: the 2017–2020 plan of 附件2, each listed school re-checked in its planned year."""
    cycle, _ = Cycle.objects.get_or_create(
        kind=CycleKind.ANNEX2,
        start_year=2017,
        defaults={"name": "2017—2020 年诊改工作计划（附件2）", "end_year": 2020},
    )
    for school in School.objects.filter(annex2_year__isnull=False):
        Recheck.objects.get_or_create(
            cycle=cycle, school=school, defaults={"planned_year": school.annex2_year}
        )
    if cycle.selection_closed_at is None:
        cycle.selection_closed_at = timezone.now()
        cycle.save(update_fields=["selection_closed_at", "modified"])
    return cycle


def selection_refusal(cycle: Cycle, school: School) -> str | None:
    """Why a school cannot be picked in this cycle (R6), or None."""
    if school.is_new:
        return "新建院校：先接受人才培养工作评估，暂不列入复核。"
    if exempt_from_recheck(
        evaluated_before_2020=school.files_self_diagnosis,
        annex2_cycle=cycle.kind == CycleKind.ANNEX2,
    ):
        return "已接受二轮评估：自主诊改后备案免复核。"
    return None


def total_for_sample() -> int:
    """R8's n: all higher vocational colleges of the province."""
    return School.objects.count()


@transaction.atomic
def set_selection(*, cycle: Cycle, school_ids: set[int], user) -> None:
    """Make the cycle's selection exactly ``school_ids``; scheduled re-checks are kept."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.selection_closed_at:
        raise ValidationError("抽样已经确认，不能再修改。")
    schools = {s.pk: s for s in School.objects.filter(pk__in=school_ids)}
    refused = [f"{s.name}：{r}" for s in schools.values() if (r := selection_refusal(cycle, s))]
    if refused:
        raise ValidationError(refused)
    current = {r.school_id: r for r in cycle.rechecks.all()}
    dropped = [r for sid, r in current.items() if sid not in schools]
    busy = [r for r in dropped if r.start_date or r.assignments.exists()]
    if busy:
        names = "、".join(r.school.name for r in busy)
        raise ValidationError(f"已排期或已组建专家组的复核不能移出抽样：{names}。")
    for recheck in dropped:
        recheck.delete()
    for school_id in schools.keys() - current.keys():
        Recheck.objects.create(cycle=cycle, school_id=school_id, planned_year=cycle.start_year)


def suggest_sample(*, cycle: Cycle, seed: int) -> list[int]:
    """R8: a sample of ⌈n/3⌉: the longest without a re-check first, then at random by ``seed``.

    Schools never re-checked count as the oldest. Among equals the order is a shuffle by
    ``seed``, recorded on the cycle so the suggestion can be reproduced.
    """
    # Only re-checks that took place count: one picked but never held leaves the school due.
    last = last_rechecks(other_than=cycle, today=timezone.localdate())
    eligible = [s for s in School.objects.all() if selection_refusal(cycle, s) is None]
    rng = random.Random(seed)
    rng.shuffle(eligible)
    eligible.sort(key=lambda s: last.get(s.pk, 0))  # stable: the shuffle breaks ties
    Cycle.objects.filter(pk=cycle.pk).update(sample_seed=seed)
    return [s.pk for s in eligible[: minimum_sample(total_for_sample())]]


@transaction.atomic
def close_selection(*, cycle: Cycle, user) -> None:
    """Confirm the sample; refused below ⌈n/3⌉ (R8)."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.selection_closed_at:
        raise ValidationError("抽样名单已经确认过。")
    chosen = cycle.rechecks.count()
    needed = minimum_sample(total_for_sample())
    if chosen < needed:
        raise ValidationError(
            f"抽样 {chosen} 所，少于全省 {total_for_sample()} 所的 1/3（至少 {needed} 所），"
            f"还差 {needed - chosen} 所。"
        )
    cycle.selection_closed_at = timezone.now()
    cycle._history_user = user
    cycle.save()


# --- Dates (R10) ------------------------------------------------------------------------------


@transaction.atomic
def schedule(*, recheck: Recheck, start: date, end: date, user, reason: str = "") -> Recheck:
    """Set or move the re-check's dates; a move needs a reason, and both are recorded."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    errors = {}
    if end < start:
        errors["end_date"] = "结束日期不能早于开始日期。"
    if start.year not in recheck.cycle.years:
        errors["start_date"] = (
            f"开始日期应在本周期（{recheck.cycle.start_year}—{recheck.cycle.end_year} 年）内。"
        )
    moving = recheck.start_date is not None and (recheck.start_date, recheck.end_date) != (
        start,
        end,
    )
    if moving and not reason.strip():
        errors["reason"] = "调整已排定的日期须填写原因。"
    if errors:
        raise ValidationError(errors)
    if (recheck.start_date, recheck.end_date) == (start, end):
        return recheck
    RecheckDateChange.objects.create(
        recheck=recheck,
        by=user,
        old_start=recheck.start_date,
        old_end=recheck.end_date,
        new_start=start,
        new_end=end,
        reason=reason.strip(),
    )
    recheck.start_date, recheck.end_date = start, end
    recheck.planned_year = start.year
    recheck._history_user = user
    recheck._change_reason = "review.recheck.rescheduled" if moving else "review.recheck.scheduled"
    recheck.save()
    return recheck
