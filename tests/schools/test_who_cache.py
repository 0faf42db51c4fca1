"""Who a person is (role, school) is kept between requests, and forgotten the moment it changes.

A signed-in request reads the session and the role from the shared cache, not the database;
every change to what they are read from — the role groups, the school permission, the account,
the school's name — shows on the very next request (a lost role must never linger).
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from schools.models import SchoolUserObjectPermission
from schools.permissions import role_of, school_of, who_key
from schools.roles import Role
from schools.services.people import assign_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(settings):
    """As production: a cache every process shares (the test's own cache stands in)."""
    settings.REDIS_URL = settings.REDIS_URL or "redis://shared.invalid:6379/0"
    from django.core.cache import cache

    return cache


def _sql(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_a_signed_in_request_reads_the_role_and_school_from_the_cache(client, alice, shared):
    client.force_login(alice)
    client.get("/notices/")  # the first request reads them and keeps them
    sql = _sql(client, "/notices/")
    assert not [q for q in sql if "auth_group" in q or "schooluserobjectpermission" in q]
    role, school = shared.get(who_key(alice.pk))
    assert role == Role.SCHOOL_STAFF and school.name == "厦门海洋职业技术学院"


def test_without_a_shared_cache_nothing_is_kept_between_requests(client, alice, settings):
    settings.REDIS_URL = None  # the embedded default: one cache per process
    client.force_login(alice)
    client.get("/notices/")
    sql = _sql(client, "/notices/")
    assert [q for q in sql if "auth_group" in q]
    from django.core.cache import cache

    assert cache.get(who_key(alice.pk)) is None


def test_a_new_role_shows_on_the_next_request(client, alice, school_a, shared):
    client.force_login(alice)
    assert client.get("/workbench/school/").status_code == 200
    assign_role(user=alice, role=Role.COMMITTEE)
    assert client.get("/workbench/school/").status_code == 404
    assert client.get("/workbench/province/").status_code == 200
    fresh = type(alice).objects.get(pk=alice.pk)
    assert role_of(fresh) == Role.COMMITTEE and school_of(fresh) is None


def test_a_removed_school_permission_ends_access_at_once(client, alice, school_a, shared):
    client.force_login(alice)
    assert client.get(f"/schools/{school_a.pk}/").status_code == 200
    SchoolUserObjectPermission.objects.filter(user=alice).delete()
    assert client.get(f"/schools/{school_a.pk}/").status_code == 404


def test_a_removed_group_ends_the_role_at_once(client, province, shared):
    client.force_login(province)
    assert client.get("/workbench/province/").status_code == 200
    group = province.groups.get()
    group.user_set.remove(province)  # from the group's side
    assert client.get("/workbench/province/").status_code == 404


def test_a_renamed_school_shows_in_the_header_at_once(client, alice, school_a, shared):
    client.force_login(alice)
    client.get("/notices/")
    school_a.name = "厦门海洋职业技术学院（新校名）"
    school_a.save()
    assert "厦门海洋职业技术学院（新校名）" in client.get("/notices/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_role_read_during_the_change_is_not_kept_after_it(alice, school_a, shared):
    """Another request reads the old role while the change is uncommitted: the change's
    commit forgets that too."""
    with transaction.atomic():
        assign_role(user=alice, role=Role.COMMITTEE)
        shared.set(who_key(alice.pk), (Role.SCHOOL_STAFF, school_a))  # the old rows, read meanwhile
    fresh = type(alice).objects.get(pk=alice.pk)
    assert role_of(fresh) == Role.COMMITTEE
