"""Staff review of the panel's consolidation: read it whole, then publish or return it.

Provincial staff (the committee reads) see each expert's finding beside the panel's, the
reasons, the rating and the rule's result in words; they publish the verdict (confirmed on a
summary page, never before the re-check's last day) or return it to the lead with a reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from review.models import (
    Consolidation,
    ConsolidationState,
    FactualCheck,
    PanelAssignment,
    VerdictRecord,
)
from review.permissions import get_recheck_for_user, require_provincial
from review.selectors.consistency import recheck_agreement
from review.selectors.fair import points_of
from review.services import factual_check, publication, scoring, staff_review
from review.services.verdict import MeasuresRating, decide_verdict, explain_in_words
from schools.permissions import is_provincial, reads_everything
from zhengai.confirm import Confirmation, confirmation_page, confirmed, day


def _staff_recheck(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    return recheck


def review_context(recheck) -> dict:
    """Everything staff read before deciding: findings side by side, rating, the rule's result."""
    consolidation = (
        Consolidation.objects.filter(recheck=recheck).prefetch_related("findings__element").first()
    )
    context = {
        "recheck": recheck,
        "consolidation": consolidation,
        "ready": bool(consolidation and consolidation.state != ConsolidationState.DRAFT),
        "returns": list(consolidation.returns.select_related("returned_by"))
        if consolidation
        else [],
        "verdict_record": VerdictRecord.objects.filter(recheck=recheck)
        .order_by("-published_at")
        .first(),
    }
    if not context["ready"]:
        return context
    report = scoring.school_report(recheck)
    school_rows = (
        {row["element_code"]: row for row in report.snapshot["rows"]}
        if report and report.snapshot
        else {}
    )
    experts = list(
        PanelAssignment.objects.filter(recheck=recheck, findings_submitted_at__isnull=False)
        .select_related("expert")
        .prefetch_related("findings__element")
        .order_by("-is_lead", "expert__name")
    )
    panel = {f.element.code: f for f in consolidation.findings.all()}
    rows = []
    for element in scoring.elements_of(recheck):
        theirs = [
            (a.expert.name, next((f for f in a.findings.all() if f.element_id == element.pk), None))
            for a in experts
        ]
        votes = {f.consistent for _name, f in theirs if f is not None}
        rows.append(
            {
                "element": element,
                "school": school_rows.get(element.code, {}),
                "experts": theirs,
                "panel": panel.get(element.code),
                "split": len(votes) > 1,
                # Everyone and the panel found it consistent: shown folded, to read the rest.
                "quiet": votes == {True}
                and bool(panel.get(element.code))
                and panel[element.code].consistent is True,
            }
        )
    matched = scoring.consolidated_matched(consolidation)
    rating = MeasuresRating(consolidation.measures_rating)
    context |= {
        "rows": rows,
        "experts": experts,
        "matched": matched,
        "verdict": decide_verdict(matched, rating),
        "explanation": explain_in_words(matched, rating),
        "refusal": staff_review.publish_refusal(recheck) or factual_check.publish_refusal(recheck),
        "factual_check": (check := FactualCheck.objects.filter(recheck=recheck).first()),
        "factual_points": list(points_of(check).filter(submitted_at__isnull=False))
        if check
        else [],
        "agreement": recheck_agreement(recheck),
    }
    return context


@login_required
@require_GET
def review(request, pk: int):
    recheck = _staff_recheck(request, pk)
    return render(
        request,
        "review/staff_review.html",
        review_context(recheck) | {"can_act": is_provincial(request.user)},
    )


@login_required
@require_POST
def return_to_lead(request, pk: int):
    recheck = _staff_recheck(request, pk)
    require_provincial(request.user)
    reason = request.POST.get("reason", "")
    try:
        staff_review.return_consolidation(recheck=recheck, user=request.user, reason=reason)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
        return render(
            request,
            "review/staff_review.html",
            review_context(recheck)
            | {"can_act": True, "return_errors": errors, "return_reason": reason},
            status=400,
        )
    messages.success(request, "已退回专家组组长修改；组长可看到退回原因，修改后重新提交。")
    return redirect("review:staff_review", pk=pk)


def _publish_confirmation(recheck) -> Confirmation:
    context = review_context(recheck)
    problems = []
    if context["verdict_record"]:
        problems.append("该复核的结论已经发布；如需更正，请新建更正记录。")
    elif not context["ready"] or context["consolidation"].state not in (
        ConsolidationState.SUBMITTED,
        ConsolidationState.ACCEPTED,
    ):
        problems.append("专家组尚未提交合议结果（或已退回组长修改）。")
    elif context["refusal"]:
        problems.append(context["refusal"])
    confirmation = Confirmation(
        title="确认发布复核结论",
        action=reverse("review:publish_verdict", kwargs={"pk": recheck.pk}),
        cancel=reverse("review:staff_review", kwargs={"pk": recheck.pk}),
        button="确认发布结论",
        back_label="返回审核页面，不发布",
        problems=problems,
        irreversible="结论发布后不能修改或撤回；如有错误，只能另立更正记录，原结论仍然公开可见。",
        audience=[
            "学校：结论、逐项对照和复核报告（不含专家个人评议）",
            "社会公众：在诊改专栏查看结论和复核报告 PDF（无需登录）",
            "省级管理人员、专家委员会和本复核专家组",
        ],
    )
    if not problems:
        verdict = context["verdict"]
        confirmation.details = [
            ("学校", recheck.school.name),
            ("复核日期", f"{day(recheck.start_date)}至{day(recheck.end_date)}"),
            ("相符要素", f"{context['matched']} 项（共 {len(context['rows'])} 项）"),
            ("结论", verdict.label),
        ]
        confirmation.happens = [
            f"发布复核结论“{verdict.label}”，并生成复核报告 PDF（存档并附 SHA-256）。",
            *context["explanation"],
            "学校开始整改：整改期限为复核结束后一年。",
            "如按规则须采取限制措施（结论为异常，或连续两次待改进），同时记入限制措施台账并通知学校。",
        ]
    return confirmation


@login_required
def publish(request, pk: int):
    """The second sign-off: a summary first; only the confirmed POST publishes, once."""
    recheck = get_recheck_for_user(request.user, pk)
    require_provincial(request.user)
    if not confirmed(request):
        return confirmation_page(request, _publish_confirmation(recheck))
    try:
        record = publication.publish_verdict(recheck=recheck, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review:staff_review", pk=pk)
    messages.success(request, f"复核结论“{record.get_verdict_display()}”已发布。")
    return redirect("review:verdict", pk=record.pk)
