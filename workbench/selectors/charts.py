"""The charts' numbers: verdicts per cycle and the element heatmap (fixed query counts)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from indicators.models import Element, IndicatorSystem
from review.models import ConsolidatedFinding, VerdictRecord
from review.selectors import verdicts_in_force
from zhengai import stampcache


def cached(name: str, compute):
    """``compute()``, kept until a published verdict, its findings, a school or the elements
    in force change (``workbench.signals``: the ``heat`` stamp, moved at commit)."""
    return stampcache.cached(f"heat:{name}", compute, stamps=(stampcache.HEAT,))


def verdicts_per_cycle() -> list[tuple[str, dict[str, int]]]:
    """Cycle (its years) → verdicts in force by kind, oldest cycle first (one query)."""
    counts: dict[tuple[int, str], Counter] = {}
    for start, end, verdict in verdicts_in_force().values_list(
        "cycle__start_year", "cycle__end_year", "verdict"
    ):
        counts.setdefault((start, f"{start}—{end}"), Counter())[verdict] += 1
    return [(name, dict(c)) for (_, name), c in sorted(counts.items())]


def elements_in_force() -> list[tuple[str, str]]:
    """(code, name) of the 15 elements of the version in force."""
    system = IndicatorSystem.objects.filter(in_force=True).first()
    rows = Element.objects.filter(project__system=system) if system else Element.objects.none()
    return list(rows.order_by("project__position", "position").values_list("code", "name"))


def _latest_rechecked() -> QuerySet[VerdictRecord]:
    """Each school's latest verdict in force that came from a re-check (one row per school)."""
    later = VerdictRecord.objects.filter(
        school=OuterRef("school"), corrected_by__isnull=True, recheck__isnull=False
    ).filter(
        Q(ranks_at__gt=OuterRef("ranks_at"))
        | Q(ranks_at=OuterRef("ranks_at"), pk__gt=OuterRef("pk"))
    )
    return VerdictRecord.objects.filter(corrected_by__isnull=True, recheck__isnull=False).filter(
        ~Exists(later)
    )


def _findings(latest: QuerySet[VerdictRecord]) -> QuerySet[ConsolidatedFinding]:
    return ConsolidatedFinding.objects.filter(
        consolidation__recheck_id__in=latest.values("recheck_id")
    )


def element_results() -> tuple[list[tuple[int, str]], dict[int, dict]]:
    """Each school's latest published re-check: element code → consistent (相符) or not.

    Returns the schools (id, name) by name, and their results: two queries whatever the
    number of schools (cached until a verdict is published or a school changes).
    """
    return cached("results", _element_results)


def _element_results() -> tuple[list[tuple[int, str]], dict[int, dict]]:
    latest = _latest_rechecked()
    by_recheck: dict[int, int] = {}
    schools = []
    for school_id, recheck_id, name in latest.values_list(
        "school_id", "recheck_id", "school__name"
    ).order_by("school__name"):
        by_recheck[recheck_id] = school_id
        schools.append((school_id, name))
    results: dict[int, dict] = {}
    for recheck_id, code, consistent in _findings(latest).values_list(
        "consolidation__recheck_id", "element__code", "consistent"
    ):
        results.setdefault(by_recheck[recheck_id], {})[code] = consistent
    return schools, results


def element_shares() -> dict[str, tuple[int, int]]:
    """Element code → (schools judged, schools found not consistent), province-wide."""
    return cached("shares", _element_shares)


def _element_shares() -> dict[str, tuple[int, int]]:
    rows = (
        _findings(_latest_rechecked())
        .values("element__code")
        .annotate(
            checked=Count("pk", filter=Q(consistent__isnull=False)),
            failures=Count("pk", filter=Q(consistent=False)),
        )
        .values_list("element__code", "checked", "failures")
    )
    return {code: (checked, failures) for code, checked, failures in rows}


def own_results(school) -> dict[str, bool | None]:
    """The school's own latest published re-check, element by element (one query)."""
    return dict(
        _findings(_latest_rechecked().filter(school=school)).values_list(
            "element__code", "consistent"
        )
    )
