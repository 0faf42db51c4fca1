"""Notices for what the workflow announces (``review/events.py``): the subscriber side."""

from __future__ import annotations

from django.dispatch import receiver

from notices.services.scan import sanction_dues, write_notices
from review import events


@receiver(events.sanction_opened)
def sanction_opened(sender, *, sanction, **kwargs) -> None:
    """Tell the school and staff the day a sanction opens (the scan's key: never twice)."""
    write_notices(sanction_dues(sanction, sanction.opened_on))
