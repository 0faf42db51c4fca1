"""The indicator system of 附件1: versions, projects, elements, points, factors (R1).

Every report and re-check points at the version in force when it was opened, so a version's
rows are never rewritten by a newer one: a new version is a new ``IndicatorSystem`` tree.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from zhengai.models import TimeStampedModel


class IndicatorSystem(TimeStampedModel):
    """One version of the indicator system (e.g. 修订版, 试行版)."""

    version = models.SlugField("版本代码", max_length=50, unique=True)
    name = models.CharField("版本名称", max_length=50)
    title = models.CharField("标题", max_length=200)
    in_force = models.BooleanField("现行版本", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标体系版本"
        verbose_name_plural = "指标体系版本"
        ordering = ["-in_force", "version"]
        constraints = [
            # R1: exactly one version is the one in force for new reports.
            models.UniqueConstraint(
                fields=["in_force"],
                condition=Q(in_force=True),
                name="one_indicator_system_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}"


def in_force_system_id() -> int | None:
    """The id of the version in force: what a new report or re-check is tied to (R1)."""
    return IndicatorSystem.objects.filter(in_force=True).values_list("pk", flat=True).first()


class Project(models.Model):
    """诊断项目: one of the 5 top rows of 附件1."""

    system = models.ForeignKey(
        IndicatorSystem, on_delete=models.CASCADE, related_name="projects", verbose_name="版本"
    )
    code = models.CharField("编号", max_length=10)
    name = models.CharField("诊断项目", max_length=100)
    position = models.PositiveSmallIntegerField("顺序")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "诊断项目"
        verbose_name_plural = "诊断项目"
        ordering = ["system", "position"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="project_code_unique"),
            models.UniqueConstraint(fields=["system", "position"], name="project_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Element(models.Model):
    """诊断要素: the unit of the verdict (R12); 15 in the 修订版."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="elements", verbose_name="诊断项目"
    )
    code = models.CharField("编号", max_length=10)
    name = models.CharField("诊断要素", max_length=100)
    # 附件3 spells some names differently (1.2 组织构架 vs 附件1's 组织架构): kept, not fixed.
    report_name = models.CharField("附件3中的写法", max_length=100)
    position = models.PositiveSmallIntegerField("顺序")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "诊断要素"
        verbose_name_plural = "诊断要素"
        ordering = ["project__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="element_code_unique"),
            models.UniqueConstraint(fields=["project", "position"], name="element_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Point(models.Model):
    """诊断点: a third-level row with numbered factors and optional platform refs."""

    element = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="points", verbose_name="诊断要素"
    )
    name = models.CharField("诊断点", max_length=100)
    position = models.PositiveSmallIntegerField("顺序")
    # Table numbers of the national state-data platform; guiding only (附件1 note 2).
    platform_refs = models.JSONField("数据管理平台相应编号", default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "诊断点"
        verbose_name_plural = "诊断点"
        ordering = ["element__project__position", "element__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["element", "position"], name="point_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Factor(models.Model):
    """影响因素: a numbered criterion (①②③…) inside a point."""

    point = models.ForeignKey(
        Point, on_delete=models.CASCADE, related_name="factors", verbose_name="诊断点"
    )
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("影响因素")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "影响因素"
        verbose_name_plural = "影响因素"
        ordering = ["point", "number"]
        constraints = [
            models.UniqueConstraint(fields=["point", "number"], name="factor_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="factor_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.circled}{self.text[:30]}"

    @property
    def circled(self) -> str:
        """The number as 附件1 writes it: ① for 1, ② for 2, …"""
        return chr(0x2460 + self.number - 1) if 1 <= self.number <= 20 else f"({self.number})"
