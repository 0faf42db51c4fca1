"""The one place that asks the role model and django-guardian who may see what.

Views never build their own checks: they call these, and outsiders get 404 (not 403), so a
URL does not even confirm that the object exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from schools.models import School, SchoolUserObjectPermission, User
from schools.roles import ROLE_GROUPS, Role

ACT_FOR_SCHOOL = "schools.act_for_school"
ACT_FOR_SCHOOL_CODENAME = "act_for_school"


def role_of(user) -> Role | None:
    """The user's role, from their one role group; cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_zhengai_role"):
        names = [g.name for g in user.groups.all() if g.name in ROLE_GROUPS]
        if len(names) == 1:
            role = Role(names[0])
        elif not names and user.is_superuser:
            # A superuser without a role runs the portal as provincial staff.
            role = Role.PROVINCIAL_STAFF
        else:
            role = None  # no role, or a broken account with several: sees nothing
        user._zhengai_role = role
    return user._zhengai_role


def is_provincial(user) -> bool:
    return role_of(user) == Role.PROVINCIAL_STAFF


def reads_everything(user) -> bool:
    """Provincial staff run the workflow; the committee may read everything (附件4)."""
    return role_of(user) in (Role.PROVINCIAL_STAFF, Role.COMMITTEE)


def school_of(user) -> School | None:
    """The one school a school-staff user acts for, or None."""
    if role_of(user) != Role.SCHOOL_STAFF:
        return None
    if not hasattr(user, "_zhengai_school"):
        row = (
            SchoolUserObjectPermission.objects.filter(
                user=user, permission__codename=ACT_FOR_SCHOOL_CODENAME
            )
            .select_related("content_object")
            .first()
        )
        user._zhengai_school = row.content_object if row else None
    return user._zhengai_school


def schools_visible_to(user) -> QuerySet[School]:
    """Schools whose internal pages the user may open."""
    if reads_everything(user):
        return School.objects.all()
    if role_of(user) == Role.SCHOOL_STAFF:
        return get_objects_for_user(user, ACT_FOR_SCHOOL, klass=School, accept_global_perms=False)
    return School.objects.none()


def get_school_for_user(user, pk: int) -> School:
    """The school if the user may see it, else 404."""
    school = schools_visible_to(user).filter(pk=pk).first()
    if school is None:
        raise Http404("没有找到这所学校")
    return school


def require_role(user, *roles: Role) -> Role:
    """The user's role if it is one of ``roles``; otherwise 404."""
    role = role_of(user)
    if role not in roles:
        raise Http404("页面不存在")
    return role


def can_see_expert_pool(user: User) -> bool:
    return reads_everything(user)
