"""Scoring pages: each expert's findings (blind until submitted), the lead's consolidation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from review.models import (
    Consolidation,
    Finding,
    PanelAssignment,
    VerdictRecord,
)
from review.permissions import expert_assignment, get_recheck_for_user
from review.selectors.consistency import recheck_agreement
from review.services import scoring
from review.services.scoring import FindingInput
from review.services.verdict import MeasuresRating, decide_verdict, explain_in_words
from schools.permissions import reads_everything
from statedata import selectors as statedata
from zhengai.confirm import Confirmation, confirmation_page, confirmed


def _errors_by_field(exc: ValidationError) -> dict[str, str]:
    """A service's errors keyed by form field ("__all__" for the form as a whole)."""
    if hasattr(exc, "error_dict"):
        return {key: " ".join(texts) for key, texts in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _posted_findings(request, codes: list[str]) -> dict[str, FindingInput]:
    findings = {}
    for code in codes:
        value = request.POST.get(f"f{code}-consistent", "")
        reason = request.POST.get(f"f{code}-reason", "")
        if value or reason.strip():
            consistent = {"yes": True, "no": False}.get(value)
            findings[code] = FindingInput(consistent, reason)
    return findings


def _element_rows(recheck, *, values: dict, errors: dict, school_rows: dict):
    rows = []
    for element in scoring.elements_of(recheck):
        value = values.get(element.code)
        rows.append(
            {
                "element": element,
                "school": school_rows.get(element.code, {}),
                "consistent": value.consistent if value else None,
                "reason": value.reason if value else "",
                "error": " ".join(
                    e for key, e in errors.items() if key.startswith(f"f{element.code}-")
                ),
            }
        )
    return rows


def _with_state_data(school, year: int, rows: list[dict]) -> list[dict]:
    """Beside each element, the state data of its diagnostic points for the years the
    re-check rests on, with the warnings (a fixed number of queries)."""
    elements = [row["element"] for row in rows]
    prefetch_related_objects(elements, "points")
    figures = statedata.figures_for_elements(
        school=school, years=statedata.years_before(year), elements=elements
    )
    for row in rows:
        row["statedata"] = figures.get(row["element"].code)
    return rows


def _school_rows(recheck) -> dict:
    report = scoring.school_report(recheck)
    if report and report.snapshot:
        return {row["element_code"]: row for row in report.snapshot["rows"]}
    return {}


def _findings_confirmation(recheck, assignment) -> Confirmation:
    return Confirmation(
        title="确认提交评议",
        action=reverse("review:score", kwargs={"pk": recheck.pk}),
        cancel=reverse("review:score", kwargs={"pk": recheck.pk}),
        button="确认提交评议",
        back_label="返回继续修改（草稿已保存）",
        fields={"action": "submit"},
        details=[
            ("学校", recheck.school.name),
            ("判定为不相符", f"{assignment.findings.filter(consistent=False).count()} 项"),
            ("改进措施评价", assignment.get_measures_rating_display()),
        ],
        happens=[
            "你对 15 项诊断要素的判定、理由和改进措施评价一并提交并锁定。",
            "提交后你可以看到其他已提交专家的意见；组长据全组意见合议。",
        ],
        audience=[
            "本复核专家组中已提交评议的专家和组长",
            "省级管理人员和专家委员会",
            "学校看不到专家个人的评议，只看到发布后的合议结果",
        ],
        irreversible="提交后不能再修改你的评议。",
    )


def _score_form(request, recheck, assignment, *, values, rating, rating_reason, errors):
    return render(
        request,
        "review/score.html",
        {
            "recheck": recheck,
            "assignment": assignment,
            "rows": _with_state_data(
                recheck.school,
                recheck.planned_year,
                _element_rows(
                    recheck, values=values, errors=errors, school_rows=_school_rows(recheck)
                ),
            ),
            "ratings": MeasuresRating.choices,
            "rating": rating,
            "rating_reason": rating_reason,
            "errors": errors,
            "form_error": errors.get("__all__"),
        },
        status=400 if errors else 200,
    )


def _score_record(request, recheck, assignment):
    """After submission: a read-only record of this expert's findings and what comes next."""
    mine = {f.element.code: f for f in assignment.findings.select_related("element")}
    others = list(
        PanelAssignment.objects.filter(recheck=recheck, findings_submitted_at__isnull=False)
        .exclude(pk=assignment.pk)
        .select_related("expert")
        .prefetch_related("findings__element")
    )
    rows = []
    for element in scoring.elements_of(recheck):
        rows.append(
            {
                "element": element,
                "mine": mine.get(element.code),
                "others": [
                    (o.expert.name, f)
                    for o in others
                    for f in o.findings.all()
                    if f.element_id == element.pk
                ],
            }
        )
    panel = list(recheck.assignments.select_related("expert"))
    return render(
        request,
        "review/score_record.html",
        {
            "recheck": recheck,
            "assignment": assignment,
            "rows": rows,
            "inconsistent": sum(1 for f in mine.values() if f.consistent is False),
            "pending": [a.expert.name for a in panel if a.findings_submitted_at is None],
            "consolidation": Consolidation.objects.filter(recheck=recheck).first(),
            "verdict_record": VerdictRecord.objects.filter(recheck=recheck)
            .order_by("-published_at")
            .first(),
        },
    )


@login_required
def score(request, pk: int):
    """One expert's own findings, blind to the others' until submitted (R12, R13).

    Submitting is confirmed on a summary page (the typed findings are saved as a draft
    first); after submission the page is a read-only record.
    """
    recheck = get_recheck_for_user(request.user, pk)
    assignment = expert_assignment(request.user, recheck)
    if assignment is None or assignment.certified_at is None:
        raise Http404("页面不存在")
    if request.method != "POST" and assignment.findings_submitted_at:
        return _score_record(request, recheck, assignment)
    codes = [e.code for e in scoring.elements_of(recheck)]
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        if submit and confirmed(request):
            try:
                scoring.save_findings(
                    assignment=assignment,
                    user=request.user,
                    findings=scoring.saved_findings(assignment.findings.select_related("element")),
                    measures_rating=assignment.measures_rating,
                    measures_reason=assignment.measures_reason,
                    submit=True,
                )
            except ValidationError as exc:
                messages.error(request, "未提交：" + " ".join(exc.messages))
            else:
                messages.success(request, "评议已提交。")
            return redirect("review:score", pk=pk)
        findings = _posted_findings(request, codes)
        rating = request.POST.get("measures_rating", "")
        rating_reason = request.POST.get("measures_reason", "")
        errors = scoring.findings_errors(
            recheck, findings, measures_rating=rating, measures_reason=rating_reason, submit=submit
        )
        if not errors:
            try:
                scoring.save_findings(
                    assignment=assignment,
                    user=request.user,
                    findings=findings,
                    measures_rating=rating,
                    measures_reason=rating_reason,
                )
            except ValidationError as exc:
                errors = _errors_by_field(exc)
        if errors:
            return _score_form(
                request,
                recheck,
                assignment,
                values=findings,
                rating=rating,
                rating_reason=rating_reason,
                errors=errors,
            )
        if submit:
            assignment.refresh_from_db()
            return confirmation_page(request, _findings_confirmation(recheck, assignment))
        messages.success(request, "评议草稿已保存。")
        return redirect("review:score", pk=pk)
    return _score_form(
        request,
        recheck,
        assignment,
        values=scoring.saved_findings(assignment.findings.select_related("element")),
        rating=assignment.measures_rating,
        rating_reason=assignment.measures_reason,
        errors={},
    )


def _consolidation_confirmation(recheck, consolidation) -> Confirmation:
    matched = scoring.consolidated_matched(consolidation)
    rating = MeasuresRating(consolidation.measures_rating)
    return Confirmation(
        title="确认提交合议结果",
        action=reverse("review:consolidate", kwargs={"pk": recheck.pk}),
        cancel=reverse("review:consolidate", kwargs={"pk": recheck.pk}),
        button="确认提交合议结果",
        back_label="返回继续修改（草稿已保存）",
        fields={"action": "submit"},
        details=[
            ("学校", recheck.school.name),
            ("相符要素", f"{matched} 项"),
            ("改进措施评价", rating.label),
            ("按规则得出的结论", decide_verdict(matched, rating).label),
        ],
        happens=[
            "合议结果（逐项判定与理由、改进措施评价、复核报告）提交省级管理人员审核。",
            "审核期间你不能修改；省级管理人员可以审核通过并交学校核对草稿（学校指出的事实错误由你答复），或写明原因退回你修改。",
        ],
        audience=[
            "省级管理人员和专家委员会",
            "本复核专家组成员",
            "学校和社会公众在结论发布后才能看到合议结果（不含专家个人评议）",
        ],
        irreversible="提交后你不能自行撤回，只能等省级管理人员退回。",
    )


def _submit_consolidation(request, recheck, pk: int):
    """The confirmed submission: the saved draft is submitted, once."""
    consolidation = Consolidation.objects.filter(recheck=recheck).first()
    try:
        if consolidation is None:
            raise ValidationError("还没有保存的合议结果。")
        scoring.save_consolidation(
            recheck=recheck,
            user=request.user,
            findings=scoring.saved_findings(consolidation.findings.select_related("element")),
            measures_rating=consolidation.measures_rating,
            measures_reason=consolidation.measures_reason,
            report=consolidation.report,
            submit=True,
        )
    except ValidationError as exc:
        messages.error(request, "未提交：" + " ".join(exc.messages))
    else:
        messages.success(request, "合议结果已提交，等待省级管理人员审核发布。")
    return redirect("review:consolidate", pk=pk)


@login_required
def consolidate(request, pk: int):
    """The lead: everyone's findings side by side, disagreements flagged, one finding each."""
    recheck = get_recheck_for_user(request.user, pk)
    if reads_everything(request.user):
        # Staff and the committee read the consolidation on their review page.
        return redirect("review:staff_review", pk=pk)
    assignment = expert_assignment(request.user, recheck)
    if assignment is None or not assignment.is_lead or assignment.certified_at is None:
        raise Http404("页面不存在")
    if assignment.findings_submitted_at is None:
        messages.info(request, "请先提交你自己的评议，再查看全组意见并合议。")
        return redirect("review:score", pk=pk)
    codes = [e.code for e in scoring.elements_of(recheck)]
    errors: dict[str, str] = {}
    consolidation = Consolidation.objects.filter(recheck=recheck).first()
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        if submit and confirmed(request):
            return _submit_consolidation(request, recheck, pk)
        findings = _posted_findings(request, codes)
        rating = request.POST.get("measures_rating", "")
        rating_reason = request.POST.get("measures_reason", "")
        report = request.POST.get("report", "")
        errors = scoring.consolidation_errors(
            recheck,
            findings,
            measures_rating=rating,
            measures_reason=rating_reason,
            report=report,
            submit=submit,
        )
        if not errors:
            try:
                consolidation = scoring.save_consolidation(
                    recheck=recheck,
                    user=request.user,
                    findings=findings,
                    measures_rating=rating,
                    measures_reason=rating_reason,
                    report=report,
                )
            except ValidationError as exc:
                errors = _errors_by_field(exc)
        if not errors:
            if submit:
                return confirmation_page(
                    request, _consolidation_confirmation(recheck, consolidation)
                )
            messages.success(request, "合议草稿已保存。")
            return redirect("review:consolidate", pk=pk)
        values = findings
    if not errors:
        majority = scoring.majority(recheck)
        saved = (
            scoring.saved_findings(consolidation.findings.select_related("element"))
            if consolidation
            else {}
        )
        values = {code: saved.get(code) or FindingInput(majority.get(code), "") for code in codes}
        rating = consolidation.measures_rating if consolidation else ""
        rating_reason = consolidation.measures_reason if consolidation else ""
        report = consolidation.report if consolidation else ""
    panel = list(
        PanelAssignment.objects.filter(recheck=recheck)
        .select_related("expert")
        .order_by("-is_lead", "expert__name")
    )
    by_element: dict[str, list] = {code: [] for code in codes}
    for finding in Finding.objects.filter(
        assignment__recheck=recheck, assignment__findings_submitted_at__isnull=False
    ).select_related("element", "assignment__expert"):
        by_element[finding.element.code].append(finding)
    rows = _element_rows(recheck, values=values, errors=errors, school_rows=_school_rows(recheck))
    disagreed = scoring.disagreements(recheck)
    for row in rows:
        row["experts"] = by_element[row["element"].code]
        row["disagree"] = row["element"].code in disagreed
    matched = scoring.matched(recheck, values)
    preview = None
    if rating in MeasuresRating.values:
        preview = {
            "verdict": decide_verdict(matched, MeasuresRating(rating)),
            "explanation": explain_in_words(matched, MeasuresRating(rating)),
            "deciding": [r["element"] for r in rows if r["consistent"] is False],
        }
    return render(
        request,
        "review/consolidate.html",
        {
            "recheck": recheck,
            "rows": rows,
            "panel": panel,
            "pending": [a for a in panel if a.findings_submitted_at is None],
            "ratings": MeasuresRating.choices,
            "rating": rating,
            "rating_reason": rating_reason,
            "report": report,
            "errors": errors,
            "form_error": errors.get("__all__"),
            "matched": matched,
            "preview": preview,
            "agreement": recheck_agreement(recheck),
            "locked": bool(consolidation and consolidation.state not in scoring.EDITABLE_STATES),
            "consolidation": consolidation,
            "returns": list(consolidation.returns.select_related("returned_by"))
            if consolidation
            else [],
            "expert_ratings": [
                (a.expert.name, a.get_measures_rating_display())
                for a in panel
                if a.findings_submitted_at
            ],
        },
        status=400 if errors else 200,
    )
