"""Re-check planning pages by role: every view for who may use it, 404 for everyone else."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review.models import MaterialKind, PanelAssignment
from review.services import materials, panel_assignments
from schools.models import Expert, ExpertKind, School
from tests.conftest import names_rule
from tests.uploads import tiny_pdf
from zhengai import stampcache

pytestmark = pytest.mark.django_db

STAFF_READ = {"province": 200, "committee": 200, "alice": 404, "bob": 404, "expert": 404}
PROVINCE_ONLY = {"province": 200, "committee": 404, "alice": 404, "bob": 404, "expert": 404}


@pytest.fixture
def eager_tasks():
    """The export's worker task runs at once (conftest puts Celery's settings back)."""
    from zhengai.celery import app

    app.conf.task_always_eager = True


def _as(client, user):
    client.force_login(user)
    return client


def _pdf():
    return SimpleUploadedFile("材料.pdf", tiny_pdf("材料"), content_type="application/pdf")


@pytest.mark.parametrize(("who", "status"), STAFF_READ.items())
@pytest.mark.parametrize("suffix", ["", "{pk}/", "{pk}/overview.xlsx", "{pk}/rechecks/"])
def test_cycle_pages(client, everyone, cycle_2026, who, status, suffix, eager_tasks):
    url = "/cycles/" + suffix.format(pk=cycle_2026.pk)
    assert _as(client, everyone[who]).get(url).status_code == status


@pytest.mark.parametrize(("who", "status"), PROVINCE_ONLY.items())
def test_selection_page(client, everyone, cycle_2026, who, status):
    url = f"/cycles/{cycle_2026.pk}/selection/"
    assert _as(client, everyone[who]).get(url).status_code == status


@pytest.mark.parametrize("who", ["committee", "alice", "bob", "expert"])
def test_only_province_writes_plans(client, everyone, cycle_2026, recheck_a, who):
    client.force_login(everyone[who])
    posts = [
        ("/cycles/", {"start_year": 2029}),
        (f"/cycles/{cycle_2026.pk}/selection/", {"action": "save", "school": [1, 2]}),
        (f"/cycles/{cycle_2026.pk}/panels/propose/", {}),
        (
            f"/rechecks/{recheck_a.pk}/schedule/",
            {"start_date": "2026-06-01", "end_date": "2026-06-02"},
        ),
        (f"/rechecks/{recheck_a.pk}/panel/", {"expert": 1, "reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    recheck_a.refresh_from_db()
    assert recheck_a.start_date == date(2026, 5, 20)
    assert not PanelAssignment.objects.exists()


def test_province_creates_a_cycle_and_errors_sit_by_the_field(client, province):
    client.force_login(province)
    response = client.post("/cycles/", {"start_year": 2029}, follow=True)
    assert "2029—2031 年诊改周期" in response.content.decode()
    response = client.post("/cycles/", {"start_year": 2030})
    assert response.status_code == 400 and "重叠" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 200), ("committee", 200), ("alice", 200), ("bob", 404), ("expert", 404)],
)
def test_recheck_page_by_role_unassigned_expert(client, everyone, recheck_a, who, status):
    assert _as(client, everyone[who]).get(f"/rechecks/{recheck_a.pk}/").status_code == status


def test_assigned_expert_sees_the_recheck_but_not_materials_until_certified(
    client, expert, assigned_expert, recheck_a, alice
):
    material = materials.upload_material(
        recheck=recheck_a, kind=MaterialKind.PLANS, upload=_pdf(), user=alice
    )
    client.force_login(expert)
    html = client.get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "利益冲突声明" in html and "材料.pdf" not in html
    download = f"/rechecks/{recheck_a.pk}/materials/{material.pk}/download/"
    assert client.get(download).status_code == 404
    client.post(f"/rechecks/{recheck_a.pk}/certify/", {"decision": "no_conflict"})
    assert client.get(download).status_code == 200
    assert "材料.pdf" in client.get(f"/rechecks/{recheck_a.pk}/").content.decode()


def test_removed_expert_gets_404_at_once(client, expert, assigned_expert, recheck_a, province):
    panel_assignments.remove_expert(assignment=assigned_expert, user=province, reason="调整")
    assert _as(client, expert).get(f"/rechecks/{recheck_a.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 200), ("committee", 200), ("alice", 200), ("bob", 404), ("expert", 404)],
)
def test_material_download_by_role(client, everyone, recheck_a, alice, who, status):
    material = materials.upload_material(
        recheck=recheck_a, kind=MaterialKind.RULES, upload=_pdf(), user=alice
    )
    url = f"/rechecks/{recheck_a.pk}/materials/{material.pk}/download/"
    assert _as(client, everyone[who]).get(url).status_code == status


@pytest.mark.parametrize("who", ["province", "committee", "bob", "expert"])
def test_only_the_school_uploads_and_publishes(client, everyone, recheck_a, who):
    client.force_login(everyone[who])
    url = f"/rechecks/{recheck_a.pk}/materials/"
    assert client.post(url, {"kind": 1, "document": _pdf()}).status_code == 404
    assert client.post(url + "publish/", {"action": "publish"}).status_code == 404
    assert not recheck_a.materials.exists()


def test_school_uploads_a_disguised_file_and_sees_why(client, alice, recheck_a):
    client.force_login(alice)
    fake = SimpleUploadedFile("报告.docx", b"GIF89a not a word file")
    response = client.post(f"/rechecks/{recheck_a.pk}/materials/", {"kind": 2, "document": fake})
    assert response.status_code == 400
    assert "文件内容不是允许的类型" in response.content.decode()
    assert not recheck_a.materials.exists()


def test_school_sees_deadlines_and_the_checklist(client, alice, recheck_a, time_machine):
    time_machine.move_to("2026-04-01 09:00 +0800")
    html = _as(client, alice).get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "2026 年 4 月 20 日" in html and "2026 年 5 月 5 日" in html
    assert "还剩 19 天" in html and "还剩 34 天" in html  # publish-by, submit-by
    assert "2024 年、2025 年（近 2 年）" in html
    assert "2023、2024、2025 届毕业生（近 3 届）" in html
    for kind in MaterialKind:
        assert kind.label.replace("《", "&lt;")[:6] in html or kind.label[:6] in html


@pytest.mark.parametrize(("who", "status"), [("expert", 200), ("province", 404), ("alice", 404)])
def test_my_rechecks(client, everyone, assigned_expert, who, status):
    response = _as(client, everyone[who]).get("/my-rechecks/")
    assert response.status_code == status
    if status == 200:
        assert assigned_expert.recheck.school.name in response.content.decode()


def test_assign_view_refuses_a_conflicted_expert_and_says_why(
    client, province, recheck_a, school_a
):
    insider = Expert.objects.create(
        name="本校的专家", employer="x", kind=ExpertKind.VOCATIONAL_COLLEGE, school=school_a
    )
    client.force_login(province)
    response = client.post(
        f"/rechecks/{recheck_a.pk}/panel/", {"expert": insider.pk, "reason": "补充"}
    )
    assert response.status_code == 400
    assert "不能指派 本校的专家" in response.content.decode()


def test_panel_builder_offers_only_experts_who_may_sit(client, province, recheck_a, school_a):
    from schools.models import ExpertAvailability

    free = Expert.objects.create(
        name="可派专家", employer="甲", kind=ExpertKind.INDUSTRY_ENTERPRISE
    )
    insider = Expert.objects.create(
        name="本校专家", employer="x", kind=ExpertKind.VOCATIONAL_COLLEGE, school=school_a
    )
    away = Expert.objects.create(name="出访专家", employer="y", kind=ExpertKind.EDUCATION_RESEARCH)
    ExpertAvailability.objects.create(expert=away, year=2026, available=False)
    client.force_login(province)
    html = client.get(f"/rechecks/{recheck_a.pk}/").content.decode()
    options = {
        e.pk: re.search(rf'<option value="{e.pk}"[^>]*>[^<]*', html).group(0)
        for e in (free, insider, away)
    }
    assert "disabled" not in options[free.pk] and "不可指派" not in options[free.pk]
    assert "disabled" in options[insider.pk] and "该专家在本校任职" in options[insider.pk]
    assert "disabled" in options[away.pk] and "2026 年不可参加复核" in options[away.pk]
    assert "目标人数 <strong>5</strong> 人" in html and "还差 5 人" in html
    assert not names_rule(options[insider.pk], "R19")


def test_first_expert_joins_without_a_reason_then_one_is_asked(client, province, recheck_a):
    first = Expert.objects.create(
        name="首位专家", employer="甲", kind=ExpertKind.INDUSTRY_ENTERPRISE
    )
    second = Expert.objects.create(
        name="次位专家", employer="乙", kind=ExpertKind.INDUSTRY_ENTERPRISE
    )
    client.force_login(province)
    url = f"/rechecks/{recheck_a.pk}/panel/"
    html = client.get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert 'name="reason" maxlength="300"' not in html.split('id="panel-target"')[1][:3000]
    assert client.post(url, {"expert": first.pk}).status_code == 302
    assert PanelAssignment.objects.get(expert=first).is_lead
    response = client.post(url, {"expert": second.pk})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="err-assign-reason"' in html
    assert not PanelAssignment.objects.filter(expert=second).exists()
    assert client.post(url, {"expert": second.pk, "reason": "补足人数"}).status_code == 302


def test_schedule_view_requires_a_reason_to_move(client, province, recheck_a):
    client.force_login(province)
    data = {"start_date": "2026-06-10", "end_date": "2026-06-12"}
    response = client.post(f"/rechecks/{recheck_a.pk}/schedule/", data)
    assert response.status_code == 400 and "调整已排定的日期须填写原因" in response.content.decode()
    response = client.post(
        f"/rechecks/{recheck_a.pk}/schedule/", data | {"reason": "专家时间冲突"}, follow=True
    )
    assert "2026 年 5 月 11 日" in response.content.decode()  # publish-by moved with the start


def test_selection_page_counts_and_refuses_to_close_below_minimum(client, province, cycle_2026):
    client.force_login(province)
    picks = list(School.objects.filter(is_new=False).values_list("pk", flat=True)[:3])
    response = client.post(
        f"/cycles/{cycle_2026.pk}/selection/", {"action": "close", "school": picks}, follow=True
    )
    html = response.content.decode()
    # The picks are saved; the confirmation page says why it cannot close and offers no button.
    assert "还差 12 所" in html and 'name="confirm"' not in html
    assert cycle_2026.rechecks.count() == 3
    client.post(f"/cycles/{cycle_2026.pk}/selection/close/", {"confirm": "yes"})
    cycle_2026.refresh_from_db()
    assert cycle_2026.selection_closed_at is None


def test_cycle_overview_export_is_a_real_xlsx(client, province, cycle_2026, recheck_a, eager_tasks):
    client.force_login(province)
    response = client.get(f"/cycles/{cycle_2026.pk}/overview.xlsx?recheck=yes")
    content = b"".join(response.streaming_content)  # the stored file the worker wrote
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows == [
        [
            recheck_a.school.name,
            "厦门",
            "未开始",
            "是",
            "2026",
            "2026-05-20 至 2026-05-22",
            None,
            None,
            None,
        ]
    ]


def test_cycle_overview_query_count_is_constant(client, province, cycle_2026, recheck_a):
    client.force_login(province)
    client.get(f"/cycles/{cycle_2026.pk}/")
    stampcache.bump(stampcache.QUEUES)  # the page read afresh, not from the store
    with CaptureQueriesContext(connection) as few:
        client.get(f"/cycles/{cycle_2026.pk}/")
    for i in range(20):
        School.objects.create(name=f"新增测试学院{i}", city="fuzhou")  # moves the stamp
    with CaptureQueriesContext(connection) as many:
        client.get(f"/cycles/{cycle_2026.pk}/")
    assert len(many) == len(few)


def test_overdue_deadline_says_by_how_many_days(client, alice, recheck_a, time_machine):
    time_machine.move_to("2026-04-23 09:00 +0800")
    html = _as(client, alice).get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "已逾期 3 天" in html and "还剩 12 天" in html
