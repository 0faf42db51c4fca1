"""The school's eight re-check materials (R9, R10): upload, publication, submission."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from review import events
from review.models import (
    Material,
    MaterialKind,
    Recheck,
)
from review.services.files import check_document, save_upload, stored_file_fields

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
