"""A visitor reads the indicator system; a school user logs in and stays inside their school."""

import pytest
from django.core.management import call_command

from schools.models import School
from schools.roles import Role
from schools.services.people import upsert_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded_live(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    upsert_person(
        username="secretary",
        display_name="教务秘书",
        role=Role.SCHOOL_STAFF,
        password="secret-页面测试",
        school=School.objects.get(name="三明职业技术学院"),
    )


def test_visitor_reads_the_indicator_tree_in_chinese(page, live_server, seeded_live, tmp_path):
    page.goto(f"{live_server.url}/indicators/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == (
        "福建省高职院校内部质量保证体系诊断与改进指标体系（修订版）"
    )
    assert page.locator("nav.toc a").count() == 15
    assert page.locator("article.element").count() == 15
    assert page.locator(".point").count() == 37
    page.click("nav.toc a:has-text('4.2 成长环境')")
    assert "生活生活配套设施" in page.locator("#e4\\.2").inner_text()
    page.screenshot(path=str(tmp_path / "indicators.png"), full_page=True)


def test_indicator_tree_fits_a_phone(phone, live_server, seeded_live):
    phone.goto(f"{live_server.url}/indicators/")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_school_user_logs_in_and_gets_404_for_another_school(page, live_server, seeded_live):
    page.goto(f"{live_server.url}/")
    page.click("text=登录门户")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "错误的密码")
    page.click("button[type=submit]")
    assert page.locator(".errorlist").is_visible()
    page.fill("#id_password", "secret-页面测试")
    page.click("button[type=submit]")
    assert page.locator(".role-badge").inner_text() == "学校用户"
    assert page.locator("h1").inner_text().startswith("三明职业技术学院")  # its workbench
    other = School.objects.get(name="厦门海洋职业技术学院")
    response = page.goto(f"{live_server.url}/schools/{other.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    page.click("text=退出")
    assert page.locator(".button:has-text('登录')").first.is_visible()
