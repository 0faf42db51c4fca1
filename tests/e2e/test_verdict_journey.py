"""Three experts score (one disagrees), the lead consolidates, staff publish, the school acts."""

from datetime import date

import pytest
from django.core.management import call_command

from review.models import Cycle, CycleKind, Recheck, VerdictRecord
from review.services.panel_assignments import assign_expert
from review.services.rechecks import create_cycle
from schools.models import Expert, ExpertKind, School
from schools.roles import Role
from schools.services.people import upsert_person
from tests.conftest import PASSWORD
from tests.e2e.helpers import draft_checked_by_the_school, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2"]
CODES += ["5.1", "5.2", "5.3", "5.4"]


@pytest.fixture
def recheck_with_panel(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_fixtures", verbosity=0)
    officer = upsert_person(
        username="officer", display_name="职成处干部", role=Role.PROVINCIAL_STAFF, password=PASSWORD
    )
    school = School.objects.get(name="漳州城市职业学院")
    upsert_person(
        username="secretary",
        display_name="质量办",
        role=Role.SCHOOL_STAFF,
        password=PASSWORD,
        school=school,
    )
    cycle = create_cycle(start_year=2026, user=officer)
    recheck = Recheck.objects.create(
        cycle=cycle,
        school=school,
        planned_year=2026,
        start_date=date(2026, 5, 20),
        end_date=date(2026, 5, 22),
    )
    for i, kind in enumerate(ExpertKind):
        user = upsert_person(
            username=f"expert{i}", display_name=f"专家{i}", role=Role.EXPERT, password=PASSWORD
        )
        expert = Expert.objects.create(name=f"复核专家{i}", employer="外单位", kind=kind, user=user)
        assign_expert(recheck=recheck, expert=expert, user=officer, reason="组建专家组")
    assert Cycle.objects.filter(kind=CycleKind.TRIENNIAL).count() == 1
    return recheck


def test_experts_score_lead_consolidates_staff_publish_school_follows_up(
    page, live_server, recheck_with_panel
):
    base, recheck = live_server.url, recheck_with_panel
    for i in range(3):
        sign_in(page, base, f"expert{i}")
        page.goto(f"{base}/rechecks/{recheck.pk}/")
        page.check("input[value=no_conflict]")
        page.click("text=提交声明")
        page.click("text=逐项评议")
        for code in CODES:
            page.check(f"input[name='f{code}-consistent'][value=yes]")
        if i == 2:  # the third expert disagrees on 3.2
            page.check("input[name='f3.2-consistent'][value=no]")
            page.click("button[value=submit]")
            assert "3.2：判定为不相符时须写明理由" in page.locator("#f3\\.2 .error").inner_text()
            page.fill("[id='r3.2']", "师资诊改尚未形成常态化机制")
        page.check("input[name=measures_rating][value=strong]")
        page.fill("#measures_reason", "措施针对性强")
        page.click("button[value=submit]")
        page.click(".confirm-actions button[type=submit]")
        assert "评议已提交" in page.locator(".messages").inner_text()
        assert "下一步" in page.locator("main").inner_text()  # a read-only record now

    # The lead (the first assigned, expert0) consolidates; the disagreement is flagged.
    sign_in(page, base, "expert0")
    page.goto(f"{base}/rechecks/{recheck.pk}/consolidate/")
    assert page.locator(".disagree").count() == 1
    assert "师资诊改尚未形成常态化机制" in page.locator("#f3\\.2").inner_text()
    for code in CODES:
        page.fill(f"[id='r{code}']", "专家组合议一致")
    page.check("input[name='f3.2-consistent'][value=no]")
    page.check("input[name='f4.1-consistent'][value=no]")
    page.check("input[name='f5.4-consistent'][value=no]")
    page.check("input[name='f2.3-consistent'][value=no]")
    page.check("input[name=measures_rating][value=strong]")
    page.fill("#measures_reason", "改进措施切实可行")
    page.fill(
        "#report", "漳州城市职业学院自主诊改工作基本规范，部分诊断要素的自我诊断与复核结果不符。"
    )
    page.click("button[value=save]")
    preview = page.locator(".verdict-preview").inner_text()
    assert "待改进" in preview and "相符 11 项" in preview
    page.click("button[value=submit]")
    page.click(".confirm-actions button[type=submit]")
    assert "合议结果已提交" in page.locator(".messages").inner_text()

    # Staff see the rule's verdict, review the consolidation, send the draft to the school
    # (which finds no factual error), then publish it.
    sign_in(page, base, "officer")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    assert "按规则应得结论：待改进" in page.locator("#verdict").inner_text()
    page.click("text=审核合议结果（交学校核对或退回）")
    draft_checked_by_the_school(page, base, recheck.pk, staff="officer", school="secretary")
    page.click("#decide >> text=发布结论…")
    page.click(".confirm-actions button[type=submit]")
    assert "复核结论“待改进”已发布" in page.locator(".messages").inner_text()

    # The school sees the verdict, element by element, and writes its rectification plan.
    sign_in(page, base, "secretary")
    page.goto(f"{base}/rechecks/{recheck.pk}/")
    page.click("#verdict a")
    body = page.locator("main").inner_text()
    assert "待改进" in body and "相符 11 项" in body
    assert "须重新提出复核申请" in body and "2027 年 5 月 22 日" in body
    assert "师资诊改尚未形成常态化机制" not in body  # an expert's own reason stays private
    page.click("text=填写整改方案")
    page.fill("[name='r3.2-plan']", "建立教师发展诊改常态机制")
    page.fill("[name='r3.2-progress']", "已制定方案，下学期实施")
    page.click("text=保存整改方案")
    assert "整改方案已保存（1 项有改动）" in page.locator(".messages").inner_text()
    record = VerdictRecord.objects.get()
    assert record.rectification.items.get(element__code="3.2").plan == "建立教师发展诊改常态机制"
