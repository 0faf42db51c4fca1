"""Notices for the re-check's outcome: findings, consolidation, verdicts, and what follows.

The same machinery as ``notices/services/events.py`` (one subject per event, the day it
happened as the date, written inside the step's transaction, e-mailed after commit).
"""

from __future__ import annotations

import hashlib

from django.urls import reverse
from django.utils import timezone

from notices.models import NoticeKind
from notices.services.events import (
    EventNotice,
    day_of,
    panel,
    provincial_staff,
    recheck_name,
    recheck_url,
    school_staff,
)
from review.models import (
    Consolidation,
    PanelAssignment,
    Recheck,
    Rectification,
    Reopening,
    Sanction,
    VerdictRecord,
)

# --- Scoring -----------------------------------------------------------------------------------


def findings_submitted(assignment: PanelAssignment) -> list[EventNotice]:
    assignment = PanelAssignment.objects.select_related("recheck__school", "expert").get(
        pk=assignment.pk
    )
    recheck = assignment.recheck
    rows = list(recheck.assignments.values_list("is_lead", "expert_id", "findings_submitted_at"))
    done = sum(1 for _, _, at in rows if at)
    lead_ids = [expert_id for is_lead, expert_id, _ in rows if is_lead]
    if assignment.expert_id in lead_ids:
        return []  # the lead's own submission: nothing to tell the lead
    everyone = done == len(rows)
    return [
        EventNotice(
            kind=NoticeKind.FINDINGS_SUBMITTED,
            subject=f"assignment:{assignment.pk}",
            day=day_of(assignment.findings_submitted_at),
            title=f"{assignment.expert.name}已提交{recheck_name(recheck)}的逐项评议"
            f"（{done}/{len(rows)}）",
            what=f"专家组已有 {done} 位专家（共 {len(rows)} 位）提交了逐项评议。",
            next="全体专家均已提交，请进行合议并提交合议结果。"
            if everyone
            else "请完成自己的评议；全体专家提交后即可合议。",
            url=reverse("review:consolidate", kwargs={"pk": recheck.pk}),
            recipients=panel(recheck.pk, lead_only=True),
        )
    ]


def consolidation_submitted(consolidation: Consolidation) -> list[EventNotice]:
    consolidation = Consolidation.objects.select_related("recheck__school").get(pk=consolidation.pk)
    recheck = consolidation.recheck
    return [
        EventNotice(
            kind=NoticeKind.CONSOLIDATION_SUBMITTED,
            subject=f"recheck:{recheck.pk}",
            day=day_of(consolidation.submitted_at),
            title=f"{recheck_name(recheck)}：专家组已提交合议结果",
            what=f"{recheck_name(recheck)}的专家组组长已提交合议结果和复核报告。",
            next="请审核合议结果和复核报告：通过后交学校核对结论草稿（学校核对后才能发布），或写明原因退回组长。",
            url=recheck_url(recheck.pk, "#verdict"),
            recipients=provincial_staff(),
        )
    ]


def consolidation_returned(recheck: Recheck, reason: str) -> list[EventNotice]:
    recheck = Recheck.objects.select_related("school").get(pk=recheck.pk)
    # A return has no row of its own here: the reason tells two returns apart, and the same
    # signal sent twice is the same notice.
    digest = hashlib.sha256(reason.strip().encode("utf-8")).hexdigest()[:12]
    return [
        EventNotice(
            kind=NoticeKind.CONSOLIDATION_RETURNED,
            subject=f"recheck:{recheck.pk}:returned:{digest}",
            day=timezone.localdate(),
            title=f"{recheck_name(recheck)}：合议结果被退回",
            what=f"省级管理人员退回了{recheck_name(recheck)}的合议结果"
            + (f"，原因：{reason.strip()}" if reason.strip() else "")
            + "。",
            next="请按退回原因修改合议结果或复核报告，然后重新提交。",
            url=reverse("review:consolidate", kwargs={"pk": recheck.pk}),
            recipients=panel(recheck.pk, lead_only=True),
        )
    ]


# --- Verdicts ----------------------------------------------------------------------------------


def _after_verdict(record: VerdictRecord) -> str:
    if record.verdict == "effective":
        return "本周期内不再复核。请按复核报告写好整改方案，并在期限内完成整改。"
    end = record.improvement_end
    return (
        "请按复核报告写好整改方案并在期限内完成整改；改进期一年"
        + (f"，至 {end:%Y-%m-%d}" if end else "")
        + "，期满后须重新提出复核申请。"
    )


def _school_and_panel(record: VerdictRecord, **fields) -> list[EventNotice]:
    """The same news twice: the school is told what to do next, the panel that it is done."""
    school_next, panel_next = fields.pop("school_next"), fields.pop("panel_next")
    notices = [EventNotice(**fields, next=school_next, recipients=school_staff(record.school_id))]
    if record.recheck_id:
        notices.append(EventNotice(**fields, next=panel_next, recipients=panel(record.recheck_id)))
    return notices


def verdict_published(record: VerdictRecord) -> list[EventNotice]:
    record = VerdictRecord.objects.select_related("school", "cycle").get(pk=record.pk)
    shown = record.get_verdict_display()
    if record.diagnosed_on_time:
        title = f"{record.school.name}复核结论已发布：{shown}"
        what = f"省教育厅发布了{record.school.name}的复核结论：“{shown}”" + (
            f"（相符 {record.matched} 项）。" if record.matched is not None else "。"
        )
    else:
        title = f"{record.school.name}：{record.cycle.name}内未按时开展诊改，结论为“{shown}”"
        what = f"{record.school.name}在{record.cycle.name}内未按时开展自主诊改，结论视为“{shown}”。"
    return _school_and_panel(
        record,
        kind=NoticeKind.VERDICT_PUBLISHED,
        subject=f"verdict:{record.pk}",
        day=day_of(record.published_at),
        title=title,
        what=what + "结论已在专栏公开。",
        url=reverse("review:verdict", kwargs={"pk": record.pk}),
        school_next=_after_verdict(record),
        panel_next="本次复核已完成，无需再办理；可查看发布的结论和复核报告。",
    )


def verdict_corrected(record: VerdictRecord) -> list[EventNotice]:
    record = VerdictRecord.objects.select_related("school", "corrects").get(pk=record.pk)
    old = record.corrects
    was = f"由“{old.get_verdict_display()}”" if old else ""
    return _school_and_panel(
        record,
        kind=NoticeKind.VERDICT_CORRECTED,
        subject=f"verdict:{record.pk}",
        day=day_of(record.published_at),
        title=f"{record.school.name}的复核结论已更正：{record.get_verdict_display()}",
        what=f"省教育厅更正了{record.school.name}的复核结论，{was}更正为"
        f"“{record.get_verdict_display()}”，原因：{record.correction_reason}。"
        "原结论仍可查看，并标明已更正。",
        url=reverse("review:verdict", kwargs={"pk": record.pk}),
        school_next="以更正后的结论为准。" + _after_verdict(record),
        panel_next="无需办理；可查看更正后的结论。",
    )


def rectification_reported(rectification: Rectification) -> list[EventNotice]:
    rectification = Rectification.objects.select_related("verdict__school").get(pk=rectification.pk)
    school = rectification.verdict.school
    late = rectification.completed_late
    return [
        EventNotice(
            kind=NoticeKind.RECTIFICATION_REPORTED,
            subject=f"rectification:{rectification.pk}",
            day=day_of(rectification.completed_at),
            title=f"{school.name}已报告整改完成",
            what=f"{school.name}报告整改任务已完成"
            + ("（晚于整改期限）" if late else "")
            + "，各诊断要素均已填写整改措施和进展。",
            next="请查看整改措施、进展和佐证材料。",
            url=reverse("review:rectification", kwargs={"pk": rectification.verdict_id}),
            recipients=provincial_staff(),
        )
    ]


def report_reopened(reopening: Reopening) -> list[EventNotice]:
    reopening = Reopening.objects.select_related("self_diagnosis__school").get(pk=reopening.pk)
    report = reopening.self_diagnosis
    return [
        EventNotice(
            kind=NoticeKind.REPORT_REOPENED,
            subject=f"reopening:{reopening.pk}",
            day=day_of(reopening.created),
            title=f"{report.year} 年自我诊断报告已退回修改",
            what=f"省级管理人员退回了贵校 {report.year} 年自我诊断报告，原因：{reopening.reason}。"
            "报告已回到草稿状态。",
            next="请按原因修改报告，由校长重新签字后再次提交。",
            url=reverse("review:report", kwargs={"pk": report.pk}),
            recipients=school_staff(report.school_id),
        )
    ]


def sanction_lifted(sanction: Sanction) -> list[EventNotice]:
    sanction = Sanction.objects.select_related("school", "closed_by").get(pk=sanction.pk)
    url = (
        reverse("review:verdict", kwargs={"pk": sanction.closed_by_id})
        if sanction.closed_by_id
        else reverse("review:sanctions")
    )
    since = f"自 {sanction.opened_on:%Y-%m-%d} 起"
    closed = sanction.closed_on or timezone.localdate()
    fields = {
        "kind": NoticeKind.SANCTION_LIFTED,
        "subject": f"sanction:{sanction.pk}",
        "day": closed,
        "title": f"{sanction.school.name}：限制措施解除",
        "what": f"{sanction.school.name}{since}执行的限制措施（削减招生计划、暂停备案新专业、"
        f"限制教改项目申报）于 {closed:%Y-%m-%d} 解除。",
        "url": url,
    }
    return [
        EventNotice(
            **fields,
            next="无需办理；请继续按复核报告完成整改。",
            recipients=school_staff(sanction.school_id),
        ),
        EventNotice(
            **fields,
            next="请在以后年度的招生计划和新专业备案中不再对该校执行限制。",
            recipients=provincial_staff(),
        ),
    ]
