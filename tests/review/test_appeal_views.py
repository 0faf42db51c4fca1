"""Appeal pages (R29): who may open each, confirmation steps, refusals next to the field, and the
column's verdict page that shows the appeal and its outcome (never its private documents),
fresh at once although the column's pages are cached.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from review.models import Appeal, VerdictRecord
from review.services import appeals
from tests.conftest import score_and_publish
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db

STATEMENT = "5.1 的评议依据的满意度调查为旧版，新版在材料（6）中。"


@pytest.fixture
def record(recheck_a, panel_of_three, province):
    return score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")


def _as(client, user):
    client.force_login(user)
    return client


def _filed(record, alice):
    return appeals.file_appeal(record=record, user=alice, grounds=["facts"], statement=STATEMENT)


def test_r29_the_school_files_an_appeal_on_a_confirmation_page(client, alice, committee, record):
    verdict_page = _as(client, alice).get(f"/verdicts/{record.pk}/").content.decode()
    assert "提出申诉…" in verdict_page and "发布后 30 天内" in verdict_page
    url = f"/verdicts/{record.pk}/appeal/"
    assert client.get(url).status_code == 200
    data = {"grounds": ["facts", "rule"], "statement": STATEMENT}
    page = client.post(url, data).content.decode()
    assert "确认提出申诉" in page and "不含申诉理由和材料" in page
    assert not Appeal.objects.exists()  # the summary changes nothing
    response = client.post(url, {"grounds": "facts,rule", "statement": STATEMENT, "confirm": "yes"})
    appeal = Appeal.objects.get()
    assert response.url == f"/appeals/{appeal.pk}/"
    assert sorted(appeal.claims.values_list("ground", flat=True)) == ["facts", "rule"]
    assert committee.notices.filter(kind="appeal_filed").count() == 1


def test_r29_bad_input_is_refused_next_to_the_field(client, alice, record):
    url = f"/verdicts/{record.pk}/appeal/"
    response = _as(client, alice).post(url, {"statement": "", "confirm": "yes"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="err-grounds"' in html and "请至少选择一项申诉事由" in html
    assert 'id="err-statement"' in html
    assert not Appeal.objects.exists()


def test_r29_an_appeal_after_30_days_is_refused_with_the_reason(client, alice, record):
    VerdictRecord.objects.filter(pk=record.pk).update(
        published_at=timezone.now() - timedelta(days=31)
    )
    html = _as(client, alice).get(f"/verdicts/{record.pk}/appeal/").content.decode()
    assert "现已超过期限，不能再申诉" in html and "下一步：确认申诉" not in html
    data = {"grounds": "facts", "statement": STATEMENT, "confirm": "yes"}
    response = client.post(f"/verdicts/{record.pk}/appeal/", data)
    assert response.status_code == 400 and "申诉须在发布后 30 天内" in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("who", ["bob", "expert", "committee", "province"])
def test_filing_is_404_for_all_but_the_school(client, everyone, record, who):
    url = f"/verdicts/{record.pk}/appeal/"
    assert _as(client, everyone[who]).get(url).status_code == 404
    data = {"grounds": "facts", "statement": STATEMENT, "confirm": "yes"}
    assert client.post(url, data).status_code == 404
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("who", ["bob", "expert"])
def test_an_appeal_is_404_for_others(client, everyone, alice, record, panel_of_three, who):
    appeal = _filed(record, alice)
    for user in (everyone[who], panel_of_three[0]):
        _as(client, user)
        assert client.get(f"/appeals/{appeal.pk}/").status_code == 404
        assert client.get(f"/appeals/{appeal.pk}/document/").status_code == 404


def test_r29_the_committee_recommends_and_only_the_committee(
    client, alice, committee, province, record
):
    appeal = _filed(record, alice)
    url = f"/appeals/{appeal.pk}/recommend/"
    data = {"recommendation": "uphold", "recommendation_reason": "依据充分"}
    for user in (alice, province):
        assert _as(client, user).post(url, data).status_code == 404
    response = _as(client, committee).post(url, {"recommendation": "uphold"})
    assert response.status_code == 400 and "请写明建议的理由" in response.content.decode()
    client.post(url, data)
    appeal.refresh_from_db()
    assert appeal.recommendation == "uphold" and appeal.recommended_by == committee
    assert province.notices.filter(kind="appeal_recommended").count() == 1


def test_r29_staff_decide_on_a_confirmation_page_and_the_school_is_told_once(
    client, alice, bob, committee, province, record
):
    appeal = _filed(record, alice)
    appeals.recommend(appeal=appeal, user=committee, recommendation="correct", reason="5.1 有误")
    url = f"/appeals/{appeal.pk}/decide/"
    data = {
        "outcome": "corrected",
        "decision_reason": "5.1 的调查为旧版",
        "matched": "12",
        "measures_rating": "strong",
    }
    for user in (alice, bob, committee):
        assert _as(client, user).post(url, data | {"confirm": "yes"}).status_code == 404
    bad = _as(client, province).post(url, data | {"matched": "16"})
    assert bad.status_code == 400 and "更正后的相符项数" in bad.content.decode()
    page = client.post(url, data).content.decode()
    assert "确认申诉处理决定" in page and "更正为“有效”" in page
    assert not VerdictRecord.objects.filter(corrects=record).exists()
    response = client.post(url, data | {"confirm": "yes"})
    client.post(url, data | {"confirm": "yes"})  # a double post acts once
    correction = VerdictRecord.objects.get(corrects=record)
    assert response.url == f"/verdicts/{correction.pk}/"
    assert alice.notices.filter(kind="appeal_decided").count() == 1
    old = _as(client, alice).get(f"/verdicts/{record.pk}/").content.decode()
    assert "此结论已于" in old and "更正" in old and "结论已更正" in old


def test_r29_the_document_is_private_and_the_column_shows_only_the_outcome(
    client, alice, committee, province, record
):
    appeal = _filed(record, alice)
    document = SimpleUploadedFile("新版满意度调查.pdf", tiny_pdf(), content_type="application/pdf")
    _as(client, alice).post(f"/appeals/{appeal.pk}/attach/", {"document": document})
    appeal.refresh_from_db()
    assert appeal.token and appeal.original_name == "新版满意度调查.pdf"
    for user in (committee, province, alice):
        assert _as(client, user).get(f"/appeals/{appeal.pk}/document/").status_code == 200
    visitor = Client()
    url = f"/column/verdicts/{record.pk}/"
    before = visitor.get(url).content.decode()
    assert "申诉情况" in before and "正在处理" in before
    assert STATEMENT not in before and "新版满意度调查" not in before and appeal.token not in before
    # The stored page is served again until the appeal's outcome changes it.
    assert visitor.get(url).content.decode() == before
    appeals.recommend(appeal=appeal, user=committee, recommendation="uphold", reason="依据充分")
    appeals.decide(appeal=appeal, user=province, outcome="upheld", reason="评议依据无误")
    after = visitor.get(url).content.decode()
    assert "处理结果：<strong>维持原结论</strong>" in after and "正在处理" not in after
    assert "评议依据无误" not in after and "依据充分" not in after


def test_the_new_pages_land_in_their_navigation_section(client, alice, province, recheck_a, record):
    appeal = _filed(record, alice)
    client.force_login(province)
    html = client.get(f"/appeals/{appeal.pk}/").content.decode()
    nav = html.split('class="wrap site-nav"')[1].split("</nav>")[0]
    assert 'aria-current="page">复核结论<' in nav
