"""The school's factual check of the draft verdict: staff open it, the school points out
factual errors element by element, the lead answers each point.

Who may open what: the draft page — the school of the re-check (writes) and provincial staff
and the committee (read); the answers page — the panel's lead; accepting — provincial staff.
Everyone else gets 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from review.models import EvidenceKind, FactualCheck, FactualPoint
from review.permissions import (
    expert_assignment,
    get_recheck_for_user,
    is_school_of,
    require_provincial,
)
from review.selectors.fair import points_of
from review.services import factual_check as service
from review.services import staff_review
from review.services.files import stored_file_response
from review.services.scoring import FindingInput
from schools.permissions import reads_everything
from zhengai.confirm import Confirmation, confirmation_page, confirmed, day


def _form(errors) -> dict[str, str]:
    """Errors by field for the template; the whole form's under ``form``."""
    if isinstance(errors, ValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {"form": errors.messages}
    return {
        ("form" if key == "__all__" else key): value if isinstance(value, str) else " ".join(value)
        for key, value in errors.items()
    }


def _check_for(request, pk: int):
    """The re-check and its factual check, for its school, staff and the committee."""
    recheck = get_recheck_for_user(request.user, pk)
    if not (is_school_of(request.user, recheck) or reads_everything(request.user)):
        raise Http404("页面不存在")
    check = FactualCheck.objects.filter(recheck=recheck).first()
    if check is None:
        raise Http404("结论草稿尚未交学校核对")
    return recheck, check


def _school_check(request, pk: int):
    recheck, check = _check_for(request, pk)
    if not is_school_of(request.user, recheck):
        raise Http404("页面不存在")
    return recheck, check


def _lead_check(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    assignment = expert_assignment(request.user, recheck)
    if not (assignment and assignment.is_lead and assignment.certified_at):
        raise Http404("页面不存在")
    check = FactualCheck.objects.filter(recheck=recheck).first()
    if check is None:
        raise Http404("结论草稿尚未交学校核对")
    return recheck, check


def _draft_page(request, recheck, check, *, errors=None, typed=None, status=200):
    school = is_school_of(request.user, recheck)
    return render(
        request,
        "review/factual_check.html",
        {
            "recheck": recheck,
            "check": check,
            "draft": service.draft_of(recheck),
            # The school sees its drafts too; everyone else only what it submitted.
            "points": list(
                points_of(check) if school else points_of(check).filter(submitted_at__isnull=False)
            ),
            "is_school": school,
            "writable": school and service.window_open(check),
            "done": service.school_done(check),
            "evidence_kinds": EvidenceKind.choices,
            "errors": errors or {},
            "typed": typed or {},
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def draft(request, pk: int):
    """The draft as the school reads it; the school adds its points here (drafts)."""
    recheck, check = _check_for(request, pk)
    if request.method != "POST":
        return _draft_page(request, recheck, check)
    if not is_school_of(request.user, recheck):
        raise Http404("页面不存在")
    typed = {k: request.POST.get(k, "") for k in ("element", "statement", "evidence_kind")}
    typed["evidence"] = request.POST.get("evidence", "")
    try:
        point = service.add_point(
            check=check,
            user=request.user,
            element_code=typed["element"],
            statement=typed["statement"],
            evidence_kind=typed["evidence_kind"],
            evidence=typed["evidence"],
            upload=request.FILES.get("document"),
        )
    except ValidationError as exc:
        errors = _form(exc)
        return _draft_page(request, recheck, check, errors=errors, typed=typed, status=400)
    messages.success(request, f"已添加对 {point.element.code} 的意见（尚未提交）。")
    return redirect(reverse("review:factual_check", kwargs={"pk": pk}) + "#points")


@login_required
@require_POST
def remove_point(request, pk: int, point_pk: int):
    recheck, check = _school_check(request, pk)
    point = get_object_or_404(FactualPoint, pk=point_pk, factual_check=check)
    try:
        service.remove_point(point=point, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已删除对 {point.element.code} 的意见。")
    return redirect(reverse("review:factual_check", kwargs={"pk": pk}) + "#points")


def _submit_confirmation(recheck, check, *, none: bool) -> Confirmation:
    drafts = list(check.points.filter(submitted_at__isnull=True).select_related("element"))
    problems = []
    if not service.window_open(check):
        problems.append(
            "学校已经提交了核对意见。"
            if check.finished_at
            else f"核对期已于 {day(check.closes_on)}结束。"
        )
    elif none and drafts:
        problems.append("还有填写了但未提交的意见：请提交，或先删除后再声明无事实错误。")
    elif not none and not drafts:
        problems.append("还没有填写意见；如没有事实错误，请选择“声明无事实错误”。")
    back = reverse("review:factual_check", kwargs={"pk": recheck.pk})
    audience = [
        "专家组组长：逐条答复（不公开）",
        "省级管理人员和专家委员会：与答复一并查看",
        "意见和答复记入本校诊改历程；不在专栏公开",
    ]
    if none:
        return Confirmation(
            title="确认结论草稿没有事实错误",
            action=reverse("review:factual_none", kwargs={"pk": recheck.pk}),
            cancel=back,
            button="确认：没有事实错误",
            back_label="返回草稿，不声明",
            problems=problems,
            happens=[
                "记录学校声明结论草稿没有事实错误；核对期随即结束（原定至"
                f" {day(check.closes_on)}）。",
                "省级管理人员收到通知，可以发布复核结论。",
            ],
            audience=audience[1:],
            irreversible="声明后不能再提出事实核对意见；对已发布的结论仍可在 30 天内申诉。",
        )
    return Confirmation(
        title=f"确认提交 {len(drafts)} 条事实核对意见",
        action=reverse("review:factual_submit", kwargs={"pk": recheck.pk}),
        cancel=back,
        button="确认提交意见",
        back_label="返回草稿，继续修改",
        problems=problems,
        details=[(f"{p.element.code} {p.element.report_name}", p.statement) for p in drafts],
        happens=[
            f"提交以上 {len(drafts)} 条意见及其证据；核对期随即结束，不能再补充意见。",
            "专家组组长收到通知，逐条答复是否修改及理由。",
        ],
        audience=audience,
        irreversible="提交后意见不能修改或撤回，原样记入历史。",
    )


def _finish_step(request, pk: int, *, none: bool):
    recheck, check = _school_check(request, pk)
    if not confirmed(request):
        return confirmation_page(request, _submit_confirmation(recheck, check, none=none))
    try:
        if none:
            service.declare_no_points(check=check, user=request.user)
        else:
            count = service.submit_points(check=check, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            "已声明结论草稿没有事实错误。"
            if none
            else f"已提交 {count} 条事实核对意见，等待专家组组长答复。",
        )
    return redirect("review:factual_check", pk=pk)


@login_required
def submit(request, pk: int):
    return _finish_step(request, pk, none=False)


@login_required
def declare_none(request, pk: int):
    return _finish_step(request, pk, none=True)


@login_required
@require_GET
def point_document(request, pk: int, point_pk: int):
    """A point's document: the school, the lead, staff and the committee."""
    recheck = get_recheck_for_user(request.user, pk)
    assignment = expert_assignment(request.user, recheck)
    lead = bool(assignment and assignment.is_lead and assignment.certified_at)
    if not (lead or is_school_of(request.user, recheck) or reads_everything(request.user)):
        raise Http404("页面不存在")
    point = get_object_or_404(
        FactualPoint, pk=point_pk, factual_check__recheck=recheck, token__isnull=False
    )
    if not (point.submitted_at or is_school_of(request.user, recheck)):
        raise Http404("页面不存在")  # a draft is the school's until it submits it
    name = f"{recheck.school.name}-核对意见{point.element.code}-{point.original_name}"
    return stored_file_response(point.document, kind=point.content_kind, filename=name)


# --- The lead's answers --------------------------------------------------------------------------


def _typed_answers(post, points) -> dict[int, dict]:
    """The answers typed for unanswered points (only those the lead filled in)."""
    answers = {}
    for point in points:
        changed = post.get(f"p{point.pk}-changed", "")
        answer = post.get(f"p{point.pk}-answer", "")
        if not changed and not answer.strip():
            continue
        typed = {"changed": {"yes": True, "no": False}.get(changed), "answer": answer}
        if typed["changed"]:
            consistent = {"yes": True, "no": False}.get(post.get(f"p{point.pk}-consistent", ""))
            typed["finding"] = FindingInput(consistent, post.get(f"p{point.pk}-reason", ""))
        answers[point.pk] = typed
    return answers


def _answers_confirmation(recheck, check, post, answers) -> Confirmation:
    points = {p.pk: p for p in points_of(check)}
    details, happens = [], []
    for pk, typed in answers.items():
        point = points[pk]
        if typed["changed"]:
            finding = typed["finding"]
            new = "相符" if finding.consistent else f"不相符（{finding.reason.strip()}）"
            details.append((f"{point.element.code}：修改评议为", new))
        else:
            details.append((f"{point.element.code}：不修改", typed["answer"].strip()))
    happens.append(f"记录对 {len(answers)} 条意见的答复；修改的要素按合议结果保存，并记入历史。")
    happens.append("学校可看到每条答复；全部答复后，省级管理人员收到通知，可以发布结论。")
    keep = {k: v for k, v in post.items() if k.startswith("p") and k != "page"}
    return Confirmation(
        title="确认答复事实核对意见",
        action=reverse("review:factual_answers", kwargs={"pk": recheck.pk}),
        cancel=reverse("review:factual_answers", kwargs={"pk": recheck.pk}),
        button="确认答复",
        back_label="返回修改答复",
        details=details,
        happens=happens,
        audience=["学校", "省级管理人员和专家委员会", "本复核专家组"],
        irreversible="答复后不能修改，原样记入历史。",
        fields=keep,
    )


@login_required
def answers(request, pk: int):
    """The lead reads the submitted points and answers each one (confirmed)."""
    recheck, check = _lead_check(request, pk)
    errors: dict[str, str] = {}
    posted = {}
    if request.method == "POST":
        waiting = list(service.unanswered(check).select_related("element"))
        typed = _typed_answers(request.POST, waiting)
        errors = _form(service.answer_errors(check, typed))
        posted = request.POST
        if not errors and not confirmed(request):
            return confirmation_page(
                request, _answers_confirmation(recheck, check, request.POST, typed)
            )
        if not errors:
            try:
                count = service.answer_points(check=check, user=request.user, answers=typed)
            except ValidationError as exc:
                errors = _form(exc)
            else:
                messages.success(request, f"已答复 {count} 条意见。")
                return redirect("review:factual_answers", pk=pk)
    points = list(points_of(check).filter(submitted_at__isnull=False))
    draft = service.draft_of(recheck)
    findings = {row["element"].pk: row["finding"] for row in draft["rows"]}
    for point in points:
        point.current = findings.get(point.element_id)
        point.errors = {
            part: errors.get(f"p{point.pk}-{part}", "")
            for part in ("changed", "answer", "consistent", "reason")
        }
        point.typed = {
            part: posted.get(f"p{point.pk}-{part}", "")
            for part in ("changed", "answer", "consistent", "reason")
        }
    return render(
        request,
        "review/factual_answers.html",
        {
            "recheck": recheck,
            "check": check,
            "points": points,
            "errors": errors,
            "waiting": sum(1 for p in points if not p.answered_at),
        },
        status=400 if errors else 200,
    )


# --- Staff: accept and send the draft to the school -------------------------------------------


def _accept_confirmation(recheck) -> Confirmation:
    problems = []
    if FactualCheck.objects.filter(recheck=recheck).exists():
        problems.append("结论草稿已经交学校核对。")
    consolidation = getattr(recheck, "consolidation", None)
    if consolidation is None or consolidation.state != "submitted":
        problems.append("专家组尚未提交合议结果（或已退回组长修改、已发布）。")
    elif refusal := staff_review.publish_refusal(recheck):
        problems.append(refusal)
    days = settings.FACTUAL_CHECK_DAYS
    closes = timezone.localdate() + timedelta(days=days - 1)
    return Confirmation(
        title="审核通过，交学校核对结论草稿",
        action=reverse("review:factual_open", kwargs={"pk": recheck.pk}),
        cancel=reverse("review:staff_review", kwargs={"pk": recheck.pk}),
        button="确认审核通过并交学校核对",
        back_label="返回审核页面",
        problems=problems,
        details=[("学校", recheck.school.name), ("核对期", f"{days} 天，至 {day(closes)}")],
        happens=[
            "合议结果记为“省级审核通过”，组长不能再自行修改（答复学校意见时除外）。",
            "学校看到结论草稿：逐项复核结果和理由、改进措施评价和按规则得出的结论（不显示专家姓名）。",
            "学校可在核对期内逐项指出事实错误并附证据；组长逐条答复。",
            "核对期满（或学校提交意见、声明无意见）且意见全部答复后，才能发布结论。",
        ],
        audience=["学校（不含专家姓名和专家个人评议）", "本复核专家组组长"],
        irreversible="交学校核对后不能退回组长；如需修改，只能通过组长答复学校意见进行。",
    )


@login_required
def open_check(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    require_provincial(request.user)
    if not confirmed(request):
        return confirmation_page(request, _accept_confirmation(recheck))
    try:
        check = service.open_factual_check(recheck=recheck, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已交学校核对结论草稿，核对期至 {day(check.closes_on)}。")
    return redirect(reverse("review:staff_review", kwargs={"pk": pk}) + "#factual")
