"""Materials before and after 公示: delete or replace a wrong file; afterwards ask to withdraw.

Material 1 and 2 are taken in one click from the rules already filed and the submitted
report's stored PDF: the stored bytes are the source's bytes.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import (
    Material,
    MaterialKind,
    MaterialWithdrawalRequest,
    ReportStatus,
    WithdrawalDecision,
)
from review.services import materials
from review.services import self_diagnosis as sd_service
from review.services.implementation_rules import file_implementation_rules
from tests.conftest import ELEMENT_CODES, panel_members
from tests.uploads import office_zip, tiny_pdf

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _upload(recheck, user, kind=MaterialKind.PLANS, text="规划"):
    return materials.upload_material(
        recheck=recheck,
        kind=kind,
        upload=SimpleUploadedFile(f"{text}.pdf", tiny_pdf(text)),
        user=user,
    )


def _publish_all(recheck, user):
    for kind in MaterialKind:
        _upload(recheck, user, kind=kind, text=f"材料{kind.value}")
    materials.publish_materials(recheck=recheck, user=user)


def _bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


# --- Before 公示 -----------------------------------------------------------------------------


def test_school_deletes_a_wrong_file_before_publication(client, alice, recheck_a):
    wrong = _upload(recheck_a, alice, text="错的文件")
    response = _as(client, alice).post(f"/rechecks/{recheck_a.pk}/materials/{wrong.pk}/delete/")
    assert response.status_code == 302
    assert not Material.objects.filter(pk=wrong.pk).exists()
    history = Material.history.filter(id=wrong.pk).first()
    assert (
        history.history_type == "-" and history.history_change_reason == "review.material.deleted"
    )


def test_school_replaces_a_wrong_file_before_publication(client, alice, recheck_a):
    wrong = _upload(recheck_a, alice, text="错的文件")
    right = tiny_pdf("对的文件")
    response = _as(client, alice).post(
        f"/rechecks/{recheck_a.pk}/materials/{wrong.pk}/replace/",
        {"document": SimpleUploadedFile("对的文件.pdf", right)},
    )
    assert response.status_code == 302
    [now] = Material.objects.filter(recheck=recheck_a, kind=MaterialKind.PLANS)
    assert now.original_name == "对的文件.pdf"
    assert now.sha256 == hashlib.sha256(right).hexdigest()


def test_a_refused_replacement_keeps_the_old_file(client, alice, recheck_a):
    old = _upload(recheck_a, alice, text="旧文件")
    response = _as(client, alice).post(
        f"/rechecks/{recheck_a.pk}/materials/{old.pk}/replace/",
        {"document": SimpleUploadedFile("坏.pdf", b"%PDF-1.4 not really")},
    )
    assert response.status_code == 400
    assert "文件无法使用" in response.content.decode()
    assert list(Material.objects.filter(recheck=recheck_a)) == [old]


def test_after_publication_files_cannot_be_deleted_or_replaced(client, alice, recheck_a):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.first()
    client = _as(client, alice)
    response = client.post(f"/rechecks/{recheck_a.pk}/materials/{material.pk}/delete/")
    assert response.status_code == 400
    assert "材料已公示" in response.content.decode()
    response = client.post(
        f"/rechecks/{recheck_a.pk}/materials/{material.pk}/replace/",
        {"document": SimpleUploadedFile("新.pdf", tiny_pdf("新"))},
    )
    assert response.status_code == 400
    assert Material.objects.filter(pk=material.pk).exists()
    assert recheck_a.materials.count() == 8
    # A new upload after publication is a new version beside the old one, public at once.
    new = _upload(recheck_a, alice, kind=material.kind, text="新版本")
    assert new.disclosed_at is not None
    assert recheck_a.materials.filter(kind=material.kind).count() == 2


@pytest.mark.parametrize("who", ["bob", "province", "committee", "expert"])
def test_only_the_school_deletes_or_replaces(client, everyone, alice, recheck_a, who):
    material = _upload(recheck_a, alice)
    client = _as(client, everyone[who])
    assert (
        client.post(f"/rechecks/{recheck_a.pk}/materials/{material.pk}/delete/").status_code == 404
    )
    response = client.post(
        f"/rechecks/{recheck_a.pk}/materials/{material.pk}/replace/",
        {"document": SimpleUploadedFile("新.pdf", tiny_pdf("新"))},
    )
    assert response.status_code == 404
    assert Material.objects.filter(pk=material.pk).exists()


# --- After 公示: ask staff to withdraw -------------------------------------------------------


def test_school_asks_and_staff_approve_a_withdrawal(client, alice, province, recheck_a):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.first()
    url = f"/rechecks/{recheck_a.pk}/materials/{material.pk}/request-withdrawal/"
    response = _as(client, alice).post(url, {"reason": " "})
    assert response.status_code == 400
    assert "请说明为什么要撤下" in response.content.decode()
    client.post(url, {"reason": "误传了未盖章的版本"})
    ask = MaterialWithdrawalRequest.objects.get()
    assert ask.decision == WithdrawalDecision.PENDING
    response = client.post(url, {"reason": "再申请一次"})
    assert response.status_code == 400 and MaterialWithdrawalRequest.objects.count() == 1
    # Staff see it on the re-check page and approve after the confirmation page.
    html = _as(client, province).get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "误传了未盖章的版本" in html and "同意撤下" in html
    decide = f"/rechecks/{recheck_a.pk}/withdrawal-requests/{ask.pk}/"
    response = client.post(decide, {"decision": "approve"})
    assert "确认撤下已公示的文件" in response.content.decode()
    material.refresh_from_db()
    assert material.withdrawn_at is None
    client.post(decide, {"decision": "approve", "confirm": "yes"})
    material.refresh_from_db()
    ask.refresh_from_db()
    assert material.withdrawn_reason == "误传了未盖章的版本"
    assert ask.decision == WithdrawalDecision.APPROVED and ask.decided_by == province
    response = client.post(decide, {"decision": "approve", "confirm": "yes"})
    assert response.status_code == 400


def test_staff_refuse_a_withdrawal_with_a_reason(client, alice, province, recheck_a):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.first()
    ask = materials.request_withdrawal(material=material, user=alice, reason="想换一版")
    decide = f"/rechecks/{recheck_a.pk}/withdrawal-requests/{ask.pk}/"
    response = _as(client, province).post(decide, {"decision": "refuse", "decision_reason": ""})
    assert response.status_code == 400
    assert "不同意撤下时须写明理由" in response.content.decode()
    client.post(decide, {"decision": "refuse", "decision_reason": "已公示文件应保留，请上传新版本"})
    ask.refresh_from_db()
    material.refresh_from_db()
    assert ask.decision == WithdrawalDecision.REFUSED and material.withdrawn_at is None
    html = _as(client, alice).get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "已公示文件应保留，请上传新版本" in html


def test_a_draft_file_needs_no_withdrawal_request(alice, recheck_a):
    material = _upload(recheck_a, alice)
    with pytest.raises(ValidationError, match="可直接删除或替换"):
        materials.request_withdrawal(material=material, user=alice, reason="x")


@pytest.mark.parametrize("who", ["bob", "province", "committee", "expert"])
def test_only_the_school_asks_for_a_withdrawal(client, everyone, alice, recheck_a, who):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.first()
    response = _as(client, everyone[who]).post(
        f"/rechecks/{recheck_a.pk}/materials/{material.pk}/request-withdrawal/", {"reason": "x"}
    )
    assert response.status_code == 404
    assert not MaterialWithdrawalRequest.objects.exists()


@pytest.mark.parametrize("who", ["alice", "bob", "committee", "expert"])
def test_only_province_decides_a_withdrawal(client, everyone, alice, recheck_a, who):
    _publish_all(recheck_a, alice)
    ask = materials.request_withdrawal(
        material=recheck_a.materials.first(), user=alice, reason="想换一版"
    )
    response = _as(client, everyone[who]).post(
        f"/rechecks/{recheck_a.pk}/withdrawal-requests/{ask.pk}/",
        {"decision": "approve", "confirm": "yes"},
    )
    assert response.status_code == 404
    ask.refresh_from_db()
    assert ask.decision == WithdrawalDecision.PENDING


# --- One click: material 1 and 2 from what was filed -----------------------------------------


def test_material_1_is_taken_from_the_rules_already_filed(client, alice, school_a, recheck_a):
    content = office_zip("word/document.xml")
    rules = file_implementation_rules(
        school=school_a,
        year=2026,
        user=alice,
        upload=SimpleUploadedFile("实施细则.docx", content),
    )
    html = _as(client, alice).get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "采用已备案的 2026 年实施细则" in html
    response = client.post(f"/rechecks/{recheck_a.pk}/materials/take/1/")
    assert response.status_code == 302
    material = Material.objects.get(recheck=recheck_a, kind=MaterialKind.RULES)
    stored = _bytes(material.document)
    assert stored == content
    assert material.sha256 == rules.sha256 == hashlib.sha256(stored).hexdigest()
    assert material.original_name == "实施细则.docx" and material.content_kind == "docx"


def _submitted_report(report, user):
    sd_service.save_panel(self_diagnosis=report, user=user, members=panel_members())
    entries = {
        code: sd_service.TextEdit(
            values={"opinion": f"{code} 意见", "measures": "措施", "effects": "尚未实施。"},
            revision=0,
        )
        for code in ELEMENT_CODES
    }
    sd_service.save_draft(
        self_diagnosis=report,
        user=user,
        overview=sd_service.TextEdit(values={"overview": "概述"}, revision=0),
        entries=entries,
    )
    from datetime import date

    sd_service.submit(
        self_diagnosis=report, user=user, principal_name="校长甲", signed_on=date(2026, 3, 1)
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    return report


def test_material_2_is_the_submitted_reports_stored_pdf(client, alice, report_a, recheck_a):
    report = _submitted_report(report_a, alice)
    response = _as(client, alice).post(f"/rechecks/{recheck_a.pk}/materials/take/2/")
    assert response.status_code == 302
    material = Material.objects.get(recheck=recheck_a, kind=MaterialKind.REPORT)
    report.refresh_from_db()
    source = _bytes(report.pdf)
    stored = _bytes(material.document)
    assert stored == source and stored.startswith(b"%PDF-")
    assert material.sha256 == report.pdf_sha256 == hashlib.sha256(source).hexdigest()
    # A second take copies the same stored bytes, never a fresh render.
    client.post(f"/rechecks/{recheck_a.pk}/materials/take/2/")
    shas = set(
        Material.objects.filter(recheck=recheck_a, kind=MaterialKind.REPORT).values_list(
            "sha256", flat=True
        )
    )
    assert shas == {report.pdf_sha256}


def test_nothing_to_take_is_said_next_to_the_material(client, alice, recheck_a):
    response = _as(client, alice).post(f"/rechecks/{recheck_a.pk}/materials/take/2/")
    assert response.status_code == 400
    assert "没有可用的已提交的自我诊断报告" in response.content.decode()
    assert _as(client, alice).post(f"/rechecks/{recheck_a.pk}/materials/take/3/").status_code == 404


@pytest.mark.parametrize("who", ["bob", "province", "committee", "expert"])
def test_only_the_school_takes_materials(client, everyone, alice, school_a, recheck_a, who):
    file_implementation_rules(
        school=school_a,
        year=2026,
        user=alice,
        upload=SimpleUploadedFile("实施细则.pdf", tiny_pdf("细则")),
    )
    response = _as(client, everyone[who]).post(f"/rechecks/{recheck_a.pk}/materials/take/1/")
    assert response.status_code == 404
    assert not Material.objects.exists()


# --- Rules filed after 30 May ---------------------------------------------------------------


def test_r20_the_page_says_before_the_upload_that_a_filing_now_is_late(client, alice, monkeypatch):
    """R20: after 30 May the school is told before uploading that the filing will be late."""
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 6, 2))
    html = _as(client, alice).get("/self-diagnosis/").content.decode()
    before_form = html[: html.index('action="/self-diagnosis/rules/"')]
    assert "逾期备案" in before_form[before_form.index('id="rules-late"') :]
    assert "今天已过 2026 年 5 月 30 日" in html
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 5, 2))
    html = _as(client, alice).get("/self-diagnosis/").content.decode()
    assert "今天已过" not in html
