"""Nothing typed is lost on an upload; every role's main pages fit a 390 px phone."""

import pytest
from django.core.management import call_command

from review.services.self_diagnosis import open_self_diagnosis
from schools.models import Expert, ExpertKind
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import PASSWORD, score_and_publish
from tests.e2e.helpers import certified_panel, journey_recheck, sign_in
from tests.uploads import tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(transactional_db, settings):
    """A re-check of 漳州城市职业学院 with a panel of three and a published 待改进 (11 相符)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    officer, secretary, recheck = journey_recheck()
    upsert_person(
        username="committee", display_name="专家委员", role=Role.COMMITTEE, password=PASSWORD
    )
    school = recheck.school
    open_self_diagnosis(school=school, year=2026, user=secretary)
    users = certified_panel(
        recheck, assigned_by=officer, employer="外单位（用于测试的较长单位名称）"
    )
    # One more in the pool who may not sit (works at the school): greyed on the panel builder.
    Expert.objects.create(
        name="本校专家",
        employer="漳州城市职业学院",
        kind=ExpertKind.VOCATIONAL_COLLEGE,
        school=school,
    )
    record = score_and_publish(recheck, users, officer, matched=11, rating="strong")
    return record


def test_typed_plan_survives_an_evidence_upload(page, live_server, published, tmp_path):
    base, record = live_server.url, published
    sign_in(page, base, "secretary")
    page.goto(f"{base}/verdicts/{record.pk}/rectification/")
    # The four elements found 不相符 come first, marked.
    first = page.locator("article.element-edit").first
    assert "不相符" in first.inner_text() and first.get_attribute("id") == "r5.1"
    card = page.locator("[id='r5.1']")
    card.locator("textarea").nth(0).fill("修订专业层面诊改制度，建立预警机制")
    card.locator("textarea").nth(1).fill("已完成制度初稿")
    proof = tmp_path / "证明材料.pdf"
    proof.write_bytes(tiny_pdf("证明"))
    card.locator("input[type=file]").set_input_files(str(proof))
    card.locator("button[name=upload]").click()
    page.wait_for_url("**/rectification/#r5.1")
    card = page.locator("[id='r5.1']")
    assert card.locator("textarea").nth(0).input_value() == "修订专业层面诊改制度，建立预警机制"
    assert card.locator("textarea").nth(1).input_value() == "已完成制度初稿"
    assert "证明材料.pdf" in card.inner_text()
    assert "已上传 5.1 的证明材料" in page.locator(".messages").inner_text()


def _fits(phone, url):
    phone.goto(url)
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"{url} scrolls sideways at 390 px ({width} px wide)"


def test_main_pages_of_each_role_fit_a_390px_phone(phone, live_server, published):
    base, record = live_server.url, published
    recheck, cycle = record.recheck, record.cycle
    report = record.school.self_diagnoses.get()
    pages = {
        "secretary": [
            "/",
            "/self-diagnosis/",
            f"/self-diagnosis/{report.pk}/",
            f"/rechecks/{recheck.pk}/",
            f"/verdicts/{record.pk}/",
            f"/verdicts/{record.pk}/rectification/",
        ],
        "officer": [
            "/",
            "/cycles/",
            f"/cycles/{cycle.pk}/",
            f"/cycles/{cycle.pk}/selection/",
            f"/cycles/{cycle.pk}/rechecks/",
            f"/rechecks/{recheck.pk}/",
            "/verdicts/",
            f"/verdicts/{record.pk}/",
            "/schools/",
            "/experts/",
        ],
        "committee": ["/", "/verdicts/", "/sanctions/"],
        "expert0": [
            "/",
            "/my-rechecks/",
            f"/rechecks/{recheck.pk}/",
            f"/rechecks/{recheck.pk}/score/",
        ],
    }
    for user, urls in pages.items():
        sign_in(phone, base, user)
        header = phone.locator(".header-row").bounding_box()
        assert header["x"] + header["width"] <= 390
        assert phone.locator("form.inline button", has_text="退出").is_visible()
        for url in urls:
            _fits(phone, base + url)
