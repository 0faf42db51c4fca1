"""Self-diagnosis (R2–R6) and implementation rules (R20).

Reports, their element entries, school points, panel members, edit conflicts, reopenings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from indicators.models import Element, IndicatorSystem
from review.services.rules import files_instead_of_submitting
from schools.models import School
from zhengai.models import TimeStampedModel


class ReportStatus(models.TextChoices):
    """A self-diagnosis's state; "not started" is having no row at all."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    FILED = "filed", "已备案"


class DocumentKind(models.TextChoices):
    """What an uploaded file really is, judged by its content, not its name."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "Word（.docx）"
    DOC = "doc", "Word（.doc）"
    XLSX = "xlsx", "Excel（.xlsx）"
    XLS = "xls", "Excel（.xls）"


def _implementation_rules_upload_to(instance, filename: str) -> str:
    return f"implementation-rules/{instance.school_id}/{instance.token}.{instance.kind}"


class ImplementationRules(TimeStampedModel):
    """实施细则: a school's own rules for 诊改, filed by 30 May each year (R20)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="implementation_rules", verbose_name="学校"
    )
    year = models.PositiveSmallIntegerField("年度")
    document = models.FileField("文件", upload_to=_implementation_rules_upload_to, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10, choices=DocumentKind.choices)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "实施细则"
        verbose_name_plural = "实施细则"
        ordering = ["-year", "-created"]
        indexes = [models.Index(fields=["school", "year"])]

    def __str__(self) -> str:
        return f"{self.school} {self.year} 年实施细则"


def _report_pdf_upload_to(instance, filename: str) -> str:
    return f"self-diagnosis/{instance.school_id}/{instance.pk}-{instance.year}.pdf"


class SelfDiagnosis(TimeStampedModel):
    """A school's self-diagnosis report for one year, in the 附件3 shape (R5)."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="self_diagnoses", verbose_name="学校"
    )
    year = models.PositiveSmallIntegerField("年度")
    # R1: the version in force when the report was opened; a newer version never rewrites it.
    system = models.ForeignKey(
        IndicatorSystem, on_delete=models.PROTECT, related_name="+", verbose_name="指标体系版本"
    )
    status = models.CharField(
        "状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    overview = models.TextField("自我诊改工作概述", blank=True)
    # Bumped on every save of the overview: the optimistic lock against silent overwrites.
    revision = models.PositiveIntegerField("概述版本", default=0)
    principal_name = models.CharField("校长（签字）", max_length=50, blank=True)
    signed_on = models.DateField("签字日期", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    # The locked snapshot taken at submission: what the PDF and every later reader show.
    snapshot = models.JSONField("提交快照", null=True, blank=True, editable=False)
    # The snapshot's PDF, rendered once when first needed (e.g. as re-check material 2) and
    # kept with its SHA-256 so every copy is the same bytes; cleared when staff reopen.
    pdf = models.FileField(
        "提交版 PDF", upload_to=_report_pdf_upload_to, max_length=200, blank=True, editable=False
    )
    pdf_sha256 = models.CharField("提交版 PDF 的 SHA-256", max_length=64, blank=True)
    history = HistoricalRecords(excluded_fields=["snapshot", "modified", "pdf", "pdf_sha256"])

    class Meta:
        verbose_name = "自我诊断与改进报告"
        verbose_name_plural = "自我诊断与改进报告"
        ordering = ["-year", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="one_self_diagnosis_per_year"),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT)
                | (~Q(principal_name="") & Q(signed_on__isnull=False) & Q(snapshot__isnull=False)),
                name="submitted_report_is_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year} 年自我诊断与改进报告"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_filing(self) -> bool:
        """R6: filed (备案) rather than submitted: an evaluated school's 2017–2020 report."""
        return files_instead_of_submitting(
            evaluated_before_2020=self.school.files_self_diagnosis, year=self.year
        )


class ElementEntry(models.Model):
    """One row of 附件3's table: the school's three texts for one element."""

    self_diagnosis = models.ForeignKey(
        SelfDiagnosis, on_delete=models.CASCADE, related_name="entries", verbose_name="报告"
    )
    element = models.ForeignKey(
        Element, on_delete=models.PROTECT, related_name="+", verbose_name="诊断要素"
    )
    opinion = models.TextField("自我诊断意见", blank=True)
    measures = models.TextField("改进措施", blank=True)
    effects = models.TextField("改进成效", blank=True)
    revision = models.PositiveIntegerField("版本", default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    modified = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["modified"])

    class Meta:
        verbose_name = "诊断要素填报"
        verbose_name_plural = "诊断要素填报"
        constraints = [
            models.UniqueConstraint(
                fields=["self_diagnosis", "element"], name="one_entry_per_element"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.self_diagnosis} · {self.element}"


class SchoolPoint(TimeStampedModel):
    """R2: a point the school adds on top of 附件1 ("补充有利于学校特色发展的诊改内容")."""

    self_diagnosis = models.ForeignKey(
        SelfDiagnosis, on_delete=models.CASCADE, related_name="school_points", verbose_name="报告"
    )
    element = models.ForeignKey(
        Element, on_delete=models.PROTECT, related_name="+", verbose_name="诊断要素"
    )
    name = models.CharField("本校诊断点", max_length=100)
    description = models.TextField("说明", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "本校特色诊断点"
        verbose_name_plural = "本校特色诊断点"
        ordering = ["element_id", "created"]

    def __str__(self) -> str:
        return self.name


class PanelMember(models.Model):
    """R4: one expert of the school's self-diagnosis panel."""

    self_diagnosis = models.ForeignKey(
        SelfDiagnosis, on_delete=models.CASCADE, related_name="panel", verbose_name="报告"
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("姓名", max_length=50)
    employer = models.CharField("工作单位", max_length=100)
    external = models.BooleanField("校外专家", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "自我诊断专家"
        verbose_name_plural = "自我诊断专家组"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_diagnosis", "position"], name="panel_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employer}）"


class EditConflict(TimeStampedModel):
    """A save that arrived on a stale version: the author's text, kept beside the saved one."""

    self_diagnosis = models.ForeignKey(
        SelfDiagnosis, on_delete=models.CASCADE, related_name="conflicts", verbose_name="报告"
    )
    # Null: the conflict is on the overview.
    element = models.ForeignKey(
        Element, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    based_on_revision = models.PositiveIntegerField("所依据的版本")
    saved_revision = models.PositiveIntegerField("已保存的版本")
    texts = models.JSONField("未保存的文字")  # {"opinion": …, "measures": …} or {"overview": …}
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "编辑冲突"
        verbose_name_plural = "编辑冲突"
        ordering = ["created"]


class Reopening(TimeStampedModel):
    """A submitted report reopened by provincial staff, with the reason."""

    self_diagnosis = models.ForeignKey(
        SelfDiagnosis, on_delete=models.CASCADE, related_name="reopenings", verbose_name="报告"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    reason = models.TextField("原因")
    previous_status = models.CharField(max_length=10, choices=ReportStatus.choices)

    class Meta:
        verbose_name = "退回修改记录"
        verbose_name_plural = "退回修改记录"
        ordering = ["-created"]
