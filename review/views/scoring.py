"""Scoring pages: each expert's findings (blind until submitted), the lead's consolidation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from review.models import (
    Consolidation,
    Finding,
    PanelAssignment,
)
from review.permissions import expert_assignment, get_recheck_for_user, require_provincial
from review.services import publication, scoring
from review.services.scoring import FindingInput
from review.services.verdict import MeasuresRating, decide_verdict, explain_verdict
from statedata import selectors as statedata


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


@login_required
def score(request, pk: int):
    """One expert's own findings, blind to the others' until submitted (R12, R13)."""
    recheck = get_recheck_for_user(request.user, pk)
    assignment = expert_assignment(request.user, recheck)
    if assignment is None or assignment.certified_at is None:
        raise Http404("页面不存在")
    codes = [e.code for e in scoring.elements_of(recheck)]
    errors: dict[str, str] = {}
    if request.method == "POST":
        findings = _posted_findings(request, codes)
        try:
            scoring.save_findings(
                assignment=assignment,
                user=request.user,
                findings=findings,
                measures_rating=request.POST.get("measures_rating", ""),
                measures_reason=request.POST.get("measures_reason", ""),
                submit=request.POST.get("action") == "submit",
            )
        except ValidationError as exc:
            errors = _errors_by_field(exc)
            values = findings
            rating = request.POST.get("measures_rating", "")
            rating_reason = request.POST.get("measures_reason", "")
        else:
            submitted = request.POST.get("action") == "submit"
            messages.success(request, "评议已提交。" if submitted else "评议草稿已保存。")
            return redirect("review:score", pk=pk)
    if not errors:
        assignment.refresh_from_db()
        values = {
            f.element.code: FindingInput(f.consistent, f.reason)
            for f in assignment.findings.select_related("element")
        }
        rating, rating_reason = assignment.measures_rating, assignment.measures_reason
    others = []
    if assignment.findings_submitted_at:
        # Blind until submitted: only now may this expert see the others' submitted findings.
        others = list(
            PanelAssignment.objects.filter(recheck=recheck, findings_submitted_at__isnull=False)
            .exclude(pk=assignment.pk)
            .select_related("expert")
            .prefetch_related("findings__element")
        )
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
            "others": others,
            "locked": assignment.findings_submitted_at is not None,
        },
        status=400 if errors else 200,
    )


@login_required
def consolidate(request, pk: int):
    """The lead: everyone's findings side by side, disagreements flagged, one finding each."""
    recheck = get_recheck_for_user(request.user, pk)
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
        findings = _posted_findings(request, codes)
        try:
            consolidation = scoring.save_consolidation(
                recheck=recheck,
                user=request.user,
                findings=findings,
                measures_rating=request.POST.get("measures_rating", ""),
                measures_reason=request.POST.get("measures_reason", ""),
                report=request.POST.get("report", ""),
                submit=request.POST.get("action") == "submit",
            )
        except ValidationError as exc:
            errors = _errors_by_field(exc)
            values = findings
            rating = request.POST.get("measures_rating", "")
            rating_reason = request.POST.get("measures_reason", "")
            report = request.POST.get("report", "")
        else:
            submitted = consolidation.submitted_at is not None
            messages.success(
                request,
                "合议结果已提交，等待省级管理人员审核发布。" if submitted else "合议草稿已保存。",
            )
            return redirect("review:consolidate", pk=pk)
    if not errors:
        majority = scoring.majority(recheck)
        saved = {}
        if consolidation:
            saved = {
                f.element.code: FindingInput(f.consistent, f.reason)
                for f in consolidation.findings.select_related("element")
            }
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
            "explanation": explain_verdict(matched, MeasuresRating(rating)),
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
            "locked": bool(consolidation and consolidation.submitted_at),
            "expert_ratings": [
                (a.expert.name, a.get_measures_rating_display())
                for a in panel
                if a.findings_submitted_at
            ],
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def publish(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    require_provincial(request.user)
    try:
        record = publication.publish_verdict(recheck=recheck, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review:recheck", pk=pk)
    messages.success(request, f"复核结论“{record.get_verdict_display()}”已发布。")
    return redirect("review:verdict", pk=record.pk)
