"""The disclosure column (专栏, R18): policy documents and notices staff publish.

Schools' materials and verdicts are disclosed from the workflow's own rows (``review``); this
app holds only what the column publishes by itself.
"""

import hashlib

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from zhengai.models import TimeStampedModel


class DocumentKind(models.TextChoices):
    POLICY = "policy", "政策文件"
    NOTICE = "notice", "通知公告"


class ColumnDocument(TimeStampedModel):
    """A policy document or a notice of the column; public only while published."""

    kind = models.CharField("类别", max_length=10, choices=DocumentKind.choices)
    slug = models.SlugField("网址名", max_length=80, unique=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    # The document as an official paper gives it; blank/None where the text does not say.
    issuer = models.CharField("发文机关", max_length=100, blank=True)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    issued_on = models.DateField("成文日期", null=True, blank=True)
    issued_note = models.CharField("成文日期说明", max_length=300, blank=True)
    # The shipped file the published text was corrected from, byte for byte (downloadable
    # with its SHA-256), and the list of corrections shown under the text.
    original_name = models.CharField("原件文件名", max_length=200, blank=True)
    original_text = models.TextField("原件全文", blank=True)
    corrections = models.JSONField("校正说明", default=list, blank=True)
    # The plan itself comes first (R18); then newest first.
    pinned = models.BooleanField("置顶", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "专栏文件"
        verbose_name_plural = "专栏文件"
        ordering = ["-pinned", "-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def original_sha256(self) -> str:
        return hashlib.sha256(self.original_text.encode("utf-8")).hexdigest()

    @property
    def original_size(self) -> int:
        return len(self.original_text.encode("utf-8"))
