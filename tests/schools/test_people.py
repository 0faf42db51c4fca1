"""Roles are groups, one each; school scope is a guardian object permission."""

import pytest
from django.core.exceptions import ValidationError

from schools.models import SchoolUserObjectPermission
from schools.permissions import role_of, school_of, schools_visible_to
from schools.roles import Role
from schools.services.people import assign_role

pytestmark = pytest.mark.django_db


def test_school_staff_is_bound_to_exactly_one_school(alice, school_a, school_b):
    assert role_of(alice) == Role.SCHOOL_STAFF
    assert school_of(alice) == school_a
    assign_role(user=alice, role=Role.SCHOOL_STAFF, school=school_b)
    assert school_of(alice) == school_b
    assert list(schools_visible_to(alice)) == [school_b]
    assert SchoolUserObjectPermission.objects.filter(user=alice).count() == 1


def test_a_person_has_one_role_only(alice):
    assign_role(user=alice, role=Role.EXPERT)
    assert [g.name for g in alice.groups.all()] == ["expert"]
    assert role_of(alice) == Role.EXPERT
    assert school_of(alice) is None
    assert not SchoolUserObjectPermission.objects.filter(user=alice).exists()


def test_school_staff_without_a_school_is_refused(province):
    with pytest.raises(ValidationError) as excinfo:
        assign_role(user=province, role=Role.SCHOOL_STAFF)
    assert "学校用户必须绑定一所学校" in str(excinfo.value)


def test_only_school_staff_are_bound_to_a_school(province, school_a):
    with pytest.raises(ValidationError):
        assign_role(user=province, role=Role.COMMITTEE, school=school_a)


def test_deleting_a_school_leaves_no_permission_rows(bob, school_b):
    # School B is in no re-check plan (re-checks protect their school from deletion).
    assert SchoolUserObjectPermission.objects.filter(content_object=school_b).exists()
    school_b.delete()
    assert not SchoolUserObjectPermission.objects.exists()


def test_account_with_two_role_groups_gets_no_role(alice):
    from django.contrib.auth.models import Group

    alice.groups.add(Group.objects.get(name=Role.EXPERT))
    alice.refresh_from_db()
    assert role_of(alice) is None
    assert not schools_visible_to(alice).exists()
