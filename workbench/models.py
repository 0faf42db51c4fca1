"""The workbench's own data: the log of reminders staff sent by hand.

One batch per confirmed reminder (its token makes a double submit a no-op), one row per
person it went to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from schools.models import School
from zhengai.models import TimeStampedModel


class ReminderStep(models.TextChoices):
    """The steps a school can be behind on, for which staff send a reminder by hand."""

    RULES = "rules", "实施细则备案"
    REPORT = "report", "自我诊断与改进报告"
    PUBLISH = "publish", "复核材料公示"
    SUBMIT = "submit", "复核材料报送"
    RECTIFICATION = "rectification", "整改完成"


class ReminderBatch(TimeStampedModel):
    """One reminder sent by hand: who sent it, when, about which step."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    step = models.CharField("事项", max_length=20, choices=ReminderStep.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发送人"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    schools = models.PositiveIntegerField("学校数", default=0)
    recipients = models.PositiveIntegerField("收件人数", default=0)

    class Meta:
        verbose_name = "人工催办提醒"
        verbose_name_plural = "人工催办提醒"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_step_display()}（{self.created:%Y-%m-%d}）"


class ReminderRecipient(models.Model):
    """One person a reminder went to, for one school."""

    batch = models.ForeignKey(ReminderBatch, on_delete=models.CASCADE, related_name="sent_to")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "提醒收件人"
        verbose_name_plural = "提醒收件人"
        constraints = [
            models.UniqueConstraint(fields=["batch", "user", "school"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} → {self.user}（{self.school}）"
