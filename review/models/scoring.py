"""Scoring (R12, R13): each expert's findings and the lead's consolidation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from indicators.models import Element
from review.models.rechecks import PanelAssignment, Recheck
from review.services.verdict import MeasuresRating
from zhengai.models import TimeStampedModel

# --- Scoring, verdict, rectification, sanctions (R11–R17) -----------------------------------


class Finding(TimeStampedModel):
    """R12: one expert's finding on one element: consistent (相符) with the school or not."""

    assignment = models.ForeignKey(
        PanelAssignment, on_delete=models.CASCADE, related_name="findings", verbose_name="专家"
    )
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    consistent = models.BooleanField("相符", null=True)
    reason = models.TextField("理由", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "专家评议"
        verbose_name_plural = "专家评议"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "element"], name="one_finding_per_element"
            ),
            models.CheckConstraint(
                condition=~Q(consistent=False, reason=""), name="inconsistent_finding_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.expert.name} · {self.element.code}"


class ConsolidationState(models.TextChoices):
    """Where the lead's consolidation stands on its way to a published verdict.

    draft → submitted → (returned → submitted …) → accepted → published. Staff accept it on
    their review; a later step (the school's factual check of the draft) sits between
    accepted and published without changing the others.
    """

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交，待省级审核"
    RETURNED = "returned", "已退回组长修改"
    ACCEPTED = "accepted", "省级审核通过"
    PUBLISHED = "published", "结论已发布"


class Consolidation(TimeStampedModel):
    """The panel lead's consolidated result: one finding per element, the rating, the report."""

    recheck = models.OneToOneField(
        Recheck, on_delete=models.CASCADE, related_name="consolidation", verbose_name="复核"
    )
    measures_rating = models.CharField(
        "改进措施评价", max_length=10, choices=MeasuresRating.choices, blank=True
    )
    measures_reason = models.TextField("评价理由", blank=True)
    report = models.TextField("复核报告", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    state = models.CharField(
        "状态", max_length=10, choices=ConsolidationState.choices, default=ConsolidationState.DRAFT
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "专家组合议结果"
        verbose_name_plural = "专家组合议结果"

    def __str__(self) -> str:
        return f"{self.recheck} 合议"


class ConsolidatedFinding(models.Model):
    consolidation = models.ForeignKey(
        Consolidation, on_delete=models.CASCADE, related_name="findings"
    )
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    consistent = models.BooleanField("相符", null=True)
    reason = models.TextField("理由", blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consolidation", "element"], name="one_consolidated_finding_per_element"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consolidation} · {self.element.code}"


class ConsolidationReturn(TimeStampedModel):
    """Staff sent the consolidation back to the lead, with why; kept when it is resubmitted."""

    consolidation = models.ForeignKey(
        Consolidation, on_delete=models.CASCADE, related_name="returns", verbose_name="合议结果"
    )
    reason = models.TextField("退回原因")
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="退回人"
    )
    resubmitted_at = models.DateTimeField("重新提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "合议结果退回记录"
        verbose_name_plural = "合议结果退回记录"
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="consolidation_return_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.consolidation} 退回"
