"""What the workbenches' stored numbers are read from, watched: a change moves a stamp on.

``queues``: the province's counts and charts, each school's round (its report, rules,
re-checks, materials, panel, verdict, rectification, re-application, sanctions, the R15
proposals) and each expert's assignments. ``heat``: the heatmap and a school's own row
(published verdicts, their consolidated findings, school names, the elements in force).

Rows changed with ``QuerySet.update`` or ``bulk_create`` send no signal: where a service does
that to a watched row (naming a lead, publishing a not-diagnosed verdict), it also saves a
watched row in the same transaction; the deadline scan's R15 proposals and an expert's
declaration call ``zhengai.stampcache.changed``, and a proposed panel (bulk) sends
``experts_assigned``, which is watched too. The count of failed e-mails and each person's
notices are read live, never stored.
"""

from __future__ import annotations

from functools import partial

from django.db.models.signals import post_delete, post_save

from zhengai import stampcache as cache


def _receiver(name: str, sender=None, using=None, **kwargs) -> None:
    cache.changed(name, using=using)


def connect() -> None:
    from indicators.models import Element, IndicatorSystem, Project
    from review import events
    from review.models import (
        ConsolidatedFinding,
        Consolidation,
        Cycle,
        ImplementationRules,
        Material,
        NotDiagnosedProposal,
        PanelAssignment,
        Reapplication,
        Recheck,
        Rectification,
        Sanction,
        SelfDiagnosis,
        VerdictRecord,
    )
    from schools.models import Expert, School

    watched = {
        cache.QUEUES: (
            School,
            SelfDiagnosis,
            ImplementationRules,
            Cycle,
            Recheck,
            PanelAssignment,
            Material,
            Consolidation,
            VerdictRecord,
            Rectification,
            Reapplication,
            Sanction,
            NotDiagnosedProposal,
            Expert,
        ),
        cache.HEAT: (
            School,
            VerdictRecord,
            Consolidation,
            ConsolidatedFinding,
            IndicatorSystem,
            Project,
            Element,
        ),
    }
    # State-data results are written in bulk too: the recompute's event says so.
    from statedata import events as statedata_events
    from statedata.models import YearResult

    watched[cache.QUEUES] += (YearResult,)
    results_computed = partial(_receiver, cache.QUEUES)
    _RECEIVERS.append(results_computed)
    statedata_events.results_computed.connect(
        results_computed, dispatch_uid="workbench-statedata-results", weak=False
    )
    # A proposed panel is written in bulk (no post_save): its event says so.
    panel_proposed = partial(_receiver, cache.QUEUES)
    _RECEIVERS.append(panel_proposed)
    events.experts_assigned.connect(
        panel_proposed, dispatch_uid="workbench-experts-assigned", weak=False
    )
    for name, models in watched.items():
        receiver = partial(_receiver, name)
        _RECEIVERS.append(receiver)  # signals hold receivers weakly
        for model in models:
            uid = f"workbench-{name}-{model.__name__}"
            post_save.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
            post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-del", weak=False)


_RECEIVERS: list = []
