"""A school's workbench: its current round, its re-checks, its notices, its heatmap row."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef

from review.models import (
    ImplementationRules,
    Material,
    MaterialKind,
    Reapplication,
    Recheck,
    SelfDiagnosis,
    VerdictRecord,
)
from review.selectors import verdicts_in_force
from review.services.rules import rules_deadline
from schools.models import School
from workbench.selectors.province import current_cycle
from workbench.services.stages import RoundFacts


def school_round(school: School, *, today: date) -> dict:
    """The facts of the school's current round, its re-checks, and the records behind them."""
    year = today.year
    rules_filed = ImplementationRules.objects.filter(school=school, year=year).exists()
    report = SelfDiagnosis.objects.filter(school=school, year=year).only("pk", "status").first()
    rechecks = list(
        Recheck.objects.filter(school=school)
        .select_related("cycle")
        .annotate(concluded=Exists(VerdictRecord.objects.filter(recheck=OuterRef("pk"))))
        .order_by("cycle__start_year", "round")
    )
    # The current round: the latest re-check (a later one is the re-application's).
    recheck = rechecks[-1] if rechecks else None
    latest = verdicts_in_force(school=school).select_related("rectification").last()
    kinds = (
        set(Material.objects.filter(recheck=recheck).values_list("kind", flat=True))
        if recheck
        else set()
    )
    verdict = latest if latest and recheck and latest.recheck_id == recheck.pk else None
    rectification = getattr(verdict, "rectification", None) if verdict else None
    reapplied = bool(verdict and Reapplication.objects.filter(after=verdict).exists())
    deadlines = recheck.deadlines if recheck else None
    cycle = recheck.cycle if recheck else current_cycle(today)
    facts = RoundFacts(
        year=year,
        rules_filed=rules_filed,
        rules_due=rules_deadline(year),
        report_status=report.status if report else None,
        report_due=cycle.self_diagnosis_due if cycle else None,
        recheck_year=recheck.planned_year if recheck else None,
        recheck_start=recheck.start_date if recheck else None,
        recheck_end=recheck.end_date if recheck else None,
        publish_by=deadlines.publish_by if deadlines else None,
        submit_by=deadlines.submit_by if deadlines else None,
        materials_missing=tuple(
            label for value, label in MaterialKind.choices if value not in kinds
        ),
        published=bool(recheck and recheck.materials_published_at),
        submitted=bool(recheck and recheck.materials_submitted_at),
        verdict_label=verdict.get_verdict_display() if verdict else None,
        verdict_effective=bool(verdict and verdict.verdict == "effective"),
        rectification_due=rectification.due if rectification else None,
        rectification_done=bool(rectification and rectification.completed_at),
        improvement_end=verdict.improvement_end if verdict else None,
        reapplied=reapplied,
    )
    return {
        "facts": facts,
        "recheck": recheck,
        "rechecks": rechecks,
        "upcoming": [r for r in rechecks if not r.concluded],
        "report": report,
        "verdict": verdict,
        "latest_verdict": latest,
    }
