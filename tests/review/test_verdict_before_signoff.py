"""No verdict before sign-off: once the lead submits the consolidation, only certified panel
members, provincial staff and the committee see the verdict the rule gives, until staff
publish it (R13, R14). The school, an uncertified expert and the public see nothing of it."""

import pytest
from django.test import Client

from review.services import publication
from review.services.panel_assignments import assign_expert
from tests.conftest import school_checks_the_draft, scored_and_consolidated

pytestmark = pytest.mark.django_db

PREVIEW = "应得结论"
# 10 of 15 consistent with a weak rating gives 待改进; the explanation names the count.
EXPLANATION = "10 项"


def _consolidate(recheck, experts, *, matched=10, rating="weak"):
    scored_and_consolidated(recheck, experts, matched=matched, rating=rating)


def _page(client, user, recheck):
    client.force_login(user)
    response = client.get(f"/rechecks/{recheck.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def consolidated(recheck_a, panel_of_three, expert, province):
    _consolidate(recheck_a, panel_of_three)
    # Staff add a fourth expert afterwards (e.g. a replacement); not yet certified.
    assign_expert(recheck=recheck_a, expert=expert.expert, user=province, reason="补充专家")
    return recheck_a


def test_r14_school_does_not_see_the_verdict_before_sign_off(client, alice, consolidated):
    html = _page(client, alice, consolidated)
    assert PREVIEW not in html
    assert "verdict-needs_improvement" not in html and "待改进" not in html


def test_r14_uncertified_expert_does_not_see_the_verdict_before_sign_off(
    client, expert, consolidated
):
    html = _page(client, expert, consolidated)
    assert PREVIEW not in html
    assert "verdict-needs_improvement" not in html and "待改进" not in html


def test_r14_certified_panel_member_sees_the_verdict_the_rule_gives(
    client, panel_of_three, consolidated
):
    html = _page(client, panel_of_three[1], consolidated)  # a member, not the lead
    assert PREVIEW in html and "待改进" in html
    assert "审核合议结果" not in html and "/review/" not in html  # staff review and publish


def test_r14_staff_see_the_verdict_and_may_publish(client, province, consolidated):
    html = _page(client, province, consolidated)
    # Publishing goes through the staff review page (and its confirmation).
    assert PREVIEW in html and "待改进" in html and "审核合议结果（交学校核对或退回）" in html


def test_r14_committee_sees_the_verdict_but_may_not_publish(client, committee, consolidated):
    html = _page(client, committee, consolidated)
    assert PREVIEW in html and "待改进" in html and "审核合议结果（交学校核对或退回）" not in html


def test_r14_the_public_column_shows_no_verdict_before_sign_off(school_a, consolidated):
    anonymous = Client()
    for url in ("/column/", f"/column/schools/{school_a.pk}/", "/column/feed.atom"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert "待改进" not in response.content.decode(), url


def test_r14_after_publication_the_school_sees_the_published_verdict(
    client, alice, province, consolidated
):
    school_checks_the_draft(consolidated, province)
    record = publication.publish_verdict(recheck=consolidated, user=province)
    html = _page(client, alice, consolidated)
    assert PREVIEW not in html
    assert (
        "复核结论已发布" in html and record.get_verdict_display() == "待改进" and "待改进" in html
    )
