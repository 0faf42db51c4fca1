"""Notices: one row per (recipient, kind, subject, due date, stage) — the key that makes the
daily scan and its e-mails idempotent (R8, R10, R11, R15–R17, R20).

Why an app of its own: the inbox, the e-mail delivery and the log are the same machinery for
every deadline the workflow has; the workflow (``review``) only says what is due.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class NoticeKind(models.TextChoices):
    RULES_DUE = "rules_due", "实施细则备案"
    SELF_DIAGNOSIS_DUE = "self_diagnosis_due", "周期内自主诊改"
    NOT_DIAGNOSED = "not_diagnosed", "未按时开展诊改，拟认定“异常”"
    MATERIALS_PUBLISH = "materials_publish", "复核材料公示"
    MATERIALS_SUBMIT = "materials_submit", "复核材料报送"
    FINDINGS_DUE = "findings_due", "专家评议"
    RECTIFICATION_DUE = "rectification_due", "整改完成"
    IMPROVEMENT_END = "improvement_end", "改进期满，申请重新复核"
    SANCTION_OPENED = "sanction_opened", "限制措施"
    SANCTION_YEAR = "sanction_year", "限制措施年度执行"
    CONDITIONS_CARD = "conditions_card", "办学条件黄牌/红牌"
    CONDITIONS_TREND = "conditions_trend", "办学条件指标连续下降"
    MANUAL_REMINDER = "manual_reminder", "催办提醒"
    # Workflow events: someone must act, or is told an outcome (notices/services/events.py).
    EXPERT_ASSIGNED = "expert_assigned", "受邀参加复核"
    EXPERT_REMOVED = "expert_removed", "退出复核专家组"
    EXPERT_LEAD = "expert_lead", "担任专家组组长"
    MATERIALS_PUBLISHED = "materials_published", "学校已公示复核材料"
    MATERIALS_SUBMITTED = "materials_submitted", "学校已报送复核材料"
    FINDINGS_SUBMITTED = "findings_submitted", "专家已提交评议"
    CONSOLIDATION_SUBMITTED = "consolidation_submitted", "专家组已提交合议结果"
    CONSOLIDATION_RETURNED = "consolidation_returned", "合议结果被退回"
    VERDICT_PUBLISHED = "verdict_published", "复核结论已发布"
    VERDICT_CORRECTED = "verdict_corrected", "复核结论已更正"
    RECTIFICATION_REPORTED = "rectification_reported", "学校已报告整改完成"
    MATERIAL_WITHDRAWN = "material_withdrawn", "公示材料被撤下"
    REPORT_REOPENED = "report_reopened", "自我诊断报告被退回"
    SANCTION_LIFTED = "sanction_lifted", "限制措施解除"
    # The school's factual check of the draft verdict, and appeals (notices/services/fair.py).
    FACTUAL_CHECK_OPENED = "factual_check_opened", "复核结论草稿待学校核对"
    FACTUAL_CHECK_CLOSING = "factual_check_closing", "结论草稿核对即将截止"
    FACTUAL_CHECK_CLOSED = "factual_check_closed", "结论草稿核对期已结束"
    FACTUAL_POINTS_SUBMITTED = "factual_points_submitted", "学校提出事实核对意见"
    FACTUAL_POINTS_ANSWERED = "factual_points_answered", "事实核对完成，可以发布结论"
    APPEAL_FILED = "appeal_filed", "学校提出申诉"
    APPEAL_RECOMMENDED = "appeal_recommended", "专家委员会已提出申诉处理建议"
    APPEAL_DECIDED = "appeal_decided", "申诉处理结果"


class Stage(models.TextChoices):
    """When, relative to the due date, a notice goes out."""

    DAYS_14 = "d14", "提前 14 天"
    DAYS_3 = "d3", "提前 3 天"
    DUE = "due", "当天到期"
    OVERDUE = "overdue", "已逾期"
    EVENT = "event", "事项通知"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    NO_ADDRESS = "no_address", "无邮箱"


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("类型", max_length=30, choices=NoticeKind.choices)
    subject = models.CharField("事项", max_length=60)  # e.g. "recheck:12", "school:3:2026"
    due_date = models.DateField("期限")
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    url = models.CharField("办理页面", max_length=200)
    created = models.DateTimeField("生成时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    email_status = models.CharField(
        "邮件", max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.TextField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The outbox's lease: when a sender last claimed the e-mail. A row 发送中 past the lease
    # belongs to a sender that died; the beat task sends it again.
    email_claimed_at = models.DateTimeField("邮件领取时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created", "-pk"]
        constraints = [
            # Never repeat: a second scan, a second worker or a retried task cannot add a row.
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject", "due_date", "stage"],
                name="one_notice_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="unread"),
            models.Index(fields=["email_status"], name="notice_email_status"),
        ]

    def __str__(self) -> str:
        return self.title
