"""An anonymous visitor finds a school, downloads a disclosed file and checks its SHA-256."""

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from review.models import MaterialKind, Recheck
from review.services.rechecks import create_cycle, publish_materials, upload_material
from schools.models import School
from schools.roles import Role
from schools.services.people import upsert_person
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
