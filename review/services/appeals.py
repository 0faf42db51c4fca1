"""Appeals against a published verdict: filed, recommended on by the committee, decided by staff.

Within 30 days of a verdict's publication its school may appeal on one or more of a fixed
list of grounds, with a statement (and, privately, a document). One appeal is heard at a time,
and each ground is raised once per re-check's verdict (its corrections included). The expert
committee records a recommendation; provincial staff decide: the verdict stands, or it is
corrected through the correction record (``publication.correct_verdict``), the old verdict
staying visible and marked.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from review import events
from review.models import (
    Appeal,
    AppealClaim,
    AppealGround,
    AppealOutcome,
    Recommendation,
    VerdictRecord,
)
from review.services.files import save_checked_upload
from review.services.materials import MATERIAL_KINDS
from review.services.publication import correct_verdict
from review.services.verdict import MeasuresRating
from zhengai.confirm import day

APPEAL_DAYS = 30


def appeal_deadline(record: VerdictRecord) -> date:
    """The last day an appeal may be filed: 30 days after the publication day."""
    return timezone.localdate(record.published_at) + timedelta(days=APPEAL_DAYS)


def original_of(record: VerdictRecord) -> VerdictRecord:
    """The first published verdict of the chain a correction belongs to."""
    while record.corrects_id:
        record = VerdictRecord.objects.get(pk=record.corrects_id)
    return record


def grounds_used(record: VerdictRecord) -> set[str]:
    return set(
        AppealClaim.objects.filter(original=original_of(record)).values_list("ground", flat=True)
    )


def filing_refusal(record: VerdictRecord, *, today: date | None = None) -> str | None:
    """Why no appeal may be filed against this verdict now (in Chinese), or None."""
    today = today or timezone.localdate()
    if VerdictRecord.objects.filter(corrects=record).exists():
        return "该结论已经更正；如有异议，请对更正后的结论提出申诉。"
    if today > (last := appeal_deadline(record)):
        return (
            f"结论于 {day(timezone.localdate(record.published_at))}发布，申诉须在发布后 "
            f"{APPEAL_DAYS} 天内（至 {day(last)}，含当日）提出，现已超过期限，不能再申诉。"
        )
    if Appeal.objects.filter(verdict=record, outcome="").exists():
        return "上一次申诉正在处理，处理结果公布后才能再提出申诉。"
    if not set(AppealGround.values) - grounds_used(record):
        return "每一项申诉事由都已提出过申诉，同一事由不能再次申诉。"
    return None


def filing_errors(
    record: VerdictRecord, grounds: list[str], statement: str, *, today: date | None = None
) -> dict[str, str]:
    """What stops this filing, by form field (``__all__`` for the verdict itself)."""
    if refusal := filing_refusal(record, today=today):
        return {"__all__": refusal}
    errors: dict[str, str] = {}
    if not grounds:
        errors["grounds"] = "请至少选择一项申诉事由。"
    elif unknown := [g for g in grounds if g not in AppealGround.values]:
        errors["grounds"] = f"申诉事由“{'、'.join(unknown)}”不在可选范围内，请重新选择。"
    elif repeated := [g for g in grounds if g in grounds_used(record)]:
        labels = "、".join(f"“{AppealGround(g).label}”" for g in repeated)
        errors["grounds"] = f"已经以{labels}为由申诉过，同一事由不能再次申诉。"
    if not statement.strip():
        errors["statement"] = "请写明申诉理由：结论哪里有误，依据是什么。"
    return errors


@transaction.atomic
def file_appeal(
    *,
    record: VerdictRecord,
    user,
    grounds: list[str],
    statement: str,
    upload: UploadedFile | None = None,
    today: date | None = None,
) -> Appeal:
    """The school appeals the verdict on stated grounds; refused with a reason in Chinese."""
    record = VerdictRecord.objects.select_for_update().get(pk=record.pk)
    original = original_of(record)
    VerdictRecord.objects.select_for_update().filter(pk=original.pk).first()
    if refusal := filing_refusal(record, today=today):
        raise ValidationError(refusal)
    grounds = list(dict.fromkeys(grounds))
    errors = filing_errors(record, grounds, statement, today=today)
    if errors:
        raise ValidationError(errors)
    appeal = Appeal(
        verdict=record, school=record.school, statement=statement.strip(), filed_by=user
    )
    if upload is not None:
        save_checked_upload(
            appeal, upload, allowed=MATERIAL_KINDS, user=user, reason="review.appeal.filed"
        )
    else:
        appeal._history_user = user
        appeal._change_reason = "review.appeal.filed"
        appeal.save()
    try:
        with transaction.atomic():
            AppealClaim.objects.bulk_create(
                AppealClaim(appeal=appeal, original=original, ground=g) for g in grounds
            )
    except IntegrityError:  # a parallel appeal took the ground first
        raise ValidationError({"grounds": "同一事由已经提出过申诉，不能再次申诉。"}) from None
    events.appeal_filed.send(sender=Appeal, appeal=appeal)
    return appeal


@transaction.atomic
def attach_document(*, appeal: Appeal, user, upload: UploadedFile | None) -> Appeal:
    """The school's one supporting document, added while the appeal is heard; never public."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.outcome:
        raise ValidationError("申诉已经处理完毕，不能再补充材料。")
    if appeal.token:
        raise ValidationError("已经上传过证明材料；如有多份，请合并为一个 PDF 后上传。")
    if upload is None:
        raise ValidationError({"document": "请选择要上传的文件。"})
    return save_checked_upload(
        appeal, upload, allowed=MATERIAL_KINDS, user=user, reason="review.appeal.document_added"
    )


def _locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().select_related("verdict").get(pk=appeal.pk)


@transaction.atomic
def recommend(*, appeal: Appeal, user, recommendation: str, reason: str) -> Appeal:
    """The expert committee's recommendation on an appeal, recorded once."""
    appeal = _locked(appeal)
    if appeal.outcome:
        raise ValidationError("该申诉已经处理完毕。")
    if appeal.recommended_at:
        raise ValidationError("专家委员会已经对该申诉提出建议。")
    errors = {}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = "请选择建议：维持原结论或更正结论。"
    if not reason.strip():
        errors["recommendation_reason"] = "请写明建议的理由。"
    if errors:
        raise ValidationError(errors)
    appeal.recommendation, appeal.recommendation_reason = recommendation, reason.strip()
    appeal.recommended_at, appeal.recommended_by = timezone.now(), user
    appeal._history_user = user
    appeal._change_reason = "review.appeal.recommended"
    appeal.save()
    events.appeal_recommended.send(sender=Appeal, appeal=appeal)
    return appeal


def decision_errors(
    appeal: Appeal, *, outcome: str, decision_reason: str, matched=None, measures_rating=""
) -> dict[str, str]:
    """What stops staff's decision, by form field (``__all__`` for the appeal itself)."""
    if appeal.outcome:
        return {"__all__": "该申诉已经处理完毕。"}
    if not appeal.recommended_at:
        return {"__all__": "专家委员会尚未提出建议，请待建议后再作决定。"}
    errors = {}
    if outcome not in AppealOutcome.values:
        errors["outcome"] = "请选择处理结果：维持原结论或更正结论。"
    if not decision_reason.strip():
        errors["decision_reason"] = "请写明处理理由，学校将看到这一理由。"
    if outcome == AppealOutcome.CORRECTED:
        try:
            count = int(matched)
        except (TypeError, ValueError):
            count = -1
        if not 0 <= count <= 15:
            errors["matched"] = "更正结论时，请填写更正后的相符项数（0 到 15）。"
        if measures_rating not in MeasuresRating.values:
            errors["measures_rating"] = "更正结论时，请选择更正后的改进措施评价。"
    return errors


@transaction.atomic
def decide(
    *,
    appeal: Appeal,
    user,
    outcome: str,
    reason: str,
    matched: int | None = None,
    measures_rating: str = "",
) -> Appeal:
    """Staff decide: the verdict stands, or it is corrected (a new record; the old stays)."""
    appeal = _locked(appeal)
    if appeal.outcome:
        raise ValidationError("该申诉已经处理完毕。")
    if errors := decision_errors(
        appeal, outcome=outcome, decision_reason=reason, matched=matched,
        measures_rating=measures_rating,
    ):  # fmt: skip
        raise ValidationError(errors)
    if outcome == AppealOutcome.CORRECTED:
        appeal.correction = correct_verdict(
            record=appeal.verdict,
            user=user,
            reason=f"经学校申诉更正：{reason.strip()}",
            matched=int(matched),
            measures_rating=measures_rating,
        )
    appeal.outcome, appeal.decision_reason = outcome, reason.strip()
    appeal.decided_at, appeal.decided_by = timezone.now(), user
    appeal._history_user = user
    appeal._change_reason = f"review.appeal.{outcome}"
    appeal.save()
    events.appeal_decided.send(sender=Appeal, appeal=appeal)
    return appeal
