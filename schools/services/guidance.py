"""R21: classified guidance: provincial staff give each school one of the three focuses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from schools.models import GuidanceFocus, School


@transaction.atomic
def set_guidance_focus(*, school: School, focus: str, user) -> School:
    """Set (or clear, with "") the school's focus; recorded in its history with who did it."""
    if focus and focus not in GuidanceFocus.values:
        raise ValidationError({"guidance_focus": "请从三项分类指导重点中选择一项。"})
    school = School.objects.select_for_update().get(pk=school.pk)
    if school.guidance_focus != focus:
        school.guidance_focus = focus
        school._history_user = user
        school._change_reason = "schools.school.guidance_focus_set"
        school.save(update_fields=["guidance_focus", "modified"])
    return school
