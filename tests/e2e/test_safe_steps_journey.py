"""Safe steps in the browser: the school publishes its materials after a confirmation page;
staff review the consolidation, return it with a reason, the lead resubmits, staff publish.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from review.models import (
    Consolidation,
    ConsolidationState,
    Material,
    MaterialKind,
    VerdictRecord,
)
from review.services import materials
from review.services.implementation_rules import file_implementation_rules
from review.services.scoring import FindingInput
from tests.conftest import panel_consolidates
from tests.e2e.helpers import (
    certified_panel,
    draft_checked_by_the_school,
    journey_recheck,
    sign_in,
)
from tests.uploads import tiny_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2"]
CODES += ["5.1", "5.2", "5.3", "5.4"]


@pytest.fixture
def consolidated_recheck(transactional_db, settings):
    """A school with its rules filed and 7 materials uploaded; a panel that has consolidated."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    _, secretary, recheck = journey_recheck()
    school = recheck.school
    file_implementation_rules(
        school=school,
        year=2026,
        user=secretary,
        upload=SimpleUploadedFile("实施细则.pdf", tiny_pdf("实施细则")),
    )
    for kind in list(MaterialKind)[1:]:
        materials.upload_material(
            recheck=recheck,
            kind=kind,
            upload=SimpleUploadedFile(f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}")),
            user=secretary,
        )
    experts = certified_panel(recheck)
    findings = {
        code: FindingInput(code != "3.2", "" if code != "3.2" else "未见机制") for code in CODES
    }
    panel_consolidates(recheck, experts, findings)
    return recheck


def test_materials_published_with_confirmation_then_review_return_resubmit_publish(
    page, live_server, consolidated_recheck
):
    base, recheck = live_server.url, consolidated_recheck

    # The school takes material 1 from its filed rules, then publishes after the summary.
    sign_in(page, base, "secretary")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    page.click("text=采用已备案的 2026 年实施细则")
    assert "SHA-256 与原文件一致" in page.locator(".messages").inner_text()
    page.click("text=公示材料（在专栏向社会公开）…")
    summary = page.locator("main").inner_text()
    assert "社会公众" in summary and "此操作不可撤销" in summary
    recheck.refresh_from_db()
    assert recheck.materials_published_at is None  # the summary page did nothing
    page.click(".confirm-actions button[type=submit]")
    assert "材料已公示" in page.locator(".messages").inner_text()
    recheck.refresh_from_db()
    assert recheck.materials_published_at is not None
    assert Material.objects.filter(recheck=recheck, disclosed_at__isnull=False).count() == 8

    # Staff read the consolidation and return it with a reason (an empty one is refused).
    sign_in(page, base, "officer")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    page.click("text=审核合议结果（交学校核对或退回）")
    body = page.locator("main").inner_text()
    assert "复核专家1" in body and "专家组合议" in body and "未见机制" in body
    page.click("#decide button[type=submit]")
    assert "请写明退回原因" in page.locator("#decide").inner_text()
    page.fill("#return-reason", "3.2 的理由请引用材料页码")
    page.click("#decide button[type=submit]")
    assert "已退回专家组组长修改" in page.locator(".messages").inner_text()
    assert Consolidation.objects.get(recheck=recheck).state == ConsolidationState.RETURNED

    # The lead reads the reason, edits and resubmits after the summary.
    sign_in(page, base, "expert0")
    page.goto(f"{base}/rechecks/{recheck.pk}/consolidate/")
    assert "3.2 的理由请引用材料页码" in page.locator("#returned").inner_text()
    page.fill("[id='r3.2']", "见材料 5 第 3 页：未见教师发展诊改机制")
    page.fill("#report", "复核报告（修改稿）")
    page.click("text=重新提交合议结果…")
    page.click(".confirm-actions button[type=submit]")
    assert "合议结果已提交" in page.locator(".messages").inner_text()

    # Staff see the return on record, send the draft to the school (which finds no factual
    # error) and publish after the summary.
    sign_in(page, base, "officer")
    page.goto(f"{base}/rechecks/{recheck.pk}/review/")
    assert "重新提交" in page.locator("#state").inner_text()
    draft_checked_by_the_school(page, base, recheck.pk, staff="officer", school="secretary")
    page.click("#decide >> text=发布结论…")
    assert "结论发布后不能修改或撤回" in page.locator("main").inner_text()
    page.click(".confirm-actions button[type=submit]")
    assert "复核结论“有效”已发布" in page.locator(".messages").inner_text()
    record = VerdictRecord.objects.get()
    assert record.report == "复核报告（修改稿）" and record.matched == 14
