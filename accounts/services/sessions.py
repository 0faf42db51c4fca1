"""Ending a person's sessions: after a password change (all but the current one) or when
their account is deactivated (all of them)."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from accounts.models import UserSession


def end_sessions(user, *, keep: str | None = None) -> int:
    """Delete every recorded session of ``user`` except ``keep``; returns how many ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    return len(keys)
