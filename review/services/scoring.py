"""Experts score, the lead consolidates, staff publish (R11–R17). Each write is one transaction.

The verdict itself always comes from ``review.services.verdict``; this module only gathers
its inputs, stores what people decided, and follows a published verdict through: the
rectification plan (R11), the improvement period (R16) and sanctions (R17).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from indicators.models import Element
from review import events
from review.models import (
    ConsolidatedFinding,
    Consolidation,
    Cycle,
    Evidence,
    Finding,
    NotDiagnosedProposal,
    PanelAssignment,
    Reapplication,
    Recheck,
    Rectification,
    RectificationItem,
    ReportStatus,
    Sanction,
    SanctionEntry,
    SanctionMeasure,
    SelfDiagnosis,
    VerdictRecord,
)
from review.selectors import verdicts_in_force
from review.services.deadlines import rectification_due
from review.services.files import check_document, save_upload, stored_file_fields
from review.services.rechecks import MATERIAL_KINDS
from review.services.verdict import (
    MeasuresRating,
    Verdict,
    decide_verdict,
    may_reapply,
    sanction_holds,
)
from review.tasks import queue_verdict_pdf
from schools.models import School


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
    errors = _check_findings(findings, complete=submit)
    if measures_rating and measures_rating not in MeasuresRating.values:
        errors["measures_rating"] = "改进措施评价无效，请重新选择。"  # a tampered form
    if submit:
        missing = [code for code in elements if code not in findings]
        errors |= {f"f{code}-consistent": f"{code}：请判定相符或不相符。" for code in missing}
        if measures_rating not in MeasuresRating.values:
            errors["measures_rating"] = "请评价改进措施（R13）。"
        if not measures_reason.strip():
            errors["measures_reason"] = "请写明改进措施评价的理由。"
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
) -> Consolidation:
    """The lead's one finding per element with a reason, the rating and the report."""
    recheck = Recheck.objects.select_for_update().get(pk=recheck.pk)
    lead = recheck.assignments.filter(is_lead=True, expert__user=user).first()
    if lead is None:
        raise ValidationError("只有专家组组长可以合议。")
    consolidation, _ = Consolidation.objects.get_or_create(recheck=recheck)
    if consolidation.submitted_at:
        raise ValidationError("合议结果已提交，不能再修改。")
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
            elif not finding.reason.strip():
                errors[f"f{code}-reason"] = f"{code}：请写明合议理由。"
        if measures_rating not in MeasuresRating.values:
            errors["measures_rating"] = "请确定专家组对改进措施的评价（R13）。"
        if not measures_reason.strip():
            errors["measures_reason"] = "请写明改进措施评价的理由。"
        if not report.strip():
            errors["report"] = "请撰写复核报告。"
    if measures_rating and measures_rating not in MeasuresRating.values:
        errors.setdefault("measures_rating", "改进措施评价无效，请重新选择。")
    if errors:
        raise ValidationError(errors)
    for code, finding in findings.items():
        row, _ = ConsolidatedFinding.objects.get_or_create(
            consolidation=consolidation, element=elements[code]
        )
        row.consistent, row.reason = finding.consistent, finding.reason.strip()
        row._history_user = user
        row.save()
    consolidation.measures_rating = measures_rating
    consolidation.measures_reason = measures_reason.strip()
    consolidation.report = report.strip()
    if submit:
        consolidation.submitted_at = timezone.now()
        consolidation.submitted_by = user
    consolidation._history_user = user
    consolidation.save()
    return consolidation


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


@transaction.atomic
def publish_verdict(*, recheck: Recheck, user) -> VerdictRecord:
    """Second sign-off: the verdict the rule gives is published and followed through."""
    recheck = (
        Recheck.objects.select_for_update().select_related("school", "cycle").get(pk=recheck.pk)
    )
    consolidation = Consolidation.objects.filter(recheck=recheck).first()
    if consolidation is None or consolidation.submitted_at is None:
        raise ValidationError("专家组尚未提交合议结果。")
    if VerdictRecord.objects.filter(recheck=recheck).exists():
        raise ValidationError("该复核的结论已经发布；如需更正，请新建更正记录。")
    count = consolidated_matched(consolidation)
    rating = MeasuresRating(consolidation.measures_rating)
    record = VerdictRecord.objects.create(
        school=recheck.school,
        cycle=recheck.cycle,
        recheck=recheck,
        verdict=decide_verdict(count, rating),
        matched=count,
        measures_rating=rating,
        report=consolidation.report,
        comparison=_comparison(recheck, consolidation),
        published_at=(now := timezone.now()),
        ranks_at=now,
        published_by=user,
    )
    Rectification.objects.create(verdict=record, due=rectification_due(recheck.end_date))
    RectificationItem.objects.bulk_create(
        RectificationItem(rectification=record.rectification, element=e)
        for e in elements_of(recheck)
    )
    apply_sanctions(record=record)
    _render_after_commit(record)
    return record


def _render_after_commit(record: VerdictRecord) -> None:
    """The verdict's PDF is rendered once, by a task, when the publication has committed."""
    transaction.on_commit(partial(queue_verdict_pdf, record.pk))


@transaction.atomic
def record_not_diagnosed(*, cycle: Cycle, school: School, user, note: str) -> VerdictRecord:
    """R15: a school that did not carry out its self-diagnosis in time gets 异常."""
    if not note.strip():
        raise ValidationError({"note": "请说明认定依据（如截止日期和未开展的情况）。"})
    School.objects.select_for_update().get(pk=school.pk)  # two clicks: the second waits
    if VerdictRecord.objects.filter(
        school=school, cycle=cycle, diagnosed_on_time=False, corrects__isnull=True
    ).exists():
        raise ValidationError(f"{school.name}在{cycle.name}内未按时开展诊改的结论已经记录过。")
    record = VerdictRecord.objects.create(
        school=school,
        cycle=cycle,
        verdict=decide_verdict(0, MeasuresRating.WEAK, diagnosed_on_time=False),
        diagnosed_on_time=False,
        report=note.strip(),
        published_at=(now := timezone.now()),
        ranks_at=now,
        published_by=user,
    )
    NotDiagnosedProposal.objects.filter(cycle=cycle, school=school, record__isnull=True).update(
        record=record
    )
    apply_sanctions(record=record)
    _render_after_commit(record)
    return record


@transaction.atomic
def correct_verdict(
    *, record: VerdictRecord, user, reason: str, matched: int, measures_rating: str
) -> VerdictRecord:
    """A published verdict never changes: the correction is a new record linked to it."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写更正原因。"})
    if VerdictRecord.objects.filter(corrects=record).exists():
        raise ValidationError("该结论已经更正过，请更正最新的记录。")
    if measures_rating not in MeasuresRating.values:
        raise ValidationError({"measures_rating": "请选择改进措施评价。"})
    try:
        verdict = decide_verdict(
            matched, MeasuresRating(measures_rating), diagnosed_on_time=record.diagnosed_on_time
        )
    except ValueError:
        raise ValidationError({"matched": "相符项数应在 0 到 15 之间。"}) from None
    correction = VerdictRecord.objects.create(
        school=record.school,
        cycle=record.cycle,
        recheck=record.recheck,
        verdict=verdict,
        matched=matched if record.diagnosed_on_time else None,
        measures_rating=measures_rating,
        diagnosed_on_time=record.diagnosed_on_time,
        report=record.report,
        comparison=record.comparison,
        published_at=timezone.now(),
        ranks_at=record.ranks_at,  # it takes the corrected verdict's place (R17)
        published_by=user,
        corrects=record,
        correction_reason=reason.strip(),
    )
    if hasattr(record, "rectification"):
        Rectification.objects.filter(pk=record.rectification.pk).update(verdict=correction)
    apply_sanctions(record=correction)
    _render_after_commit(correction)
    return correction


def apply_sanctions(*, record: VerdictRecord) -> Sanction | None:
    """R17: re-judge the school's sanction from its verdicts in force, in their order.

    Opens one when the history triggers it after the latest 有效, closes it otherwise; a
    correction takes the corrected verdict's place, so it is judged there, not as news.
    """
    history = [v.verdict for v in verdicts_in_force(school=record.school)]
    holds = sanction_holds(history)
    open_sanction = Sanction.objects.filter(school=record.school, closed_on__isnull=True).first()
    today = timezone.localdate(record.published_at)
    if open_sanction and not holds:
        open_sanction.closed_by, open_sanction.closed_on = record, today
        open_sanction.save()
        # The ledger is complete whether or not the yearly scan ran in between.
        record_sanction_years(sanction=open_sanction, through_year=today.year)
        return None
    if open_sanction:
        if record.corrects_id and open_sanction.opened_by_id == record.corrects_id:
            open_sanction.opened_by = record
            open_sanction.save()
        return open_sanction
    if holds:
        open_sanction = Sanction.objects.create(
            school=record.school, opened_by=record, opened_on=today
        )
        record_sanction_years(sanction=open_sanction, through_year=today.year)
        # Tell the school and staff now rather than at the next daily scan (same notice key).
        events.sanction_opened.send(sender=Sanction, sanction=open_sanction)
    return open_sanction


def record_sanction_years(*, sanction: Sanction, through_year: int) -> int:
    """R17: one entry per measure for each year the sanction holds; safe to run again."""
    return record_sanctions_years(sanctions=[sanction], through_year=through_year)


def record_sanctions_years(*, sanctions: list[Sanction], through_year: int) -> int:
    """The same for many sanctions in three queries, however many there are."""
    entries = [
        SanctionEntry(sanction=sanction, year=year, measure=measure)
        for sanction in sanctions
        for year in range(
            sanction.opened_on.year,
            min(through_year, sanction.closed_on.year if sanction.closed_on else through_year) + 1,
        )
        for measure in SanctionMeasure.values
    ]
    if not entries:
        return 0
    scope = SanctionEntry.objects.filter(sanction__in=[s.pk for s in sanctions])
    before = scope.count()
    SanctionEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return scope.count() - before


@transaction.atomic
def sanction_ledger(*, today) -> list[Sanction]:
    """R17: the ledger, every year's entries present whether or not the daily scan ran."""
    open_sanctions = list(Sanction.objects.filter(closed_on__isnull=True))
    record_sanctions_years(sanctions=open_sanctions, through_year=today.year)
    return list(
        Sanction.objects.select_related("school", "opened_by", "closed_by")
        .prefetch_related("entries")
        .order_by("closed_on", "-opened_on")
    )


# --- The school: rectification and re-application ---------------------------------------------


@transaction.atomic
def save_rectification(*, rectification: Rectification, user, items: dict[str, dict]) -> int:
    """Save the plan and progress per element; returns how many items changed."""
    changed = 0
    for item in rectification.items.select_for_update().select_related("element"):
        values = items.get(item.element.code)
        if values is None:
            continue
        plan, progress = (
            values.get("plan", item.plan).strip(),
            values.get("progress", item.progress).strip(),
        )
        if (plan, progress) != (item.plan, item.progress):
            item.plan, item.progress = plan, progress
            item._history_user = user
            item.save()
            changed += 1
    return changed


@transaction.atomic
def complete_rectification(*, rectification: Rectification, user) -> None:
    """R11: the school reports the rectification done; every element needs plan and progress."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.completed_at:
        raise ValidationError("整改已经标记为完成。")
    missing = [
        f"{item.element.code} {item.element.report_name}"
        for item in rectification.items.select_related("element")
        if not (item.plan and item.progress)
    ]
    if missing:
        raise ValidationError(["以下诊断要素尚未填写整改措施和整改进展："] + missing)
    rectification.completed_at = timezone.now()
    rectification.completed_by = user
    rectification._history_user = user
    rectification._change_reason = "review.rectification.completed"
    rectification.save()


@transaction.atomic
def add_evidence(*, item: RectificationItem, upload: UploadedFile, user) -> Evidence:
    """Attach a proof of progress to a rectification item, checked by content."""
    checked = check_document(upload, allowed=MATERIAL_KINDS)
    evidence = Evidence(item=item, **stored_file_fields(checked, upload, user=user))
    return save_upload(evidence, upload, user=user)


@transaction.atomic
def reapply(*, record: VerdictRecord, user, note: str = "") -> Reapplication:
    """R16: after the improvement period of a 待改进 or 异常, apply for a new re-check."""
    today = timezone.localdate()
    if VerdictRecord.objects.filter(corrects=record).exists():
        raise ValidationError("该结论已被更正，请按更正后的结论申请。")
    if not may_reapply(Verdict(record.verdict), timezone.localdate(record.published_at), today):
        end = record.improvement_end
        raise ValidationError(
            f"改进期至 {end:%Y 年 %-m 月 %-d 日}，期满后才能申请重新复核（R16）。"
            if end
            else "结论为“有效”，同一周期内不再复核（R16）。"
        )
    if Reapplication.objects.filter(after=record).exists():
        raise ValidationError("已经提交过重新复核申请。")
    return Reapplication.objects.create(
        school=record.school, after=record, applied_by=user, note=note.strip()
    )


@transaction.atomic
def accept_reapplication(*, reapplication: Reapplication, user) -> Recheck:
    """Staff turn a re-application into the next round of re-check in the current cycle."""
    if reapplication.recheck_id:
        raise ValidationError("该申请已经安排复核。")
    year = timezone.localdate().year
    cycle = (
        Cycle.objects.filter(start_year__lte=year, end_year__gte=year)
        .order_by("-start_year")
        .first()
        or reapplication.after.cycle
    )
    last = (
        Recheck.objects.filter(cycle=cycle, school=reapplication.school).order_by("-round").first()
    )
    recheck = Recheck.objects.create(
        cycle=cycle,
        school=reapplication.school,
        planned_year=year,
        round=(last.round + 1) if last else 1,
    )
    reapplication.recheck = recheck
    reapplication.save(update_fields=["recheck", "modified"])
    return recheck
