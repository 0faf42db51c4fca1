"""Move the notices stamp (``notices.selectors.STAMP``: the header's unread counts) when a
notice is saved or deleted, or written in bulk (``outbox.notices_written``). The read marks,
set with ``QuerySet.update``, move it in the views that set them."""

from __future__ import annotations

from notices.selectors import STAMP
from zhengai import stampcache


def connect() -> None:
    from notices.models import Notice
    from notices.services.outbox import notices_written

    stampcache.watch(STAMP, (Notice,), events=(notices_written,), uid="unread")
