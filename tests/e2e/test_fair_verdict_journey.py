"""A fair verdict in the browser (R28, R29): staff send the draft to the school, the school
points out a factual error with its evidence, the lead answers and changes the finding, staff
publish; the school appeals, the committee recommends, staff correct the verdict; the column
shows the appeal and its outcome. Each new page is looked at at 1280 and at 390 px.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.test import Client

from review.models import Appeal, FactualPoint, VerdictRecord
from review.services.scoring import FindingInput
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import PASSWORD, panel_consolidates
from tests.e2e.helpers import certified_panel, journey_recheck, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2"]
CODES += ["5.1", "5.2", "5.3", "5.4"]
SHOTS = os.environ.get("FAIR_SCREENSHOTS", "")  # a folder to keep the screenshots in


@pytest.fixture
def consolidated_recheck(transactional_db, settings):
    """A re-check whose panel submitted its consolidation: 3.2 and 4.1 不相符, strong measures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    upsert_person(username="member", display_name="委员", role=Role.COMMITTEE, password=PASSWORD)
    _, _, recheck = journey_recheck()
    experts = certified_panel(recheck)
    inconsistent = {"3.2": "未见教师发展诊改机制的制度文件", "4.1": "课程诊改未覆盖全部专业"}
    findings = {
        code: FindingInput(code not in inconsistent, inconsistent.get(code, "")) for code in CODES
    }
    panel_consolidates(
        recheck,
        experts,
        findings,
        lead_reason="改进措施针对性强",
        report="复核报告：整体运行良好。",
    )
    return recheck


def _looked_at(page, name):
    """The page at 1280 px and at 390 px: nothing wider than the screen on a phone."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than {width}px"
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_draft_point_answer_publication_appeal_correction(page, live_server, consolidated_recheck):
    base, recheck = live_server.url, consolidated_recheck

    # Staff accept the consolidation and send the draft to the school, after a summary.
    sign_in(page, base, "officer")
    page.goto(f"{base}/rechecks/{recheck.pk}/review/")
    page.click("text=审核通过，交学校核对草稿…")
    assert "不显示专家姓名" in page.locator("main").inner_text()
    _looked_at(page, "accept-confirm")
    page.click(".confirm-actions button[type=submit]")
    assert "已交学校核对结论草稿" in page.locator(".messages").inner_text()
    assert "尚未提交意见" in page.locator("#factual").inner_text()

    # The school reads the draft (no expert's name) and points out one factual error.
    sign_in(page, base, "secretary")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    page.click("text=核对复核结论草稿")
    draft = page.locator("main").inner_text()
    assert "未见教师发展诊改机制的制度文件" in draft and "相符 13 项" in draft
    assert "复核专家" not in draft
    page.select_option("#point-element", "3.2")
    page.fill(
        "#point-statement", "草稿称未见制度文件；学校 2025 年 9 月已印发《教师发展诊改办法》。"
    )
    page.check("input[name=evidence_kind][value=figure]")
    page.fill("#point-evidence", "校发〔2025〕21 号，2025 年 9 月 1 日印发")
    page.click("text=保存这条意见（草稿）")
    assert "尚未提交" in page.locator(".messages").inner_text()
    _looked_at(page, "draft")
    page.click("text=提交全部意见…")
    assert "确认提交 1 条事实核对意见" in page.locator("main").inner_text()
    _looked_at(page, "submit-confirm")
    page.click(".confirm-actions button[type=submit]")
    assert "已提交 1 条事实核对意见" in page.locator(".messages").inner_text()

    # The lead answers: the finding on 3.2 changes to 相符.
    sign_in(page, base, "expert0")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    page.click("text=学校对结论草稿的事实核对意见及答复")
    point = FactualPoint.objects.get()
    page.check(f"input[name='p{point.pk}-changed'][value=yes]")
    page.check(f"input[name='p{point.pk}-consistent'][value=yes]")
    page.fill(f"[id='p{point.pk}-answer']", "核实文号和印发日期属实，3.2 改为相符。")
    _looked_at(page, "answers")
    page.click("text=提交答复…")
    assert "修改评议为" in page.locator("main").inner_text()
    page.click(".confirm-actions button[type=submit]")
    assert "已答复 1 条意见" in page.locator(".messages").inner_text()

    # Staff publish: the verdict is computed from the changed finding.
    sign_in(page, base, "officer")
    page.goto(f"{base}/rechecks/{recheck.pk}/review/")
    assert "已修改评议" in page.locator("#factual").inner_text()
    _looked_at(page, "staff-review")
    page.click("#decide >> text=发布结论…")
    page.click(".confirm-actions button[type=submit]")
    assert "复核结论“有效”已发布" in page.locator(".messages").inner_text()
    record = VerdictRecord.objects.get()
    assert record.matched == 14

    # The school appeals on a ground, after a summary.
    sign_in(page, base, "secretary")
    page.goto(f"{base}/verdicts/{record.pk}/")
    page.click("text=提出申诉…")
    page.click("text=下一步：确认申诉…")
    assert "请至少选择一项申诉事由" in page.locator("#err-grounds").inner_text()
    page.check("input[name=grounds][value=facts]")
    page.fill("#appeal-statement", "4.1 所称未覆盖的 2 个专业已于 2025 年停招，不应计入。")
    _looked_at(page, "appeal-new")
    page.click("text=下一步：确认申诉…")
    assert "确认提出申诉" in page.locator("main").inner_text()
    _looked_at(page, "appeal-confirm")
    page.click(".confirm-actions button[type=submit]")
    assert "申诉已提出" in page.locator(".messages").inner_text()
    appeal = Appeal.objects.get()

    # The committee recommends a correction.
    sign_in(page, base, "member")
    page.goto(f"{base}/appeals/{appeal.pk}/")
    page.check("input[name=recommendation][value=correct]")
    page.fill("#recommendation-reason", "停招专业不在课程诊改范围内，4.1 应为相符。")
    _looked_at(page, "appeal-committee")
    page.click("text=记录建议")
    assert "建议已记录" in page.locator(".messages").inner_text()

    # Staff correct the verdict through the correction record.
    sign_in(page, base, "officer")
    page.goto(f"{base}/appeals/{appeal.pk}/")
    page.check("input[name=outcome][value=corrected]")
    page.fill("#decide-matched", "15")
    page.fill("#decision-reason", "采纳专家委员会建议：4.1 改为相符。")
    _looked_at(page, "appeal-decide")
    page.click("text=下一步：确认决定…")
    assert "确认申诉处理决定" in page.locator("main").inner_text()
    _looked_at(page, "decide-confirm")
    page.click(".confirm-actions button[type=submit]")
    assert "申诉处理决定已记录：结论已更正" in page.locator(".messages").inner_text()
    correction = VerdictRecord.objects.get(corrects=record)
    assert correction.matched == 15 and page.url.endswith(f"/verdicts/{correction.pk}/")
    assert "更正" in page.locator("main").inner_text()
    page.goto(f"{base}/verdicts/{record.pk}/")
    assert "查看更正后的结论" in page.locator("main").inner_text()

    # The column shows that an appeal was made and how it ended, not what it said.
    page.context.clear_cookies()
    page.goto(f"{base}/column/verdicts/{record.pk}/")
    appeals = page.locator("#appeals").inner_text()
    assert "结论已更正" in appeals and "停招" not in page.locator("main").inner_text()
    _looked_at(page, "column-verdict")
    assert Client().get(f"/column/verdicts/{correction.pk}/").status_code == 200
