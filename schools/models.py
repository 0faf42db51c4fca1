"""Schools, people and the expert pool.

A person's role is their one role group (``schools.roles``); their scope is object
permissions through django-guardian (school staff on their school), asked only in
``schools.permissions``.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from zhengai.models import TimeStampedModel


class User(AbstractUser):
    """A portal account; ``display_name`` is how a Chinese name is written, in one field."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    # 学校联络人: may invite and deactivate colleagues of their own school.
    is_school_contact = models.BooleanField("学校联络人", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class City(models.TextChoices):
    """Fujian's prefecture-level cities (and Pingtan)."""

    FUZHOU = "fuzhou", "福州"
    XIAMEN = "xiamen", "厦门"
    QUANZHOU = "quanzhou", "泉州"
    ZHANGZHOU = "zhangzhou", "漳州"
    PUTIAN = "putian", "莆田"
    SANMING = "sanming", "三明"
    NANPING = "nanping", "南平"
    LONGYAN = "longyan", "龙岩"
    NINGDE = "ningde", "宁德"
    PINGTAN = "pingtan", "平潭"


class Ownership(models.TextChoices):
    PUBLIC = "public", "公办"
    PRIVATE = "private", "民办"
    UNKNOWN = "unknown", "未登记"


class GuidanceFocus(models.TextChoices):
    """R21: the three focuses of classified guidance (二(三))."""

    # Worded exactly as the policy text writes them.
    DEVELOPMENT = "development", "集聚优势、凝练方向，提高发展能力"
    QUALITY_SYSTEM = (
        "quality_system",
        "保证院校履行办学主体责任，建立和完善学校内部质量保证制度体系",
    )
    BASICS = "basics", "保证学校的基本办学方向、基本办学条件、基本管理规范"


class SecondRoundStatus(models.TextChoices):
    """R6/R7: whether the school has been through the second-round evaluation."""

    NOT_YET = "not_yet", "尚未接受二轮评估"
    EVALUATED = "evaluated", "已接受二轮评估"


class School(TimeStampedModel):
    """A higher vocational college under the policy."""

    name = models.CharField("学校名称", max_length=100, unique=True)
    city = models.CharField("所在地市", max_length=20, choices=City.choices)
    ownership = models.CharField(
        "办学性质", max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN
    )
    guidance_focus = models.CharField(
        "分类指导重点", max_length=20, choices=GuidanceFocus.choices, blank=True
    )
    second_round_status = models.CharField(
        "二轮评估状态",
        max_length=10,
        choices=SecondRoundStatus.choices,
        default=SecondRoundStatus.NOT_YET,
    )
    second_round_year = models.PositiveSmallIntegerField("二轮评估年份", null=True, blank=True)
    annex2_year = models.PositiveSmallIntegerField("附件2计划诊改年份", null=True, blank=True)
    is_new = models.BooleanField("新建院校", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "学校"
        verbose_name_plural = "学校"
        ordering = ["name"]
        permissions = [("act_for_school", "代表本校填报")]
        constraints = [
            models.CheckConstraint(
                condition=Q(annex2_year__isnull=True)
                | Q(annex2_year__gte=2017, annex2_year__lte=2020),
                name="annex2_year_in_plan",
            ),
            models.CheckConstraint(
                condition=Q(second_round_year__isnull=True)
                | Q(second_round_status=SecondRoundStatus.EVALUATED),
                name="second_round_year_only_when_evaluated",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def files_self_diagnosis(self) -> bool:
        """R6: evaluated in the second round before 2020 — file with the department, no re-check."""
        return self.second_round_status == SecondRoundStatus.EVALUATED and (
            self.second_round_year is None or self.second_round_year < 2020
        )


class SchoolUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian table: deleting a school deletes its permission rows."""

    content_object = models.ForeignKey(School, on_delete=models.CASCADE)


class SchoolGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(School, on_delete=models.CASCADE)


class ExpertKind(models.TextChoices):
    """R19: where re-check experts are drawn from."""

    VOCATIONAL_COLLEGE = "vocational_college", "高职院校专家"
    EDUCATION_RESEARCH = "education_research", "教育研究专家"
    INDUSTRY_ENTERPRISE = "industry_enterprise", "行业企业专家"


class Expert(TimeStampedModel):
    """A member of the provincial re-check expert pool (R19)."""

    name = models.CharField("姓名", max_length=50)
    employer = models.CharField("工作单位", max_length=100)
    title = models.CharField("职务/职称", max_length=100, blank=True)
    kind = models.CharField("专家类别", max_length=30, choices=ExpertKind.choices)
    # R19 (assumption): never on the panel of the school they work at.
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employed_experts",
        verbose_name="所在学校",
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert",
        verbose_name="门户账号",
    )
    active = models.BooleanField("在库", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "复核专家"
        verbose_name_plural = "复核专家库"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.employer}）"


class ConflictKind(models.TextChoices):
    """R19: ties that keep an expert off a school's panel."""

    COACHED = "coached", "诊改辅导"
    LECTURED = "lectured", "讲座"
    WORKED = "worked", "任职"
    OTHER = "other", "其他"


class ExpertConflict(TimeStampedModel):
    """A tie an expert declared with a school; any declared tie keeps them off its panel."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="conflicts", verbose_name="专家"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="expert_conflicts", verbose_name="学校"
    )
    kind = models.CharField("关系", max_length=10, choices=ConflictKind.choices)
    started_on = models.DateField("开始日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "专家利益冲突"
        verbose_name_plural = "专家利益冲突"
        ordering = ["expert", "school"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(started_on__lte=models.F("ended_on")),
                name="conflict_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} · {self.school.name}（{self.get_kind_display()}）"


class ExpertAvailability(models.Model):
    """Whether an expert can take re-checks in a year; no row means available."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="availability", verbose_name="专家"
    )
    year = models.PositiveSmallIntegerField("年度")
    available = models.BooleanField("可参加复核", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "专家年度可用情况"
        verbose_name_plural = "专家年度可用情况"
        ordering = ["expert", "year"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "year"], name="one_availability_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} {self.year} 年：{'可参加' if self.available else '不可参加'}"
