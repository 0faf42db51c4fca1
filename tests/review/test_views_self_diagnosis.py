"""Self-diagnosis pages by role: the school writes, province and committee read, others 404."""

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review.models import ImplementationRules, ReportStatus
from review.selectors import editor_stamp
from review.services import self_diagnosis as service
from review.services.self_diagnosis import TextEdit
from tests.conftest import filled, panel_members
from tests.uploads import tiny_pdf
from zhengai import stampcache

pytestmark = pytest.mark.django_db

READERS = {"alice": 200, "province": 200, "committee": 200, "bob": 404, "expert": 404}


def _as(client, user):
    client.force_login(user)
    return client


def _revisions(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(e[\d.]+-rev|overview-rev)" value="(\d+)"', html))


@pytest.mark.parametrize(("who", "status"), READERS.items())
@pytest.mark.parametrize(
    "suffix", ["", "panel/", "history/", "history/?element=2.1", "report.pdf", "report.xlsx"]
)
def test_read_views_by_role(client, everyone, report_a, who, status, suffix):
    response = _as(client, everyone[who]).get(f"/self-diagnosis/{report_a.pk}/{suffix}")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("province", 404), ("committee", 404), ("bob", 404), ("expert", 404)],
)
def test_import_page_is_for_the_school_only(client, everyone, report_a, who, status):
    assert _as(client, everyone[who]).get(f"/self-diagnosis/{report_a.pk}/import/").status_code == (
        status
    )


@pytest.mark.parametrize("who", ["province", "committee", "bob", "expert"])
@pytest.mark.parametrize("action", ["save/", "panel/", "submit/", "points/"])
def test_only_the_school_may_write(client, everyone, report_a, who, action):
    response = _as(client, everyone[who]).post(
        f"/self-diagnosis/{report_a.pk}/{action}", {"overview": "x", "overview-rev": "0"}
    )
    assert response.status_code == 404
    report_a.refresh_from_db()
    assert report_a.overview == ""


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("province", 200), ("committee", 200), ("bob", 200), ("expert", 404)],
)
def test_index_by_role(client, everyone, who, status):
    response = _as(client, everyone[who]).get("/self-diagnosis/")
    assert response.status_code == status


def test_school_index_shows_only_its_own_reports(client, alice, bob, report_a):
    html = _as(client, bob).get("/self-diagnosis/").content.decode()
    assert f"/self-diagnosis/{report_a.pk}/" not in html
    html = _as(client, alice).get("/self-diagnosis/").content.decode()
    assert f"/self-diagnosis/{report_a.pk}/" in html


def test_province_sees_every_school_with_its_status(client, province, report_a, bob, school_b):
    report_b = service.open_self_diagnosis(school=school_b, year=2026, user=bob)
    service.save_panel(self_diagnosis=report_b, user=bob, members=panel_members())
    client.force_login(province)
    html = client.get("/self-diagnosis/?year=2026").content.decode()
    assert "共 43 所" in html and "未开始" in html and "草稿" in html
    assert "<b>41</b>未开始" in html and "<b>2</b>草稿" in html and "<b>0</b>已提交" in html
    html = client.get("/self-diagnosis/?year=2026&status=draft").content.decode()
    assert "共 2 所" in html and "厦门海洋职业技术学院" in html
    html = client.get("/self-diagnosis/?year=2026&status=not_started&city=xiamen").content.decode()
    assert "厦门海洋职业技术学院" not in html and "厦门南洋职业学院" in html


def test_status_list_query_count_is_constant(client, province, report_a):
    client.force_login(province)
    client.get("/self-diagnosis/?year=2026")
    with CaptureQueriesContext(connection) as queries:
        client.get("/self-diagnosis/?year=2026")
    assert len(queries) <= 8


def test_edit_page_query_count_does_not_grow_with_versions(client, alice, report_a):
    client.force_login(alice)
    url = f"/self-diagnosis/{report_a.pk}/"
    client.get(url)

    def counts() -> tuple[int, int]:
        """Queries of the page made again (its stamp moved), then served from the store."""
        stampcache.bump(editor_stamp(report_a.pk))
        with CaptureQueriesContext(connection) as made:
            client.get(url)
        with CaptureQueriesContext(connection) as stored:
            client.get(url)
        return len(made), len(stored)

    first = counts()
    for revision in range(5):
        service.save_draft(
            self_diagnosis=report_a,
            user=alice,
            entries={
                code: TextEdit(
                    values={"opinion": f"第{revision}版", "measures": "", "effects": ""},
                    revision=revision,
                )
                for code in ("1.1", "2.1", "5.4")
            },
        )
    assert counts() == first
    made, stored = first
    assert made <= 20
    assert stored < made  # the stored editor reads none of the report's rows


def test_open_report_for_a_year(client, alice, school_a):
    response = _as(client, alice).post("/self-diagnosis/open/", {"year": 2027})
    report = school_a.self_diagnoses.get(year=2027)
    assert response["Location"] == f"/self-diagnosis/{report.pk}/"


def test_r6_new_school_is_told_to_pass_the_evaluation_first(client, alice, school_a):
    school_a.is_new = True
    school_a.save()
    client.force_login(alice)
    response = client.post("/self-diagnosis/open/", {"year": 2026}, follow=True)
    assert "需先接受人才培养工作评估" in response.content.decode()
    assert not school_a.self_diagnoses.exists()


def test_save_view_saves_and_says_so(client, alice, report_a):
    client.force_login(alice)
    html = client.get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    data = _revisions(html) | {"overview": "概述", "e1.1-opinion": "意见", "anchor": "e1.1"}
    response = client.post(f"/self-diagnosis/{report_a.pk}/save/", data)
    assert response["Location"] == f"/self-diagnosis/{report_a.pk}/#e1.1"
    html = client.get(response["Location"]).content.decode()
    assert "草稿已保存" in html
    report_a.refresh_from_db()
    assert report_a.overview == "概述"


def test_save_returns_to_the_element_with_the_message_in_the_save_bar(client, alice, report_a):
    client.force_login(alice)
    html = client.get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    # Without JavaScript: the element's own save button names where the writer was.
    data = _revisions(html) | {"e2.3-opinion": "意见", "anchor": ["", "e2.3"]}
    response = client.post(f"/self-diagnosis/{report_a.pk}/save/", data)
    assert response["Location"] == f"/self-diagnosis/{report_a.pk}/#e2.3"
    html = client.get(response["Location"]).content.decode()
    bar = html.split('class="save-bar"')[1]
    assert "草稿已保存" in bar.split("</div>")[0]  # sticky at the bottom: in view at #e2.3
    assert "草稿已保存" not in html.split('class="save-bar"')[0]
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/save/", _revisions(html) | {"anchor": "javascript:x"}
    )
    assert response["Location"] == f"/self-diagnosis/{report_a.pk}/"


def test_jump_list_shows_each_elements_completion(client, alice, report_a):
    service.save_draft(
        self_diagnosis=report_a,
        user=alice,
        entries={
            "1.1": TextEdit(
                values={"opinion": "意", "measures": "措", "effects": "效"}, revision=0
            ),
            "3.2": TextEdit(values={"opinion": "意", "measures": "", "effects": ""}, revision=0),
        },
    )
    html = _as(client, alice).get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    jump = html.split('class="card jump-list"')[1].split("</nav>")[0]
    assert len(re.findall(r'<a href="#e[\d.]+">', jump)) == 15
    assert re.search(r'href="#e1\.1">[^<]*</a> <span class="tag ok">已填完', jump)
    assert re.search(r'href="#e3\.2">[^<]*</a> <span class="tag warn">1/3', jump)
    assert re.search(r'href="#e5\.4">[^<]*</a> <span class="tag muted">0/3', jump)


def test_submission_checklist_links_each_missing_item_to_its_field(client, alice, report_a):
    html = _as(client, alice).get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    checklist = html.split("提交前还需要")[1].split("</div>")[0]
    assert f'href="/self-diagnosis/{report_a.pk}/panel/"' in checklist  # the panel's own page
    assert 'href="#id_overview"' in checklist and 'id="id_overview"' in html
    assert 'href="#e1.1-opinion"' in checklist and 'id="e1.1-opinion"' in html


def test_r5_save_view_over_limit_keeps_the_text_and_marks_the_field(client, alice, report_a):
    client.force_login(alice)
    html = client.get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    long_text = "测" * 201
    data = _revisions(html) | {"overview": "不会丢的概述", "e2.3-measures": long_text}
    response = client.post(f"/self-diagnosis/{report_a.pk}/save/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "草稿未保存" in html
    assert 'id="err-e2.3-measures"' in html
    assert "2.3 改进措施不能超过 200 字（当前 201 字，多了 1 字）" in html
    assert long_text in html and "不会丢的概述" in html  # nothing the user typed is lost
    report_a.refresh_from_db()
    assert report_a.overview == ""


def test_conflict_is_shown_with_both_texts(client, alice, carol, report_a):
    client.force_login(carol)
    stale = _revisions(client.get(f"/self-diagnosis/{report_a.pk}/").content.decode())
    service.save_draft(
        self_diagnosis=report_a,
        user=alice,
        entries={"1.1": TextEdit(values={"opinion": "甲先保存"}, revision=0)},
    )
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/save/", stale | {"e1.1-opinion": "丙后保存"}, follow=True
    )
    html = response.content.decode()
    assert "在你编辑期间已被同事修改" in html
    assert "编辑冲突" in html and "甲先保存" in html and "丙后保存" in html


def test_panel_view_refuses_an_invalid_panel_with_the_reason(client, alice, report_a):
    client.force_login(alice)
    data = {"panel-TOTAL_FORMS": "9", "panel-INITIAL_FORMS": "0"}
    for i, member in enumerate(panel_members(9, 3)):
        data[f"panel-{i}-name"] = member["name"]
        data[f"panel-{i}-employer"] = member["employer"]
        if member["external"]:
            data[f"panel-{i}-external"] = "on"
    response = client.post(f"/self-diagnosis/{report_a.pk}/panel/", data)
    assert response.status_code == 400
    assert "校外专家现有 3 人" in response.content.decode()
    assert report_a.panel.count() == 0
    data["panel-3-external"] = data["panel-4-external"] = "on"
    response = client.post(f"/self-diagnosis/{report_a.pk}/panel/", data)
    assert response.status_code == 302 and report_a.panel.count() == 9


def test_submit_view_lists_problems_then_locks(client, alice, report_a):
    client.force_login(alice)
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/submit/",
        {"principal_name": "王校长", "signed_on": "2026-06-01"},
    )
    assert response.status_code == 400
    assert "尚未填写“自我诊改工作概述”" in response.content.decode()
    filled(report_a, alice)
    signed = {"principal_name": "王校长", "signed_on": "2026-06-01"}
    response = client.post(f"/self-diagnosis/{report_a.pk}/submit/", signed)
    assert "确认提交" in response.content.decode()  # a summary first
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/submit/", signed | {"confirm": "yes"}, follow=True
    )
    html = response.content.decode()
    assert "报告已提交，内容已锁定" in html
    assert "<textarea" not in html.split("退回学校修改")[0]  # read-only now
    assert "2026 年 6 月 1 日" in html


def test_reopen_view_is_for_province_only(client, everyone, alice, province, report_a):
    filled(report_a, alice)
    service.submit(
        self_diagnosis=report_a, user=alice, principal_name="王校长", signed_on=date(2026, 6, 1)
    )
    for who in ("alice", "committee", "bob", "expert"):
        client.force_login(everyone[who])
        response = client.post(f"/self-diagnosis/{report_a.pk}/reopen/", {"reason": "x"})
        assert response.status_code == 404, who
    client.force_login(province)
    response = client.post(f"/self-diagnosis/{report_a.pk}/reopen/", {"reason": ""})
    assert response.status_code == 400 and "请填写退回原因" in response.content.decode()
    client.post(f"/self-diagnosis/{report_a.pk}/reopen/", {"reason": "数据需更新"})
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.DRAFT
    html = _as(client, alice).get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    assert "数据需更新" in html


def test_history_view_shows_who_and_a_diff(client, alice, carol, report_a):
    service.save_draft(
        self_diagnosis=report_a, user=alice, entries={"1.1": TextEdit({"opinion": "目标明确"}, 0)}
    )
    service.save_draft(
        self_diagnosis=report_a,
        user=carol,
        entries={"1.1": TextEdit({"opinion": "目标十分明确"}, 1)},
    )
    html = _as(client, alice).get(f"/self-diagnosis/{report_a.pk}/history/?element=1.1").content
    html = html.decode()
    assert "carol" in html and "alice" in html
    assert "目标<ins>十分</ins>明确" in html


def _pdf_upload(name="细则.pdf", content=None):
    content = tiny_pdf("实施细则") if content is None else content
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_r20_rules_upload_records_hash_and_server_name(client, alice, school_a, settings):
    client.force_login(alice)
    response = client.post(
        "/self-diagnosis/rules/", {"year": 2026, "document": _pdf_upload()}, follow=True
    )
    assert "2026 年实施细则已备案" in response.content.decode()
    rules = ImplementationRules.objects.get()
    assert rules.kind == "pdf" and len(rules.sha256) == 64
    assert "细则" not in rules.document.name  # stored under a server-made name
    download = client.get(f"/self-diagnosis/rules/{rules.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_rules_upload_refuses_a_disguised_file(client, alice):
    client.force_login(alice)
    fake = SimpleUploadedFile("细则.pdf", b"MZ\x90\x00 this is an executable", "application/pdf")
    response = client.post("/self-diagnosis/rules/", {"year": 2026, "document": fake})
    assert response.status_code == 400
    assert "文件内容不是允许的类型" in response.content.decode()
    assert not ImplementationRules.objects.exists()


@pytest.mark.parametrize(("who", "status"), READERS.items())
def test_rules_download_by_role(client, everyone, alice, school_a, who, status):
    from review.services.implementation_rules import file_implementation_rules

    rules = file_implementation_rules(school=school_a, year=2026, user=alice, upload=_pdf_upload())
    response = _as(client, everyone[who]).get(f"/self-diagnosis/rules/{rules.pk}/download/")
    assert response.status_code == status


def test_import_view_bad_file_saves_nothing_and_lists_errors(client, alice, report_a):
    client.force_login(alice)
    upload = SimpleUploadedFile("表.xlsx", b"not a zip at all", content_type="application/zip")
    response = client.post(f"/self-diagnosis/{report_a.pk}/import/", {"file": upload})
    assert response.status_code == 400
    assert "文件未导入" in response.content.decode()


def test_import_view_round_trip(client, alice, report_a):
    import openpyxl

    client.force_login(alice)
    exported = client.get(f"/self-diagnosis/{report_a.pk}/report.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book["自我诊断与改进报告表"]
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("1.1 "):
                sheet.cell(row=cell.row, column=3, value="=离线填写的意见")
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("表.xlsx", buffer.getvalue())
    response = client.post(f"/self-diagnosis/{report_a.pk}/import/", {"file": upload})
    # A formula cell is refused: nothing is saved.
    assert response.status_code == 400 and "公式" in response.content.decode()
    assert report_a.entries.get(element__code="1.1").opinion == ""


def test_r20_late_filing_is_recorded_as_late_never_hidden(client, alice, time_machine):
    time_machine.move_to("2026-06-02 09:00 +0800")
    client.force_login(alice)
    response = client.post(
        "/self-diagnosis/rules/", {"year": 2026, "document": _pdf_upload()}, follow=True
    )
    html = response.content.decode()
    assert "已超过 5 月 30 日，记为逾期备案" in html
    assert "已逾期备案" in html and "逾期" in html.split("SHA-256")[1]


def test_r20_filing_on_30_may_is_on_time(client, alice, time_machine):
    time_machine.move_to("2026-05-30 23:50 +0800")
    client.force_login(alice)
    html = client.post(
        "/self-diagnosis/rules/", {"year": 2026, "document": _pdf_upload()}, follow=True
    ).content.decode()
    assert "2026 年实施细则已备案。" in html and "已按时备案" in html
