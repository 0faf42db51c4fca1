"""Scoring and verdict pages by role; blind scoring; the school never sees individual findings."""

import pytest

from review.models import Finding, VerdictRecord
from review.services import publication, scoring
from review.services.scoring import FindingInput
from tests.conftest import ELEMENT_CODES, school_checks_the_draft, score_and_publish
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _all(consistent=True, reason="理由"):
    return {code: FindingInput(consistent, reason) for code in ELEMENT_CODES}


def test_score_page_only_for_assigned_certified_experts(
    client, everyone, recheck_a, panel_of_three
):
    url = f"/rechecks/{recheck_a.pk}/score/"
    assert _as(client, panel_of_three[1]).get(url).status_code == 200
    for who in ("province", "committee", "alice", "bob", "expert"):
        assert _as(client, everyone[who]).get(url).status_code == 404, who
    assignment = recheck_a.assignments.get(expert__user=panel_of_three[2])
    assignment.certified_at = None
    assignment.save()
    assert _as(client, panel_of_three[2]).get(url).status_code == 404


def test_r12_scoring_is_blind_until_submitted(client, recheck_a, panel_of_three):
    first, second = panel_of_three[1], panel_of_three[2]
    findings = _all()
    findings["2.2"] = FindingInput(False, "秘密理由：专业诊改未覆盖")
    scoring.save_findings(
        assignment=recheck_a.assignments.get(expert__user=first),
        user=first,
        findings=findings,
        measures_rating="strong",
        measures_reason="好",
        submit=True,
    )
    url = f"/rechecks/{recheck_a.pk}/score/"
    assert "秘密理由" not in _as(client, second).get(url).content.decode()
    scoring.save_findings(
        assignment=recheck_a.assignments.get(expert__user=second),
        user=second,
        findings=_all(),
        measures_rating="strong",
        measures_reason="好",
        submit=True,
    )
    assert "秘密理由" in _as(client, second).get(url).content.decode()


def test_score_view_needs_a_reason_for_not_consistent_and_keeps_input(
    client, recheck_a, panel_of_three
):
    client.force_login(panel_of_three[1])
    response = client.post(
        f"/rechecks/{recheck_a.pk}/score/",
        {"f1.3-consistent": "no", "f1.3-reason": "", "f1.1-consistent": "yes", "action": "save"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "1.3：判定为不相符时须写明理由" in html
    assert 'value="yes" checked' in html  # 1.1's answer survives the failed save
    assert not Finding.objects.exists()


def test_consolidate_page_is_for_the_lead_after_own_submission(client, recheck_a, panel_of_three):
    url = f"/rechecks/{recheck_a.pk}/consolidate/"
    assert _as(client, panel_of_three[1]).get(url).status_code == 404  # not the lead
    response = _as(client, panel_of_three[0]).get(url)
    assert response.status_code == 302 and response["Location"].endswith("/score/")


def test_consolidation_flags_disagreement_and_previews_the_verdict(
    client, recheck_a, panel_of_three
):
    for i, user in enumerate(panel_of_three):
        findings = _all()
        if i == 2:
            findings["4.2"] = FindingInput(False, "安全管理制度未落实")
        scoring.save_findings(
            assignment=recheck_a.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason="好",
            submit=True,
        )
    client.force_login(panel_of_three[0])
    html = client.get(f"/rechecks/{recheck_a.pk}/consolidate/").content.decode()
    assert html.count("专家意见不一致") == 1 and "安全管理制度未落实" in html
    data = {f"f{c}-consistent": "yes" for c in ELEMENT_CODES}
    data |= {f"f{c}-reason": "合议一致" for c in ELEMENT_CODES}
    data |= {"f4.2-consistent": "no", "f3.1-consistent": "no", "f2.1-consistent": "no"}
    data |= {
        "measures_rating": "strong",
        "measures_reason": "措施有力",
        "report": "报告",
        "action": "save",
    }
    client.post(f"/rechecks/{recheck_a.pk}/consolidate/", data)
    html = client.get(f"/rechecks/{recheck_a.pk}/consolidate/").content.decode()
    assert "相符 12 项" in html and 'class="verdict-big verdict-effective">有效' in html
    data["f1.1-consistent"] = "no"
    client.post(f"/rechecks/{recheck_a.pk}/consolidate/", data)
    html = client.get(f"/rechecks/{recheck_a.pk}/consolidate/").content.decode()
    assert "verdict-needs_improvement" in html and "相符 10–11 项" in html
    assert 'href="#f1.1">1.1' in html  # the deciding elements are named


@pytest.mark.parametrize("who", ["committee", "alice", "bob", "expert"])
def test_only_province_publishes(client, everyone, recheck_a, panel_of_three, province, who):
    score_and_publish_without_publishing(recheck_a, panel_of_three)
    school_checks_the_draft(recheck_a, province)
    url = f"/rechecks/{recheck_a.pk}/publish/"
    response = _as(client, everyone[who]).post(url, {"confirm": "yes"})
    assert response.status_code == 404
    assert not VerdictRecord.objects.exists()
    response = _as(client, province).post(url, {"confirm": "yes"})
    assert VerdictRecord.objects.count() == 1


def score_and_publish_without_publishing(recheck, experts):
    for user in experts:
        scoring.save_findings(
            assignment=recheck.assignments.get(expert__user=user),
            user=user,
            findings=_all(),
            measures_rating="strong",
            measures_reason="好",
            submit=True,
        )
    scoring.save_consolidation(
        recheck=recheck,
        user=experts[0],
        findings=_all(True, "合议"),
        measures_rating="strong",
        measures_reason="好",
        report="报告",
        submit=True,
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 200), ("committee", 200), ("alice", 200), ("bob", 404), ("expert", 404)],
)
@pytest.mark.parametrize("suffix", ["", "report.pdf", "rectification/"])
def test_verdict_pages_by_role(
    client, everyone, recheck_a, panel_of_three, province, who, status, suffix
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    response = _as(client, everyone[who]).get(f"/verdicts/{record.pk}/{suffix}")
    assert response.status_code == status


def test_school_never_sees_individual_findings(client, alice, recheck_a, panel_of_three, province):
    for user in panel_of_three:
        findings = _all()
        findings["1.4"] = FindingInput(False, f"个人意见{user.username}")
        scoring.save_findings(
            assignment=recheck_a.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason="个人评价理由",
            submit=True,
        )
    scoring.save_consolidation(
        recheck=recheck_a,
        user=panel_of_three[0],
        findings=_all(True, "合议一致相符")
        | {"1.4": FindingInput(False, "合议：信息系统应用不足")},
        measures_rating="strong",
        measures_reason="合议评价",
        report="复核报告",
        submit=True,
    )
    client.force_login(alice)
    pages = [f"/rechecks/{recheck_a.pk}/", f"/rechecks/{recheck_a.pk}/score/"]
    school_checks_the_draft(recheck_a, province)
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    pages += [f"/verdicts/{record.pk}/", f"/verdicts/{record.pk}/rectification/"]
    for url in pages:
        response = client.get(url)
        html = response.content.decode() if response.status_code == 200 else ""
        assert "个人意见" not in html and "个人评价理由" not in html, url
    html = client.get(f"/verdicts/{record.pk}/").content.decode()
    assert "合议：信息系统应用不足" in html and "不相符" in html


@pytest.mark.parametrize("who", ["committee", "alice", "bob", "expert"])
def test_staff_only_lists(client, everyone, who):
    expected = 200 if who == "committee" else 404
    for url in ("/verdicts/", "/sanctions/"):
        assert _as(client, everyone[who]).get(url).status_code == expected, url


def test_school_writes_its_rectification_plan(
    client, alice, bob, recheck_a, panel_of_three, province
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="adequate")
    url = f"/verdicts/{record.pk}/rectification/"
    client.force_login(alice)
    client.post(url, {"r1.1-plan": "完善质量目标体系", "r1.1-progress": "已修订"})
    item = record.rectification.items.get(element__code="1.1")
    assert (item.plan, item.progress) == ("完善质量目标体系", "已修订")
    assert _as(client, province).post(url, {"r1.1-plan": "省里改"}).status_code == 404


def test_correction_view_keeps_the_original(client, province, recheck_a, panel_of_three):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=12, rating="strong")
    client.force_login(province)
    response = client.post(
        f"/verdicts/{record.pk}/correct/",
        {"matched": "11", "measures_rating": "strong", "reason": "计数有误"},
        follow=True,
    )
    html = response.content.decode()
    assert "已发布更正记录" in html and "更正原因：计数有误" in html
    assert "此结论已于" in client.get(f"/verdicts/{record.pk}/").content.decode()


def test_r15_recorded_from_the_cycle_page(client, province, cycle_2026, school_a):
    client.force_login(province)
    response = client.post(
        f"/cycles/{cycle_2026.pk}/not-diagnosed/",
        {"school": school_a.pk, "note": "截至规定日期未提交自我诊断报告"},
        follow=True,
    )
    assert "的结论为“异常”。" in response.content.decode()  # in words, no rule id
    record = VerdictRecord.objects.get()
    assert record.verdict == "abnormal" and not record.diagnosed_on_time
    html = client.get("/sanctions/").content.decode()
    assert school_a.name in html and "每年按 10% 的比例削减招生计划" in html


@pytest.mark.parametrize("who", ["province", "committee", "bob", "expert"])
def test_only_the_school_reports_its_rectification_done(
    client, everyone, recheck_a, panel_of_three, province, who
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    client.force_login(everyone[who])
    response = client.post(f"/verdicts/{record.pk}/rectification/complete/")
    assert response.status_code == 404
    record.rectification.refresh_from_db()
    assert record.rectification.completed_at is None


def test_school_is_told_what_is_missing_before_completion(
    client, alice, recheck_a, panel_of_three, province
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    client.force_login(alice)
    response = client.post(f"/verdicts/{record.pk}/rectification/complete/", follow=True)
    assert "尚未填写整改措施和整改进展" in response.content.decode()


def test_school_attaches_evidence_checked_by_content(
    client, alice, recheck_a, panel_of_three, province
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    item = record.rectification.items.get(element__code="3.2")
    url = f"/verdicts/{record.pk}/rectification/"
    client.force_login(alice)
    fake = SimpleUploadedFile("证明.pdf", b"<html>not a pdf</html>")
    response = client.post(url, {"r3.2-document": fake, "r3.2-plan": "未存的措施", "upload": "3.2"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="err-d' in html and not item.evidence.exists()
    assert "未存的措施" in html  # the typed plan is shown again, not lost
    item.refresh_from_db()
    assert item.plan == ""  # and nothing half-saved
    client.post(url, {"r3.2-document": SimpleUploadedFile("证明.pdf", tiny_pdf("证明"))})
    evidence = item.evidence.get()
    assert evidence.uploaded_by == alice and len(evidence.sha256) == 64
    assert "证明" not in evidence.document.name  # stored under a server-made name


def test_an_upload_saves_the_plan_typed_beside_it(
    client, alice, recheck_a, panel_of_three, province
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    url = f"/verdicts/{record.pk}/rectification/"
    client.force_login(alice)
    response = client.post(
        url,
        {
            "r5.1-plan": "修订专业诊改制度",
            "r5.1-progress": "已启动",
            "r5.1-document": SimpleUploadedFile("证明.pdf", tiny_pdf("证明")),
            "upload": "5.1",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/rectification/#r5.1")
    item = record.rectification.items.get(element__code="5.1")
    assert (item.plan, item.progress) == ("修订专业诊改制度", "已启动")
    assert item.evidence.count() == 1
    html = client.get(url).content.decode()
    assert "已上传 5.1 的证明材料" in html


def test_r11_inconsistent_elements_come_first_and_need_a_plan(
    client, alice, recheck_a, panel_of_three, province
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    client.force_login(alice)
    html = client.get(f"/verdicts/{record.pk}/rectification/").content.decode()
    inconsistent = ELEMENT_CODES[11:]
    positions = [html.index(f'id="r{code}"') for code in ELEMENT_CODES]
    first_consistent = min(positions[:11])
    assert all(html.index(f'id="r{code}"') < first_consistent for code in inconsistent)
    assert html.count("不相符 · 须整改") == 4 and html.count("整改措施（必填）") == 4
    assert "报告整改完成前须填写整改措施" in html


def test_r11_completing_saves_what_was_typed_first(
    client, alice, recheck_a, panel_of_three, province
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    url = f"/verdicts/{record.pk}/rectification/"
    client.force_login(alice)
    data = {"r5.1-plan": "措施", "r5.1-progress": "进展", "action": "complete"}
    html = client.post(url, data, follow=True).content.decode()
    assert "尚未填写整改措施和整改进展" in html and "5.2" in html
    item = record.rectification.items.get(element__code="5.1")
    assert (item.plan, item.progress) == ("措施", "进展")  # typed text saved, not lost
    for code in ("5.2", "5.3", "5.4"):
        data |= {f"r{code}-plan": "措施", f"r{code}-progress": "进展"}
    response = client.post(url, data)
    assert response["Location"].endswith("#complete")
    record.rectification.refresh_from_db()
    assert record.rectification.completed_by == alice
