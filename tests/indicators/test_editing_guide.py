"""The report editor's cached indicator tree (``indicators.selectors.editing_guide``) follows
every change to the tree, even one read by another request while it was being saved."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from indicators.models import IndicatorSystem, Point
from indicators.selectors import _guide_key, editing_guide

pytestmark = pytest.mark.django_db


def _point_names(system) -> set[str]:
    return {
        name
        for project in editing_guide(system)
        for element in project.elements
        for name, _ in element.points
    }


def test_a_changed_point_is_in_the_next_guide(seeded):
    system = IndicatorSystem.objects.get(in_force=True)
    assert "改过的诊断点" not in _point_names(system)
    point = Point.objects.filter(element__project__system=system).first()
    point.name = "改过的诊断点"
    point.save()
    assert "改过的诊断点" in _point_names(system)


def test_a_tree_stored_by_another_request_during_the_change_is_forgotten_at_commit(
    seeded, django_capture_on_commit_callbacks
):
    system = IndicatorSystem.objects.get(in_force=True)
    old = editing_guide(system)
    point = Point.objects.filter(element__project__system=system).first()
    with django_capture_on_commit_callbacks(execute=True):
        point.name = "提交后才可见的名称"
        point.save()
        # Another request, which still sees the committed (old) tree, stores it again.
        cache.set(_guide_key(system.pk), old, timeout=None)
    assert "提交后才可见的名称" in _point_names(system)
