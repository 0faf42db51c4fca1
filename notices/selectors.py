"""Reads of notices for other pages (the school's story)."""

from __future__ import annotations

from django.db.models import Count, Min

from notices.models import Notice
from schools.models import SchoolUserObjectPermission
from schools.permissions import ACT_FOR_SCHOOL_CODENAME


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
