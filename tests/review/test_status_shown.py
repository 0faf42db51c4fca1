"""Status is right where it is shown: the cycle overview, the selection page, R6 marks."""

import re
from datetime import date

import pytest

from review.models import Cycle, CycleKind, Recheck, SelfDiagnosis
from review.services.self_diagnosis import open_self_diagnosis
from tests.conftest import names_rule

pytestmark = pytest.mark.django_db


def _row(html: str, name: str) -> str:
    """The table row of one school, as text."""
    for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S):
        if name in row:
            return re.sub(r"<[^>]+>", " ", row)
    raise AssertionError(f"{name} not listed")


def _annex2_cycle() -> Cycle:
    return Cycle.objects.get(kind=CycleKind.ANNEX2)  # loaded with the fixtures


def test_r8_cycle_overview_shows_the_cycles_submitted_report_not_a_newer_draft(
    client, province, alice, school_a, cycle_2026
):
    submitted = open_self_diagnosis(school=school_a, year=2026, user=alice)
    SelfDiagnosis.objects.filter(pk=submitted.pk).update(
        status="submitted", principal_name="校长", signed_on=date(2026, 5, 1), snapshot={}
    )
    open_self_diagnosis(school=school_a, year=2027, user=alice)  # next year's draft, same cycle
    client.force_login(province)
    html = client.get(f"/cycles/{cycle_2026.pk}/").content.decode()
    row = _row(html, school_a.name)
    assert "已提交" in row and "草稿" not in row
    html = client.get(f"/cycles/{cycle_2026.pk}/?report=submitted").content.decode()
    assert school_a.name in html


def test_r8_selection_last_recheck_counts_only_rechecks_that_took_place(
    client, province, school_a, school_b, cycle_2026, time_machine
):
    time_machine.move_to("2026-03-01 10:00 +0800")
    earlier = Cycle.objects.create(
        name="2023—2025 年诊改周期", kind=CycleKind.TRIENNIAL, start_year=2023, end_year=2025
    )
    # School A was picked for 2025 but its re-check never happened (never scheduled).
    Recheck.objects.create(cycle=earlier, school=school_a, planned_year=2025)
    held = Recheck.objects.create(cycle=earlier, school=school_b, planned_year=2024)
    held.start_date, held.end_date = date(2024, 5, 6), date(2024, 5, 8)
    held.save()
    client.force_login(province)
    html = client.get(f"/cycles/{cycle_2026.pk}/selection/").content.decode()
    row = _row(html, school_a.name)
    assert "2025" not in row and "2017 年" in row  # its 附件2 re-check, not the one never held
    assert "2024" in _row(html, school_b.name)


def test_r6_exempt_schools_are_marked_only_in_the_cycle_that_exempts_them(
    client, province, school_b, cycle_2026
):
    assert school_b.files_self_diagnosis
    annex2 = _annex2_cycle()
    client.force_login(province)
    # A 3-year cycle: the 2017–2020 exemption no longer applies; nothing says it does.
    html = client.get(f"/cycles/{cycle_2026.pk}/").content.decode()
    assert "免复核" not in _row(html, school_b.name) and not names_rule(html, "R6")
    html = client.get(f"/cycles/{cycle_2026.pk}/selection/").content.decode()
    assert "免复核" not in html and not names_rule(html, "R6")
    assert "disabled" not in _row(html, school_b.name)
    # The 2017–2020 plan: marked on both pages, and not selectable.
    html = client.get(f"/cycles/{annex2.pk}/").content.decode()
    assert "备案免复核" in _row(html, school_b.name)
    html = client.get(f"/cycles/{annex2.pk}/selection/").content.decode()
    assert "备案免复核" in _row(html, school_b.name) and "备案免复核的学校已标出" in html
    assert "disabled" in re.search(rf'<input[^>]*value="{school_b.pk}"[^>]*>', html).group(0)
