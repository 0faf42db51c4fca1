"""Importing a year's workbook: all or nothing, a new version each time, recomputed after."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from schools.models import School
from statedata.exporters.workbook import MAX_UPLOAD_BYTES, ParsedWorkbook, parse_workbook
from statedata.models import FigureSet, FigureVersion, StateDataProfile
from statedata.services.conditions import SchoolCategory
from statedata.tasks import recompute_after_commit


class WorkbookInvalid(ValidationError):
    """The upload was refused; ``lines`` are the Chinese problems, located."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines)
        self.lines = lines


def import_workbook(
    *, school: School, year: int, data: bytes, original_name: str, user
) -> FigureVersion:
    """Check the workbook, then store it as the year's new current version (or nothing)."""
    parsed: ParsedWorkbook = parse_workbook(data, max_bytes=MAX_UPLOAD_BYTES)
    if not parsed.ok:
        raise WorkbookInvalid(parsed.error_lines())
    return store_figures(
        school=school,
        year=year,
        figures=parsed.figures,
        tables=parsed.tables,
        user=user,
        original_name=original_name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@transaction.atomic
def store_figures(
    *,
    school: School,
    year: int,
    figures: dict,
    tables: dict,
    user,
    original_name: str = "",
    size: int = 0,
    sha256: str = "",
    recompute: bool = True,
) -> FigureVersion:
    """A new version of the year's figures, made current; recomputation after commit."""
    figure_set, _ = FigureSet.objects.select_for_update().get_or_create(school=school, year=year)
    number = (figure_set.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = FigureVersion.objects.create(
        figure_set=figure_set,
        number=number,
        figures=figures,
        tables=tables,
        original_name=original_name[:200],
        size=size,
        sha256=sha256,
        uploaded_by=user,
    )
    figure_set.current = version
    figure_set._history_user = user
    figure_set._change_reason = "statedata.figures.imported"
    figure_set.save()
    if recompute:
        recompute_after_commit([school.pk])
    return version


@transaction.atomic
def set_category(*, school: School, category: str, user) -> StateDataProfile:
    """The school's category under 教发〔2004〕2号; its years are recomputed after commit."""
    category = SchoolCategory(category)
    profile = StateDataProfile.objects.filter(school=school).first() or StateDataProfile(
        school=school
    )
    profile.category = category.value
    profile._history_user = user
    profile._change_reason = "statedata.category.set"
    profile.save()
    recompute_after_commit([school.pk])
    return profile
