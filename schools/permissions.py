"""The one place that asks the role model and django-guardian who may see what.

Views never build their own checks: they call these, and outsiders get 404 (not 403), so a
URL does not even confirm that the object exists.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from schools.models import School, SchoolUserObjectPermission, User
from schools.roles import ROLE_GROUPS, Role
from zhengai.redis_cache import cache_is_shared

ACT_FOR_SCHOOL = "schools.act_for_school"
ACT_FOR_SCHOOL_CODENAME = "act_for_school"


# Who a person is — their role and, for school staff, their school — is read once per request,
# and kept in the shared cache (Redis) between requests until their groups, their school
# permission, their account or their school change (``schools/signals.py`` forgets it, at
# once and again at commit), at most WHO_SECONDS. Without a shared cache (the embedded
# default, one cache per process) it is read from the database on every request.
WHO_SECONDS = 300


def who_key(user_id: int) -> str:
    return f"people:who:{user_id}"


def _shared_cache():
    return cache if cache_is_shared() else None


def _role_from_groups(user) -> Role | None:
    names = [g.name for g in user.groups.all() if g.name in ROLE_GROUPS]
    if len(names) == 1:
        return Role(names[0])
    if not names and user.is_superuser:
        # A superuser without a role runs the portal as provincial staff.
        return Role.PROVINCIAL_STAFF
    return None  # no role, or a broken account with several: sees nothing


def _school_from_permission(user) -> School | None:
    row = (
        SchoolUserObjectPermission.objects.filter(
            user=user, permission__codename=ACT_FOR_SCHOOL_CODENAME
        )
        .select_related("content_object")
        .first()
    )
    return row.content_object if row else None


def _who(user) -> tuple[Role | None, School | None]:
    """The user's role and school, kept on the user object and in the shared cache."""
    if not hasattr(user, "_zhengai_who"):
        shared = _shared_cache()
        who = shared.get(who_key(user.pk)) if shared else None
        if who is None:
            role = _role_from_groups(user)
            school = _school_from_permission(user) if role == Role.SCHOOL_STAFF else None
            who = (role, school)
            if shared:
                shared.set(who_key(user.pk), who, WHO_SECONDS)
        user._zhengai_who = who
    return user._zhengai_who


def forget_who(user_ids) -> None:
    """These people's role or school may have changed: read them afresh next time."""
    shared = _shared_cache()
    if shared:
        shared.delete_many([who_key(pk) for pk in user_ids])


def role_of(user) -> Role | None:
    """The user's role, from their one role group."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _who(user)[0]


def is_provincial(user) -> bool:
    return role_of(user) == Role.PROVINCIAL_STAFF


def reads_everything(user) -> bool:
    """Provincial staff run the workflow; the committee may read everything (附件4)."""
    return role_of(user) in (Role.PROVINCIAL_STAFF, Role.COMMITTEE)


def school_of(user) -> School | None:
    """The one school a school-staff user acts for, or None."""
    if role_of(user) != Role.SCHOOL_STAFF:
        return None
    return _who(user)[1]


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
