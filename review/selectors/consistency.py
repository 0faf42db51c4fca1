"""The counts behind the consistency pages, aggregated in the database.

Each function runs a fixed number of queries whatever the number of re-checks: the database
groups and counts, Python only does the arithmetic (``review/services/consistency.py``).

Province-wide figures and the experts' match rates use only re-checks whose consolidation is
final: accepted by provincial staff or published (a submitted one may still be returned).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery

from indicators.models import Element
from review.models import (
    ConsolidatedFinding,
    Consolidation,
    ConsolidationState,
    Finding,
    Recheck,
)
from review.services.consistency import (
    ElementAgreement,
    ExpertMatch,
    Outlier,
    PanelRate,
    RecheckAgreement,
    fleiss_kappa,
    outlier_panels,
)
from schools.models import Expert

FINAL_STATES = (ConsolidationState.ACCEPTED, ConsolidationState.PUBLISHED)

_YES = Count("pk", filter=Q(consistent=True))
_NO = Count("pk", filter=Q(consistent=False))


def recheck_agreement(recheck: Recheck) -> RecheckAgreement:
    """Per element of the re-check's own version: the submitted experts' findings, counted,
    and the lead's consolidated finding as saved (three queries)."""
    elements = (
        Element.objects.filter(project__system_id=recheck.system_id)
        .select_related("project")
        .order_by("project__position", "position")
    )
    votes = {
        row["element_id"]: row
        for row in Finding.objects.filter(
            assignment__recheck=recheck, assignment__findings_submitted_at__isnull=False
        )
        .values("element_id")
        .annotate(yes=_YES, no=_NO)
        .order_by()
    }
    final = dict(
        ConsolidatedFinding.objects.filter(consolidation__recheck=recheck).values_list(
            "element_id", "consistent"
        )
    )
    return RecheckAgreement(
        elements=[
            ElementAgreement(
                code=e.code,
                name=e.report_name,
                consistent=votes.get(e.pk, {}).get("yes", 0),
                inconsistent=votes.get(e.pk, {}).get("no", 0),
                final=final.get(e.pk),
            )
            for e in elements
        ]
    )


@dataclass(frozen=True)
class ElementFigures:
    code: str
    name: str
    panels: int  # panels with a final finding on this element
    inconsistent: int  # of which found 不相符
    kappa: float | None
    subjects: int  # panels with at least two experts' findings, used for kappa

    @property
    def share(self) -> float | None:
        return self.inconsistent / self.panels if self.panels else None


@dataclass(frozen=True)
class ProvinceFigures:
    elements: list[ElementFigures]
    overall_kappa: float | None
    panels: list[PanelRate]
    outliers: list[Outlier]

    @property
    def judged(self) -> int:
        return sum(p.judged for p in self.panels)

    @property
    def inconsistent(self) -> int:
        return sum(p.inconsistent for p in self.panels)

    @property
    def rate(self) -> float | None:
        return self.inconsistent / self.judged if self.judged else None


def _final(prefix: str, cycle_id: int | None) -> Q:
    q = Q(**{f"{prefix}consolidation__state__in": FINAL_STATES})
    if cycle_id:
        q &= Q(**{f"{prefix}cycle_id": cycle_id})
    return q


def province_figures(*, cycle_id: int | None = None) -> ProvinceFigures:
    """Per element, the share of final panel findings that are 不相符 and the experts' Fleiss'
    kappa across panels; each panel's 不相符 rate and the outliers (four queries)."""
    finals = ConsolidatedFinding.objects.filter(
        _final("consolidation__recheck__", cycle_id), consistent__isnull=False
    )
    by_element = {
        row["element_id"]: row
        for row in finals.values("element_id").annotate(n=Count("pk"), no=_NO).order_by()
    }
    subjects: dict[int, list[tuple[int, int]]] = {}
    for row in (
        Finding.objects.filter(
            _final("assignment__recheck__", cycle_id),
            assignment__findings_submitted_at__isnull=False,
        )
        .values("assignment__recheck_id", "element_id")
        .annotate(yes=_YES, no=_NO)
        .order_by()
    ):
        subjects.setdefault(row["element_id"], []).append((row["yes"], row["no"]))
    ids = set(by_element) | set(subjects)
    elements = []
    for e in (
        Element.objects.filter(pk__in=ids)
        .select_related("project")
        .order_by("code", "project__system_id")
    ):
        counts = by_element.get(e.pk, {"n": 0, "no": 0})
        rows = subjects.get(e.pk, [])
        elements.append(
            ElementFigures(
                code=e.code,
                name=e.report_name,
                panels=counts["n"],
                inconsistent=counts["no"],
                kappa=fleiss_kappa(rows),
                subjects=sum(1 for r in rows if sum(r) >= 2),
            )
        )
    panels = [
        PanelRate(
            recheck_id=row["consolidation__recheck_id"],
            label=f"{row['consolidation__recheck__school__name']} "
            f"{row['consolidation__recheck__planned_year']} 年复核"
            + (
                f"（第 {row['consolidation__recheck__round']} 轮）"
                if row["consolidation__recheck__round"] > 1
                else ""
            ),
            judged=row["n"],
            inconsistent=row["no"],
        )
        for row in finals.values(
            "consolidation__recheck_id",
            "consolidation__recheck__school__name",
            "consolidation__recheck__planned_year",
            "consolidation__recheck__round",
        )
        .annotate(n=Count("pk"), no=_NO)
        .order_by("consolidation__recheck__school__name", "consolidation__recheck_id")
    ]
    return ProvinceFigures(
        elements=elements,
        overall_kappa=fleiss_kappa([row for rows in subjects.values() for row in rows]),
        panels=panels,
        outliers=outlier_panels(panels),
    )


MATCHES_SECONDS = 3600


def _findings_stamp() -> str:
    """What the match figures rest on, in one small query: every finding and consolidated
    finding keeps its history (a new history row for any change, a deletion too), and a
    consolidation that becomes final, or leaves that state, moves the consolidations' count
    of final ones or their last change."""
    finding = Finding.history.model._meta.db_table
    consolidated = ConsolidatedFinding.history.model._meta.db_table
    consolidation = Consolidation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(history_id) FROM {finding}),"
            f" (SELECT max(history_id) FROM {consolidated}),"
            f" (SELECT count(*) FROM {consolidation} WHERE state = ANY(%s)),"
            f" (SELECT max(modified) FROM {consolidation})",
            [list(FINAL_STATES)],
        )
        values = "-".join(str(value) for value in cursor.fetchone())
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def expert_matches(*, expert_ids: list[int] | None = None) -> dict[int, ExpertMatch]:
    """For each expert, how many of their own findings equal their panel's final finding on
    the same element, over every re-check with a final consolidation.

    Every expert's figures (the panel builder shows them on each load for staff) are kept in
    the cache until a finding or a consolidation changes (one small query when nothing has);
    a chosen few are counted afresh (one query).
    """
    if expert_ids is None:
        key = f"consistency:expert-matches:{_findings_stamp()}"
        return cache.get_or_set(key, _expert_matches, MATCHES_SECONDS)
    return _expert_matches(expert_ids=expert_ids)


def _expert_matches(*, expert_ids: list[int] | None = None) -> dict[int, ExpertMatch]:
    panel_final = ConsolidatedFinding.objects.filter(
        consolidation__recheck_id=OuterRef("assignment__recheck_id"),
        element_id=OuterRef("element_id"),
    ).values("consistent")[:1]
    findings = Finding.objects.filter(
        assignment__findings_submitted_at__isnull=False,
        assignment__recheck__consolidation__state__in=FINAL_STATES,
        consistent__isnull=False,
    )
    if expert_ids is not None:
        findings = findings.filter(assignment__expert_id__in=expert_ids)
    rows = (
        findings.annotate(final=Subquery(panel_final))
        .values("assignment__expert_id", "assignment__expert__name")
        .annotate(
            panels=Count("assignment_id", distinct=True),
            compared=Count("pk", filter=Q(final__isnull=False)),
            matched=Count("pk", filter=Q(final=F("consistent"))),
        )
        .order_by()
    )
    return {
        row["assignment__expert_id"]: ExpertMatch(
            expert_id=row["assignment__expert_id"],
            name=row["assignment__expert__name"],
            panels=row["panels"],
            compared=row["compared"],
            matched=row["matched"],
        )
        for row in rows
    }


def expert_table() -> list[tuple[Expert, ExpertMatch | None]]:
    """Every active expert, and any inactive one with figures, with their match figures (two
    queries): lowest rate first, experts not yet on a final panel last."""
    matches = expert_matches()
    rows = [
        (e, matches.get(e.pk))
        for e in Expert.objects.order_by("name")
        if e.active or e.pk in matches
    ]
    return sorted(
        rows,
        key=lambda r: (r[1] is None or r[1].rate is None, r[1].rate if r[1] and r[1].rate else 0),
    )
