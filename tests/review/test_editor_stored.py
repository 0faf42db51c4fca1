"""The report editor is kept rendered between requests (``review.views.self_diagnosis``): every
change to what it shows is on the next page, whichever way the change was written, and what
belongs to one request (the CSRF token, the messages) is never another's."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from indicators.models import Point
from review.services import self_diagnosis as service
from review.services.self_diagnosis import TextEdit
from schools.models import SecondRoundStatus
from statedata.services.compute import recompute
from statedata.services.imports import store_figures
from tests.conftest import filled_and_submitted, panel_members
from tests.statedata.helpers import GOOD_FIGURES
from zhengai import stampcache

pytestmark = pytest.mark.django_db


def _editor(client, report) -> str:
    response = client.get(f"/self-diagnosis/{report.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _shown(client, alice, report) -> str:
    """The editor as alice sees it, after one request has stored it."""
    client.force_login(alice)
    _editor(client, report)
    return _editor(client, report)


def _save(report, user, code: str, text: str, revision: int = 0):
    return service.save_draft(
        self_diagnosis=report,
        user=user,
        entries={code: TextEdit(values={"opinion": text}, revision=revision)},
    )


def test_a_saved_text_is_on_the_next_page(client, alice, report_a):
    assert "一段新写的诊断意见" not in _shown(client, alice, report_a)
    _save(report_a, alice, "1.1", "一段新写的诊断意见")
    assert "一段新写的诊断意见" in _editor(client, report_a)


def test_a_colleagues_save_and_the_conflict_it_leaves_are_on_the_next_page(
    client, alice, carol, report_a
):
    _save(report_a, alice, "2.1", "甲写的")
    _shown(client, alice, report_a)
    # carol saves on the revision she opened (0): alice's text stands, carol's is kept aside.
    result = _save(report_a, carol, "2.1", "丙写的")
    assert result.conflicts
    html = _editor(client, report_a)
    assert "编辑冲突" in html and "丙写的" in html
    # Resolved with a QuerySet.update (no signal): the service moves the stamp itself.
    service.resolve_conflict(conflict=result.conflicts[0], user=carol)
    assert "编辑冲突" not in _editor(client, report_a)


def test_the_first_panel_written_in_bulk_is_on_the_next_page(client, alice, report_a):
    html = _shown(client, alice, report_a)
    assert "自我诊断专家组</a>" in html or "自我诊断专家组（0 人）" in html
    service.save_panel(self_diagnosis=report_a, user=alice, members=panel_members())
    assert "自我诊断专家组（9 人）" in _editor(client, report_a)


def test_a_school_point_added_and_removed_is_on_the_next_page(client, alice, report_a):
    _shown(client, alice, report_a)
    element = report_a.entries.get(element__code="3.1").element
    point = service.add_school_point(
        self_diagnosis=report_a, user=alice, element=element, name="海洋特色课程思政"
    )
    assert "海洋特色课程思政" in _editor(client, report_a)
    service.remove_school_point(point=point, user=alice)
    assert "海洋特色课程思政" not in _editor(client, report_a)


def test_a_reopening_is_on_the_next_page(client, alice, province, report_a):
    _shown(client, alice, report_a)
    filled_and_submitted(report_a, alice)
    assert 'id="report-form"' not in _editor(client, report_a)  # locked: read only
    service.reopen(self_diagnosis=report_a, user=province, reason="概述需补充年度数据")
    html = _editor(client, report_a)
    assert 'id="report-form"' in html and "概述需补充年度数据" in html


def test_a_renamed_writer_is_on_the_next_page(client, alice, report_a):
    _save(report_a, alice, "1.2", "有人写过")
    assert f"最后由 {alice}" in _shown(client, alice, report_a)
    alice.display_name = "改名后的甲"
    alice.save()
    assert "最后由 改名后的甲" in _editor(client, report_a)


def test_a_school_now_filing_instead_of_submitting_is_on_the_next_page(client, alice, school_a):
    report = service.open_self_diagnosis(school=school_a, year=2019, user=alice)
    assert "提交报告</button>" in _shown(client, alice, report)
    # Recorded as evaluated in the second round before 2020: its 2017–2020 reports are filed.
    school_a.second_round_status = SecondRoundStatus.EVALUATED
    school_a.second_round_year = 2019
    school_a.save()
    html = _editor(client, report)
    assert "提交备案</button>" in html and "提交报告</button>" not in html


def test_a_changed_indicator_point_is_on_the_next_page(client, alice, report_a):
    _shown(client, alice, report_a)
    point = Point.objects.filter(element__project__system=report_a.system).first()
    point.name = "改写后的诊断点名称"
    point.save()
    assert "改写后的诊断点名称" in _editor(client, report_a)


def test_new_state_data_is_on_the_next_page(client, alice, report_a):
    assert "状态数据（" not in _shown(client, alice, report_a)
    for year in (2023, 2024, 2025):
        store_figures(
            school=report_a.school, year=year, figures=GOOD_FIGURES, tables={}, user=alice,
            recompute=False,
        )  # fmt: skip
    recompute(school_ids=[report_a.school_id], notify=False)
    assert "状态数据（2023–2025 年）" in _editor(client, report_a)


def test_the_signing_date_offered_is_today_on_each_day(client, alice, report_a, time_machine):
    time_machine.move_to("2026-06-01 10:00 +08:00")
    assert 'value="2026-06-01"' in _shown(client, alice, report_a)
    time_machine.move_to("2026-06-02 10:00 +08:00")
    client.force_login(alice)  # a new day's session
    assert 'value="2026-06-02"' in _editor(client, report_a)


def test_each_person_gets_a_csrf_token_of_their_own_and_can_save_with_it(alice, carol, report_a):
    tokens = {}
    for person in (alice, carol):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(person)
        html = _editor(browser, report_a)
        assert "\x00" not in html
        tokens[person.username] = set(
            re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        )
        form = html.split('id="report-form"', 1)[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        saved = browser.post(
            f"/self-diagnosis/{report_a.pk}/save/",
            {"csrfmiddlewaretoken": token, "e1.1-opinion": person.username,
             "e1.1-rev": 0 if person == alice else 1},
        )  # fmt: skip
        assert saved.status_code == 302, saved.content[:300]
    assert tokens["alice"] and tokens["carol"] and not tokens["alice"] & tokens["carol"]


def test_the_save_message_is_shown_once_in_the_save_bar(client, alice, report_a):
    _shown(client, alice, report_a)
    response = client.post(
        f"/self-diagnosis/{report_a.pk}/save/", {"e1.1-opinion": "存一下", "e1.1-rev": 0}
    )
    html = _editor(client, report_a)
    bar = html.split('<div class="bar-messages" role="status">', 1)[1].split("</div>", 1)[0]
    assert response.status_code == 302 and "草稿已保存" in bar
    assert "草稿已保存" not in _editor(client, report_a)


def test_a_new_release_never_serves_what_the_old_one_stored(monkeypatch):
    made = []
    assert stampcache.cached("release-test", lambda: made.append(1) or "旧", stamps=("t",)) == "旧"
    assert stampcache.cached("release-test", lambda: made.append(1) or "旧", stamps=("t",)) == "旧"
    assert made == [1]
    monkeypatch.setattr(stampcache, "release", lambda: "another-release")
    assert stampcache.cached("release-test", lambda: made.append(1) or "新", stamps=("t",)) == "新"
    assert made == [1, 1]
