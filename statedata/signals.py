"""Move the stamp of the kept state-data drawings (``selectors.element_figures_html``) when
what they are drawn from changes: a school's figures, versions, results or category, or the
indicator system's points (their platform refs) and elements. Results are written in bulk:
the recompute's event (``statedata.events.results_computed``) says so."""

from __future__ import annotations

from functools import partial

from django.db.models.signals import post_delete, post_save

from zhengai import stampcache


def _changed(name: str, sender=None, using=None, **kwargs) -> None:
    stampcache.changed(name, using=using)


_RECEIVERS: list = []  # signals hold receivers weakly


def connect() -> None:
    from indicators.models import Element, Point
    from statedata import events
    from statedata.models import FigureSet, FigureVersion, StateDataProfile, YearResult
    from statedata.selectors import STAMP

    receiver = partial(_changed, STAMP)
    _RECEIVERS.append(receiver)
    for model in (FigureSet, FigureVersion, YearResult, StateDataProfile, Point, Element):
        uid = f"statedata-drawings-{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-del", weak=False)
    events.results_computed.connect(receiver, dispatch_uid="statedata-drawings-results")
