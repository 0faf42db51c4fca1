"""The charts' numbers: verdicts per cycle and the element heatmap (fixed query counts)."""

from __future__ import annotations

from collections import Counter

from indicators.models import Element, IndicatorSystem
from review.models import ConsolidatedFinding
from review.selectors import verdicts_in_force


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


def element_results() -> tuple[list[tuple[int, str]], dict[int, dict]]:
    """Each school's latest published re-check: element code → consistent (相符) or not.

    Returns the schools (id, name) by name, and their results. Two queries whatever the
    number of schools: the verdicts in force, and the consolidated findings of published
    re-checks (matched to each school's latest here).
    """
    latest: dict[int, tuple[int, str]] = {}
    for school_id, recheck_id, name in verdicts_in_force(recheck__isnull=False).values_list(
        "school_id", "recheck_id", "school__name"
    ):
        latest[school_id] = (recheck_id, name)
    wanted = {recheck_id: school_id for school_id, (recheck_id, _) in latest.items()}
    results: dict[int, dict] = {}
    findings = ConsolidatedFinding.objects.filter(
        consolidation__recheck__verdicts__isnull=False
    ).values_list("consolidation__recheck_id", "element__code", "consistent")
    for recheck_id, code, consistent in findings.distinct():
        school_id = wanted.get(recheck_id)
        if school_id is not None:
            results.setdefault(school_id, {})[code] = consistent
    schools = sorted(((pk, name) for pk, (_, name) in latest.items()), key=lambda s: s[1])
    return schools, results
