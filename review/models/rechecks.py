"""Cycles and re-checks (R7–R10, R19): dates, panels and the school's materials."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from indicators.models import IndicatorSystem, in_force_system_id
from review.models.self_diagnosis import DocumentKind
from review.services.deadlines import (
    RecheckDeadlines,
    cycle_self_diagnosis_due,
    recheck_deadlines,
)
from review.services.verdict import MeasuresRating
from schools.models import Expert, School
from zhengai.models import TimeStampedModel

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


class WithdrawalDecision(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意撤下"
    REFUSED = "refused", "未同意"


class MaterialWithdrawalRequest(TimeStampedModel):
    """A school asks staff to take one of its published files down; staff approve or refuse."""

    material = models.ForeignKey(
        Material, on_delete=models.CASCADE, related_name="withdrawal_requests", verbose_name="材料"
    )
    reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    decision = models.CharField(
        "审核结果",
        max_length=10,
        choices=WithdrawalDecision.choices,
        default=WithdrawalDecision.PENDING,
    )
    decision_reason = models.TextField("审核意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "材料撤下申请"
        verbose_name_plural = "材料撤下申请"
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="withdrawal_request_has_reason"),
            # One open request per file: a second click finds the first.
            models.UniqueConstraint(
                fields=["material"],
                condition=Q(decision="pending"),
                name="one_open_withdrawal_request_per_material",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.material} 撤下申请"
