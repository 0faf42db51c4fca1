"""Load an indicator-system fixture into the database, idempotently (R1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from indicators.models import Element, Factor, IndicatorSystem, Point, Project


@transaction.atomic
def load_indicator_system(*, data: dict[str, Any]) -> IndicatorSystem:
    """Create or update one version's tree from fixture data; loading twice changes nothing.

    Rows are matched by natural keys (project and element codes, point position, factor
    number), so their ids stay stable for the reports that point at them, and a row is only
    written when its content differs.
    """
    defaults = {"name": data["name"], "title": data["title"]}
    system = IndicatorSystem.objects.filter(version=data["version"]).first()
    if system is None:
        # R1: the fixture's flag only sets the first version in force. Once one is, which
        # version is in force is staff's decision; a deploy's reload never moves it.
        in_force = data["in_force"] and not IndicatorSystem.objects.filter(in_force=True).exists()
        defaults["in_force"] = in_force
    system = _upsert(IndicatorSystem, {"version": data["version"]}, defaults)
    for p_pos, project_data in enumerate(data["projects"], start=1):
        project = _upsert(
            Project,
            {"system": system, "code": project_data["code"]},
            {"name": project_data["name"], "position": p_pos},
        )
        for e_pos, element_data in enumerate(project_data["elements"], start=1):
            element = _upsert(
                Element,
                {"project": project, "code": element_data["code"]},
                {
                    "name": element_data["name"],
                    "report_name": element_data.get("report_name") or element_data["name"],
                    "position": e_pos,
                },
            )
            points = element_data["points"]
            for pt_pos, point_data in enumerate(points, start=1):
                point = _upsert(
                    Point,
                    {"element": element, "position": pt_pos},
                    {"name": point_data["name"], "platform_refs": point_data["platform_refs"]},
                )
                factors = point_data["factors"]
                for factor_data in factors:
                    _upsert(
                        Factor,
                        {"point": point, "number": factor_data["number"]},
                        {"text": factor_data["text"]},
                    )
                point.factors.exclude(number__in=[f["number"] for f in factors]).delete()
            element.points.filter(position__gt=len(points)).delete()
    return system


def load_indicator_file(path: Path) -> IndicatorSystem:
    """Load a fixture file in the shape of ``fixtures/indicators/*.json``."""
    return load_indicator_system(data=json.loads(Path(path).read_text(encoding="utf-8")))


def _upsert(model, keys: dict[str, Any], values: dict[str, Any]):
    """Get the row by ``keys``; create it, or save it only if ``values`` differ."""
    obj = model.objects.filter(**keys).first()
    if obj is None:
        return model.objects.create(**keys, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    return obj
