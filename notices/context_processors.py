"""The unread count in the header, only for people who are logged in (kept between
requests: ``notices.selectors.unread_count``)."""

from notices.selectors import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_notices": unread_count(user.pk)}
