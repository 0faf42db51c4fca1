"""The expert pool in the portal (R19): staff add and edit experts, their declared ties and
their availability by year, with history; the committee reads; everyone else gets 404."""

import pytest

from schools.models import Expert, ExpertAvailability, ExpertConflict, ExpertKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(seeded):
    a = Expert.objects.create(
        name="林甲", employer="某职业学院", kind=ExpertKind.VOCATIONAL_COLLEGE
    )
    b = Expert.objects.create(
        name="陈乙", employer="某研究院", kind=ExpertKind.EDUCATION_RESEARCH, title="研究员"
    )
    ExpertAvailability.objects.create(expert=b, year=2026, available=False)
    return a, b


def _names(page: str) -> set[str]:
    return {name for name in ("林甲", "陈乙") if f">{name}</a>" in page}


def test_staff_search_and_filter_by_kind_employer_and_availability(client, province, pool):
    client.force_login(province)
    get = lambda q: _names(client.get(f"/experts/?{q}").content.decode())  # noqa: E731
    assert get("") == {"林甲", "陈乙"}
    assert get("q=研究员") == {"陈乙"}
    assert get("kind=vocational_college") == {"林甲"}
    assert get("employer=研究院") == {"陈乙"}
    assert get("year=2026&available=yes") == {"林甲"}  # no row for the year: available
    assert get("year=2026&available=no") == {"陈乙"}
    assert get("year=2027&available=yes") == {"林甲", "陈乙"}


def test_r19_staff_add_an_expert_a_tie_and_a_year_and_the_history_names_them(
    client, province, school_a
):
    client.force_login(province)
    response = client.post(
        "/experts/new/",
        {
            "name": "王丙",
            "employer": "某企业",
            "kind": ExpertKind.INDUSTRY_ENTERPRISE,
            "active": "on",
        },
    )
    expert = Expert.objects.get(name="王丙")
    assert response.status_code == 302 and response["Location"] == f"/experts/{expert.pk}/"
    client.post(
        f"/experts/{expert.pk}/conflicts/",
        {
            "c-school": school_a.pk,
            "c-kind": "coached",
            "c-started_on": "2024-03-01",
            "c-note": "辅导",
        },
    )
    conflict = ExpertConflict.objects.get(expert=expert)
    assert conflict.school == school_a and conflict.note == "辅导"
    client.post(f"/experts/{expert.pk}/availability/", {"a-year": 2026, "a-note": "出国"})
    client.post(f"/experts/{expert.pk}/availability/", {"a-year": 2026, "a-available": "on"})
    row = ExpertAvailability.objects.get(expert=expert, year=2026)
    assert row.available and row.note == ""  # saving a year again updates it
    client.post(
        f"/experts/{expert.pk}/",
        {"e-name": "王丙", "e-employer": "另一企业", "e-kind": "industry_enterprise"},
    )
    expert.refresh_from_db()
    assert expert.employer == "另一企业" and not expert.active
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert "利益冲突：厦门海洋职业技术学院" in page and "2026 年可用情况" in page
    assert page.count(">province<") >= 4  # who made each change
    assert expert.history.count() == 2


def test_bad_tie_dates_and_phone_numbers_are_refused_next_to_the_field(client, province, pool):
    a, _ = pool
    client.force_login(province)
    response = client.post(
        f"/experts/{a.pk}/conflicts/",
        {
            "c-school": a.pk and 1,
            "c-kind": "lectured",
            "c-started_on": "2025-05-01",
            "c-ended_on": "2024-01-01",
        },
    )
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    assert not ExpertConflict.objects.filter(expert=a).exists()
    page = client.post(
        "/experts/new/",
        {"name": "赵丁 000-0000-0000", "employer": "单位", "kind": "industry_enterprise"},
    ).content.decode()
    assert "不要填写电话号码" in page and not Expert.objects.filter(name__startswith="赵丁")


def test_committee_reads_but_cannot_write(client, committee, pool, school_a):
    a, _ = pool
    client.force_login(committee)
    page = client.get(f"/experts/{a.pk}/").content.decode()
    assert "林甲" in page and "登记关系" not in page
    assert client.get("/experts/new/").status_code == 404
    assert client.post(f"/experts/{a.pk}/", {"e-name": "改名"}).status_code == 404
    assert client.post(f"/experts/{a.pk}/conflicts/", {"c-school": school_a.pk}).status_code == 404
    assert client.post(f"/experts/{a.pk}/availability/", {"a-year": 2026}).status_code == 404
    a.refresh_from_db()
    assert a.name == "林甲"


@pytest.mark.parametrize("who", ["alice", "bob", "expert"])
def test_expert_pool_pages_are_404_for_schools_and_experts(client, everyone, pool, who):
    a, _ = pool
    client.force_login(everyone[who])
    for url in ("/experts/", f"/experts/{a.pk}/", "/experts/new/"):
        assert client.get(url).status_code == 404
