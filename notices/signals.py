"""Move the notices stamp (``notices.selectors.STAMP``: the header's unread counts) when a
notice is saved or deleted, or written in bulk (``outbox.notices_written``). The read marks,
set with ``QuerySet.update``, move it in the views that set them."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from notices.selectors import STAMP
from zhengai import stampcache


def _changed(sender=None, using=None, **kwargs) -> None:
    stampcache.changed(STAMP, using=using)


def connect() -> None:
    from notices.models import Notice
    from notices.services.outbox import notices_written

    post_save.connect(_changed, sender=Notice, dispatch_uid="unread-notice")
    post_delete.connect(_changed, sender=Notice, dispatch_uid="unread-notice-del")
    notices_written.connect(_changed, dispatch_uid="unread-written")
