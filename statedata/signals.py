"""Move the stamp of the kept state-data drawings (``selectors.element_figures_html``) when
what they are drawn from changes: a school's figures, versions, results or category, or the
indicator system's points (their platform refs) and elements. Results are written in bulk:
the recompute's event (``statedata.events.results_computed``) says so."""

from __future__ import annotations

from zhengai import stampcache


def connect() -> None:
    from indicators.models import Element, Point
    from statedata import events
    from statedata.models import FigureSet, FigureVersion, StateDataProfile, YearResult
    from statedata.selectors import STAMP

    stampcache.watch(
        STAMP,
        (FigureSet, FigureVersion, YearResult, StateDataProfile, Point, Element),
        events=(events.results_computed,),
        uid="statedata-drawings",
    )
