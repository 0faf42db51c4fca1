"""The school's eight re-check materials (R9, R10): upload, publication, submission."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from review import events
from review.models import (
    DocumentKind,
    ImplementationRules,
    Material,
    MaterialKind,
    MaterialWithdrawalRequest,
    Recheck,
    WithdrawalDecision,
)
from review.services.files import check_document, save_upload, shown_name, stored_file_fields
from review.services.report_document import stored_report_pdf
from review.services.scoring import school_report

MATERIAL_KINDS = {"pdf", "docx", "doc", "xlsx", "xls"}

MATERIAL_MAX_BYTES = 50 * 1024 * 1024

# --- Materials (R9, R10) --------------------------------------------------------------------


@transaction.atomic
def upload_material(*, recheck: Recheck, kind: int, upload: UploadedFile, user) -> Material:
    """Store one material, checked by content; after publishing it is public at once."""
    if kind not in MaterialKind.values:
        raise ValidationError({"kind": "没有这一项材料。"})
    checked = check_document(upload, allowed=MATERIAL_KINDS, max_bytes=MATERIAL_MAX_BYTES)
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    material = Material(
        recheck=recheck,
        kind=kind,
        disclosed_at=timezone.now() if recheck.materials_published_at else None,
        **stored_file_fields(checked, upload, user=user),
    )
    return save_upload(material, upload, user=user)


def missing_materials(recheck: Recheck) -> list[str]:
    present = set(recheck.materials.values_list("kind", flat=True))
    return [f"（{k.value}）{k.label}" for k in MaterialKind if k.value not in present]


@transaction.atomic
def publish_materials(*, recheck: Recheck, user) -> None:
    """R10: the set becomes public now (late if after publish-by, and recorded as such)."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    if recheck.materials_published_at:
        raise ValidationError("材料已经公示。")
    missing = missing_materials(recheck)
    if missing:
        raise ValidationError(["公示前还缺以下材料："] + missing)
    now = timezone.now()
    recheck.materials_published_at = now
    recheck._history_user = user
    recheck._change_reason = "review.recheck.materials_published"
    recheck.save()
    recheck.materials.filter(disclosed_at__isnull=True).update(disclosed_at=now)
    events.materials_published.send(sender=Recheck, recheck=recheck)


@transaction.atomic
def submit_materials(*, recheck: Recheck, user) -> None:
    """R10: mark the materials submitted to the evaluation centre."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    if recheck.materials_submitted_at:
        raise ValidationError("材料已经报送。")
    missing = missing_materials(recheck)
    if missing:
        raise ValidationError(["报送前还缺以下材料："] + missing)
    recheck.materials_submitted_at = timezone.now()
    recheck._history_user = user
    recheck._change_reason = "review.recheck.materials_submitted"
    recheck.save()
    events.materials_submitted.send(sender=Recheck, recheck=recheck)


# --- Before publication: a wrong file can go; after it, a public file stays on the record ---


def _draft_material(material: Material) -> tuple[Recheck, Material]:
    recheck = Recheck.objects.select_for_update().get(pk=material.recheck_id)
    material = Material.objects.select_for_update().filter(pk=material.pk).first()
    if material is None:
        raise ValidationError("该文件已经删除。")
    if recheck.materials_published_at or material.disclosed_at:
        raise ValidationError(
            "材料已公示，文件不能再删除或替换：可上传新版本（与旧版本并列），或申请撤下。"
        )
    return recheck, material


@transaction.atomic
def delete_material(*, material: Material, user) -> None:
    """Before 公示: remove a wrong file (its history row keeps who removed what, and when)."""
    _recheck, material = _draft_material(material)
    material._history_user = user
    material._change_reason = "review.material.deleted"
    stored = material.document
    material.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def replace_material(*, material: Material, upload: UploadedFile, user) -> Material:
    """Before 公示: the new file takes the wrong one's place; nothing changes if it is refused."""
    recheck, old = _draft_material(material)
    new = upload_material(recheck=recheck, kind=old.kind, upload=upload, user=user)
    delete_material(material=old, user=user)
    return new


def source_of(recheck: Recheck, kind: int):
    """What material 1 or 2 can be taken from: the filed rules, the submitted report; or None."""
    year = recheck.start_date.year if recheck.start_date else recheck.planned_year
    if kind == MaterialKind.RULES:
        return (
            ImplementationRules.objects.filter(school=recheck.school, year__lte=year)
            .order_by("-year", "-created")
            .first()
        )
    if kind == MaterialKind.REPORT:
        return school_report(recheck)
    return None


@transaction.atomic
def take_from_filed(*, recheck: Recheck, kind: int, user) -> Material:
    """Material 1 from the rules already filed, material 2 from the submitted report's PDF.

    The stored bytes are the source's bytes exactly (same SHA-256); a copy, so the source
    can change later without changing what was published.
    """
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    source = source_of(recheck, kind)
    if source is None:
        what = "已备案的实施细则" if kind == MaterialKind.RULES else "已提交的自我诊断报告"
        raise ValidationError(f"没有可用的{what}，请上传文件。")
    if kind == MaterialKind.RULES:
        with source.document.open("rb") as handle:
            content = handle.read()
        name, content_kind = source.original_name, source.kind
        if hashlib.sha256(content).hexdigest() != source.sha256:
            raise ValidationError("已备案的实施细则文件与其记录的 SHA-256 不符，请重新上传。")
    else:
        name, content = stored_report_pdf(report=source)
        content_kind = DocumentKind.PDF
    material = Material(
        recheck=recheck,
        kind=kind,
        token=secrets.token_hex(16),
        original_name=shown_name(name),
        content_kind=content_kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        disclosed_at=timezone.now() if recheck.materials_published_at else None,
    )
    material.document.save("upload", ContentFile(content), save=False)
    material._history_user = user
    material._change_reason = "review.material.taken_from_filed"
    material.save()
    return material


# --- After publication: the school asks, staff decide ---------------------------------------


@transaction.atomic
def withdraw_material(*, material: Material, user, reason: str) -> None:
    """Take a disclosed file down; the reason is shown publicly in its place."""
    if not reason.strip():
        raise ValidationError({"reason": "撤下已公示的材料须填写原因（将向社会公开）。"})
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.disclosed_at is None:
        raise ValidationError("该材料尚未公示。")
    if material.withdrawn_at:
        raise ValidationError("该材料已经撤下。")
    material.withdrawn_at = timezone.now()
    material.withdrawn_reason = reason.strip()
    material.withdrawn_by = user
    material._history_user = user
    material._change_reason = "disclosure.material.withdrawn"
    material.save()
    events.material_withdrawn.send(sender=Material, material=material)
    MaterialWithdrawalRequest.objects.filter(
        material=material, decision=WithdrawalDecision.PENDING
    ).update(
        decision=WithdrawalDecision.APPROVED,
        decided_by=user,
        decided_at=material.withdrawn_at,
        decision_reason=reason.strip(),
    )


@transaction.atomic
def request_withdrawal(*, material: Material, user, reason: str) -> MaterialWithdrawalRequest:
    """The school asks staff to take a published file down, saying why."""
    if not reason.strip():
        raise ValidationError({"reason": "请说明为什么要撤下这个文件（审核通过后将公开显示）。"})
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.disclosed_at is None:
        raise ValidationError("该文件尚未公示，可直接删除或替换，无需申请。")
    if material.withdrawn_at:
        raise ValidationError("该文件已经撤下。")
    if material.withdrawal_requests.filter(decision=WithdrawalDecision.PENDING).exists():
        raise ValidationError("已经申请撤下该文件，正等待省级管理人员审核。")
    request = MaterialWithdrawalRequest(material=material, reason=reason.strip(), requested_by=user)
    request._history_user = user
    request.save()
    return request


@transaction.atomic
def decide_withdrawal(
    *, request: MaterialWithdrawalRequest, user, approve: bool, reason: str
) -> MaterialWithdrawalRequest:
    """Staff approve (the file comes down, the school's reason shown) or refuse, saying why."""
    request = MaterialWithdrawalRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision != WithdrawalDecision.PENDING:
        raise ValidationError("该申请已经审核过。")
    if not approve and not reason.strip():
        raise ValidationError({"decision_reason": "不同意撤下时须写明理由（学校可见）。"})
    if approve:
        withdraw_material(material=request.material, user=user, reason=request.reason)
        request.refresh_from_db()
        if reason.strip():
            request.decision_reason = reason.strip()
    else:
        request.decision = WithdrawalDecision.REFUSED
        request.decision_reason = reason.strip()
        request.decided_by, request.decided_at = user, timezone.now()
    request._history_user = user
    request.save()
    return request
