"""Provincial staff keep schools, experts (conflicts, availability) and accounts in the admin;
the other roles get no admin page even when marked as staff."""

import pytest
from django.contrib.auth.models import Group

from schools.models import Expert, ExpertAvailability, ExpertConflict, ExpertKind, School, User
from schools.roles import Role
from schools.services.people import ensure_role_groups

ADMIN_PAGES = [
    "/admin/",
    "/admin/schools/school/",
    "/admin/schools/expert/",
    "/admin/schools/user/",
    "/admin/indicators/indicatorsystem/",
]


@pytest.fixture
def staff_province(province):
    province.is_staff = True
    province.save()
    return province


@pytest.fixture
def pool_expert(school_a):
    return Expert.objects.create(
        name="测试专家乙", employer="测试单位", kind=ExpertKind.EDUCATION_RESEARCH
    )


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_provincial_staff_open_the_admin_pages(client, staff_province, path):
    client.force_login(staff_province)
    assert client.get(path).status_code == 200


def test_provincial_staff_change_a_school_through_the_admin(client, staff_province, school_a):
    client.force_login(staff_province)
    url = f"/admin/schools/school/{school_a.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": school_a.name,
            "city": school_a.city,
            "ownership": school_a.ownership,
            "guidance_focus": school_a.guidance_focus,
            "second_round_status": school_a.second_round_status,
            "second_round_year": school_a.second_round_year or "",
            "annex2_year": 2019,
            "is_new": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    school_a.refresh_from_db()
    assert school_a.annex2_year == 2019 and school_a.is_new
    assert school_a.history.first().history_user == staff_province


def test_provincial_staff_add_a_conflict_and_availability_to_an_expert(
    client, staff_province, pool_expert, school_b
):
    client.force_login(staff_province)
    url = f"/admin/schools/expert/{pool_expert.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": pool_expert.name,
            "employer": pool_expert.employer,
            "title": "教授",
            "kind": pool_expert.kind,
            "active": "on",
            "conflicts-TOTAL_FORMS": "1",
            "conflicts-INITIAL_FORMS": "0",
            "conflicts-0-school": school_b.pk,
            "conflicts-0-kind": "coached",
            "conflicts-0-note": "2024 年辅导",
            "availability-TOTAL_FORMS": "1",
            "availability-INITIAL_FORMS": "0",
            "availability-0-year": "2026",
            "availability-0-note": "出国访学",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    pool_expert.refresh_from_db()
    assert pool_expert.title == "教授"
    assert ExpertConflict.objects.get(expert=pool_expert).school == school_b
    availability = ExpertAvailability.objects.get(expert=pool_expert)
    assert availability.year == 2026 and availability.available is False


def test_provincial_staff_deactivate_an_account_but_cannot_make_a_superuser(
    client, staff_province, bob
):
    client.force_login(staff_province)
    url = f"/admin/schools/user/{bob.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    response = client.post(
        url,
        {
            "username": "bob",
            "display_name": "鲍勃",
            "email": "bob@test.invalid",
            "is_staff": "",
            "is_superuser": "on",  # ignored: read-only for provincial staff
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    bob.refresh_from_db()
    assert bob.display_name == "鲍勃"
    assert bob.is_active is False  # the unticked box deactivates the account
    assert bob.is_superuser is False
    assert list(bob.groups.values_list("name", flat=True)) == [Role.SCHOOL_STAFF.value]


@pytest.mark.parametrize("who", ["alice", "expert", "committee"])
def test_other_roles_get_no_admin_page_even_as_staff(client, request, who, school_a):
    user = request.getfixturevalue(who)
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200  # the index, listing nothing
    for path in ADMIN_PAGES[1:]:
        assert client.get(path).status_code == 403, path
    before = school_a.annex2_year
    client.post(f"/admin/schools/school/{school_a.pk}/change/", {"annex2_year": 2018})
    school_a.refresh_from_db()
    assert school_a.annex2_year == before


def test_provincial_staff_without_admin_access_are_sent_to_log_in(client, province):
    client.force_login(province)
    response = client.get("/admin/schools/school/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_role_permissions_are_set_in_one_place_and_repeatable(seeded):
    ensure_role_groups()
    ensure_role_groups()
    province = Group.objects.get(name=Role.PROVINCIAL_STAFF.value)
    codenames = set(province.permissions.values_list("codename", flat=True))
    assert {"change_school", "change_expert", "add_expertconflict", "change_user"} <= codenames
    assert not codenames & {"delete_school", "delete_expert", "delete_user"}
    for role in (Role.SCHOOL_STAFF, Role.EXPERT, Role.COMMITTEE):
        assert not Group.objects.get(name=role.value).permissions.exists()
    assert not User.objects.filter(is_superuser=True).exists()
    assert School.objects.exists()
