"""Staff follow a school's name from the verdicts list to its whole story, and on to a step;
the school's own staff read the same story on a phone."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from review.models import MaterialKind, Recheck
from review.services import materials
from review.services.implementation_rules import file_implementation_rules
from review.services.rechecks import create_cycle
from schools.models import School
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import PASSWORD, score_and_publish
from tests.e2e.helpers import certified_panel, sign_in
from tests.uploads import tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR")  # set to keep screenshots of the story (desktop, phone)


@pytest.fixture
def school_with_history(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    officer = upsert_person(
        username="officer", display_name="职成处干部", role=Role.PROVINCIAL_STAFF, password=PASSWORD
    )
    school = School.objects.get(name="漳州城市职业学院")
    secretary = upsert_person(
        username="secretary",
        display_name="质量办",
        role=Role.SCHOOL_STAFF,
        password=PASSWORD,
        school=school,
    )
    year = timezone.localdate().year
    file_implementation_rules(
        school=school,
        year=year,
        user=secretary,
        upload=SimpleUploadedFile("实施细则.pdf", tiny_pdf("实施细则")),
    )
    cycle = create_cycle(start_year=year, user=officer)
    recheck = Recheck.objects.create(
        cycle=cycle,
        school=school,
        planned_year=year,
        start_date=date(year, 5, 20),
        end_date=date(year, 5, 22),
    )
    for kind in MaterialKind:
        materials.upload_material(
            recheck=recheck,
            kind=kind,
            upload=SimpleUploadedFile(f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}")),
            user=secretary,
        )
    materials.publish_materials(recheck=recheck, user=secretary)
    materials.submit_materials(recheck=recheck, user=secretary)
    experts = certified_panel(recheck, assigned_by=officer)
    record = score_and_publish(recheck, experts, officer, matched=11, rating="strong")
    return school, record


def test_staff_open_a_school_story_from_the_verdicts_list(
    page, phone, live_server, school_with_history
):
    school, record = school_with_history
    base = live_server.url
    sign_in(page, base, "officer")
    page.goto(f"{base}/verdicts/")
    page.click(f"a.school-link:has-text('{school.name}')")
    page.wait_for_selector("h2:has-text('诊改历程')")
    assert page.url == f"{base}/schools/{school.pk}/"
    story = page.locator("#story")
    assert "复核结论发布：“待改进”，相符 11 项" in story.inner_text()
    assert "材料在专栏公示" in story.inner_text()
    assert "诊改工作实施细则备案" in story.inner_text()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/story-desktop.png", full_page=True)
    # Each step opens its own page.
    story.locator("a:has-text('复核结论发布')").click()
    page.wait_for_selector("h1:has-text('复核结论')")
    assert page.url == f"{base}/verdicts/{record.pk}/"

    # The school's own staff read their story on a phone, from the menu.
    sign_in(phone, base, "secretary")
    phone.goto(f"{base}/schools/{school.pk}/")
    phone.wait_for_selector("h2:has-text('诊改历程')")
    assert "整改完成期限" in phone.locator("#story").inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing runs off the side of the phone
    if SHOTS:
        phone.screenshot(path=f"{SHOTS}/story-phone.png", full_page=True)
