"""Housekeeping jobs that beat runs."""

from celery import shared_task
from django.core import management


@shared_task(name="zhengai.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete expired sessions; safe to run twice (it only deletes what has expired)."""
    management.call_command("clearsessions")
