"""The consistency pages and the materials zip in a real browser, at 1280 px and at 390 px.

Axe-core checks every page shown (the `page` and `phone` fixtures); screenshots go to
$SCREENSHOT_DIR when it is set, to look at by eye.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from indicators.models import Element
from review.models import ConsolidationState, MaterialKind, Recheck
from review.services import bundle, materials, scoring
from review.services.rechecks import create_cycle
from review.services.scoring import FindingInput
from schools.models import Expert, ExpertKind, School
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import PASSWORD
from tests.e2e.helpers import certified_panel, sign_in
from tests.review.test_consistency import make_panel
from tests.uploads import tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def province_data(transactional_db, settings):
    """Six final panels (one finds 12 of 15 不相符), and a re-check under staff review whose
    three experts split on 1.1 and 2.2, with two materials uploaded."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    officer = upsert_person(
        username="officer", display_name="职成处干部", role=Role.PROVINCIAL_STAFF, password=PASSWORD
    )
    cycle = create_cycle(start_year=2026, user=officer)
    schools = list(School.objects.exclude(name="漳州城市职业学院").order_by("pk")[:6])
    probe = Recheck(cycle=cycle, school=schools[0], planned_year=2026)
    elements = {e.code: e for e in Element.objects.filter(project__system_id=probe.system_id)}
    codes = sorted(elements)
    pool = [
        Expert.objects.create(name=f"库内专家{i}", employer="外单位", kind=kind)
        for i, kind in enumerate(list(ExpertKind) * 2)
    ]
    for n, school in enumerate(schools):
        table = {}
        for i, code in enumerate(codes):
            if n == 5:
                votes, final = ([i >= 12] * 3, i >= 12)  # the outlier: 12 of 15 不相符
            else:
                no = (i + n) % 7 == 0
                votes = [not no, not no, not (no or i == n)]
                final = not no
            table[code] = (votes, final)
        make_panel(
            cycle,
            school,
            pool[n % 3 : n % 3 + 3],
            table,
            ConsolidationState.PUBLISHED,
            system_elements=elements,
        )
    school = School.objects.get(name="漳州城市职业学院")
    secretary = upsert_person(
        username="secretary", display_name="质量办", role=Role.SCHOOL_STAFF, password=PASSWORD,
        school=school,
    )  # fmt: skip
    recheck = Recheck.objects.create(
        cycle=cycle, school=school, planned_year=2026,
        start_date=date(2026, 5, 20), end_date=date(2026, 5, 22),
    )  # fmt: skip
    for kind in (MaterialKind.RULES, MaterialKind.PLANS):
        materials.upload_material(
            recheck=recheck,
            kind=kind,
            upload=SimpleUploadedFile(f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}")),
            user=secretary,
        )
    users = certified_panel(recheck)
    for n, user in enumerate(users):
        findings = {
            code: FindingInput(
                not (code in ("1.1", "2.2") and n > 0), "缺依据" if code in ("1.1", "2.2") else ""
            )
            for code in codes
        }
        scoring.save_findings(
            assignment=recheck.assignments.get(expert__user=user), user=user, findings=findings,
            measures_rating="strong", measures_reason="措施可行", submit=True,
        )  # fmt: skip
    panel = {
        code: FindingInput(code != "2.2", "合议：缺依据" if code == "2.2" else "") for code in codes
    }
    scoring.save_consolidation(
        recheck=recheck, user=users[0], findings=panel, measures_rating="strong",
        measures_reason="专家组意见", report="复核报告初稿", submit=True,
    )  # fmt: skip
    return recheck


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _walk(page, base, recheck, width, monkeypatch):
    sign_in(page, base, "officer")
    page.goto(f"{base}/consistency/")
    text = page.locator("main").inner_text()
    assert "不相符比例明显偏离全省的专家组" in text and "偏高" in text
    _shot(page, f"consistency-{width}")
    page.click("text=各专家与专家组合议结果的一致率")
    assert "库内专家0" in page.locator("main").inner_text()
    _shot(page, f"consistency-experts-{width}")
    page.goto(f"{base}/rechecks/{recheck.pk}/review/")
    text = page.locator("#agreement").inner_text()
    assert "未按多数意见，合议为相符" in text and "按多数意见合议为不相符" in text
    _shot(page, f"staff-review-{width}")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    assert "以往与合议一致" in page.locator("#assign-expert").inner_text()
    _shot(page, f"recheck-panel-builder-{width}")
    monkeypatch.setattr(bundle, "INLINE_BYTES", 0)
    monkeypatch.setattr("review.views.bundle.queue_materials_bundle", lambda *args: True)
    page.goto(f"{base}/rechecks/{recheck.pk}/materials.zip")
    assert "正在打包复核材料" in page.locator("main").inner_text()
    _shot(page, f"bundle-pending-{width}")
    monkeypatch.undo()
    sign_in(page, base, "expert0")
    page.goto(f"{base}/rechecks/{recheck.pk}/consolidate/")
    assert "2</strong>" in page.locator("#agreement").inner_html()
    _shot(page, f"consolidate-{width}")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    with page.expect_download() as download:
        page.click("text=下载全部材料（zip，含文件清单和 SHA-256）")
    assert download.value.suggested_filename.endswith("复核材料.zip")


def test_consistency_pages_and_zip_at_1280(page, live_server, province_data, monkeypatch):
    _walk(page, live_server.url, province_data, 1280, monkeypatch)


def test_consistency_pages_and_zip_at_390(phone, live_server, province_data, monkeypatch):
    _walk(phone, live_server.url, province_data, 390, monkeypatch)
