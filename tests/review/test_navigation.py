"""The navigation highlights the section a page belongs to, also after a failed post."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _current(html: str) -> list[str]:
    nav = html.split('class="wrap site-nav"')[1].split("</nav>")[0]
    return re.findall(r'aria-current="page">([^<]+)<', nav)


def test_a_recheck_page_is_not_self_diagnosis(client, province, recheck_a):
    client.force_login(province)
    assert _current(client.get(f"/rechecks/{recheck_a.pk}/").content.decode()) == ["周期与复核"]
    # The same page shown again after a refused 加入专家 (another address, same section).
    response = client.post(f"/rechecks/{recheck_a.pk}/panel/", {"expert": ""})
    assert response.status_code == 400
    assert _current(response.content.decode()) == ["周期与复核"]


def test_each_section_is_highlighted(client, alice, province, assigned_expert, report_a):
    client.force_login(alice)
    html = client.get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    assert _current(html) == ["自我诊断"]
    client.force_login(province)
    assert _current(client.get("/sanctions/").content.decode()) == ["复核结论"]
    assert _current(client.get("/self-diagnosis/").content.decode()) == ["自我诊断"]
    client.force_login(assigned_expert.expert.user)
    html = client.get(f"/rechecks/{assigned_expert.recheck_id}/").content.decode()
    assert _current(html) == ["我的复核任务"]


def test_staff_review_and_closing_the_sample_belong_to_cycles_and_rechecks(
    client, province, recheck_a
):
    """Pages added with the staff review (issue 14) land in their section too."""
    client.force_login(province)
    html = client.get(f"/rechecks/{recheck_a.pk}/review/").content.decode()
    assert _current(html) == ["周期与复核"]
    html = client.get(f"/cycles/{recheck_a.cycle_id}/selection/close/").content.decode()
    assert _current(html) == ["周期与复核"]


def test_the_navigation_kept_per_role_page_and_school_is_each_persons_own(
    client, alice, bob, province, school_a, school_b
):
    """The rendered navigation is reused (site_nav): never another school's link or page."""

    def page(user, url):
        client.force_login(user)
        return client.get(url).content.decode()

    def nav(user, url):
        return page(user, url).split('class="wrap site-nav"')[1].split("</nav>")[0]

    for _ in range(2):  # the second round is served from the store
        mine, theirs = nav(alice, "/notices/"), nav(bob, "/notices/")
        assert f"/schools/{school_a.pk}/" in mine and f"/schools/{school_b.pk}/" not in mine
        assert f"/schools/{school_b.pk}/" in theirs and f"/schools/{school_a.pk}/" not in theirs
        staff = nav(province, "/notices/")
        assert "周期与复核" in staff and "本校信息" not in staff and "周期与复核" not in mine
        assert _current(page(alice, "/")) == ["首页"]
        assert _current(page(alice, f"/schools/{school_a.pk}/")) == ["本校信息"]
