"""Staff review of the lead's consolidation before a verdict is published (second sign-off).

The consolidation's states: draft → submitted → returned (the lead edits and resubmits) or
accepted → published. ``accept_consolidation`` and ``publish_verdict`` are separate steps so
that a later step (the school's factual check of the draft) can sit between them; today the
publish page runs both in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from review import events
from review.models import Consolidation, ConsolidationReturn, ConsolidationState, Recheck


def publish_refusal(recheck: Recheck, *, today=None) -> str | None:
    """Why a verdict may not be published yet (in Chinese), or None.

    Not before the re-check's last day: the panel is still at work until then.
    """
    today = today or timezone.localdate()
    if recheck.end_date is None:
        return "复核日期尚未排定，不能发布结论。"
    if today < (end := recheck.end_date):
        return (
            f"复核尚未进行到最后一天（{end.year} 年 {end.month} 月 {end.day} 日），"
            "不能在此之前发布结论。"
        )
    return None


def _locked(recheck: Recheck) -> Consolidation:
    consolidation = Consolidation.objects.select_for_update().filter(recheck_id=recheck.pk).first()
    if consolidation is None or consolidation.state == ConsolidationState.DRAFT:
        raise ValidationError("专家组尚未提交合议结果。")
    return consolidation


@transaction.atomic
def return_consolidation(*, recheck: Recheck, user, reason: str) -> ConsolidationReturn:
    """Send the submitted consolidation back to the lead with a reason the lead reads."""
    if not reason.strip():
        raise ValidationError({"reason": "请写明退回原因，组长将据此修改。"})
    consolidation = _locked(recheck)
    if consolidation.state == ConsolidationState.RETURNED:
        raise ValidationError("合议结果已经退回组长，正在等待重新提交。")
    if consolidation.state != ConsolidationState.SUBMITTED:
        raise ValidationError("合议结果已审核通过，不能再退回。")
    returned = ConsolidationReturn.objects.create(
        consolidation=consolidation, reason=reason.strip(), returned_by=user
    )
    consolidation.state = ConsolidationState.RETURNED
    consolidation.submitted_at = None
    consolidation._history_user = user
    consolidation._change_reason = "review.consolidation.returned"
    consolidation.save()
    events.consolidation_returned.send(
        sender=Consolidation, recheck=consolidation.recheck, reason=returned.reason
    )
    return returned


@transaction.atomic
def accept_consolidation(*, recheck: Recheck, user) -> Consolidation:
    """Staff accept the submitted consolidation (safe to call again on an accepted one)."""
    consolidation = _locked(recheck)
    if consolidation.state == ConsolidationState.ACCEPTED:
        return consolidation
    if consolidation.state == ConsolidationState.RETURNED:
        raise ValidationError("合议结果已退回组长修改，须等组长重新提交。")
    if consolidation.state != ConsolidationState.SUBMITTED:
        raise ValidationError("该复核的结论已经发布；如需更正，请新建更正记录。")
    consolidation.state = ConsolidationState.ACCEPTED
    consolidation._history_user = user
    consolidation._change_reason = "review.consolidation.accepted"
    consolidation.save()
    return consolidation
