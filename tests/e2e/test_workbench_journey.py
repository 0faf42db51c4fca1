"""Each role's workbench, from a count to the page where the work is done (and axe on each)."""

from datetime import date

import pytest
from django.core.management import call_command

from review.models import Recheck
from review.services.panel_assignments import assign_expert
from review.services.rechecks import create_cycle
from schools.models import Expert, ExpertKind, School
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import PASSWORD
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province_data(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    officer = upsert_person(
        username="officer", display_name="职成处干部", role=Role.PROVINCIAL_STAFF,
        password=PASSWORD, email="officer@test.invalid",
    )  # fmt: skip
    upsert_person(username="member", display_name="委员", role=Role.COMMITTEE, password=PASSWORD)
    school = School.objects.get(name="漳州城市职业学院")
    upsert_person(
        username="secretary", display_name="质量办", role=Role.SCHOOL_STAFF, password=PASSWORD,
        school=school, email="secretary@test.invalid",
    )  # fmt: skip
    cycle = create_cycle(start_year=2026, user=officer)
    recheck = Recheck.objects.create(
        cycle=cycle, school=school, planned_year=2027,
        start_date=date(2027, 3, 20), end_date=date(2027, 3, 22),
    )  # fmt: skip
    undated = Recheck.objects.create(
        cycle=cycle, school=School.objects.get(name="福建船政交通职业学院"), planned_year=2027
    )
    user = upsert_person(
        username="reader", display_name="专家", role=Role.EXPERT, password=PASSWORD
    )
    expert = Expert.objects.create(
        name="工作台专家", employer="外单位", kind=ExpertKind.EDUCATION_RESEARCH, user=user
    )
    assign_expert(recheck=recheck, expert=expert, user=officer, reason="组建专家组")
    return {"recheck": recheck, "undated": undated, "school": school}


def test_each_workbench_leads_from_a_count_to_the_work(page, live_server, province_data):
    base = live_server.url
    school = province_data["school"]

    # Provincial staff: the count of unsubmitted reports opens the filtered list.
    sign_in(page, base, "officer")
    assert "省级管理工作台" in page.locator("h1").inner_text()
    page.click("a.queue-count:has-text('自我诊断报告未提交')")
    assert "status=unsubmitted" in page.url
    assert school.name in page.locator("main table").inner_text()
    # Re-checks without dates: the planning list, filtered, then the re-check itself.
    page.goto(f"{base}/")
    page.click("a.queue-count:has-text('未排定复核日期')")
    assert "need=dates" in page.url
    rows = page.locator("main tbody tr")
    assert rows.count() == 1
    rows.first.locator("a").first.click()
    assert page.url.endswith(f"/rechecks/{province_data['undated'].pk}/")
    # A reminder by hand: pick, preview who receives it, confirm.
    page.goto(f"{base}/")
    page.locator(".queue-item:has-text('实施细则未备案') a:has-text('发送催办提醒')").click()
    for box in page.locator("input[name=school]").all():
        if box.get_attribute("value") != str(school.pk):
            box.uncheck()
    page.fill("#note", "请于本周内备案")
    page.click("button[value=preview]")
    assert "secretary@test.invalid" in page.locator("main table").inner_text()
    page.click("button[value=confirm]")
    assert "已向 1 所学校的 1 位人员发出催办提醒" in page.locator(".messages").inner_text()
    assert school.name in page.locator("main table").inner_text()
    page.goto(f"{base}/workbench/heatmap/")
    assert "诊断要素" in page.locator("svg.heat title").first.text_content()

    # The school: its stage bar, the reminder among its notices, and on to the work.
    sign_in(page, base, "secretary")
    assert "2027 年复核" in page.locator("#round-h").inner_text()
    assert page.locator(".stage.current").count() == 1
    page.click("#notices-h ~ ul a:has-text('催办提醒')")
    assert page.url.endswith("/self-diagnosis/")
    page.goto(f"{base}/")
    page.locator(".stage.current a").click()
    assert page.url.endswith("/self-diagnosis/")

    # The expert: the next action is to declare, on the re-check's page.
    sign_in(page, base, "reader")
    page.click("a.button:has-text('声明无利益冲突')")
    assert page.url.endswith(f"/rechecks/{province_data['recheck'].pk}/")
    assert page.locator("input[value=no_conflict]").count() == 1

    # The committee: the same queue, read-only, and the counts still lead to the lists.
    sign_in(page, base, "member")
    assert "专家委员会工作台" in page.locator("h1").inner_text()
    assert page.locator("main form").count() == 0
    assert page.locator("text=发送催办提醒").count() == 0
    page.click("a.queue-count:has-text('未排定复核日期')")
    assert page.locator("main tbody tr").count() == 1


def test_workbenches_fit_a_phone(phone, live_server, province_data):
    base = live_server.url
    for username, path in [("officer", "/"), ("officer", "/workbench/heatmap/"),
                           ("secretary", "/"), ("reader", "/")]:  # fmt: skip
        sign_in(phone, base, username)
        phone.goto(f"{base}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (username, path, width)
