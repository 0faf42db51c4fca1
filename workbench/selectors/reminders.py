"""Who is behind on a step, and who would receive a reminder about it (fixed query counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef
from django.urls import reverse

from review import selectors as review_selectors
from review.models import Recheck, Rectification, SelfDiagnosis, VerdictRecord
from review.services.rules import rules_deadline
from schools.models import School, SchoolUserObjectPermission
from schools.permissions import ACT_FOR_SCHOOL_CODENAME
from workbench.models import ReminderStep
from workbench.selectors.province import current_cycle


@dataclass
class Behind:
    """A school behind on a step: by when it was due, and the page where it is done."""

    school: School
    due: date | None
    url: str
    people: list = field(default_factory=list)


def behind_on(step: str, *, today: date, city: str = "") -> list[Behind]:
    """The schools behind on ``step`` (optionally in one city), by name."""
    schools = School.objects.only("pk", "name", "city").order_by("name")
    if city:
        schools = schools.filter(city=city)
    rows: list[Behind] = []
    year = today.year
    if step == ReminderStep.REPORT:
        done = SelfDiagnosis.objects.filter(year=year).exclude(
            status__in=review_selectors.UNSUBMITTED_STATES
        )
        cycle = current_cycle(today)
        due = cycle.self_diagnosis_due if cycle else None
        url = reverse("review:index")
        rows = [Behind(s, due, url) for s in schools.exclude(pk__in=done.values("school_id"))]
    elif step == ReminderStep.RULES:
        url = reverse("review:index")
        rows = [
            Behind(s, rules_deadline(year), url)
            for s in schools.exclude(pk__in=review_selectors.rules_filed(year=year))
        ]
    elif step in (ReminderStep.PUBLISH, ReminderStep.SUBMIT):
        cycle = current_cycle(today)
        done_field = (
            "materials_published_at" if step == ReminderStep.PUBLISH else "materials_submitted_at"
        )
        rechecks = (
            Recheck.objects.filter(cycle=cycle, start_date__isnull=False, **{done_field: None})
            .filter(~Exists(VerdictRecord.objects.filter(recheck=OuterRef("pk"))))
            .filter(school__in=schools)
            .select_related("school")
            .order_by("school__name")
        )
        for r in rechecks:
            due = r.deadlines.publish_by if step == ReminderStep.PUBLISH else r.deadlines.submit_by
            rows.append(Behind(r.school, due, reverse("review:recheck", args=[r.pk])))
    elif step == ReminderStep.RECTIFICATION:
        wanted = review_selectors.follow_up("rectification", today=today)
        plans = {
            school_id: verdict_id
            for school_id, verdict_id in Rectification.objects.filter(
                completed_at__isnull=True, verdict__school_id__in=list(wanted)
            ).values_list("verdict__school_id", "verdict_id")
        }
        rows = [
            Behind(s, wanted[s.pk], reverse("review:rectification", args=[plans[s.pk]]))
            for s in schools.filter(pk__in=list(wanted))
            if s.pk in plans
        ]
    return rows


def with_people(rows: list[Behind]) -> list[Behind]:
    """Fill in who acts for each school (active accounts): one query."""
    by_school: dict[int, list] = {}
    links = SchoolUserObjectPermission.objects.filter(
        permission__codename=ACT_FOR_SCHOOL_CODENAME,
        user__is_active=True,
        content_object_id__in=[row.school.pk for row in rows],
    ).select_related("user")
    for link in links.order_by("user__username"):
        by_school.setdefault(link.content_object_id, []).append(link.user)
    for row in rows:
        row.people = by_school.get(row.school.pk, [])
    return rows
