"""The unread count in the header: one query, only for people who are logged in."""


def unread(request):
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_notices": user.notices.filter(read_at__isnull=True).count()}
