"""The public column: what anyone may read, and everything private answering 404 (R10, R18)."""

import hashlib
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure import services
from disclosure.models import ColumnDocument, DocumentKind
from review.models import ConsolidationState, MaterialKind
from review.services import materials, publication
from review.services import self_diagnosis as sd_service
from review.services.scoring import FindingInput
from tests.conftest import ELEMENT_CODES, school_checks_the_draft
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db

PDF = tiny_pdf("a disclosed file")


def _upload(recheck, user, kind=MaterialKind.PLANS, content=PDF, name="发展规划.pdf"):
    return materials.upload_material(
        recheck=recheck, kind=kind, upload=SimpleUploadedFile(name, content), user=user
    )


def _publish_all(recheck, user):
    for kind in MaterialKind:
        _upload(
            recheck,
            user,
            kind=kind,
            content=tiny_pdf(f"材料{kind.value}"),
            name=f"材料{kind.value}.pdf",
        )
    materials.publish_materials(recheck=recheck, user=user)


def test_r18_the_plan_is_the_first_document_for_anyone(client, seeded):
    html = client.get("/column/").content.decode()
    first = re.search(r'class="doc-list"><li><a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert first.group(2) == "福建省高等职业院校内部质量保证体系诊断与改进工作实施方案（修订稿）"
    page = client.get(first.group(1)).content.decode()
    assert "诊断要素共 15 项" in page
    # The source text ends with a person's mobile number: no mobile number is shown.
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page)


def test_unpublished_document_is_404(client, province, seeded):
    doc = services.save_document(
        user=province, kind=DocumentKind.NOTICE, slug="draft-notice", title="草拟通知", body="内容"
    )
    assert client.get("/column/documents/draft-notice/").status_code == 404
    services.set_published(document=doc, user=province, published=True)
    assert client.get("/column/documents/draft-notice/").status_code == 200
    services.set_published(document=doc, user=province, published=False)
    assert client.get("/column/documents/draft-notice/").status_code == 404
    assert doc.history.count() == 3


def test_r10_materials_are_public_from_publication_never_before(client, alice, recheck_a):
    material = _upload(recheck_a, alice)
    page = f"/column/schools/{recheck_a.school_id}/"
    assert "发展规划.pdf" not in client.get(page).content.decode()
    assert client.get(f"/column/files/{material.token}/").status_code == 404
    _publish_all(recheck_a, alice)
    html = client.get(page).content.decode()
    assert "发展规划.pdf" in html and material.sha256 in html
    response = client.get(f"/column/files/{material.token}/")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == material.sha256


def test_a_replacement_is_a_new_version_beside_the_old(client, alice, recheck_a):
    _publish_all(recheck_a, alice)
    old = recheck_a.materials.get(kind=MaterialKind.PLANS)
    new = _upload(recheck_a, alice, content=PDF + b"v2", name="发展规划（修订）.pdf")
    html = client.get(f"/column/schools/{recheck_a.school_id}/").content.decode()
    assert "第 1 版" in html and "第 2 版" in html
    assert old.sha256 in html and new.sha256 in html
    assert html.index(old.sha256) < html.index(new.sha256)


def test_withdrawing_needs_a_public_reason(client, alice, province, recheck_a):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.get(kind=MaterialKind.PLANS)
    with pytest.raises(Exception, match="须填写原因"):
        services.withdraw_material(material=material, user=province, reason=" ")
    services.withdraw_material(
        material=material, user=province, reason="文件含学生个人信息，待处理后重新公示"
    )
    html = client.get(f"/column/schools/{recheck_a.school_id}/").content.decode()
    assert "文件含学生个人信息，待处理后重新公示" in html
    assert client.get(f"/column/files/{material.token}/").status_code == 404


def _scored(recheck, experts, province, private_reason):
    from review.services import scoring

    for user in experts:
        findings = {c: FindingInput(True, "") for c in ELEMENT_CODES}
        findings["2.1"] = FindingInput(False, private_reason)
        scoring.save_findings(
            assignment=recheck.assignments.get(expert__user=user), user=user, findings=findings,
            measures_rating="strong", measures_reason="个人评价", submit=True,
        )  # fmt: skip
    scoring.save_consolidation(
        recheck=recheck, user=experts[0],
        findings={c: FindingInput(c != "2.1", "专家组合议意见") for c in ELEMENT_CODES},
        measures_rating="strong", measures_reason="合议", report="公开的复核报告", submit=False,
    )  # fmt: skip
    return scoring


def test_never_leak_expert_findings_before_or_after_publication(
    client, recheck_a, panel_of_three, province
):
    _scored(recheck_a, panel_of_three, province, "某专家的个人意见XYZ")
    pages = ["/column/", f"/column/schools/{recheck_a.school_id}/", "/column/feed.atom"]
    for url in pages:
        assert "个人意见XYZ" not in client.get(url).content.decode()
    assert "专家组合议意见" not in client.get(pages[1]).content.decode()  # not yet published
    consolidation = recheck_a.consolidation
    consolidation.submitted_at = consolidation.modified
    consolidation.state = ConsolidationState.SUBMITTED
    consolidation.save()
    school_checks_the_draft(recheck_a, province)
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    for url in [*pages, f"/column/verdicts/{record.pk}/"]:
        html = client.get(url).content.decode()
        assert "个人意见XYZ" not in html and "个人评价" not in html, url
    assert "专家组合议意见" in client.get(f"/column/verdicts/{record.pk}/").content.decode()


def test_never_leak_email_addresses_or_phone_numbers(client, everyone, recheck_a, alice):
    _publish_all(recheck_a, alice)
    urls = ["/column/", f"/column/schools/{recheck_a.school_id}/", "/column/schools/"]
    urls += ["/column/schedule/", "/column/feed.atom", "/column/documents/fujian-zhengai-plan/"]
    for url in urls:
        html = client.get(url).content.decode()
        for user in everyone.values():
            assert user.email not in html, url
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)|0\d{2,3}-\d{7,8}", html), url


def test_private_urls_answer_nothing_to_the_public(
    client, alice, recheck_a, school_a, panel_of_three, province
):
    report = sd_service.open_self_diagnosis(school=school_a, year=2026, user=alice)
    draft = _upload(recheck_a, alice)  # uploaded, not disclosed
    private = [
        f"/self-diagnosis/{report.pk}/", f"/self-diagnosis/{report.pk}/report.pdf",
        f"/self-diagnosis/{report.pk}/report.xlsx", f"/self-diagnosis/{report.pk}/history/",
        f"/rechecks/{recheck_a.pk}/", f"/rechecks/{recheck_a.pk}/score/",
        f"/rechecks/{recheck_a.pk}/consolidate/",
        f"/rechecks/{recheck_a.pk}/materials/{draft.pk}/download/",
        f"/cycles/{recheck_a.cycle_id}/", "/verdicts/", "/sanctions/", "/notices/log/",
    ]  # fmt: skip
    for url in private:
        response = client.get(url)
        made_up = client.get(re.sub(r"/\d+/", "/99999/", url, count=1))
        assert response.status_code in (302, 404), url
        assert response.status_code == made_up.status_code, url  # existence is not revealed
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
    assert client.get(f"/column/files/{draft.token}/").status_code == 404
    assert client.get("/column/files/" + "0" * 32 + "/").status_code == 404
    assert client.get("/column/verdicts/99999/").status_code == 404


def test_search_and_filters(client, alice, recheck_a, seeded):
    html = client.get("/column/schools/?q=厦门海洋").content.decode()
    assert "共 1 所" in html
    html = client.get("/column/schools/?city=zhangzhou").content.decode()
    assert "漳州职业技术学院" in html and "厦门海洋职业技术学院" not in html
    html = client.get("/column/schools/?year=2019").content.decode()
    assert "共 3 所" in html  # 附件2's 2019 plan
    assert "共 0 所" in client.get("/column/schools/?verdict=effective").content.decode()


def test_atom_feed_lists_new_disclosures(client, alice, recheck_a):
    _publish_all(recheck_a, alice)
    response = client.get("/column/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("公示复核材料" in (t or "") for t in titles)


def test_pages_are_cacheable_and_carry_no_account_content(client, alice, recheck_a):
    response = client.get(f"/column/schools/{recheck_a.school_id}/")
    # Anyone may keep a copy but asks again each time (answered 304 while nothing changed).
    assert "public" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    client.force_login(alice)
    html = client.get(f"/column/schools/{recheck_a.school_id}/").content.decode()
    assert "alice" not in html and "csrfmiddlewaretoken" not in html


def test_query_counts_are_constant(client, alice, recheck_a):
    """Rendering (not the stored copy: the cache is emptied first) in a fixed number of queries."""
    _publish_all(recheck_a, alice)
    for url in ["/column/", f"/column/schools/{recheck_a.school_id}/"]:
        client.get(url)
        cache.clear()
        with CaptureQueriesContext(connection) as first:
            client.get(url)
        for kind in list(MaterialKind)[:4]:
            _upload(recheck_a, alice, kind=kind, content=PDF + b"more", name="补充.pdf")
        cache.clear()
        with CaptureQueriesContext(connection) as later:
            client.get(url)
        assert len(later) == len(first), url


@pytest.mark.parametrize(
    ("who", "status"), [("province", 200), ("committee", 404), ("alice", 404), ("expert", 404)]
)
def test_column_management_is_for_province(client, everyone, who, status, seeded):
    client.force_login(everyone[who])
    assert client.get("/column/manage/").status_code == status
    doc = ColumnDocument.objects.get(slug="fujian-zhengai-plan")
    response = client.post(f"/column/manage/{doc.pk}/publish/", {"publish": "0"})
    doc.refresh_from_db()
    assert (doc.published_at is None) is (status == 200)
    if status != 200:
        assert response.status_code == 404


@pytest.mark.parametrize("who", ["committee", "alice", "bob", "expert"])
def test_only_province_withdraws_materials(client, everyone, alice, recheck_a, who):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.first()
    client.force_login(everyone[who])
    response = client.post(
        f"/rechecks/{recheck_a.pk}/materials/{material.pk}/withdraw/",
        {"reason": "x", "confirm": "yes"},
    )
    assert response.status_code == 404
    material.refresh_from_db()
    assert material.withdrawn_at is None


def test_province_withdraws_from_the_recheck_page(client, province, alice, recheck_a):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.first()
    client.force_login(province)
    url = f"/rechecks/{recheck_a.pk}/materials/{material.pk}/withdraw/"
    client.post(url, {"reason": "", "confirm": "yes"})
    material.refresh_from_db()
    assert material.withdrawn_at is None
    client.post(url, {"reason": "更换为盖章版"})  # the summary page only
    material.refresh_from_db()
    assert material.withdrawn_at is None
    client.post(url, {"reason": "更换为盖章版", "confirm": "yes"})
    material.refresh_from_db()
    assert material.withdrawn_reason == "更换为盖章版"
