"""An expert's workbench: each assignment with its next action, the nearest date first."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef

from review.models import Consolidation, PanelAssignment, VerdictRecord
from workbench.services.stages import AssignmentFacts, next_action


def expert_queue(user, *, today: date) -> list[dict]:
    """One row per assignment: the re-check, what to do next, the page and the date."""
    assignments = (
        PanelAssignment.objects.filter(expert__user=user)
        .select_related("recheck__school", "recheck__cycle")
        .annotate(
            consolidated=Exists(
                Consolidation.objects.filter(
                    recheck=OuterRef("recheck_id"), submitted_at__isnull=False
                )
            ),
            concluded=Exists(VerdictRecord.objects.filter(recheck=OuterRef("recheck_id"))),
        )
    )
    rows = []
    for a in assignments:
        recheck = a.recheck
        action, page, when = next_action(
            AssignmentFacts(
                certified=a.certified_at is not None,
                submitted=a.findings_submitted_at is not None,
                is_lead=a.is_lead,
                consolidated=a.consolidated,
                concluded=a.concluded,
                start=recheck.start_date,
                end=recheck.end_date,
            ),
            today=today,
        )
        rows.append(
            {
                "assignment": a,
                "recheck": recheck,
                "action": action,
                "page": page,
                "when": when,
                "days_left": (when - today).days if when else None,
                "done": a.concluded,
            }
        )
    # The nearest date first; undated and finished ones last.
    rows.sort(key=lambda r: (r["done"], r["when"] is None, r["when"] or date.max))
    return rows
