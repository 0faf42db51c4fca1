"""Reads of schools and the expert pool, already scoped to the asking user."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from schools.models import City, Expert, ExpertAvailability, School, SecondRoundStatus
from schools.permissions import schools_visible_to


def school_list(user, *, filters: dict[str, str]) -> QuerySet[School]:
    """Schools the user may see, filtered by the list page's query parameters."""
    queryset = schools_visible_to(user)
    if filters.get("q"):
        queryset = queryset.filter(name__contains=filters["q"].strip())
    if filters.get("city") in City.values:
        queryset = queryset.filter(city=filters["city"])
    if filters.get("status") in SecondRoundStatus.values:
        queryset = queryset.filter(second_round_status=filters["status"])
    if filters.get("year", "").isdigit():
        queryset = queryset.filter(annex2_year=int(filters["year"]))
    return queryset.order_by(F("annex2_year").asc(nulls_last=True), "name")


def school_counts() -> dict[str, int]:
    """Province-wide counts for the staff home page, in one query."""
    return School.objects.aggregate(
        total=Count("pk"),
        not_yet=Count("pk", filter=Q(second_round_status=SecondRoundStatus.NOT_YET)),
        evaluated=Count("pk", filter=Q(second_round_status=SecondRoundStatus.EVALUATED)),
        new=Count("pk", filter=Q(is_new=True)),
    )


def expert_pool(
    *,
    kind: str | None = None,
    query: str = "",
    employer: str = "",
    year: int | None = None,
    available: bool | None = None,
    include_inactive: bool = False,
) -> QuerySet[Expert]:
    """The pool, filtered; with ``year`` and ``available``, an expert with no row for that
    year counts as available (ExpertAvailability: no row means available)."""
    queryset = Expert.objects.select_related("school").prefetch_related(
        "conflicts__school", "availability"
    )
    if not include_inactive:
        queryset = queryset.filter(active=True)
    if kind:
        queryset = queryset.filter(kind=kind)
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query) | Q(employer__icontains=query) | Q(title__icontains=query)
        )
    if employer:
        queryset = queryset.filter(employer__icontains=employer)
    if year is not None and available is not None:
        unavailable = ExpertAvailability.objects.filter(year=year, available=False).values(
            "expert_id"
        )
        queryset = (
            queryset.exclude(pk__in=unavailable)
            if available
            else queryset.filter(pk__in=unavailable)
        )
    return queryset
