"""Writes of the column: its documents, and taking a disclosed file down (with a reason)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from disclosure import policy
from disclosure.models import ColumnDocument, DocumentKind
from review.models import Material
from review.services import materials
from zhengai import fixtures

PLAN_SLUG = "fujian-zhengai-plan"
PLAN_TITLE = "福建省高等职业院校内部质量保证体系诊断与改进工作实施方案（修订稿）"


# What the text itself says of its issue: "报我厅职成处" — the 教育厅 issues it; it carries no
# 文号 or 成文日期 (the shipped file is a transcription without the letterhead or the date).
PLAN_ISSUER = "福建省教育厅"
PLAN_ISSUED_NOTE = (
    "原文未载明成文日期和文号。文中引用 2017 年的教职成司函〔2017〕56号并以党的十九大精神"
    "为指导，附件2为 2017—2020 年计划，故成文于 2017 年 10 月之后。"
)


def plan_publication() -> dict:
    """The plan's published fields: the corrected text, the original and the corrections."""
    original = fixtures.POLICY_TEXT_FILE.read_bytes().decode("utf-8")
    system = json.loads(fixtures.INDICATOR_FILES[0].read_text(encoding="utf-8"))
    body, corrections = policy.correct(original, system)
    return {
        "body": body,
        "original_text": original,
        "original_name": fixtures.POLICY_TEXT_FILE.name,
        "corrections": [c.as_dict() for c in corrections],
        "issuer": PLAN_ISSUER,
        "issued_note": PLAN_ISSUED_NOTE,
    }


@transaction.atomic
def load_plan_document() -> ColumnDocument:
    """R18: the plan itself is the column's first document; created once, never overwritten.

    A plan loaded before corrections existed (its body still the raw file) gets the corrected
    text and its original once; a text staff have edited is left alone.
    """
    publication = plan_publication()
    document, created = ColumnDocument.objects.get_or_create(
        slug=PLAN_SLUG,
        defaults={
            "kind": DocumentKind.POLICY,
            "title": PLAN_TITLE,
            "pinned": True,
            "published_at": timezone.now(),
            **publication,
        },
    )
    unedited = document.body.strip() == publication["original_text"].strip()
    if not created and not document.original_text and unedited:
        for name, value in publication.items():
            setattr(document, name, value)
        document._change_reason = "disclosure.document.corrected"
        document.save()
    return document


@transaction.atomic
def save_document(
    *, user, kind: str, slug: str, title: str, body: str, document: ColumnDocument | None = None
) -> ColumnDocument:
    errors = {}
    if kind not in DocumentKind.values:
        errors["kind"] = "请选择类别。"
    if not title.strip():
        errors["title"] = "请填写标题。"
    if not body.strip():
        errors["body"] = "请填写正文。"
    if (
        not slug
        or ColumnDocument.objects.filter(slug=slug)
        .exclude(pk=document.pk if document else None)
        .exists()
    ):
        errors["slug"] = "网址名为空或已被使用（只用英文字母、数字和连字符）。"
    if errors:
        raise ValidationError(errors)
    document = document or ColumnDocument()
    document.kind, document.slug = kind, slug
    document.title, document.body = title.strip(), body.strip()
    document.updated_by = user
    document._history_user = user
    document.save()
    return document


@transaction.atomic
def set_published(*, document: ColumnDocument, user, published: bool) -> None:
    """Publish or take down a document; every change is in its history."""
    document.published_at = timezone.now() if published else None
    document.updated_by = user
    document._history_user = user
    document._change_reason = "disclosure.document." + ("published" if published else "unpublished")
    document.save()


def withdraw_material(*, material: Material, user, reason: str) -> None:
    """Take a disclosed file down; the reason is shown publicly in its place."""
    materials.withdraw_material(material=material, user=user, reason=reason)
