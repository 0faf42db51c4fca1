"""After the verdict (R11, R16): the school's rectification, its evidence, and re-application."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from review import events
from review.models import (
    Cycle,
    Evidence,
    Reapplication,
    Recheck,
    Rectification,
    RectificationItem,
    VerdictRecord,
)
from review.services.files import check_document, save_upload, stored_file_fields
from review.services.materials import MATERIAL_KINDS
from review.services.verdict import (
    Verdict,
    may_reapply,
)

# --- The school: rectification and re-application ---------------------------------------------


def inconsistent_codes(record: VerdictRecord) -> set[str]:
    """R11/R12: the elements the published verdict found 不相符, which need a rectification plan."""
    return {row["element_code"] for row in record.comparison if not row.get("consistent")}


@transaction.atomic
def save_rectification(
    *,
    rectification: Rectification,
    user,
    items: dict[str, dict],
    uploads: dict[str, UploadedFile] | None = None,
) -> int:
    """Save the plan, progress and new evidence per element together; returns items changed.

    Every upload is checked before anything is written, so a bad file leaves the plan as it
    was (the page shows the typed text again with the file's error beside it).
    """
    uploads = uploads or {}
    by_code = {
        item.element.code: item
        for item in rectification.items.select_for_update().select_related("element")
    }
    checked = {}
    errors = {}
    for code, upload in uploads.items():
        if code not in by_code:
            continue
        try:
            checked[code] = check_document(upload, allowed=MATERIAL_KINDS)
        except ValidationError as exc:
            errors[f"r{code}-document"] = exc.messages
    if errors:
        raise ValidationError(errors)
    changed = 0
    for code, item in by_code.items():
        values = items.get(code)
        if values is None:
            continue
        plan, progress = (
            values.get("plan", item.plan).strip(),
            values.get("progress", item.progress).strip(),
        )
        if (plan, progress) != (item.plan, item.progress):
            item.plan, item.progress = plan, progress
            item._history_user = user
            item.save()
            changed += 1
    for code, result in checked.items():
        upload = uploads[code]
        evidence = Evidence(item=by_code[code], **stored_file_fields(result, upload, user=user))
        save_upload(evidence, upload, user=user)
    return changed


@transaction.atomic
def complete_rectification(*, rectification: Rectification, user) -> None:
    """R11: the school reports the rectification done; each 不相符 element needs plan and progress.

    Elements the verdict found 相符 may have a plan; they are not required to.
    """
    rectification = (
        Rectification.objects.select_for_update().select_related("verdict").get(pk=rectification.pk)
    )
    if rectification.completed_at:
        raise ValidationError("整改已经标记为完成。")
    needed = inconsistent_codes(rectification.verdict)
    missing = [
        f"{item.element.code} {item.element.report_name}"
        for item in rectification.items.select_related("element")
        if item.element.code in needed and not (item.plan and item.progress)
    ]
    if missing:
        raise ValidationError(["以下不相符的诊断要素尚未填写整改措施和整改进展："] + missing)
    rectification.completed_at = timezone.now()
    rectification.completed_by = user
    rectification._history_user = user
    rectification._change_reason = "review.rectification.completed"
    rectification.save()
    events.rectification_reported.send(sender=Rectification, rectification=rectification)


@transaction.atomic
def add_evidence(*, item: RectificationItem, upload: UploadedFile, user) -> Evidence:
    """Attach a proof of progress to a rectification item, checked by content."""
    checked = check_document(upload, allowed=MATERIAL_KINDS)
    evidence = Evidence(item=item, **stored_file_fields(checked, upload, user=user))
    return save_upload(evidence, upload, user=user)


@transaction.atomic
def reapply(*, record: VerdictRecord, user, note: str = "") -> Reapplication:
    """R16: after the improvement period of a 待改进 or 异常, apply for a new re-check."""
    today = timezone.localdate()
    if VerdictRecord.objects.filter(corrects=record).exists():
        raise ValidationError("该结论已被更正，请按更正后的结论申请。")
    if not may_reapply(Verdict(record.verdict), timezone.localdate(record.published_at), today):
        end = record.improvement_end
        raise ValidationError(
            f"改进期至 {end:%Y 年 %-m 月 %-d 日}，期满后才能申请重新复核。"
            if end
            else "结论为“有效”，同一周期内不再复核。"
        )
    if Reapplication.objects.filter(after=record).exists():
        raise ValidationError("已经提交过重新复核申请。")
    return Reapplication.objects.create(
        school=record.school, after=record, applied_by=user, note=note.strip()
    )


@transaction.atomic
def accept_reapplication(*, reapplication: Reapplication, user) -> Recheck:
    """Staff turn a re-application into the next round of re-check in the current cycle."""
    if reapplication.recheck_id:
        raise ValidationError("该申请已经安排复核。")
    year = timezone.localdate().year
    cycle = (
        Cycle.objects.filter(start_year__lte=year, end_year__gte=year)
        .order_by("-start_year")
        .first()
        or reapplication.after.cycle
    )
    last = (
        Recheck.objects.filter(cycle=cycle, school=reapplication.school).order_by("-round").first()
    )
    recheck = Recheck.objects.create(
        cycle=cycle,
        school=reapplication.school,
        planned_year=year,
        round=(last.round + 1) if last else 1,
    )
    reapplication.recheck = recheck
    reapplication.save(update_fields=["recheck", "modified"])
    return recheck
