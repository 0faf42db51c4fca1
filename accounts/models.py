"""Invitations, the sessions a person is signed in with, and staged onboarding files."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengai.models import TimeStampedModel


class InvitationEmail(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Invitation(TimeStampedModel):
    """The one-time link a new account gets to set its own password; pending until used."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invitation",
        verbose_name="被邀请人",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="邀请人",
    )
    sent_at = models.DateTimeField("最近发送时间")
    times_sent = models.PositiveSmallIntegerField("发送次数", default=1)
    accepted_at = models.DateTimeField("设置密码时间", null=True, blank=True)
    # The e-mail goes out from a Celery task that first claims the row (pending → sending).
    email_status = models.CharField(
        "邮件状态", max_length=10, choices=InvitationEmail.choices, default=InvitationEmail.PENDING
    )
    email_error = models.CharField("发送失败原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "账号邀请"
        verbose_name_plural = "账号邀请"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.user}（{'已接受' if self.accepted_at else '待设置密码'}）"

    @property
    def pending(self) -> bool:
        return self.accepted_at is None


class UserSession(models.Model):
    """Which session keys belong to whom, so a password change or deactivation can end them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:8]}…"


class StagedImport(TimeStampedModel):
    """An uploaded onboarding file, parsed and kept between preview and confirmation."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    rows = models.JSONField("解析结果", default=dict)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "待确认的导入"
        verbose_name_plural = "待确认的导入"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.sha256[:12]}）"
