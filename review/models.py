"""The 诊改 workflow. This part: self-diagnosis (R2–R6) and implementation rules (R20)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from indicators.models import Element, IndicatorSystem, in_force_system_id
from review.services.deadlines import (
    RecheckDeadlines,
    cycle_self_diagnosis_due,
    recheck_deadlines,
)
from review.services.verdict import MeasuresRating, Verdict, improvement_period_end
from schools.models import Expert, School
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
    history = HistoricalRecords(excluded_fields=["snapshot", "modified"])

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
        from review.services.rules import files_instead_of_submitting

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


# --- Re-check planning (R7–R10, R19) ------------------------------------------------------


class CycleKind(models.TextChoices):
    ANNEX2 = "annex2", "2017–2020 工作计划（附件2）"
    TRIENNIAL = "triennial", "三年周期（2020 年以后）"


class Cycle(TimeStampedModel):
    """A planning cycle: 附件2's 2017–2020 plan (R7), or a 3-year cycle from 2020 on (R8)."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=CycleKind.choices)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("结束年度")
    selection_closed_at = models.DateTimeField("抽样确认时间", null=True, blank=True)
    # The seed of the last suggested sample, so a suggestion can be reproduced and explained.
    sample_seed = models.BigIntegerField("抽样随机种子", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "诊改周期"
        verbose_name_plural = "诊改周期"
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__lte=models.F("end_year")), name="cycle_years_in_order"
            ),
            # R8: a cycle after 2020 is three years.
            models.CheckConstraint(
                condition=~Q(kind=CycleKind.TRIENNIAL) | Q(end_year=models.F("start_year") + 2),
                name="triennial_cycle_is_three_years",
            ),
            models.UniqueConstraint(fields=["kind", "start_year"], name="one_cycle_per_start"),
            # And on PostgreSQL, three-year cycles never overlap: an exclusion constraint
            # added by migration 0008 (SQLite has none; the service's check stands there).
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    @property
    def self_diagnosis_due(self):
        """R8/R15: the day by which every school's self-diagnosis of the cycle is due."""
        return cycle_self_diagnosis_due(self.end_year)


class Recheck(TimeStampedModel):
    """The province's re-check of one school in one cycle."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="rechecks", verbose_name="周期"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="rechecks", verbose_name="学校"
    )
    planned_year = models.PositiveSmallIntegerField("计划年度")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    # R1: the version in force when the re-check was opened; a newer version never moves it.
    system = models.ForeignKey(
        IndicatorSystem,
        on_delete=models.PROTECT,
        related_name="+",
        default=in_force_system_id,
        verbose_name="指标体系版本",
    )
    start_date = models.DateField("复核开始日期", null=True, blank=True)
    end_date = models.DateField("复核结束日期", null=True, blank=True)
    materials_published_at = models.DateTimeField("材料公示时间", null=True, blank=True)
    materials_submitted_at = models.DateTimeField("材料报送时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "复核"
        verbose_name_plural = "复核"
        ordering = ["start_date", "school__name"]
        indexes = [models.Index(fields=["start_date"], name="recheck_start")]
        permissions = [("review_recheck", "作为复核专家参加该复核")]
        constraints = [
            # R16: a school re-applies after 待改进/异常; each new re-check is the next round.
            models.UniqueConstraint(
                fields=["cycle", "school", "round"], name="one_recheck_per_round"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True, end_date__isnull=True)
                | Q(
                    start_date__isnull=False,
                    end_date__isnull=False,
                    start_date__lte=models.F("end_date"),
                ),
                name="recheck_dates_both_and_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.planned_year} 年复核"

    @property
    def deadlines(self) -> RecheckDeadlines | None:
        return recheck_deadlines(self.start_date) if self.start_date else None

    @property
    def published_late(self) -> bool:
        """R10: published after the publish-by day (by the date in Fujian): recorded, not hidden."""
        return _late(self.materials_published_at, self.deadlines and self.deadlines.publish_by)

    @property
    def submitted_late(self) -> bool:
        return _late(self.materials_submitted_at, self.deadlines and self.deadlines.submit_by)


def _late(done_at, due) -> bool:
    from django.utils import timezone

    return bool(done_at and due and timezone.localdate(done_at) > due)


class RecheckUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian table: deleting a re-check deletes its permission rows."""

    content_object = models.ForeignKey(Recheck, on_delete=models.CASCADE)


class RecheckGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Recheck, on_delete=models.CASCADE)


class RecheckDateChange(TimeStampedModel):
    """Scheduling and every rescheduling of a re-check, with why."""

    recheck = models.ForeignKey(
        Recheck, on_delete=models.CASCADE, related_name="date_changes", verbose_name="复核"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    old_start = models.DateField(null=True, blank=True)
    old_end = models.DateField(null=True, blank=True)
    new_start = models.DateField()
    new_end = models.DateField()
    reason = models.TextField("原因", blank=True)

    class Meta:
        verbose_name = "复核日期变更"
        verbose_name_plural = "复核日期变更"
        ordering = ["-created"]


class PanelAssignment(TimeStampedModel):
    """An expert on a re-check's panel (R19)."""

    recheck = models.ForeignKey(
        Recheck, on_delete=models.CASCADE, related_name="assignments", verbose_name="复核"
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="assignments", verbose_name="专家"
    )
    is_lead = models.BooleanField("组长", default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = models.CharField("指派说明", max_length=300, blank=True)
    # R19: the expert certified no conflict (and no coaching or lectures for the school).
    certified_at = models.DateTimeField("无利益冲突承诺时间", null=True, blank=True)
    # R13: this expert's own rating of the measures; blind to others until submitted.
    measures_rating = models.CharField(
        "改进措施评价", max_length=10, choices=MeasuresRating.choices, blank=True
    )
    measures_reason = models.TextField("评价理由", blank=True)
    findings_submitted_at = models.DateTimeField("评议提交时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "复核专家组成员"
        verbose_name_plural = "复核专家组成员"
        ordering = ["-is_lead", "expert__name"]
        constraints = [
            models.UniqueConstraint(fields=["recheck", "expert"], name="expert_once_per_panel"),
            models.UniqueConstraint(
                fields=["recheck"], condition=Q(is_lead=True), name="one_lead_per_panel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} · {self.recheck}"


class PanelChange(TimeStampedModel):
    """Why staff changed a proposed panel: who was added or removed, by whom."""

    recheck = models.ForeignKey(
        Recheck, on_delete=models.CASCADE, related_name="panel_changes", verbose_name="复核"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)  # added / removed / proposed / lead / declared
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]


class MaterialKind(models.IntegerChoices):
    """R9: the eight materials a school under re-check submits."""

    RULES = 1, "学校《内部质量保证体系诊断与改进工作实施细则》"
    REPORT = 2, "学校《内部质量保证体系自我诊断与改进工作报告》（附件3格式）"
    QUALITY_REPORTS = 3, "近 2 年学校《人才培养质量年度报告》"
    STATE_DATA = 4, "近 2 年学校《人才培养工作状态数据分析报告》"
    ANNUAL_SELF = 5, "近 2 年学校及校内职能部门、院（系）的年度自我诊改报告"
    SATISFACTION = 6, "学校面向在校生及近 3 届毕业生开展的学生满意度调查分析报告"
    PLANS = 7, "学校事业发展规划及其他子规划"
    REGIONAL = 8, "学校所在地区的区域经济社会事业发展规划"


def _material_upload_to(instance, filename: str) -> str:
    return f"materials/{instance.recheck_id}/{instance.token}.{instance.content_kind}"


class Material(TimeStampedModel):
    """One uploaded file of a re-check's materials (R9); a replacement is a new row."""

    recheck = models.ForeignKey(
        Recheck, on_delete=models.CASCADE, related_name="materials", verbose_name="复核"
    )
    kind = models.PositiveSmallIntegerField("材料", choices=MaterialKind.choices)
    document = models.FileField("文件", upload_to=_material_upload_to, max_length=200)
    token = models.CharField(max_length=32, unique=True, editable=False)
    original_name = models.CharField("原文件名", max_length=200)
    content_kind = models.CharField("文件类型", max_length=10, choices=DocumentKind.choices)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    # Public from this moment (the set was published, R10); never before, never a draft.
    disclosed_at = models.DateTimeField("公示时间", null=True, blank=True)
    # Staff may take a disclosed file down, never silently: the reason is shown publicly.
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    withdrawn_reason = models.TextField("撤下原因", blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "复核材料"
        verbose_name_plural = "复核材料"
        ordering = ["kind", "created"]
        # The column's "latest disclosures" reads newest first.
        indexes = [models.Index(fields=["-disclosed_at", "-id"], name="material_disclosed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"


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
        verbose_name = "拟认定“异常”（R15）"
        verbose_name_plural = "拟认定“异常”（R15）"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school"], name="one_r15_proposal"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.cycle}（R15）"
