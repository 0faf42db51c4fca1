"""A school secretary writes, saves, meets a conflict, submits and downloads the PDF."""

import subprocess

import pytest
from django.core.management import call_command

from review.models import ReportStatus, SelfDiagnosis
from schools.models import School
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import PASSWORD
from tests.e2e.a11y import A11yCheckedPage
from tests.e2e.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2"]
CODES += ["5.1", "5.2", "5.3", "5.4"]


@pytest.fixture
def school_people(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    school = School.objects.get(name="三明职业技术学院")
    for username, name in (("secretary", "教务秘书"), ("colleague", "质量办同事")):
        upsert_person(
            username=username,
            display_name=name,
            role=Role.SCHOOL_STAFF,
            password=PASSWORD,
            school=school,
        )
    return school


def test_school_user_writes_and_submits_the_report(
    browser, page, live_server, school_people, tmp_path
):
    base = live_server.url
    sign_in(page, base, "secretary")
    page.click("nav >> text=自我诊断")
    page.fill("#id_year", "2026")
    page.click("text=打开 / 新建该年度报告")
    page.wait_for_selector("h1:has-text('2026 年自我诊断与改进报告')")
    report_url = page.url

    # The panel (R4): nine experts, five of them external.
    page.click("text=自我诊断专家组")
    for i in range(9):
        page.fill(f"input[name='panel-{i}-name']", f"专家{i + 1}")
        page.fill(
            f"input[name='panel-{i}-employer']", "福州某高校" if i < 4 else "三明职业技术学院"
        )
        if i < 4:
            page.check(f"input[name='panel-{i}-external']")
    page.click("text=保存专家组")
    assert "还差 1 人（校外专家不少于总数的 1/2）" in page.locator(".problems").inner_text()
    page.check("input[name='panel-4-external']")
    page.click("text=保存专家组")
    assert "自我诊断专家组已保存" in page.locator(".messages").inner_text()

    # Writing, with a live counter and the server's limit (R5).
    page.fill(
        "#id_overview", "三明职院全面开展自我诊改，覆盖学校、专业、课程、教师、学生五个层面。"
    )
    for code in CODES:
        page.fill(
            f"[id='e{code}-opinion']",
            f"{code}诊断：目标基本达成。存在问题：数据应用不足。原因分析：机制不全。",
        )
        page.fill(f"[id='e{code}-measures']", f"{code}措施：完善诊改机制。")
        page.fill(f"[id='e{code}-effects']", f"{code}成效：措施已实施，初见成效。")
    page.fill("[id='e2.3-measures']", "课" * 201)
    assert "超出 1 字" in page.locator(".counter[data-for='e2.3-measures']").inner_text()
    page.click(".save-button")
    assert "草稿未保存" in page.locator(".messages").inner_text()
    assert "2.3 改进措施不能超过 200 字" in page.locator("[id='err-e2.3-measures']").inner_text()
    assert page.input_value("[id='e2.3-measures']") == "课" * 201  # nothing typed is lost
    page.fill("[id='e2.3-measures']", "课程质量保证：建立课程诊改标准，按学期开展诊改。")
    page.click(".save-button")
    assert "草稿已保存" in page.locator(".messages").inner_text()

    # A colleague edits the same field at the same time: both texts are kept.
    other_context = browser.new_context(locale="zh-CN")
    other = A11yCheckedPage(other_context.new_page())  # the conflict box is checked too
    sign_in(other, base, "colleague")
    other.goto(report_url)
    page.fill(
        "[id='e1.1-opinion']",
        "秘书的新版本：质量目标与学校发展目标一致。存在问题：少数专业目标偏高。",
    )
    page.click(".save-button")
    other.fill("[id='e1.1-opinion']", "同事的版本：质量目标定位准确。存在问题：达成度测量不足。")
    other.click(".save-button")
    assert "在你编辑期间已被同事修改" in other.locator(".messages").inner_text()
    conflict = other.locator("#e1\\.1 .conflict")
    assert "同事的版本：质量目标定位准确" in conflict.inner_text()
    assert other.input_value("[id='e1.1-opinion']").startswith("秘书的新版本")
    other.click("#e1\\.1 .conflict >> text=用我的文字替换编辑框")
    other.click(".save-button")
    other.click("#e1\\.1 .conflict >> text=已处理，不再提示")
    assert other.locator("#e1\\.1 .conflict").count() == 0
    other_context.close()

    # Submit with the principal's signature: the report is locked.
    page.goto(report_url)
    assert page.input_value("[id='e1.1-opinion']").startswith("同事的版本")
    page.fill("#id_principal_name", "陈明远")
    page.fill("#id_signed_on", "2026-06-01")
    page.click(".submit-button")
    # A summary of what submitting means, then the confirmation.
    assert "此操作不可撤销" in page.locator("main").inner_text()
    page.click(".confirm-actions button[type=submit]")
    assert "报告已提交，内容已锁定" in page.locator(".messages").inner_text()
    assert page.locator("textarea").count() == 0
    report = SelfDiagnosis.objects.get()
    assert report.status == ReportStatus.SUBMITTED

    # Download the PDF and read it back.
    with page.expect_download() as download_info:
        page.click("text=下载 PDF")
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(text.split())
    for typed in (
        "三明职院全面开展自我诊改",
        "同事的版本：质量目标定位准确",
        "课程质量保证：建立课程诊改标准",
        "5.4成效：措施已实施，初见成效。",
        "陈明远",
    ):
        assert typed in compact, typed
