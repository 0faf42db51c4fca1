"""Publishing verdicts (R14, R15, R17): sign-off, corrections, not-diagnosed verdicts, sanctions."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from review import events
from review.models import (
    ConsolidationState,
    Cycle,
    NotDiagnosedProposal,
    Recheck,
    Rectification,
    RectificationItem,
    Sanction,
    SanctionEntry,
    SanctionMeasure,
    VerdictRecord,
)
from review.selectors import verdicts_in_force
from review.services.deadlines import rectification_due
from review.services.factual_check import publish_refusal as factual_check_refusal
from review.services.scoring import _comparison, consolidated_matched, elements_of
from review.services.staff_review import accept_consolidation, publish_refusal
from review.services.verdict import (
    MeasuresRating,
    decide_verdict,
    sanction_holds,
)
from review.tasks import queue_verdict_pdf
from schools.models import School


@transaction.atomic
def publish_verdict(*, recheck: Recheck, user) -> VerdictRecord:
    """Second sign-off: the verdict the rule gives is published and followed through."""
    recheck = (
        Recheck.objects.select_for_update().select_related("school", "cycle").get(pk=recheck.pk)
    )
    if VerdictRecord.objects.filter(recheck=recheck).exists():
        raise ValidationError("该复核的结论已经发布；如需更正，请新建更正记录。")
    if refusal := publish_refusal(recheck):
        raise ValidationError(refusal)
    # Staff's review accepts the consolidation; publishing needs that acceptance, and the
    # school's check of the draft it sent (R28).
    consolidation = accept_consolidation(recheck=recheck, user=user)
    if consolidation.submitted_at is None:
        raise ValidationError("专家组尚未提交合议结果。")
    if refusal := factual_check_refusal(recheck):
        raise ValidationError(refusal)
    count = consolidated_matched(consolidation)
    rating = MeasuresRating(consolidation.measures_rating)
    record = VerdictRecord.objects.create(
        school=recheck.school,
        cycle=recheck.cycle,
        recheck=recheck,
        verdict=decide_verdict(count, rating),
        matched=count,
        measures_rating=rating,
        report=consolidation.report,
        comparison=_comparison(recheck, consolidation),
        published_at=(now := timezone.now()),
        ranks_at=now,
        published_by=user,
    )
    consolidation.state = ConsolidationState.PUBLISHED
    consolidation._history_user = user
    consolidation._change_reason = "review.consolidation.published"
    consolidation.save()
    Rectification.objects.create(verdict=record, due=rectification_due(recheck.end_date))
    RectificationItem.objects.bulk_create(
        RectificationItem(rectification=record.rectification, element=e)
        for e in elements_of(recheck)
    )
    apply_sanctions(record=record)
    _render_after_commit(record)
    events.verdict_published.send(sender=VerdictRecord, record=record)
    return record


def _render_after_commit(record: VerdictRecord) -> None:
    """The verdict's PDF is rendered once, by a task, when the publication has committed."""
    transaction.on_commit(partial(queue_verdict_pdf, record.pk))


@transaction.atomic
def record_not_diagnosed(*, cycle: Cycle, school: School, user, note: str) -> VerdictRecord:
    """R15: a school that did not carry out its self-diagnosis in time gets 异常."""
    if not note.strip():
        raise ValidationError({"note": "请说明认定依据（如截止日期和未开展的情况）。"})
    School.objects.select_for_update().get(pk=school.pk)  # two clicks: the second waits
    if VerdictRecord.objects.filter(
        school=school, cycle=cycle, diagnosed_on_time=False, corrects__isnull=True
    ).exists():
        raise ValidationError(f"{school.name}在{cycle.name}内未按时开展诊改的结论已经记录过。")
    record = VerdictRecord.objects.create(
        school=school,
        cycle=cycle,
        verdict=decide_verdict(0, MeasuresRating.WEAK, diagnosed_on_time=False),
        diagnosed_on_time=False,
        report=note.strip(),
        published_at=(now := timezone.now()),
        ranks_at=now,
        published_by=user,
    )
    NotDiagnosedProposal.objects.filter(cycle=cycle, school=school, record__isnull=True).update(
        record=record
    )
    apply_sanctions(record=record)
    _render_after_commit(record)
    events.verdict_published.send(sender=VerdictRecord, record=record)
    return record


@transaction.atomic
def correct_verdict(
    *, record: VerdictRecord, user, reason: str, matched: int, measures_rating: str
) -> VerdictRecord:
    """A published verdict never changes: the correction is a new record linked to it."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写更正原因。"})
    if VerdictRecord.objects.filter(corrects=record).exists():
        raise ValidationError("该结论已经更正过，请更正最新的记录。")
    if measures_rating not in MeasuresRating.values:
        raise ValidationError({"measures_rating": "请选择改进措施评价。"})
    try:
        verdict = decide_verdict(
            matched, MeasuresRating(measures_rating), diagnosed_on_time=record.diagnosed_on_time
        )
    except ValueError:
        raise ValidationError({"matched": "相符项数应在 0 到 15 之间。"}) from None
    correction = VerdictRecord.objects.create(
        school=record.school,
        cycle=record.cycle,
        recheck=record.recheck,
        verdict=verdict,
        matched=matched if record.diagnosed_on_time else None,
        measures_rating=measures_rating,
        diagnosed_on_time=record.diagnosed_on_time,
        report=record.report,
        comparison=record.comparison,
        published_at=timezone.now(),
        ranks_at=record.ranks_at,  # it takes the corrected verdict's place (R17)
        published_by=user,
        corrects=record,
        correction_reason=reason.strip(),
    )
    if hasattr(record, "rectification"):
        Rectification.objects.filter(pk=record.rectification.pk).update(verdict=correction)
    apply_sanctions(record=correction)
    _render_after_commit(correction)
    events.verdict_corrected.send(sender=VerdictRecord, record=correction)
    return correction


def apply_sanctions(*, record: VerdictRecord) -> Sanction | None:
    """R17: re-judge the school's sanction from its verdicts in force, in their order.

    Opens one when the history triggers it after the latest 有效, closes it otherwise; a
    correction takes the corrected verdict's place, so it is judged there, not as news.
    """
    history = [v.verdict for v in verdicts_in_force(school=record.school)]
    holds = sanction_holds(history)
    open_sanction = Sanction.objects.filter(school=record.school, closed_on__isnull=True).first()
    today = timezone.localdate(record.published_at)
    if open_sanction and not holds:
        open_sanction.closed_by, open_sanction.closed_on = record, today
        open_sanction.save()
        # The ledger is complete whether or not the yearly scan ran in between.
        record_sanction_years(sanction=open_sanction, through_year=today.year)
        events.sanction_lifted.send(sender=Sanction, sanction=open_sanction)
        return None
    if open_sanction:
        if record.corrects_id and open_sanction.opened_by_id == record.corrects_id:
            open_sanction.opened_by = record
            open_sanction.save()
        return open_sanction
    if holds:
        open_sanction = Sanction.objects.create(
            school=record.school, opened_by=record, opened_on=today
        )
        record_sanction_years(sanction=open_sanction, through_year=today.year)
        # Tell the school and staff now rather than at the next daily scan (same notice key).
        events.sanction_opened.send(sender=Sanction, sanction=open_sanction)
    return open_sanction


def record_sanction_years(*, sanction: Sanction, through_year: int) -> int:
    """R17: one entry per measure for each year the sanction holds; safe to run again."""
    return record_sanctions_years(sanctions=[sanction], through_year=through_year)


def record_sanctions_years(*, sanctions: list[Sanction], through_year: int) -> int:
    """The same for many sanctions in three queries, however many there are."""
    entries = [
        SanctionEntry(sanction=sanction, year=year, measure=measure)
        for sanction in sanctions
        for year in range(
            sanction.opened_on.year,
            min(through_year, sanction.closed_on.year if sanction.closed_on else through_year) + 1,
        )
        for measure in SanctionMeasure.values
    ]
    if not entries:
        return 0
    scope = SanctionEntry.objects.filter(sanction__in=[s.pk for s in sanctions])
    before = scope.count()
    SanctionEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return scope.count() - before


@transaction.atomic
def sanction_ledger(*, today) -> list[Sanction]:
    """R17: the ledger, every year's entries present whether or not the daily scan ran."""
    open_sanctions = list(Sanction.objects.filter(closed_on__isnull=True))
    record_sanctions_years(sanctions=open_sanctions, through_year=today.year)
    return list(
        Sanction.objects.select_related("school", "opened_by", "closed_by")
        .prefetch_related("entries")
        .order_by("closed_on", "-opened_on")
    )
