"""Housekeeping tasks that beat schedules."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from zhengai.tasks import clear_expired_sessions

pytestmark = pytest.mark.django_db


def test_clear_expired_sessions_deletes_only_expired_and_is_safe_twice():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + timedelta(1))
    clear_expired_sessions.apply()
    clear_expired_sessions.apply()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


def test_beat_schedules_the_housekeeping_task():
    from zhengai.celery import app

    app.loader.import_default_modules()
    task = settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]["task"]
    assert task in app.tasks
