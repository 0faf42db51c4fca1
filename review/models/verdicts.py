"""Verdicts and what follows them (R11, R14–R17).

Verdict records, rectification and evidence, re-applications, not-diagnosed proposals,
sanctions and their yearly entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from indicators.models import Element
from review.models.rechecks import Cycle, Recheck, _late
from review.models.self_diagnosis import DocumentKind
from review.services.verdict import MeasuresRating, Verdict, improvement_period_end
from schools.models import School
from zhengai.models import TimeStampedModel


def _verdict_pdf_upload_to(instance, filename: str) -> str:
    return f"verdicts/{instance.school_id}/{instance.pk}-{instance.pdf_sha256[:16]}.pdf"


class VerdictRecord(TimeStampedModel):
    """A published verdict. Never changed: a correction is a new record pointing at it."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="verdicts", verbose_name="学校"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="verdicts")
    # Null for R15: a school that did not carry out its self-diagnosis was never re-checked.
    recheck = models.ForeignKey(
        Recheck, on_delete=models.PROTECT, null=True, blank=True, related_name="verdicts"
    )
    verdict = models.CharField("复核结论", max_length=20, choices=Verdict.choices)
    matched = models.PositiveSmallIntegerField("相符项数", null=True, blank=True)
    measures_rating = models.CharField(
        "改进措施评价", max_length=10, choices=MeasuresRating.choices, blank=True
    )
    diagnosed_on_time = models.BooleanField("按时开展诊改", default=True)
    report = models.TextField("复核报告", blank=True)
    # The element-by-element comparison as published: the school's text and the finding.
    comparison = models.JSONField("逐项对照", default=list, blank=True)
    published_at = models.DateTimeField("发布时间")
    # R17: where the verdict stands in the school's history. A correction takes the place of
    # the verdict it corrects (this is copied from it), not the place of its publication date.
    ranks_at = models.DateTimeField("结论次序")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    correction_reason = models.TextField("更正原因", blank=True)
    # The 复核结论与复核报告 PDF, rendered once after publication and served as this file
    # (review/services/verdict_document.py); empty only until that render has run.
    pdf = models.FileField(
        "复核结论与复核报告（PDF）", upload_to=_verdict_pdf_upload_to, max_length=200, blank=True
    )
    pdf_sha256 = models.CharField("PDF 的 SHA-256", max_length=64, blank=True)
    pdf_filename = models.CharField("PDF 下载文件名", max_length=200, blank=True)

    class Meta:
        verbose_name = "复核结论"
        verbose_name_plural = "复核结论"
        ordering = ["ranks_at", "pk"]
        indexes = [
            models.Index(fields=["-published_at"], name="verdict_published"),
            models.Index(fields=["school", "ranks_at"], name="verdict_school_rank"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(matched__isnull=True) | Q(matched__lte=15), name="matched_at_most_15"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                name="correction_has_reason",
            ),
            # R15: 异常 for not diagnosing in time is recorded once per school and cycle
            # (a correction of it is a new record pointing at it, so it is left out here).
            models.UniqueConstraint(
                fields=["school", "cycle"],
                condition=Q(diagnosed_on_time=False, corrects__isnull=True),
                name="one_not_diagnosed_verdict_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_verdict_display()}（{self.published_at:%Y-%m-%d}）"

    @property
    def improvement_end(self):
        """R16: one year after a 待改进 or 异常."""
        if self.verdict == Verdict.EFFECTIVE:
            return None
        from django.utils import timezone

        return improvement_period_end(timezone.localdate(self.published_at))


class SanctionMeasure(models.TextChoices):
    """R17: the three restrictions, recorded for each affected year."""

    ENROLLMENT_CUT = "enrollment_cut", "每年按 10% 的比例削减招生计划"
    NEW_MAJORS = "new_majors", "暂停备案新专业"
    REFORM_PROJECTS = "reform_projects", "限制教育教学改革项目申报"


class Sanction(TimeStampedModel):
    """R17: opened by 异常 or a second 待改进 in a row; closed by the next 有效."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sanctions")
    opened_by = models.ForeignKey(VerdictRecord, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField("开始日期")
    closed_by = models.ForeignKey(
        VerdictRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField("解除日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "限制措施"
        verbose_name_plural = "限制措施台账"
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(closed_on__isnull=True), name="one_open_sanction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} 限制措施（{self.opened_on:%Y-%m-%d} 起）"


class SanctionEntry(TimeStampedModel):
    """One measure for one year of a sanction: the ledger's line."""

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="entries")
    year = models.PositiveSmallIntegerField("年度")
    measure = models.CharField("措施", max_length=20, choices=SanctionMeasure.choices)

    class Meta:
        verbose_name = "限制措施年度记录"
        verbose_name_plural = "限制措施年度记录"
        ordering = ["year", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["sanction", "year", "measure"], name="one_entry_per_year_and_measure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sanction.school} {self.year} 年：{self.get_measure_display()}"


class Rectification(TimeStampedModel):
    """R11: the school's rectification plan after a re-check report, due one year after it."""

    verdict = models.OneToOneField(
        VerdictRecord, on_delete=models.PROTECT, related_name="rectification"
    )
    due = models.DateField("整改完成期限")
    completed_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "整改方案"
        verbose_name_plural = "整改方案"

    def __str__(self) -> str:
        return f"{self.verdict.school} 整改方案"

    @property
    def completed_late(self) -> bool:
        """R11: completed after the due day (by the date in Fujian): recorded, not hidden."""
        return _late(self.completed_at, self.due)


class RectificationItem(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="items")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    plan = models.TextField("整改措施", blank=True)
    progress = models.TextField("整改进展", blank=True)
    modified = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["modified"])

    class Meta:
        ordering = ["element__project__position", "element__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rectification", "element"], name="one_rectification_item_per_element"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rectification} · {self.element.code}"


def _evidence_upload_to(instance, filename: str) -> str:
    return f"evidence/{instance.item.rectification_id}/{instance.token}.{instance.content_kind}"


class Evidence(TimeStampedModel):
    """A file the school attaches to a rectification item as proof of progress."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="evidence")
    document = models.FileField(upload_to=_evidence_upload_to, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    original_name = models.CharField("原文件名", max_length=200)
    content_kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return self.original_name


class Reapplication(TimeStampedModel):
    """R16: after the improvement period, the school applies for a new re-check."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="reapplications")
    after = models.ForeignKey(
        VerdictRecord, on_delete=models.PROTECT, related_name="reapplications"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("申请说明", blank=True)
    recheck = models.OneToOneField(
        Recheck, on_delete=models.SET_NULL, null=True, blank=True, related_name="reapplication"
    )

    class Meta:
        verbose_name = "重新复核申请"
        verbose_name_plural = "重新复核申请"
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["after"], name="one_reapplication_per_verdict"),
        ]

    def __str__(self) -> str:
        return f"{self.school} 重新复核申请"


class NotDiagnosedProposal(TimeStampedModel):
    """R15: the daily scan proposes 异常 for a school with no self-diagnosis by the cycle's end;
    staff confirm it (publishing the verdict) or dismiss it with a reason."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="r15_proposals")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="r15_proposals")
    record = models.OneToOneField(
        VerdictRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "拟认定“异常”"
        verbose_name_plural = "拟认定“异常”"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school"], name="one_r15_proposal"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.cycle}（R15）"
