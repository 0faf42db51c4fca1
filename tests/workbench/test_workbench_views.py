"""Workbenches by role; counts on built data; the lists they link to really filter."""

from datetime import date

import pytest
from django.utils import timezone

from review.models import (
    Consolidation,
    ImplementationRules,
    Recheck,
    ReportStatus,
    SelfDiagnosis,
)
from schools.models import School

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("/workbench/school/", {"alice", "bob"}),
        ("/workbench/province/", {"province", "committee"}),
        ("/workbench/expert/", {"expert"}),
        ("/workbench/heatmap/", {"province", "committee", "alice", "bob"}),
        ("/workbench/reminders/?step=report", {"province"}),
        ("/workbench/reminders/log/", {"province", "committee"}),
    ],
)
def test_each_workbench_for_its_roles_and_404_for_the_rest(client, everyone, url, allowed):
    for who, user in everyone.items():
        status = _as(client, user).get(url).status_code
        assert status == (200 if who in allowed else 404), (who, status)
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_home_is_each_roles_workbench(client, everyone):
    assert "本轮诊改进度" in _as(client, everyone["alice"]).get("/").content.decode()
    page = _as(client, everyone["province"]).get("/").content.decode()
    assert "省级管理工作台" in page and "发送催办提醒" in page
    page = _as(client, everyone["committee"]).get("/").content.decode()
    # The committee reads the province's view, without any action.
    assert (
        "专家委员会工作台" in page
        and "发送催办提醒" not in page
        and "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    )
    assert "我的复核任务" in _as(client, everyone["expert"]).get("/").content.decode()


def test_school_home_shows_its_real_upcoming_recheck_not_a_fixed_year(
    client, alice, school_a, cycle_2026
):
    Recheck.objects.create(cycle=cycle_2026, school=school_a, planned_year=2027)
    page = _as(client, alice).get("/").content.decode()
    # The current round is the 2027 re-check of the 2026–2028 cycle, not 附件2's year.
    assert "2026—2028 年诊改周期 · 2027 年复核" in page


def test_school_stage_bar_tells_current_step_deadline_and_whats_missing(
    client, alice, recheck_a, report_a, time_machine
):
    time_machine.move_to("2026-04-01 09:00 +08:00")
    page = _as(client, alice).get("/").content.decode()
    assert "实施细则" in page and "复核材料" in page and "改进期 / 再申请" in page
    assert "尚缺" in page or "自我诊断与改进报告尚未提交" in page
    assert "还有" in page  # the next deadline with the days left


def _unsubmitted(school_a, school_b, alice, bob):
    SelfDiagnosis.objects.create(
        school=school_a,
        year=timezone.localdate().year,
        system_id=1,
        status=ReportStatus.SUBMITTED,
        principal_name="校长",
        signed_on=timezone.localdate(),
        snapshot={},
    )
    SelfDiagnosis.objects.create(school=school_b, year=timezone.localdate().year, system_id=1)


def test_reports_not_submitted_count_and_its_list_filters(
    client, province, alice, bob, school_a, school_b
):
    from indicators.models import IndicatorSystem

    system = IndicatorSystem.objects.get(in_force=True)
    year = timezone.localdate().year
    SelfDiagnosis.objects.create(
        school=school_a, year=year, system=system, status=ReportStatus.SUBMITTED,
        principal_name="校长", signed_on=timezone.localdate(), snapshot={},
    )  # fmt: skip
    SelfDiagnosis.objects.create(school=school_b, year=year, system=system)
    total = School.objects.count()
    response = _as(client, province).get("/workbench/province/")
    items = {i.label: i for i in response.context["items"]}
    item = items[f"{year} 年自我诊断报告未提交"]
    assert item.count == total - 1
    # By city: the sub-counts add up and each links to that city's filtered list.
    assert sum(n for _, n, _ in item.sub) == total - 1
    listed = _as(client, province).get(item.url).context["rows"]
    names = {school.name for school, _ in listed}
    assert school_b.name in names and school_a.name not in names and len(listed) == total - 1
    label, n, url = next(s for s in item.sub if school_b.get_city_display() == s[0])
    rows = client.get(url).context["rows"]
    assert len(rows) == n and all(s.city == school_b.city for s, _ in rows)


def test_rules_not_filed_count_and_list(client, province, alice, school_a):
    year = timezone.localdate().year
    ImplementationRules.objects.create(
        school=school_a, year=year, token="t" * 32, original_name="细则.pdf", kind="pdf",
        size=1, sha256="0" * 64, uploaded_by=alice, document="implementation-rules/x.pdf",
    )  # fmt: skip
    response = _as(client, province).get("/workbench/province/")
    item = next(i for i in response.context["items"] if "实施细则未备案" in i.label)
    assert item.count == School.objects.count() - 1
    rows = client.get(item.url).context["rows"]
    assert len(rows) == item.count and school_a.pk not in {s.pk for s, _ in rows}


def test_recheck_needs_count_and_the_planning_list_filters(
    client, province, cycle_2026, recheck_a, school_b, panel_of_three
):
    undated = Recheck.objects.create(cycle=cycle_2026, school=school_b, planned_year=2027)
    Consolidation.objects.create(recheck=recheck_a, submitted_at=timezone.now())
    response = _as(client, province).get("/workbench/province/")
    items = {i.label: i for i in response.context["items"]}
    dates = items["复核未排定复核日期"]
    panel = items["复核专家组未配齐（人数不足或未定组长）"]
    publication = items["复核专家组已提交合议，待发布结论"]
    assert (dates.count, panel.count, publication.count) == (1, 2, 1)  # 3 < 5 experts
    assert [r.pk for r in client.get(dates.url).context["rechecks"]] == [undated.pk]
    assert [r.pk for r in client.get(publication.url).context["rechecks"]] == [recheck_a.pk]
    assert len(client.get(panel.url).context["rechecks"]) == 2


def test_failed_emails_count_links_to_the_failed_log(client, province):
    from notices.models import EmailStatus, Notice

    Notice.objects.create(
        recipient=province, kind="rules_due", subject="x", due_date=date(2026, 5, 30),
        stage="event", title="t", body="b", url="/", email_status=EmailStatus.FAILED,
    )  # fmt: skip
    response = _as(client, province).get("/workbench/province/")
    item = next(i for i in response.context["items"] if i.label == "通知邮件发送失败")
    assert item.count == 1 and item.url.endswith("status=failed")
    assert len(client.get(item.url).context["page"].object_list) == 1


def test_expert_sees_each_assignment_with_its_next_action(
    client, expert, assigned_expert, recheck_a
):
    response = _as(client, expert).get("/workbench/expert/")
    rows = response.context["rows"]
    assert [r["action"] for r in rows] == ["声明无利益冲突"]
    assert rows[0]["url"] == f"/rechecks/{recheck_a.pk}/"
    assigned_expert.certified_at = timezone.now()
    assigned_expert.save()
    rows = client.get("/workbench/expert/").context["rows"]
    assert rows[0]["action"] == "在线评议（逐项判断是否相符）"  # the re-check began in May
    assert rows[0]["url"] == f"/rechecks/{recheck_a.pk}/score/"
