"""Provincial staff pick a sample, schedule a re-check and build its panel in the browser."""

import pytest
from django.core.management import call_command

from review.models import PanelAssignment, Recheck
from schools.models import Expert, ExpertKind, School
from schools.roles import Role
from schools.services.people import upsert_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-页面测试"


@pytest.fixture
def province_and_pool(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    upsert_person(
        username="officer",
        display_name="职成处干部",
        role=Role.PROVINCIAL_STAFF,
        password=PASSWORD,
        email="officer@test.invalid",
    )
    for kind in ExpertKind:
        for i in range(4):
            Expert.objects.create(name=f"{kind.label}{i + 1}", employer="某单位", kind=kind)
    Expert.objects.create(
        name="宁德本校专家",
        employer="宁德职业技术学院",
        kind=ExpertKind.VOCATIONAL_COLLEGE,
        school=School.objects.get(name="宁德职业技术学院"),
    )


def test_staff_pick_a_sample_schedule_and_build_a_panel(page, live_server, province_and_pool):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav >> text=周期与复核")
    page.fill("#id_start_year", "2026")
    page.click("button:has-text('新建')")
    page.wait_for_selector("h1:has-text('2026—2028 年诊改周期')")

    # Picking below the minimum is refused; the suggestion reaches it.
    page.click("text=抽取复核学校")
    page.check("input[name=school] >> nth=0")
    page.click("button[value=close]")
    # The confirmation page says why it cannot close, and offers only the way back.
    assert "少于全省 43 所的 1/3（至少 15 所）" in page.locator(".problems.error").inner_text()
    page.click("main a.button.secondary")
    page.fill("input[name=seed]", "2026")
    page.click("button[value=suggest]")
    assert page.locator("#count b").inner_text() == "15"
    ningde = School.objects.get(name="宁德职业技术学院")
    page.check(f"input[name=school][value='{ningde.pk}']")
    page.click("button[value=close]")
    assert "不能再修改" in page.locator("main").inner_text()
    page.click(".confirm-actions button[type=submit]")
    assert "抽样名单已确认" in page.locator(".messages").inner_text()
    recheck = Recheck.objects.get(school__name="宁德职业技术学院", cycle__start_year=2026)

    # Scheduling shows the two R10 deadlines; moving the dates needs a reason.
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    page.fill("#id_start_date", "2026-05-20")
    page.fill("#id_end_date", "2026-05-22")
    page.click("text=排定日期")
    dates = page.locator("#dates").inner_text()
    assert "2026 年 4 月 20 日" in dates and "2026 年 5 月 5 日" in dates
    page.fill("#id_start_date", "2026-06-01")
    page.fill("#id_end_date", "2026-06-03")
    page.click("text=调整日期")
    assert "调整已排定的日期须填写原因" in page.locator("#dates").inner_text()
    page.fill("#id_reason", "与学校运动会冲突")
    page.click("text=调整日期")
    assert "2026 年 5 月 2 日" in page.locator("#dates").inner_text()

    # The proposed panel, then a change the portal refuses, then one it accepts.
    page.click("text=← 2026—2028 年诊改周期")
    page.click("text=为本周期建议专家组")
    assert "新增" in page.locator(".messages").inner_text()
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    assert page.locator("#panel tbody tr").count() == 5
    assert page.locator("#panel .tag:has-text('组长')").count() == 1
    insider = Expert.objects.get(name="宁德本校专家")
    # Who may not sit is offered greyed, with the reason (the server refuses them too).
    option = page.locator(f"select[name=expert] option[value='{insider.pk}']")
    assert option.get_attribute("disabled") is not None
    assert "不可指派：该专家在本校任职" in option.inner_text()
    assert "目标人数 5 人，已有 5 人" in page.locator("#panel-target").inner_text()
    first = page.locator("#panel tbody tr").first
    removed = first.locator("td.primary").inner_text().split()[0]
    first.locator("input[name=reason]").fill("另有任务")
    first.locator("button:has-text('移出')").click()
    assert f"已将 {removed} 移出专家组" in page.locator(".messages").inner_text()
    assert PanelAssignment.objects.filter(recheck=recheck).count() == 4
    page.locator("#panel button:has-text('设为组长')").first.click()
    assert PanelAssignment.objects.filter(recheck=recheck, is_lead=True).count() == 1
