"""What the workbenches' stored numbers are read from, watched: a change moves a stamp on.

``queues``: the province's counts and charts, each school's round (its report, rules,
re-checks, materials, panel, verdict, rectification, re-application, sanctions, the R15
proposals) and each expert's assignments. ``heat``: the heatmap and a school's own row
(published verdicts, their consolidated findings, school names, the elements in force).

Rows changed with ``QuerySet.update`` or ``bulk_create`` send no signal: where a service does
that to a watched row (naming a lead, publishing a not-diagnosed verdict), it also saves a
watched row in the same transaction; the deadline scan's R15 proposals and an expert's
declaration call ``zhengai.stampcache.changed``, and a proposed panel (bulk) sends
``experts_assigned``, which is watched too (``zhengai.stampcache.watch`` connects it all).
The count of failed e-mails is read live, never stored; each person's unread count is kept
under a stamp of its own (``notices.selectors.unread_count``).
"""

from __future__ import annotations

from zhengai import stampcache as cache


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
    from statedata import events as statedata_events
    from statedata.models import YearResult

    watched[cache.QUEUES] += (YearResult,)
    # Results and a proposed panel are written in bulk (no post_save): their events say so.
    cache.watch(
        cache.QUEUES,
        events=(statedata_events.results_computed, events.experts_assigned),
        uid="workbench",
    )
    for name, models in watched.items():
        cache.watch(name, models, uid="workbench")
