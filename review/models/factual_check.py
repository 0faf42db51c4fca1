"""The school's factual check of the draft verdict, between staff acceptance and publication.

After staff accept the lead's consolidation the school reads the draft (each element's finding
and reason, the rating and the rule's result, no expert names) for a window of days. It may
point out factual errors element by element, with evidence (a fact, a document, a figure);
the lead answers each point. Submitted points and answers are never edited (history kept).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from indicators.models import Element
from review.models.rechecks import Recheck
from review.models.self_diagnosis import DocumentKind
from zhengai.models import TimeStampedModel


class FactualCheck(TimeStampedModel):
    """One re-check's window for the school's factual check of the draft."""

    recheck = models.OneToOneField(
        Recheck, on_delete=models.CASCADE, related_name="factual_check", verbose_name="复核"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    window_days = models.PositiveSmallIntegerField("核对期（天）")
    # The last day the school may submit points (inclusive, the date in Fujian).
    closes_on = models.DateField("核对截止日")
    # The school ended its part early: it submitted its points, or said it has none.
    finished_at = models.DateTimeField("学校提交核对意见时间", null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    no_points = models.BooleanField("学校声明无事实错误", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "结论草稿事实核对"
        verbose_name_plural = "结论草稿事实核对"

    def __str__(self) -> str:
        return f"{self.recheck} 草稿核对"


class EvidenceKind(models.TextChoices):
    FACT = "fact", "事实陈述"
    DOCUMENT = "document", "文件"
    FIGURE = "figure", "数据"


def _point_upload_to(instance, filename: str) -> str:
    return f"factual-points/{instance.factual_check_id}/{instance.token}.{instance.content_kind}"


class FactualPoint(TimeStampedModel):
    """One factual error the school points out in one element's finding, and the lead's answer.

    A draft (not yet submitted) may be deleted by the school; once submitted it stays as
    written, and the answer is written once.
    """

    factual_check = models.ForeignKey(
        FactualCheck, on_delete=models.CASCADE, related_name="points", verbose_name="草稿核对"
    )
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField("草稿中的事实错误")
    evidence_kind = models.CharField("证据类型", max_length=10, choices=EvidenceKind.choices)
    evidence = models.TextField("证据（事实或数据）", blank=True)
    document = models.FileField(upload_to=_point_upload_to, max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_kind = models.CharField(max_length=10, choices=DocumentKind.choices, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    changed = models.BooleanField("已修改该要素的评议", null=True)
    answer = models.TextField("组长答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "事实核对意见"
        verbose_name_plural = "事实核对意见"
        ordering = ["element__project__position", "element__position", "created", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(statement=""), name="factual_point_has_statement"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | (~Q(answer="") & Q(changed__isnull=False)),
                name="factual_answer_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factual_check} · {self.element.code}"
