"""Reads of the indicator system shared by pages, the JSON feed and later the reports."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from indicators.models import Element, IndicatorSystem, Point, Project


def system_for_version(version: str | None = None) -> IndicatorSystem:
    """Return the named version, or the one in force; 404 when there is none."""
    queryset = IndicatorSystem.objects.all()
    system = (
        queryset.filter(version=version).first()
        if version
        else queryset.filter(in_force=True).first()
    )
    if system is None:
        raise Http404("没有这个指标体系版本")
    return system


def project_tree(system: IndicatorSystem) -> QuerySet[Project]:
    """The projects with elements, points and factors prefetched: five queries in all."""
    return (
        Project.objects.filter(system=system)
        .prefetch_related(
            Prefetch("elements", queryset=Element.objects.order_by("position")),
            Prefetch("elements__points", queryset=Point.objects.order_by("position")),
            "elements__points__factors",
        )
        .order_by("position")
    )


def system_as_dict(system: IndicatorSystem) -> dict[str, Any]:
    """The public JSON shape of ``/indicators.json``."""
    return {
        "version": system.version,
        "projects": [
            {
                "code": project.code,
                "name": project.name,
                "elements": [
                    {
                        "code": element.code,
                        "name": element.name,
                        "points": [
                            {
                                "name": point.name,
                                "factors": [
                                    {"number": f.number, "text": f.text}
                                    for f in point.factors.all()
                                ],
                                "platform_refs": list(point.platform_refs),
                            }
                            for point in element.points.all()
                        ],
                    }
                    for element in project.elements.all()
                ],
            }
            for project in project_tree(system)
        ],
    }


# --- The tree as the report editor shows it, cached ------------------------------------------


@dataclasses.dataclass(frozen=True)
class ElementGuide:
    """One element with its points and their numbered factors: what a writer reads beside it."""

    pk: int
    code: str
    name: str
    report_name: str
    # ((point name, ((circled number, factor text), …)), …)
    points: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    # What all of the above was when read: part of the key of the editor's stored element
    # card (``review.views.report_page``), so a changed point or factor changes the card.
    digest: str = ""


@dataclasses.dataclass(frozen=True)
class ProjectGuide:
    code: str
    name: str
    elements: tuple[ElementGuide, ...]


# The stamp (``zhengai.stampcache``) of what is stored from the guides (the report editor's
# pages): moved on with every change to a version's tree, as the guides are forgotten.
GUIDE_STAMP = "indicator-guides"


def _guide_key(system_id: int) -> str:
    return f"indicators:guide:v2:{system_id}"


def _element_guide(element: Element) -> ElementGuide:
    fields = {
        "pk": element.pk,
        "code": element.code,
        "name": element.name,
        "report_name": element.report_name,
        "points": tuple(
            (point.name, tuple((f.circled, f.text) for f in point.factors.all()))
            for point in element.points.all()
        ),
    }
    digest = hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()[:32]
    return ElementGuide(**fields, digest=digest)


def editing_guide(system: IndicatorSystem) -> list[ProjectGuide]:
    """The version's projects, elements, points and factors as plain data, from the cache.

    The same ~200 rows for every report of a version: read from the database once (five
    queries) and then from the cache in one round trip. Any change to a row of the tree
    forgets it (``forget_editing_guides``, called by the models' signals).
    """
    key = _guide_key(system.pk)
    guide = cache.get(key)
    if guide is None:
        guide = [
            ProjectGuide(
                code=project.code,
                name=project.name,
                elements=tuple(_element_guide(element) for element in project.elements.all()),
            )
            for project in project_tree(system)
        ]
        cache.set(key, guide, timeout=None)
    return guide


def forget_editing_guides() -> None:
    """Drop every version's cached guide (an indicator row changed: rare, staff-made)."""
    cache.delete_many(
        [_guide_key(pk) for pk in IndicatorSystem.objects.values_list("pk", flat=True)]
    )
