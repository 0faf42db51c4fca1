"""A school's own people: its contact person (学校联络人) invites and deactivates colleagues of
that school only; provincial staff may do so for any school. Deactivating keeps every record
the person wrote (nothing is deleted, their name stays in the history) and ends their access
at once: the account is switched off and all of its sessions are deleted."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Invitation
from accounts.services import invitations
from accounts.services.onboarding import PHONE_RE
from accounts.services.sessions import end_sessions
from schools.models import School, SchoolUserObjectPermission, User
from schools.permissions import ACT_FOR_SCHOOL_CODENAME, role_of, school_of
from schools.roles import Role
from schools.services.people import assign_role


def is_school_contact(user) -> bool:
    return role_of(user) == Role.SCHOOL_STAFF and user.is_school_contact


def may_manage_people(user) -> bool:
    return role_of(user) == Role.PROVINCIAL_STAFF or is_school_contact(user)


def managed_schools(user) -> QuerySet[School]:
    """The schools whose people ``user`` may invite and deactivate (404 for everyone else)."""
    if role_of(user) == Role.PROVINCIAL_STAFF:
        return School.objects.all()
    if is_school_contact(user) and school_of(user) is not None:
        return School.objects.filter(pk=school_of(user).pk)
    raise Http404("页面不存在")


def school_to_manage(user, pk: int | str | None) -> School | None:
    """The school asked for, if ``user`` manages it; a contact always gets their own."""
    schools = managed_schools(user)
    if pk in (None, ""):
        return schools.first() if schools.count() == 1 else None
    try:
        return schools.get(pk=int(pk))
    except (ValueError, School.DoesNotExist):
        raise Http404("没有找到这所学校") from None


def people_of(school: School) -> QuerySet[User]:
    ids = SchoolUserObjectPermission.objects.filter(
        content_object_id=school.pk, permission__codename=ACT_FOR_SCHOOL_CODENAME
    ).values("user_id")
    return (
        User.objects.filter(pk__in=ids)
        .select_related("invitation")
        .order_by("-is_active", "display_name", "username")
    )


def colleague_to_manage(actor, pk: int) -> tuple[User, School]:
    """A person of a school ``actor`` manages; 404 for anyone else's people."""
    row = (
        SchoolUserObjectPermission.objects.filter(
            user_id=pk,
            permission__codename=ACT_FOR_SCHOOL_CODENAME,
            content_object_id__in=managed_schools(actor).values("pk"),
        )
        .select_related("user", "content_object")
        .first()
    )
    if row is None:
        raise Http404("没有找到此人")
    return row.user, row.content_object


@dataclass(frozen=True)
class NewColleague:
    name: str
    email: str
    is_contact: bool = False


@transaction.atomic
def invite_colleague(*, school: School, person: NewColleague, by) -> Invitation:
    """Create a school-staff account for ``school`` and e-mail it an invitation after commit."""
    errors: dict[str, str] = {}
    name, email = person.name.strip(), person.email.strip().lower()
    if not name or len(name) > 50:
        errors["name"] = "请填写姓名（不超过 50 字）。"
    elif PHONE_RE.search(name):
        errors["name"] = "姓名里不要填写电话号码。"
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "请填写正确的电子邮箱。"
    else:
        if (
            User.objects.filter(email__iexact=email).exists()
            or User.objects.filter(username__iexact=email).exists()
        ):
            errors["email"] = "这个邮箱已经有账号了；如需调整请联系省级管理人员。"
    if errors:
        raise ValidationError(errors)
    user = User.objects.create(
        username=email,
        email=email,
        display_name=name,
        is_school_contact=person.is_contact,
        password=make_password(None),  # unusable until the invitee sets their own
    )
    assign_role(user=user, role=Role.SCHOOL_STAFF, school=school)
    return invitations.invite(user=user, by=by)


@transaction.atomic
def deactivate(*, person: User, by) -> int:
    """Switch the account off and end its sessions now; returns how many sessions ended."""
    if person.pk == by.pk:
        raise ValidationError("不能停用自己的账号。")
    User.objects.filter(pk=person.pk).update(is_active=False)
    person.is_active = False
    return end_sessions(person)
