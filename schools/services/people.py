"""Writes for people and their roles."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm

from schools.models import School, SchoolUserObjectPermission, User
from schools.permissions import ACT_FOR_SCHOOL, ACT_FOR_SCHOOL_CODENAME
from schools.roles import ROLE_GROUPS, ROLE_MODEL_PERMISSIONS, Role


def ensure_role_groups() -> None:
    """Create the four role groups if missing and give each exactly its model permissions
    (``ROLE_MODEL_PERMISSIONS``); safe to run any number of times (``load_fixtures`` does)."""
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        # A misspelt or vanished permission is an error, not a silently smaller role.
        group.permissions.set([known[dotted] for dotted in ROLE_MODEL_PERMISSIONS.get(role, ())])


@transaction.atomic
def assign_role(*, user: User, role: Role, school: School | None = None) -> None:
    """Give ``user`` exactly one role; school staff are bound to exactly one school."""
    if role == Role.SCHOOL_STAFF and school is None:
        raise ValidationError({"school": "学校用户必须绑定一所学校。"})
    if role != Role.SCHOOL_STAFF and school is not None:
        raise ValidationError({"school": "只有学校用户绑定学校。"})
    ensure_role_groups()
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS))
    user.groups.add(Group.objects.get(name=role.value))
    SchoolUserObjectPermission.objects.filter(
        user=user, permission__codename=ACT_FOR_SCHOOL_CODENAME
    ).delete()
    if school is not None:
        assign_perm(ACT_FOR_SCHOOL, user, school)
    user.__dict__.pop("_zhengai_who", None)


@transaction.atomic
def upsert_person(
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    email: str = "",
    school: School | None = None,
    is_staff: bool = False,
) -> User:
    """Create or update an account with its role; the password is (re)set every time."""
    user, _ = User.objects.get_or_create(username=username)
    user.display_name = display_name
    user.email = email
    user.is_staff = is_staff
    user.set_password(password)
    user.save()
    assign_role(user=user, role=role, school=school)
    return user
