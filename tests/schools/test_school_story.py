"""A school's whole story on /schools/<id>/: who may read it, what it tells, what it costs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure import services as column
from review.models import MaterialKind, ReportStatus
from review.services import materials, publication, rectification
from review.services import self_diagnosis as reports
from review.services.implementation_rules import file_implementation_rules
from tests.conftest import ELEMENT_CODES, score_and_publish
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db


def _pdf(name="材料.pdf", text="材料"):
    return SimpleUploadedFile(name, tiny_pdf(text))


def _history(school, alice, province, recheck, panel, time_machine):
    """A school that has been through it all: report, rules, re-check, verdict, correction…"""
    time_machine.move_to("2026-03-01 10:00 +0800")
    file_implementation_rules(school=school, year=2026, user=alice, upload=_pdf("细则.pdf"))
    report = reports.open_self_diagnosis(school=school, year=2026, user=alice)
    report.status, report.principal_name = ReportStatus.SUBMITTED, "王校长"
    report.signed_on, report.snapshot = date(2026, 3, 1), {}
    report.save()
    reports.reopen(self_diagnosis=report, user=province, reason="数据须更新")
    time_machine.move_to("2026-04-10 10:00 +0800")
    for kind in MaterialKind:
        materials.upload_material(recheck=recheck, kind=kind, upload=_pdf(), user=alice)
    materials.upload_material(
        recheck=recheck, kind=MaterialKind.PLANS, upload=_pdf("规划新版.pdf"), user=alice
    )
    materials.publish_materials(recheck=recheck, user=alice)
    column.withdraw_material(material=recheck.materials.first(), user=province, reason="含个人信息")
    time_machine.move_to("2026-05-01 10:00 +0800")
    materials.submit_materials(recheck=recheck, user=alice)
    time_machine.move_to("2026-06-01 10:00 +0800")
    record = score_and_publish(recheck, panel, province, matched=5, rating="weak")
    rectification.save_rectification(
        rectification=record.rectification,
        user=alice,
        items={code: {"plan": "措施", "progress": "进展"} for code in ELEMENT_CODES},
    )
    rectification.complete_rectification(rectification=record.rectification, user=alice)
    time_machine.move_to("2026-06-10 10:00 +0800")
    return publication.correct_verdict(
        record=record, user=province, reason="计数有误", matched=15, measures_rating="strong"
    )


@pytest.fixture
def story_a(school_a, alice, province, recheck_a, panel_of_three, time_machine):
    return _history(school_a, alice, province, recheck_a, panel_of_three, time_machine)


def _timeline(html: str) -> str:
    return html[html.index('id="story"') :]


@pytest.mark.parametrize("who", ["province", "committee", "alice"])
def test_the_story_for_those_who_may_read_it(client, everyone, school_a, story_a, who):
    client.force_login(everyone[who])
    response = client.get(f"/schools/{school_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{school_a.name}" in html and "诊改历程" not in html[: html.index("</title>")]
    story = _timeline(html)
    assert story.index('<h2 id="story-title">') < story.index('<ol class="timeline">')
    for text in (
        "2026 年诊改工作实施细则备案",
        "2026 年报告被退回修改：数据须更新",
        "列入复核：2026—2028 年诊改周期，2026 年复核",
        "2026 年复核开始（2026-05-20 至 2026-05-22）",
        "上传复核材料 9 份：（1）（2）（3）（4）（5）（6）（7）（7）第 2 版 （8）",
        "2026 年复核材料在专栏公示",
        "2026 年复核材料报送省教育评估研究中心",
        "含个人信息",
        "复核结论发布：“异常”，相符 5 项",
        "复核结论更正为“有效”（原为“异常”）：计数有误",
        "报告整改完成",
        "开始执行限制措施",
        "限制措施解除",
        "复核结论已发布：异常",  # a notice the school was sent
    ):
        assert text in story, text
    # Newest first: the correction (10 June) comes before the publication (1 June).
    assert story.index("复核结论更正为") < story.index("复核结论发布")


@pytest.mark.parametrize("who", ["bob", "expert", "panel"])
def test_everyone_else_gets_404(client, everyone, school_a, story_a, panel_of_three, who):
    user = panel_of_three[0] if who == "panel" else everyone[who]
    client.force_login(user)
    response = client.get(f"/schools/{school_a.pk}/")
    assert response.status_code == 404
    assert "复核结论" not in response.content.decode()


def test_every_entry_links_to_a_page_that_opens(client, province, school_a, story_a):
    client.force_login(province)
    story = _timeline(client.get(f"/schools/{school_a.pk}/").content.decode())
    links = set(re.findall(r'<li class="tone-[a-z]+"><time[^>]*>[^<]*</time><span[^>]*>[^<]*'
                           r'</span><a href="([^"]+)"', story))  # fmt: skip
    assert len(links) >= 6
    for url in links:
        assert client.get(url).status_code == 200, url
    assert f'href="/verdicts/{story_a.pk}/"' in story
    assert f'href="/verdicts/{story_a.pk}/rectification/"' in story


def test_a_school_with_no_history_says_so(client, province, school_b):
    client.force_login(province)
    assert "尚无诊改记录" in client.get(f"/schools/{school_b.pk}/").content.decode()


def test_query_count_does_not_grow_with_the_history(
    client, province, school_a, school_b, story_a, django_assert_max_num_queries
):
    client.force_login(province)
    client.get(f"/schools/{school_b.pk}/")  # warm the session and the role cache
    with CaptureQueriesContext(connection) as little:
        client.get(f"/schools/{school_b.pk}/")
    with django_assert_max_num_queries(len(little.captured_queries)):
        response = client.get(f"/schools/{school_a.pk}/")
    assert "限制措施解除" in response.content.decode()


def test_staff_pages_link_school_names_to_the_story(
    client, province, alice, school_a, story_a, cycle_2026, recheck_a
):
    link = f'href="/schools/{school_a.pk}/"'
    client.force_login(province)
    for url in (
        f"/cycles/{cycle_2026.pk}/",
        f"/cycles/{cycle_2026.pk}/rechecks/",
        f"/cycles/{cycle_2026.pk}/selection/",
        "/verdicts/",
        "/sanctions/",
        f"/rechecks/{recheck_a.pk}/",
        f"/verdicts/{story_a.pk}/",
        f"/verdicts/{story_a.pk}/rectification/",
        "/self-diagnosis/",
    ):
        assert link in client.get(url).content.decode(), url
