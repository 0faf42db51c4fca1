"""Appeals against a published verdict: filed by the school within 30 days on stated grounds.

The expert committee recommends, provincial staff decide: the verdict stands, or it is
corrected through the correction record (a new verdict pointing at the old one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from review.models.self_diagnosis import DocumentKind
from review.models.verdicts import VerdictRecord
from schools.models import School
from zhengai.models import TimeStampedModel


class AppealGround(models.TextChoices):
    """The grounds a school may appeal on: how the verdict was reached, not a second opinion."""

    PROCEDURE = "procedure", "复核程序不符合规定（如专家回避、时间安排）"
    FACTS = "facts", "结论所依据的事实有误，且事实核对中未予纠正"
    RULE = "rule", "结论与相符项数、改进措施评价的对应规则不一致"
    NEW_EVIDENCE = "new_evidence", "有复核时已存在、但未被采纳的材料"


class Recommendation(models.TextChoices):
    UPHOLD = "uphold", "建议维持原结论"
    CORRECT = "correct", "建议更正结论"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "维持原结论"
    CORRECTED = "corrected", "结论已更正"


def _appeal_upload_to(instance, filename: str) -> str:
    return f"appeals/{instance.school_id}/{instance.token}.{instance.content_kind}"


class Appeal(TimeStampedModel):
    """One appeal against one verdict in force, and what came of it."""

    verdict = models.ForeignKey(
        VerdictRecord, on_delete=models.PROTECT, related_name="appeals", verbose_name="复核结论"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="appeals")
    statement = models.TextField("申诉理由")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A private document (never shown in the column).
    document = models.FileField(upload_to=_appeal_upload_to, max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_kind = models.CharField(max_length=10, choices=DocumentKind.choices, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recommendation = models.CharField(
        "专家委员会建议", max_length=10, choices=Recommendation.choices, blank=True
    )
    recommendation_reason = models.TextField("建议理由", blank=True)
    recommended_at = models.DateTimeField("建议时间", null=True, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField("处理结果", max_length=10, choices=AppealOutcome.choices, blank=True)
    decision_reason = models.TextField("处理理由", blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correction = models.OneToOneField(
        VerdictRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correcting_appeal",
        verbose_name="更正记录",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=~Q(statement=""), name="appeal_has_statement"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(decided_at__isnull=False),
                name="appeal_outcome_is_dated",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="corrected") | Q(correction__isnull=False),
                name="corrected_appeal_has_correction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} 申诉（{self.created:%Y-%m-%d}）"


class AppealClaim(models.Model):
    """One ground of one appeal; a school appeals a re-check's verdict on each ground once."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="claims")
    # The first published verdict of the re-check (or of the not-diagnosed record): the same
    # ground cannot be raised again against its correction either.
    original = models.ForeignKey(VerdictRecord, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField("申诉事由", max_length=20, choices=AppealGround.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["original", "ground"], name="one_appeal_per_ground"),
        ]

    def __str__(self) -> str:
        return self.get_ground_display()
