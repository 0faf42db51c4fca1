"""An anonymous visitor finds a school, downloads a disclosed file and checks its SHA-256."""

import hashlib
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from review.models import Cycle, MaterialKind, Recheck
from review.services.materials import publish_materials, upload_material
from review.services.publication import record_not_diagnosed
from review.services.rechecks import create_cycle
from review.services.verdict_document import store_verdict_pdf
from schools.models import School
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import names_rule
from tests.pdf_readback import body_of
from tests.uploads import tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def disclosed(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    officer = upsert_person(
        username="officer", display_name="干部", role=Role.PROVINCIAL_STAFF, password="x" * 12
    )
    school = School.objects.get(name="武夷山职业学院")
    staff = upsert_person(
        username="wys", display_name="质量办", role=Role.SCHOOL_STAFF, password="x" * 12,
        school=school,
    )  # fmt: skip
    cycle = create_cycle(start_year=2026, user=officer)
    recheck = Recheck.objects.create(
        cycle=cycle, school=school, planned_year=2026,
        start_date=date(2026, 11, 10), end_date=date(2026, 11, 12),
    )  # fmt: skip
    for kind in MaterialKind:
        content = tiny_pdf(f"武夷山职业学院 材料 {kind.value}")
        upload_material(
            recheck=recheck, kind=kind, upload=SimpleUploadedFile(f"材料{kind.value}.pdf", content),
            user=staff,
        )  # fmt: skip
    publish_materials(recheck=recheck, user=staff)
    return school


def test_visitor_downloads_a_disclosed_file_and_its_fingerprint_matches(
    page, live_server, disclosed, tmp_path
):
    page.goto(f"{live_server.url}/column/")
    assert (
        page.locator("h1").inner_text().startswith("福建省高职院校内部质量保证体系诊断与改进专栏")
    )
    page.fill("#q", "武夷山")
    page.click("button:has-text('查找')")
    page.click("text=武夷山职业学院")
    page.wait_for_selector("h1:has-text('武夷山职业学院')")
    link = page.locator("a[data-sha256]").filter(has_text="材料7.pdf")
    shown = link.locator("xpath=ancestor::li[1]").locator(".sha").inner_text().strip()
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "downloaded.pdf"
    info.value.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == shown
    assert len(shown) == 64


def test_column_home_fits_a_phone(phone, live_server, disclosed):
    phone.goto(f"{live_server.url}/column/schools/{disclosed.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert phone.locator("h2").first.inner_text() == "复核结论"


@pytest.fixture
def with_verdict(disclosed):
    """A published verdict for a school that did not run its 诊改 in time (no re-check)."""
    user = get_user_model().objects.get(username="officer")
    school = School.objects.get(name="三明职业技术学院")
    record = record_not_diagnosed(
        cycle=Cycle.objects.get(start_year=2026, kind="triennial"), school=school, user=user,
        note="学校未在规定时间内开展诊改工作。",
    )  # fmt: skip
    # What the worker does once the publication commits: render and store the PDF once.
    store_verdict_pdf(record_id=record.pk)
    return school


def test_visitor_walks_the_column_as_an_official_publication(
    page, live_server, with_verdict, tmp_path
):
    base = live_server.url
    # The policy, through its contents: the clause on rectification, then the 附件1 table.
    page.goto(f"{base}/column/")
    page.click("nav.site-nav >> text=政策文件")
    page.click("text=福建省高等职业院校内部质量保证体系诊断与改进工作实施方案（修订稿）")
    page.click("nav.toc >> text=3. 整改工作")
    assert page.url.endswith("#s4-2-3")
    assert "一年内完成整改任务" in page.locator("#s4-2-3").inner_text()
    page.click("nav.toc >> text=附件1")
    assert page.locator("#a1 ~ .table-scroll table th").first.inner_text() == "诊断项目"
    assert "原文未载明" in page.locator(".doc-dates").inner_text()
    # The original file, checked against its fingerprint.
    shown = page.locator("#corrections .sha").inner_text().strip()
    with page.expect_download() as info:
        page.click("#corrections a[data-sha256]")
    original = tmp_path / "original.txt"
    info.value.save_as(original)
    assert hashlib.sha256(original.read_bytes()).hexdigest() == shown

    # Schools in pinyin order, by city: 三明 (san) before 厦门 (xia).
    page.click("nav.site-nav >> text=学校公示")
    names = page.locator("table.school-status td.primary a").all_inner_texts()
    assert names.index("三明职业技术学院") < names.index("厦门海洋职业技术学院")
    page.click("nav.city-filter >> text=三明")
    names = page.locator("table.school-status td.primary a").all_inner_texts()
    assert "三明职业技术学院" in names and "厦门海洋职业技术学院" not in names
    row = page.locator("tr", has=page.locator("a", has_text="三明职业技术学院"))
    row.locator("td[data-label='复核结论'] a").click()

    # The verdict reads as a document; its PDF matches the fingerprint shown.
    page.wait_for_selector("h1.doc-title")
    assert page.locator(".doc-issuer").inner_text() == "福建省教育厅"
    text = page.locator("article.verdict-doc").inner_text()
    assert "改进期截止" in text and "（盖章）" in text and not names_rule(text, "R15")
    shown = page.locator("a[data-sha256]").get_attribute("data-sha256")
    with page.expect_download() as info:
        page.click("text=下载复核结论与复核报告（PDF）")
    pdf_path = tmp_path / "verdict.pdf"
    info.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == shown
    body = body_of(pdf)
    assert body.startswith("福建省教育厅") and "三明职业技术学院" in body
    assert "福建省教育厅（盖章）" in body

    # Subscribing leads to a page with the feed's address, not raw XML.
    page.click("nav.site-nav >> text=订阅")
    assert page.locator("h1").inner_text() == "订阅专栏更新"
    assert page.locator("#feed-url").input_value() == f"{base}/column/feed.atom"

    # The same column with English labels, at its own address; the data stays as published.
    page.click("nav.languages >> text=English")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Subscribe to the column"
    page.click("nav.site-nav >> text=Schools")
    assert page.url.endswith("/en/column/schools/")
    row = page.locator("tr", has=page.locator("a", has_text="三明职业技术学院"))
    assert row.locator("a").first.get_attribute("lang") == "zh-Hans"
    row.locator("td[data-label='Re-check verdict'] a").click()
    page.wait_for_selector("#summary-title")
    assert page.locator("article.verdict-doc").get_attribute("lang") == "zh-Hans"
    assert "Abnormal" in page.locator("section[aria-labelledby=summary-title]").inner_text()
    page.click("nav.languages >> text=简体中文")
    page.wait_for_selector("html[lang=zh-Hans]")
    assert "/en/" not in page.url
