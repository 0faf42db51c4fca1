"""Every view for the role that may use it, and 404 for every role that may not."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOME_HEADINGS = {
    "alice": "厦门海洋职业技术学院",
    "bob": "福建船政交通职业学院",
    "province": "省级管理工作台",
    "expert": "复核专家工作台",
    "committee": "专家委员会工作台",
}


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", sorted(HOME_HEADINGS))
def test_each_role_sees_its_own_home_page(client, everyone, who):
    html = _client_for(client, everyone[who]).get("/").content.decode()
    assert f"<h1>{HOME_HEADINGS[who]}" in html
    for other, heading in HOME_HEADINGS.items():
        if heading != HOME_HEADINGS[who] and other not in ("alice", "bob"):
            assert f"<h1>{heading}" not in html


def test_anonymous_home_is_the_public_landing(client, seeded):
    html = client.get("/").content.decode()
    assert "登录门户" in html and "查看指标体系" in html


def test_r6_school_home_explains_filing_for_an_evaluated_school(client, bob):
    html = _client_for(client, bob).get("/").content.decode()
    assert "自主诊改后备案" in html


def test_r6_new_school_is_told_to_pass_the_training_evaluation_first(client, alice, school_a):
    school_a.is_new = True
    school_a.save()
    html = _client_for(client, alice).get("/").content.decode()
    assert "需先接受人才培养工作评估" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 200), ("committee", 200), ("alice", 404), ("bob", 404), ("expert", 404)],
)
def test_school_list(client, everyone, who, status):
    response = _client_for(client, everyone[who]).get("/schools/")
    assert response.status_code == status
    if status == 200:
        assert response.content.decode().count("/schools/") >= 43


def test_school_list_filters(client, province):
    client.force_login(province)
    html = client.get("/schools/?year=2019").content.decode()
    assert "共 3 所" in html and "厦门演艺职业学院" in html
    html = client.get("/schools/?status=evaluated&city=zhangzhou").content.decode()
    assert "共 1 所" in html and "漳州职业技术学院" in html
    assert "共 0 所" in client.get("/schools/?q=不存在的学校").content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 200), ("committee", 200), ("alice", 200), ("bob", 404), ("expert", 404)],
)
def test_school_detail_of_school_a(client, everyone, school_a, who, status):
    response = _client_for(client, everyone[who]).get(f"/schools/{school_a.pk}/")
    assert response.status_code == status
    if status == 404:
        assert "页面不存在" in response.content.decode()
        assert school_a.name not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 200), ("committee", 200), ("alice", 404), ("bob", 404), ("expert", 404)],
)
def test_expert_pool(client, everyone, who, status):
    response = _client_for(client, everyone[who]).get("/experts/")
    assert response.status_code == status
    if status == 200:
        assert "测试专家" in response.content.decode()


@pytest.mark.parametrize("url", ["/schools/", "/schools/1/", "/experts/"])
def test_anonymous_is_sent_to_login(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_school_is_404_even_for_province(client, province):
    assert _client_for(client, province).get("/schools/999999/").status_code == 404


def test_login_with_password_then_home_shows_role(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "学校用户" in html and "厦门海洋职业技术学院" in html


def test_repeated_wrong_passwords_lock_the_login(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 429
    assert "登录已暂时锁定" in html and "请 15 分钟后再试" in html
    # Even the right password does not get in while locked.
    assert "_auth_user_id" not in client.session


def test_wrong_password_says_so_in_chinese(client, alice):
    html = client.post("/accounts/login/", {"username": "alice", "password": "x"}).content.decode()
    assert "请输入一个正确的" in html or "用户名和密码" in html


def test_r21_focuses_are_worded_as_the_policy_writes_them():
    from schools.models import GuidanceFocus
    from zhengai import fixtures

    text = fixtures.POLICY_TEXT_FILE.read_text(encoding="utf-8")  # the shipped policy text
    for label in GuidanceFocus.labels:
        assert f"“{label}”" in text
    assert len(GuidanceFocus.labels) == 3


def test_r21_staff_set_the_focus_on_the_school_page(client, province, school_a):
    from schools.models import GuidanceFocus

    client.force_login(province)
    response = client.post(
        f"/schools/{school_a.pk}/", {"guidance_focus": GuidanceFocus.BASICS}, follow=True
    )
    assert response.status_code == 200
    school_a.refresh_from_db()
    assert school_a.guidance_focus == GuidanceFocus.BASICS
    assert GuidanceFocus.BASICS.label in response.content.decode()
    assert school_a.history.latest().history_user == province


def test_r21_a_bad_focus_is_refused_next_to_the_field(client, province, school_a):
    client.force_login(province)
    response = client.post(f"/schools/{school_a.pk}/", {"guidance_focus": "nonsense"})
    assert response.status_code == 400
    assert "请从三项分类指导重点中选择一项" in response.content.decode()
    school_a.refresh_from_db()
    assert school_a.guidance_focus == ""


@pytest.mark.parametrize("who", ["alice", "bob", "expert", "committee"])
def test_r21_only_staff_may_set_the_focus(client, everyone, school_a, who):
    client.force_login(everyone[who])
    response = client.post(f"/schools/{school_a.pk}/", {"guidance_focus": "basics"})
    assert response.status_code == 404
    school_a.refresh_from_db()
    assert school_a.guidance_focus == ""
    if who in ("alice", "committee"):  # they may read the page, without the form
        html = client.get(f"/schools/{school_a.pk}/").content.decode()
        assert 'name="guidance_focus"' not in html and "分类指导重点" in html
