"""The cycle overview and the re-check list are stored between requests (zhengai/stampcache.py)
and show every change to what they are read from on the very next request — never stale."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from review.models import ReportStatus, SelfDiagnosis
from review.services import panel_assignments
from tests.conftest import score_and_publish

pytestmark = pytest.mark.django_db


def _row(html: str, name: str) -> str:
    """The table row of the school called ``name``."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    [row] = [row for row in body.split("</tr>") if f">{name}</a>" in row]
    return row


def _page(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    return html, len(ctx.captured_queries)


def test_the_overview_is_stored_and_shows_each_change_at_once(
    client, province, recheck_a, panel_of_three, school_a
):
    url = f"/cycles/{recheck_a.cycle_id}/?q={school_a.name}"
    client.force_login(province)
    first, queries = _page(client, url)
    again, stored = _page(client, url)
    table = first.split("<tbody>")[1].split("</tbody>")[0]
    assert table in again and stored < queries  # the rows came from the store
    assert "未开始" in _row(first, school_a.name)

    report = SelfDiagnosis.objects.create(school=school_a, year=2026, system_id=recheck_a.system_id)
    report.status, report.principal_name = ReportStatus.SUBMITTED, "校长"
    report.signed_on, report.snapshot = timezone.localdate(), {}
    report.save()
    assert "已提交" in _row(_page(client, url)[0], school_a.name)

    recheck_a.start_date, recheck_a.end_date = date(2026, 6, 1), date(2026, 6, 3)
    recheck_a.save()
    assert "2026-06-01" in _row(_page(client, url)[0], school_a.name)

    score_and_publish(recheck_a, panel_of_three, province, matched=15, rating="strong")
    assert "有效" in _row(_page(client, url)[0], school_a.name)


def test_the_recheck_list_is_stored_and_shows_panel_changes_at_once(
    client, province, recheck_a, panel_of_three, school_a
):
    url = f"/cycles/{recheck_a.cycle_id}/rechecks/"
    client.force_login(province)
    first, queries = _page(client, url)
    assert _page(client, url)[1] < queries
    assert "合议专家0（组长）" in _row(first, school_a.name)
    # A new lead is named with an update() of the others and a save of this one.
    member = recheck_a.assignments.get(expert__name="合议专家1")
    panel_assignments.set_lead(assignment=member, user=province)
    row = _row(_page(client, url)[0], school_a.name)
    assert "合议专家1（组长）" in row and "合议专家0（组长）" not in row
    panel_assignments.remove_expert(assignment=member, user=province, reason="时间冲突")
    assert "合议专家1" not in _row(_page(client, url)[0], school_a.name)


def test_staff_and_committee_see_their_own_variant_of_the_stored_list(
    client, province, committee, recheck_a, panel_of_three
):
    from tests.review.test_staff_review import consolidated

    consolidated(recheck_a, panel_of_three)
    url = f"/cycles/{recheck_a.cycle_id}/rechecks/?need=publication"
    client.force_login(province)
    assert "审核并发布结论" in client.get(url).content.decode()
    client.force_login(committee)
    assert "审核并发布结论" not in client.get(url).content.decode()
