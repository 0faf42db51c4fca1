"""Reads of notices for other pages: the header's unread count, the school's story."""

from __future__ import annotations

from django.db.models import Count, Min

from notices.models import Notice
from schools.models import SchoolUserObjectPermission
from schools.permissions import ACT_FOR_SCHOOL_CODENAME
from zhengai import stampcache

# The stamp (``zhengai.stampcache``) of what is read from notices' recipients and read marks:
# moved by a notice saved or deleted, by notices written in bulk (``notices_written``) and by
# the read marks, which are set with ``QuerySet.update`` (``notices.views``).
STAMP = "notices"


def unread_count(user_id: int) -> int:
    """How many of the person's notices are unread (the header shows it on every page):
    counted once, then kept until a notice is written or marked read."""
    return stampcache.cached(
        stampcache.key_of("unread", user_id),
        lambda: Notice.objects.filter(recipient_id=user_id, read_at__isnull=True).count(),
        stamps=(STAMP,),
    )


def sent_to_school(school_id: int) -> list[dict]:
    """Each notice the school's people were sent, once however many colleagues got it.

    One query: grouped by the notice's key (kind, subject, date, stage), with how many people
    received it and when it was first written.
    """
    acting = SchoolUserObjectPermission.objects.filter(
        content_object_id=school_id, permission__codename=ACT_FOR_SCHOOL_CODENAME
    ).values("user_id")
    return list(
        Notice.objects.filter(recipient__in=acting)
        .values("kind", "subject", "due_date", "stage", "title", "url")
        .annotate(people=Count("recipient", distinct=True), sent=Min("created"))
        .order_by("-sent")
    )
