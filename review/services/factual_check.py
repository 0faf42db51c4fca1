"""The school's factual check of the draft verdict (between staff acceptance and publication).

Staff accept the lead's consolidation: the check opens and the school reads the draft for
``settings.FACTUAL_CHECK_DAYS`` days (that day included). Within the window the school drafts
points element by element — a factual error with its evidence (a fact, a document, a figure),
never an argument with the judgement — and submits them once, or declares it has none; either
ends its part early. The lead answers each submitted point (changed or not, and why); a change
goes through the lead's normal consolidation save. Staff may publish once every submitted point
is answered and the school has finished or the window has closed (``publish_refusal``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from review import events
from review.models import (
    Consolidation,
    EvidenceKind,
    FactualCheck,
    FactualPoint,
    Recheck,
)
from review.services.files import save_checked_upload
from review.services.materials import MATERIAL_KINDS
from review.services.scoring import (
    consolidated_matched,
    elements_of,
    save_consolidation,
    school_report,
)
from review.services.staff_review import accept_consolidation
from review.services.staff_review import publish_refusal as too_early
from review.services.verdict import MeasuresRating, decide_verdict, explain_in_words
from zhengai.confirm import day

STATEMENT_LIMIT = 1000


def draft_of(recheck: Recheck) -> dict:
    """The accepted consolidation as the school reads it: findings, reasons, rating, the rule's
    result — never an expert's name or an expert's own finding."""
    consolidation = Consolidation.objects.prefetch_related("findings__element").get(recheck=recheck)
    report = school_report(recheck)
    school_rows = (
        {row["element_code"]: row for row in report.snapshot["rows"]}
        if report and report.snapshot
        else {}
    )
    panel = {f.element_id: f for f in consolidation.findings.all()}
    rows = [
        {
            "element": element,
            "school": school_rows.get(element.code, {}),
            "finding": panel.get(element.pk),
        }
        for element in elements_of(recheck)
    ]
    matched = consolidated_matched(consolidation)
    rating = MeasuresRating(consolidation.measures_rating)
    return {
        "consolidation": consolidation,
        "rows": rows,
        "matched": matched,
        "rating": rating,
        "verdict": decide_verdict(matched, rating),
        "explanation": explain_in_words(matched, rating),
    }


def window_open(check: FactualCheck, today: date | None = None) -> bool:
    """Whether the school may still add and submit points."""
    today = today or timezone.localdate()
    return check.finished_at is None and today <= check.closes_on


def school_done(check: FactualCheck, today: date | None = None) -> bool:
    """The school's part is over: it submitted its points, said it has none, or time ran out."""
    today = today or timezone.localdate()
    return check.finished_at is not None or today > check.closes_on


def unanswered(check: FactualCheck):
    return check.points.filter(submitted_at__isnull=False, answered_at__isnull=True)


def publish_refusal(recheck: Recheck, *, today: date | None = None) -> str | None:
    """Why the factual check still holds the verdict back (in Chinese), or None.

    Every verdict from a re-check passes the school's check of the draft: staff accept the
    consolidation and send the draft first; no check opened yet holds the verdict back too.
    """
    check = FactualCheck.objects.filter(recheck_id=recheck.pk).first()
    if check is None:
        return (
            "结论草稿还没有交学校核对事实：请先审核通过并交学校核对草稿，"
            "学校核对结束后才能发布结论。"
        )
    waiting = unanswered(check).count()
    if waiting:
        return f"学校提出的 {waiting} 条事实核对意见组长尚未答复，答复后才能发布结论。"
    if not school_done(check, today):
        return (
            f"学校核对结论草稿的期限至 {day(check.closes_on)}；学校提交核对意见"
            "（或声明无意见）或期满后才能发布结论。"
        )
    return None


@transaction.atomic
def open_factual_check(*, recheck: Recheck, user, today: date | None = None) -> FactualCheck:
    """Staff accept the consolidation and send the draft to the school (safe to repeat)."""
    today = today or timezone.localdate()
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    if existing := FactualCheck.objects.filter(recheck=recheck).first():
        return existing
    if refusal := too_early(recheck, today=today):
        raise ValidationError(refusal)
    accept_consolidation(recheck=recheck, user=user)
    days = settings.FACTUAL_CHECK_DAYS
    check = FactualCheck(
        recheck=recheck,
        opened_by=user,
        window_days=days,
        closes_on=today + timedelta(days=days - 1),
    )
    check._history_user = user
    check._change_reason = "review.factual_check.opened"
    check.save()
    events.factual_check_opened.send(sender=FactualCheck, factual_check=check)
    return check


def _locked(check: FactualCheck) -> FactualCheck:
    return FactualCheck.objects.select_for_update().get(pk=check.pk)


def _require_window(check: FactualCheck) -> None:
    if check.finished_at is not None:
        raise ValidationError("学校已经提交了核对意见，不能再添加或修改。")
    if not window_open(check):
        raise ValidationError(f"核对期已于 {day(check.closes_on)} 结束，不能再提出意见。")


@transaction.atomic
def add_point(
    *,
    check: FactualCheck,
    user,
    element_code: str,
    statement: str,
    evidence_kind: str,
    evidence: str = "",
    upload: UploadedFile | None = None,
) -> FactualPoint:
    """A draft point on one element of this re-check, with its evidence; nothing half-saved."""
    check = _locked(check)
    _require_window(check)
    elements = {e.code: e for e in elements_of(check.recheck)}
    errors: dict[str, str] = {}
    element = elements.get(element_code.strip())
    if element is None:
        errors["element"] = (
            f"本次复核没有诊断要素“{element_code.strip()}”，请从列表中选择一个诊断要素。"
            if element_code.strip()
            else "请选择意见针对的诊断要素。"
        )
    statement = statement.strip()
    if not statement:
        errors["statement"] = "请写明草稿中哪一处事实有误，以及正确的事实。"
    elif len(statement) > STATEMENT_LIMIT:
        errors["statement"] = f"请控制在 {STATEMENT_LIMIT} 字以内（现为 {len(statement)} 字）。"
    evidence = evidence.strip()
    if evidence_kind not in EvidenceKind.values:
        errors["evidence_kind"] = "请选择证据类型：事实陈述、文件或数据。"
    elif evidence_kind == EvidenceKind.DOCUMENT and upload is None:
        errors["document"] = "证据类型为文件时，请上传文件。"
    elif evidence_kind == EvidenceKind.FACT and not evidence:
        errors["evidence"] = "请写明作为证据的事实（如文件名称、文号、日期）。"
    elif evidence_kind == EvidenceKind.FIGURE and not any(ch.isdigit() for ch in evidence):
        errors["evidence"] = "证据类型为数据时，请写明数据及其来源（须含数字）。"
    if errors:
        raise ValidationError(errors)
    point = FactualPoint(
        factual_check=check,
        element=element,
        statement=statement,
        evidence_kind=evidence_kind,
        evidence=evidence,
        uploaded_by=user,
    )
    if upload is not None:
        return save_checked_upload(
            point,
            upload,
            allowed=MATERIAL_KINDS,
            user=user,
            reason="review.factual_check.point_drafted",
        )
    point._history_user = user
    point._change_reason = "review.factual_check.point_drafted"
    point.save()
    return point


@transaction.atomic
def remove_point(*, point: FactualPoint, user) -> None:
    """A draft point the school has not submitted yet may be taken back."""
    check = _locked(point.factual_check)
    _require_window(check)
    point = FactualPoint.objects.select_for_update().get(pk=point.pk)
    if point.submitted_at:
        raise ValidationError("已提交的意见不能删除。")
    point._history_user = user
    point._change_reason = "review.factual_check.point_withdrawn"
    point.delete()


@transaction.atomic
def submit_points(*, check: FactualCheck, user) -> int:
    """The school submits its drafted points, once: its part of the check is then done."""
    check = _locked(check)
    _require_window(check)
    drafts = list(check.points.filter(submitted_at__isnull=True))
    if not drafts:
        raise ValidationError("还没有填写意见；如没有事实错误，请选择“声明无事实错误”。")
    now = timezone.now()
    for point in drafts:
        point.submitted_at = now
        point._history_user = user
        point._change_reason = "review.factual_check.point_submitted"
        point.save()
    _finish(check, user, now=now, no_points=False)
    events.factual_points_submitted.send(sender=FactualCheck, factual_check=check)
    return len(drafts)


@transaction.atomic
def declare_no_points(*, check: FactualCheck, user) -> FactualCheck:
    """The school finds no factual error: the window ends now and staff may publish."""
    check = _locked(check)
    _require_window(check)
    if check.points.filter(submitted_at__isnull=True).exists():
        raise ValidationError("还有填写了但未提交的意见：请提交，或先删除后再声明无事实错误。")
    _finish(check, user, now=timezone.now(), no_points=True)
    events.factual_points_answered.send(sender=FactualCheck, factual_check=check)
    return check


def _finish(check: FactualCheck, user, *, now, no_points: bool) -> None:
    check.finished_at, check.finished_by, check.no_points = now, user, no_points
    check._history_user = user
    check._change_reason = (
        "review.factual_check.no_points" if no_points else "review.factual_check.submitted"
    )
    check.save()


def answer_errors(check: FactualCheck, answers: dict[int, dict]) -> dict[str, str]:
    """What is wrong with the lead's answers, by form field (``p<pk>-…``)."""
    points = {p.pk: p for p in unanswered(check).select_related("element")}
    errors: dict[str, str] = {}
    if not answers:
        errors["__all__"] = "请至少答复一条意见。"
    for pk, typed in answers.items():
        point = points.get(pk)
        if point is None:
            errors["__all__"] = "有意见已经答复过或不存在，请刷新页面后再答复。"
            continue
        if typed.get("changed") not in (True, False):
            errors[f"p{pk}-changed"] = f"{point.element.code}：请选择是否修改该要素的评议。"
        if not typed.get("answer", "").strip():
            errors[f"p{pk}-answer"] = f"{point.element.code}：请写明答复理由。"
        if typed.get("changed") is True:
            finding = typed.get("finding")
            if finding is None or finding.consistent is None:
                errors[f"p{pk}-consistent"] = f"{point.element.code}：请给出修改后的评议。"
            elif finding.consistent is False and not finding.reason.strip():
                errors[f"p{pk}-reason"] = f"{point.element.code}：不相符须写明理由。"
    return errors


@transaction.atomic
def answer_points(*, check: FactualCheck, user, answers: dict[int, dict]) -> int:
    """The lead answers submitted points: ``{pk: {changed, answer, finding}}``.

    A changed finding is saved through the lead's consolidation save (its checks, its
    history); the answer is written once. When the school is done and nothing is left
    unanswered, staff are told they may publish.
    """
    check = _locked(check)
    recheck = check.recheck
    if not recheck.assignments.filter(is_lead=True, expert__user=user).exists():
        raise ValidationError("只有专家组组长可以答复核对意见。")
    if errors := answer_errors(check, answers):
        raise ValidationError(errors)
    consolidation = Consolidation.objects.get(recheck=recheck)
    now = timezone.now()
    points = {p.pk: p for p in unanswered(check).select_related("element")}
    for pk, typed in answers.items():
        point = points[pk]
        if typed["changed"]:
            save_consolidation(
                recheck=recheck,
                user=user,
                findings={point.element.code: typed["finding"]},
                measures_rating=consolidation.measures_rating,
                measures_reason=consolidation.measures_reason,
                report=consolidation.report,
                answering=True,
            )
        point.changed, point.answer = typed["changed"], typed["answer"].strip()
        point.answered_at, point.answered_by = now, user
        point._history_user = user
        point._change_reason = "review.factual_check.point_answered"
        point.save()
    if school_done(check) and not unanswered(check).exists():
        events.factual_points_answered.send(sender=FactualCheck, factual_check=check)
    return len(answers)
