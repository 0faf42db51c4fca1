"""R3 and 附件1: the state data of each element's diagnostic points, with its warnings, beside
the element on the expert's scoring page and in the school's report editor — for the three
years the re-check (or the report) rests on."""

from __future__ import annotations

import pytest

from statedata.selectors import years_before
from statedata.services.compute import recompute
from statedata.services.imports import store_figures

from .helpers import GOOD_FIGURES

pytestmark = pytest.mark.django_db

TREND = "生均图书连续三年变差"


def _falling_books(school, user, years=(2023, 2024, 2025)):
    for year, books in zip(years, (700000, 680000, 660000), strict=True):
        store_figures(
            school=school, year=year, figures=GOOD_FIGURES | {"books_total": books}, tables={},
            user=user, recompute=False,
        )  # fmt: skip
    recompute(school_ids=[school.pk], notify=False)


def test_r3_a_recheck_or_report_of_a_year_rests_on_the_three_years_before_it():
    assert years_before(2027) == [2024, 2025, 2026]


def test_r3_expert_sees_the_figures_and_the_trend_beside_the_element(
    client, recheck_a, panel_of_three, alice, django_assert_max_num_queries
):
    _falling_books(recheck_a.school, alice)
    client.force_login(panel_of_three[0])
    html = client.get(f"/rechecks/{recheck_a.pk}/score/").content.decode()
    assert "状态数据（2023–2025 年）" in html
    # The warning sits inside an element's card, not at the top of the page.
    element_with_books = html.split(TREND)[0].rsplit('<article class="card element-edit" id="f', 1)
    assert len(element_with_books) == 2 and TREND in html
    code = element_with_books[1].split('"', 1)[0]
    assert code[0] in "12345"
    assert "生均图书" in html and "预警" in html


def test_r3_the_scoring_page_reads_the_state_data_in_a_fixed_number_of_queries(
    client, recheck_a, panel_of_three, alice, django_assert_max_num_queries
):
    client.force_login(panel_of_three[0])
    client.get(f"/rechecks/{recheck_a.pk}/score/")  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        client.get(f"/rechecks/{recheck_a.pk}/score/")
    _falling_books(recheck_a.school, alice)
    with CaptureQueriesContext(connection) as with_data:
        client.get(f"/rechecks/{recheck_a.pk}/score/")
    assert len(with_data) <= len(without) + 1


def test_r3_school_sees_the_same_beside_each_element_in_its_editor(client, report_a, alice):
    _falling_books(report_a.school, alice, years=[report_a.year - 3, report_a.year - 2,
                                                  report_a.year - 1])  # fmt: skip
    client.force_login(alice)
    html = client.get(f"/self-diagnosis/{report_a.pk}/").content.decode()
    assert f"状态数据（{report_a.year - 3}–{report_a.year - 1} 年）" in html
    assert TREND in html


def test_r3_the_editors_kept_figures_change_with_each_import_at_once(client, report_a, alice):
    """The editor keeps the figures drawn between loads; an import and its recomputation (the
    results written in bulk) show on the next load — and a first upload too."""
    client.force_login(alice)
    url = f"/self-diagnosis/{report_a.pk}/"
    assert "状态数据（" not in client.get(url).content.decode()  # none yet: kept as none
    years = [report_a.year - 3, report_a.year - 2, report_a.year - 1]
    _falling_books(report_a.school, alice, years=years)
    assert TREND in client.get(url).content.decode()
    store_figures(
        school=report_a.school, year=years[-1], figures=GOOD_FIGURES | {"books_total": 720000},
        tables={}, user=alice, recompute=False,
    )  # fmt: skip
    recompute(school_ids=[report_a.school_id], notify=False)
    assert TREND not in client.get(url).content.decode()  # the books rose again


def test_r3_no_state_data_no_empty_boxes(client, recheck_a, panel_of_three):
    client.force_login(panel_of_three[0])
    html = client.get(f"/rechecks/{recheck_a.pk}/score/").content.decode()
    assert "statedata-element" not in html
