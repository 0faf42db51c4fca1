"""Scoring (R12, R13): each expert's findings, blind until submitted; the lead's consolidation."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import Element
from review import events
from review.models import (
    ConsolidatedFinding,
    Consolidation,
    ConsolidationState,
    Finding,
    PanelAssignment,
    Recheck,
    ReportStatus,
    SelfDiagnosis,
)
from review.services.verdict import (
    MeasuresRating,
)

# The lead may edit a consolidation only before it is submitted, or after staff return it.
EDITABLE_STATES = (ConsolidationState.DRAFT, ConsolidationState.RETURNED)


@dataclass(frozen=True)
class FindingInput:
    consistent: bool | None
    reason: str = ""


def elements_of(recheck: Recheck) -> list[Element]:
    """The 15 elements of the re-check's own version (R1), in 附件1's order.

    Never the version in force today: a version that comes into force while the re-check is
    open must not change what its experts judge, count or the school rectifies.
    """
    return list(
        Element.objects.filter(project__system_id=recheck.system_id)
        .select_related("project")
        .order_by("project__position", "position")
    )


def school_report(recheck: Recheck) -> SelfDiagnosis | None:
    """The self-diagnosis the re-check checks: the school's latest submitted or filed one."""
    return (
        SelfDiagnosis.objects.filter(
            school=recheck.school,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.FILED],
            year__lte=recheck.start_date.year if recheck.start_date else recheck.planned_year,
        )
        .order_by("-year")
        .first()
    )


def _check_findings(findings: dict[str, FindingInput], *, complete: bool) -> dict[str, str]:
    errors = {}
    for code, finding in findings.items():
        if finding.consistent is False and not finding.reason.strip():
            errors[f"f{code}-reason"] = f"{code}：判定为不相符时须写明理由。"
        if complete and finding.consistent is None:
            errors[f"f{code}-consistent"] = f"{code}：请判定相符或不相符。"
    return errors


# --- One expert --------------------------------------------------------------------------------


def findings_errors(
    recheck: Recheck,
    findings: dict[str, FindingInput],
    *,
    measures_rating: str,
    measures_reason: str,
    submit: bool,
) -> dict[str, str]:
    """What is wrong with an expert's findings (by form field), for a save or a submission."""
    elements = {e.code for e in elements_of(recheck)}
    errors = _check_findings(findings, complete=submit)
    if measures_rating and measures_rating not in MeasuresRating.values:
        errors["measures_rating"] = "改进措施评价无效，请重新选择。"  # a tampered form
    if submit:
        missing = [code for code in elements if code not in findings]
        errors |= {f"f{code}-consistent": f"{code}：请判定相符或不相符。" for code in missing}
        if measures_rating not in MeasuresRating.values:
            errors["measures_rating"] = "请评价改进措施。"
        if not measures_reason.strip():
            errors["measures_reason"] = "请写明改进措施评价的理由。"
    return errors


@transaction.atomic
def save_findings(
    *,
    assignment: PanelAssignment,
    user,
    findings: dict[str, FindingInput],
    measures_rating: str = "",
    measures_reason: str = "",
    submit: bool = False,
) -> None:
    """Save an expert's own findings; on submit all 15 and the rating are required."""
    assignment = PanelAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.certified_at is None:
        raise ValidationError("请先声明无利益冲突。")
    if assignment.findings_submitted_at:
        raise ValidationError("评议已提交，不能再修改。")
    elements = {e.code: e for e in elements_of(assignment.recheck)}
    errors = findings_errors(
        assignment.recheck,
        findings,
        measures_rating=measures_rating,
        measures_reason=measures_reason,
        submit=submit,
    )
    if errors:
        raise ValidationError(errors)
    for code, finding in findings.items():
        row, _ = Finding.objects.get_or_create(assignment=assignment, element=elements[code])
        if (row.consistent, row.reason) != (finding.consistent, finding.reason.strip()):
            row.consistent, row.reason = finding.consistent, finding.reason.strip()
            row._history_user = user
            row.save()
    assignment.measures_rating = measures_rating
    assignment.measures_reason = measures_reason.strip()
    if submit:
        assignment.findings_submitted_at = timezone.now()
    assignment._history_user = user
    assignment.save()
    if submit:
        events.findings_submitted.send(sender=PanelAssignment, assignment=assignment)


# --- The lead ----------------------------------------------------------------------------------


def disagreements(recheck: Recheck) -> set[str]:
    """Element codes where the submitted experts' findings differ."""
    seen: dict[str, set] = {}
    for finding in Finding.objects.filter(
        assignment__recheck=recheck, assignment__findings_submitted_at__isnull=False
    ).select_related("element"):
        seen.setdefault(finding.element.code, set()).add(finding.consistent)
    return {code for code, values in seen.items() if len(values) > 1}


def majority(recheck: Recheck) -> dict[str, bool | None]:
    """The submitted experts' majority per element (None on a tie): the lead's starting point."""
    votes: dict[str, list[bool]] = {}
    for finding in Finding.objects.filter(
        assignment__recheck=recheck, assignment__findings_submitted_at__isnull=False
    ).select_related("element"):
        votes.setdefault(finding.element.code, []).append(bool(finding.consistent))
    result = {}
    for code, values in votes.items():
        yes, no = values.count(True), values.count(False)
        result[code] = None if yes == no else yes > no
    return result


def consolidation_errors(
    recheck: Recheck,
    findings: dict[str, FindingInput],
    *,
    measures_rating: str,
    measures_reason: str,
    report: str,
    submit: bool,
) -> dict[str, str]:
    """What is wrong with the lead's consolidation (by form field), for a save or a submission.

    R12: a reason is required only where the panel finds 不相符, not for every element.
    """
    elements = {e.code: e for e in elements_of(recheck)}
    errors = _check_findings(findings, complete=submit)
    if submit:
        pending = [
            a.expert.name
            for a in recheck.assignments.select_related("expert")
            if a.findings_submitted_at is None
        ]
        if pending:
            errors["__all__"] = f"还有专家未提交评议：{'、'.join(pending)}。"
        for code in elements:
            finding = findings.get(code)
            if finding is None or finding.consistent is None:
                errors[f"f{code}-consistent"] = f"{code}：请确定合议结果。"
        if measures_rating not in MeasuresRating.values:
            errors["measures_rating"] = "请确定专家组对改进措施的评价。"
        if not measures_reason.strip():
            errors["measures_reason"] = "请写明改进措施评价的理由。"
        if not report.strip():
            errors["report"] = "请撰写复核报告。"
    if measures_rating and measures_rating not in MeasuresRating.values:
        errors.setdefault("measures_rating", "改进措施评价无效，请重新选择。")
    return errors


@transaction.atomic
def save_consolidation(
    *,
    recheck: Recheck,
    user,
    findings: dict[str, FindingInput],
    measures_rating: str,
    measures_reason: str,
    report: str,
    submit: bool = False,
    answering: bool = False,
) -> Consolidation:
    """The lead's one finding per element with a reason, the rating and the report.

    ``answering``: the lead changes an element's finding in answer to the school's factual
    point on the accepted draft (``review/services/factual_check.py``); nothing else changes.
    """
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    lead = recheck.assignments.filter(is_lead=True, expert__user=user).first()
    if lead is None:
        raise ValidationError("只有专家组组长可以合议。")
    consolidation, _ = Consolidation.objects.get_or_create(recheck=recheck)
    if answering:
        if consolidation.state != ConsolidationState.ACCEPTED:
            raise ValidationError("只有在学校核对结论草稿期间，组长才能按核对意见修改评议。")
    elif consolidation.submitted_at or consolidation.state not in EDITABLE_STATES:
        raise ValidationError("合议结果已提交，不能再修改。")
    elements = {e.code: e for e in elements_of(recheck)}
    errors = consolidation_errors(
        recheck,
        findings,
        measures_rating=measures_rating,
        measures_reason=measures_reason,
        report=report,
        submit=submit,
    )
    if errors:
        raise ValidationError(errors)
    for code, finding in findings.items():
        row, _ = ConsolidatedFinding.objects.get_or_create(
            consolidation=consolidation, element=elements[code]
        )
        row.consistent, row.reason = finding.consistent, finding.reason.strip()
        row._history_user = user
        if answering:
            row._change_reason = "review.factual_check.changed"
        row.save()
    consolidation.measures_rating = measures_rating
    consolidation.measures_reason = measures_reason.strip()
    consolidation.report = report.strip()
    if submit:
        consolidation.submitted_at = timezone.now()
        consolidation.submitted_by = user
        consolidation.state = ConsolidationState.SUBMITTED
        # A resubmission after staff returned it answers the open return.
        consolidation.returns.filter(resubmitted_at__isnull=True).update(
            resubmitted_at=consolidation.submitted_at
        )
        consolidation._change_reason = "review.consolidation.submitted"
    consolidation._history_user = user
    consolidation.save()
    if submit:
        events.consolidation_submitted.send(sender=Consolidation, consolidation=consolidation)
    return consolidation


def saved_findings(rows) -> dict[str, FindingInput]:
    """Saved finding rows (an expert's or the consolidation's) as inputs, by element code."""
    return {f.element.code: FindingInput(f.consistent, f.reason) for f in rows}


def matched(recheck: Recheck, findings: dict[str, FindingInput]) -> int:
    """R12: how many of the re-check's own elements are consistent, so always 0…15.

    The one count: publishing and the consolidation page's preview both use it.
    """
    codes = [e.code for e in elements_of(recheck)]
    return sum(1 for code in codes if (f := findings.get(code)) and f.consistent is True)


def consolidated_matched(consolidation: Consolidation) -> int:
    """R12: ``matched`` of the lead's saved consolidation."""
    findings = {
        f.element.code: FindingInput(f.consistent, f.reason)
        for f in consolidation.findings.filter(
            element__project__system_id=consolidation.recheck.system_id
        ).select_related("element")
    }
    return matched(consolidation.recheck, findings)


# --- Staff: publish, R15, corrections ------------------------------------------------------------


def _comparison(recheck: Recheck, consolidation: Consolidation) -> list[dict]:
    report = school_report(recheck)
    school_rows = {}
    if report and report.snapshot:
        school_rows = {row["element_code"]: row for row in report.snapshot["rows"]}
    findings = {f.element_id: f for f in consolidation.findings.all()}
    rows = []
    for element in elements_of(recheck):
        finding = findings[element.pk]
        school = school_rows.get(element.code, {})
        rows.append(
            {
                "project_code": element.project.code,
                "project_name": element.project.name,
                "element_code": element.code,
                "element_name": element.report_name,
                "school_opinion": school.get("opinion", ""),
                "school_measures": school.get("measures", ""),
                "school_effects": school.get("effects", ""),
                "consistent": bool(finding.consistent),
                "reason": finding.reason,
            }
        )
    return rows
