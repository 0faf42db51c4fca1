"""Reads of the indicator system shared by pages, the JSON feed and later the reports."""

from __future__ import annotations

from typing import Any

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
