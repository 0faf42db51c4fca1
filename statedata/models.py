"""State data: a school's category, its yearly figures (versioned) and what they mean.

A year's figures are kept as versions, never overwritten: each import adds one (who, when,
the SHA-256 of the workbook) and becomes the year's current version. The computed result per
school and year is derived data, rewritten in bulk by ``services.compute``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from schools.models import School
from statedata.services.conditions import CARD_LABELS, CATEGORY_LABELS
from zhengai.models import TimeStampedModel

CATEGORY_CHOICES = [(c.value, label) for c, label in CATEGORY_LABELS.items()]
CARD_CHOICES = [(c.value, label) for c, label in CARD_LABELS.items()]


class StateDataProfile(TimeStampedModel):
    """The school's category under 教发〔2004〕2号 (which table row applies)."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="statedata_profile", verbose_name="学校"
    )
    category = models.CharField("学校类别", max_length=30, choices=CATEGORY_CHOICES)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "状态数据档案"
        verbose_name_plural = "状态数据档案"

    def __str__(self) -> str:
        return f"{self.school} · {self.get_category_display()}"


class FigureSet(TimeStampedModel):
    """A school's state data for one year; its figures are in the current version."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="figure_sets", verbose_name="学校"
    )
    year = models.PositiveSmallIntegerField("年度")
    current = models.ForeignKey(
        "FigureVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="当前版本",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度状态数据"
        verbose_name_plural = "年度状态数据"
        ordering = ["school", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="one_figure_set_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="figure_set_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"


class FigureVersion(models.Model):
    """One import of a year's workbook: the figures, the extra tables, and its provenance."""

    figure_set = models.ForeignKey(
        FigureSet, on_delete=models.CASCADE, related_name="versions", verbose_name="年度状态数据"
    )
    number = models.PositiveIntegerField("版本")
    figures = models.JSONField("基础数据")  # key → number (see conditions.FIGURES)
    tables = models.JSONField("平台数据表", default=dict)  # "3.4" → {"title", "rows"}
    original_name = models.CharField("上传文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("文件大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="上传人"
    )
    created = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "状态数据版本"
        verbose_name_plural = "状态数据版本"
        ordering = ["figure_set", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["figure_set", "number"], name="one_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.figure_set} v{self.number}"


class YearResult(models.Model):
    """What a year's figures mean: every indicator, the card, and the warnings (R23–R25)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="statedata_results", verbose_name="学校"
    )
    year = models.PositiveSmallIntegerField("年度")
    version = models.ForeignKey(
        FigureVersion, on_delete=models.CASCADE, related_name="+", verbose_name="依据版本"
    )
    category = models.CharField("学校类别", max_length=30, choices=CATEGORY_CHOICES)
    standards_version = models.CharField("指标标准版本", max_length=30)
    indicators = models.JSONField("指标值")  # code → number or null
    levels = models.JSONField("判定")  # code → conditions.Level
    card = models.CharField("办学条件", max_length=12, choices=CARD_CHOICES)
    warnings = models.JSONField("预警", default=list)  # [{"kind", "indicator", "text"}]
    # What the result was computed from (tables, category, versions of this and the two
    # years before): an unchanged hash means the row is not recomputed or rewritten.
    inputs_hash = models.CharField("输入摘要", max_length=32, blank=True, default="")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "办学条件判定"
        verbose_name_plural = "办学条件判定"
        ordering = ["school", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="one_result_per_year"),
        ]
        indexes = [models.Index(fields=["year", "card"], name="statedata_year_card")]

    def __str__(self) -> str:
        return f"{self.school} {self.year} {self.get_card_display()}"
