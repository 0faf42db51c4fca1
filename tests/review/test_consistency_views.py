"""The consistency pages by role: who sees them, who gets 404, and what they show."""

from __future__ import annotations

import pytest

from review.models import ConsolidatedFinding
from tests.review.test_consistency import example  # noqa: F401 - the hand-computed example
from tests.review.test_staff_review import consolidated

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_province_page_for_staff_and_committee(client, everyone, example):  # noqa: F811
    for name in ("province", "committee"):
        response = _get(client, everyone[name], "/consistency/")
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "1.1" in html and "0.33" in html and "50.0%" in html  # κ = 1/3, 2 of 4 panels
        assert "-0.09" in html and "低于随机水平" in html  # element 1.3: κ = −1/11
        assert "无法计算" in html  # element 1.2: everyone agreed
    assert (
        "各专家与专家组合议结果的一致率"
        in _get(client, everyone["province"], "/consistency/").content.decode()
    )
    assert (
        "各专家与专家组合议结果的一致率"
        not in _get(client, everyone["committee"], "/consistency/").content.decode()
    )


@pytest.mark.parametrize("name", ["alice", "bob", "expert"])
def test_province_page_is_404_for_everyone_else(client, everyone, name):
    assert _get(client, everyone[name], "/consistency/").status_code == 404


def test_province_page_filters_by_cycle(client, province, example, cycle_2026):  # noqa: F811
    from review.services.rechecks import create_cycle

    other = create_cycle(start_year=2029, user=province)
    html = _get(client, province, f"/consistency/?cycle={other.pk}").content.decode()
    assert "还没有审核通过的合议结果" in html
    html = _get(client, province, f"/consistency/?cycle={cycle_2026.pk}").content.decode()
    assert "4 个" in html


def test_experts_page_for_provincial_staff_only(client, everyone, example):  # noqa: F811
    response = _get(client, everyone["province"], "/consistency/experts/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "专家X" in html and "11 / 12 项（91.7%）" in html
    assert "12 / 12 项（100.0%）" in html and "10 / 12 项（83.3%）" in html
    # Lowest rate first: Z (10/12), then X, then Y.
    assert html.index("专家Z") < html.index("专家X") < html.index("专家Y")


@pytest.mark.parametrize("name", ["alice", "bob", "expert", "committee"])
def test_experts_page_is_404_for_everyone_else(client, everyone, name):
    assert _get(client, everyone[name], "/consistency/experts/").status_code == 404


def test_panel_builder_shows_each_experts_match_to_staff_only(
    client,
    everyone,
    example,  # noqa: F811
    recheck_a,
):
    from review.services.panel_assignments import assign_expert

    x = example["experts"][0]
    assign_expert(recheck=recheck_a, expert=x, user=everyone["province"], reason="")
    html = _get(client, everyone["province"], f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "以往判定与合议一致 11/12 项（4 次复核）" in html
    assert "以往与合议一致 10/12 项" in html  # 专家Z in the pool
    html = _get(client, everyone["committee"], f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "与合议一致" not in html


def test_staff_review_and_consolidation_show_the_agreement_before_consolidation(
    client, province, committee, recheck_a, panel_of_three
):
    """Experts 0 and 2 find 1.1 不相符, expert 1 相符; the lead consolidates 不相符."""
    consolidation = consolidated(recheck_a, panel_of_three)
    for user in (province, committee):
        html = _get(client, user, f"/rechecks/{recheck_a.pk}/review/").content.decode()
        assert "合议前专家意见的一致情况" in html
        assert "14</strong> 项全组意见一致" in html and "1</strong> 项有分歧" in html
        assert "按多数意见合议为不相符" in html
    lead = panel_of_three[0]
    html = _get(client, lead, f"/rechecks/{recheck_a.pk}/consolidate/").content.decode()
    assert "按多数意见合议为不相符" in html
    # Had the lead gone with the minority, both pages say so.
    ConsolidatedFinding.objects.filter(consolidation=consolidation, element__code="1.1").update(
        consistent=True
    )
    html = _get(client, province, f"/rechecks/{recheck_a.pk}/review/").content.decode()
    assert "未按多数意见，合议为相符（见合议理由）" in html
    html = _get(client, lead, f"/rechecks/{recheck_a.pk}/consolidate/").content.decode()
    assert "未按多数意见，合议为相符（见合议理由）" in html


@pytest.mark.parametrize("name", ["province", "committee"])
def test_the_workbench_links_the_province_page(client, everyone, name):
    html = _get(client, everyone[name], "/workbench/province/").content.decode()
    assert 'href="/consistency/"' in html


def test_the_pages_query_counts_do_not_grow_with_the_number_of_rechecks(
    client,
    province,
    example,  # noqa: F811
    cycle_2026,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.models import ConsolidationState
    from schools.models import School
    from tests.review.test_consistency import OWN_FIXTURES, make_panel

    client.force_login(province)
    client.get("/notices/")  # who the person is, read once and kept (schools/permissions.py)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (count("/consistency/"), count("/consistency/experts/"))
    table = {code: ([True, False, False], False) for code in ("1.1", "1.2")}
    for school in School.objects.exclude(name__in=OWN_FIXTURES).order_by("-pk")[:5]:
        make_panel(
            cycle_2026,
            school,
            example["experts"],
            table,
            ConsolidationState.PUBLISHED,
            system_elements=example["elements"],
        )
    assert (count("/consistency/"), count("/consistency/experts/")) == before
