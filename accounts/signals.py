"""Remember each login's session key, so it can be ended later (password change, deactivation)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.models import UserSession


@receiver(user_logged_in, dispatch_uid="accounts.record_session")
def record_session(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})
