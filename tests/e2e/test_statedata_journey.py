"""A school uploads three years of state data; the expert sees the warning beside the element
it concerns on the scoring page (R3, 附件1's table refs), in a real browser."""

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
from tests.statedata.helpers import GOOD_FIGURES, workbook_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TREND = "生均图书连续三年变差"


@pytest.fixture
def recheck_2026(transactional_db, settings):
    from zhengai.celery import app

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    app.conf.task_always_eager = True  # the recompute after an import runs in-process here
    call_command("load_fixtures", verbosity=0)
    officer = upsert_person(
        username="officer", display_name="职成处干部", role=Role.PROVINCIAL_STAFF, password=PASSWORD
    )
    school = School.objects.get(name="漳州城市职业学院")
    upsert_person(
        username="secretary", display_name="质量办", role=Role.SCHOOL_STAFF, password=PASSWORD,
        school=school,
    )  # fmt: skip
    recheck = Recheck.objects.create(
        cycle=create_cycle(start_year=2026, user=officer), school=school, planned_year=2026,
        start_date=date(2026, 5, 20), end_date=date(2026, 5, 22),
    )  # fmt: skip
    user = upsert_person(
        username="expert0", display_name="专家0", role=Role.EXPERT, password=PASSWORD
    )
    expert = Expert.objects.create(
        name="复核专家0", employer="外单位", kind=ExpertKind.VOCATIONAL_COLLEGE, user=user
    )
    assign_expert(recheck=recheck, expert=expert, user=officer, reason="组建专家组")
    return recheck


def test_school_uploads_and_the_expert_sees_the_warning_beside_the_element(
    page, live_server, recheck_2026, tmp_path
):
    base, recheck = live_server.url, recheck_2026
    sign_in(page, base, "secretary")
    page.goto(f"{base}/statedata/school/{recheck.school_id}/")
    # The template comes from the page; a bad cell is named by sheet, row and column.
    with page.expect_download() as download:
        page.click("#upload a:has-text('下载模板')")
    assert download.value.suggested_filename.endswith(".xlsx")
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(workbook_bytes(GOOD_FIGURES | {"full_time_teachers": "很多"}))
    page.fill("#id_year", "2023")
    page.set_input_files("#id_file", str(bad))
    page.click("text=检查并导入")
    errors = page.locator("#upload-errors")
    assert "工作表“基础数据”" in errors.inner_text() and "行 C 列" in errors.inner_text()
    assert "不是数字" in errors.inner_text()
    assert page.locator(".statedata-warnings").count() == 0  # nothing was saved
    for year, books in ((2023, 700000), (2024, 680000), (2025, 660000)):
        path = tmp_path / f"状态数据{year}.xlsx"
        path.write_bytes(workbook_bytes(GOOD_FIGURES | {"books_total": books}))
        page.fill("#id_year", str(year))
        page.set_input_files("#id_file", str(path))
        page.click("text=检查并导入")
        page.wait_for_selector(f".messages:has-text('{year} 年状态数据已导入')")

    sign_in(page, base, "expert0")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    page.check("input[value=no_conflict]")
    page.click("text=提交声明")
    page.click("text=逐项评议")
    warning = page.locator("article.element-edit details.statedata-element", has_text=TREND)
    assert warning.count() >= 1
    card = warning.first.locator("xpath=ancestor::article[1]")
    warning.first.locator("summary").click()
    assert warning.first.locator(".statedata-warnings").is_visible()
    assert "2023–2025" in warning.first.locator("summary").inner_text()
    assert card.get_attribute("id").startswith("f")
    # On a phone the figures stay inside the element's card: its table scrolls, not the page.
    page.set_viewport_size({"width": 390, "height": 900})
    card.scroll_into_view_if_needed()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390

    # Provincial staff: every school by card, each indicator's distribution as a box plot with
    # its table (the text alternative), and the school's own position on its page.
    _login(page, base, "officer")
    page.goto(f"{base}/statedata/?year=2025")
    row = page.locator("tr", has=page.locator("a", has_text="漳州城市职业学院"))
    assert TREND in row.inner_text()
    plots = page.locator("#distributions .distribution")
    assert plots.count() >= 5
    assert plots.first.locator("svg.boxplot[aria-hidden=true]").count() == 1
    assert "中位数" in plots.first.locator("table").inner_text()
    row.locator("a").first.click()
    page.wait_for_selector("#position")
    assert page.locator("#position svg.boxplot circle").count() >= 1
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{base}/statedata/?year=2025")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
