"""Who may see and upload state data; outsiders get 404 (asks ``schools.permissions`` only)."""

from __future__ import annotations

from django.http import Http404

from schools.models import School
from schools.permissions import get_school_for_user, is_provincial, reads_everything, school_of


def can_upload_for(user, school: School) -> bool:
    """School staff for their own school; provincial staff for any school."""
    if is_provincial(user):
        return True
    own = school_of(user)
    return own is not None and own.pk == school.pk


def get_school_for_viewer(user, pk: int) -> School:
    """The school's state data: its own staff, provincial staff and the committee."""
    return get_school_for_user(user, pk)


def get_school_for_uploader(user, pk: int) -> School:
    school = get_school_for_user(user, pk)
    if not can_upload_for(user, school):
        raise Http404("页面不存在")
    return school


def sees_province(user) -> bool:
    """The province's list of schools and the distributions: staff and the committee."""
    return reads_everything(user)


def can_set_category(user) -> bool:
    return is_provincial(user)
