"""Verdict pages: the published verdict, corrections, rectification, re-application, sanctions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from review import selectors
from review.models import (
    Cycle,
    Evidence,
    Reapplication,
    RectificationItem,
    VerdictRecord,
)
from review.permissions import require_provincial
from review.services import publication, verdict_document
from review.services import rectification as rectification_service
from review.services.files import stored_file_response
from review.services.verdict import MeasuresRating, Verdict, may_reapply
from review.services.verdict_document import stored_verdict_pdf
from review.views.appeals import verdict_appeals
from schools.models import School
from schools.permissions import is_provincial, reads_everything, school_of


def _record_for_user(user, pk: int) -> VerdictRecord:
    record = (
        VerdictRecord.objects.select_related("school", "cycle", "recheck").filter(pk=pk).first()
    )
    if record is None or not (reads_everything(user) or school_of(user) == record.school):
        raise Http404("没有找到这份结论")
    return record


@login_required
@require_GET
def verdict(request, pk: int):
    record = _record_for_user(request.user, pk)
    today = timezone.localdate()
    correction = VerdictRecord.objects.filter(corrects=record).first()
    context = {
        "record": record,
        "data": selectors.verdict_report_data(record),
        "correction": correction,
        "is_school": school_of(request.user) == record.school,
        "can_correct": is_provincial(request.user) and correction is None,
        "ratings": MeasuresRating.choices,
        "reapplication": Reapplication.objects.filter(after=record).first(),
        "may_reapply": correction is None
        and may_reapply(Verdict(record.verdict), timezone.localdate(record.published_at), today),
    }
    context |= verdict_appeals(record, request.user)
    return render(request, "review/verdict.html", context)


@login_required
@require_GET
def verdict_pdf(request, pk: int):
    record = _record_for_user(request.user, pk)
    if not record.pdf:
        # Its render has not run yet (just published, or the queue was down): the one render
        # happens now and is stored; every later download is the file.
        record = verdict_document.store_verdict_pdf(record_id=record.pk)
    return stored_verdict_pdf(record)


@login_required
@require_POST
def correct(request, pk: int):
    record = _record_for_user(request.user, pk)
    require_provincial(request.user)
    try:
        matched = int(request.POST.get("matched", ""))
    except ValueError:
        matched = -1
    try:
        correction = publication.correct_verdict(
            record=record,
            user=request.user,
            reason=request.POST.get("reason", ""),
            matched=matched,
            measures_rating=request.POST.get("measures_rating", ""),
        )
    except ValidationError as exc:
        messages.error(request, "更正未保存：" + " ".join(exc.messages))
        return redirect("review:verdict", pk=pk)
    messages.success(request, "已发布更正记录，原结论保留并注明已更正。")
    return redirect("review:verdict", pk=correction.pk)


@login_required
def rectification(request, pk: int):
    record = _record_for_user(request.user, pk)
    if not hasattr(record, "rectification"):
        raise Http404("该结论没有整改方案")
    plan = record.rectification
    writable = school_of(request.user) == record.school
    items = list(plan.items.select_related("element").prefetch_related("evidence"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not writable:
            raise Http404("页面不存在")
        # Plan, progress and the files chosen are one post: an upload never drops typed text.
        typed = {
            item.element.code: {
                "plan": request.POST.get(f"r{item.element.code}-plan", item.plan),
                "progress": request.POST.get(f"r{item.element.code}-progress", item.progress),
            }
            for item in items
        }
        uploads = {
            item.element.code: request.FILES[f"r{item.element.code}-document"]
            for item in items
            if f"r{item.element.code}-document" in request.FILES
        }
        anchor = request.POST.get("upload", "") or next(iter(uploads), "")
        try:
            changed = rectification_service.save_rectification(
                rectification=plan, user=request.user, items=typed, uploads=uploads
            )
        except ValidationError as exc:
            errors = exc.message_dict
            for item in items:
                item.plan = typed[item.element.code]["plan"]
                item.progress = typed[item.element.code]["progress"]
            messages.error(
                request, "未保存：证明材料有误，请看标出的诊断要素；已填写的内容仍在下面。"
            )
        else:
            note = f"，已上传 {'、'.join(uploads)} 的证明材料" if uploads else ""
            messages.success(request, f"整改方案已保存（{changed} 项有改动{note}）。")
            target = reverse("review:rectification", kwargs={"pk": pk})
            if request.POST.get("action") == "complete":
                # What was typed is saved first; completion is then judged on it.
                _complete(request, plan)
                return redirect(f"{target}#complete")
            return redirect(f"{target}#r{anchor}" if anchor in typed else target)
    needed = rectification_service.inconsistent_codes(record)
    comparison = {row["element_code"]: row for row in record.comparison}
    for item in items:
        item.finding = comparison.get(item.element.code, {})
        item.needs_plan = item.element.code in needed
        item.document_errors = errors.get(f"r{item.element.code}-document", [])
    # The elements found 不相符 come first: they are the ones the plan must answer.
    items.sort(key=lambda item: not item.needs_plan)
    return render(
        request,
        "review/rectification.html",
        {
            "record": record,
            "plan": plan,
            "items": items,
            "writable": writable,
            "needed_count": len(needed),
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


def _complete(request, plan) -> None:
    try:
        rectification_service.complete_rectification(rectification=plan, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        plan.refresh_from_db()
        late = "（晚于期限，记为逾期完成）" if plan.completed_late else ""
        messages.success(request, f"已报告整改完成{late}。")


@login_required
@require_POST
def complete_rectification(request, pk: int):
    record = _record_for_user(request.user, pk)
    if school_of(request.user) != record.school or not hasattr(record, "rectification"):
        raise Http404("页面不存在")
    _complete(request, record.rectification)
    return redirect("review:rectification", pk=pk)


@login_required
@require_POST
def add_evidence(request, pk: int, item_pk: int):
    record = _record_for_user(request.user, pk)
    if school_of(request.user) != record.school:
        raise Http404("页面不存在")
    item = get_object_or_404(RectificationItem, pk=item_pk, rectification__verdict=record)
    upload = request.FILES.get("document")
    if upload is None:
        messages.error(request, "请选择证明材料文件。")
        return redirect("review:rectification", pk=pk)
    try:
        rectification_service.add_evidence(item=item, upload=upload, user=request.user)
    except ValidationError as exc:
        messages.error(request, f"{item.element.code} 证明材料未上传：" + " ".join(exc.messages))
        return redirect("review:rectification", pk=pk)
    messages.success(request, f"{item.element.code} 已上传证明材料。")
    return redirect("review:rectification", pk=pk)


@login_required
@require_GET
def evidence_download(request, pk: int, evidence_pk: int):
    record = _record_for_user(request.user, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, item__rectification__verdict=record)
    return stored_file_response(
        evidence.document, kind=evidence.content_kind, filename=evidence.original_name
    )


@login_required
@require_POST
def reapply(request, pk: int):
    record = _record_for_user(request.user, pk)
    if school_of(request.user) != record.school:
        raise Http404("页面不存在")
    try:
        rectification_service.reapply(
            record=record, user=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "重新复核申请已提交，省级管理人员将安排复核。")
    return redirect("review:verdict", pk=pk)


@login_required
@require_GET
def verdicts(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    today = timezone.localdate()
    filters = {k: request.GET.get(k, "") for k in ("verdict", "q", "follow")}
    rows = selectors.verdict_history(filters={**filters, "today": today})
    return render(
        request,
        "review/verdicts.html",
        {
            "rows": rows,
            "verdicts": Verdict.choices,
            "follows": selectors.FOLLOW.items(),
            "filters": request.GET,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def accept(request, pk: int):
    require_provincial(request.user)
    application = get_object_or_404(Reapplication, pk=pk)
    try:
        recheck = rectification_service.accept_reapplication(
            reapplication=application, user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review:verdicts")
    messages.success(
        request,
        f"已为 {recheck.school.name} 安排第 {recheck.round} 轮复核，请排定日期并组建专家组。",
    )
    return redirect("review:recheck", pk=recheck.pk)


@login_required
@require_GET
def sanctions(request):
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    ledger = publication.sanction_ledger(today=timezone.localdate())
    return render(request, "review/sanctions.html", {"ledger": ledger})


@login_required
@require_POST
def not_diagnosed(request, pk: int):
    """R15: record 异常 for a school that did not carry out its self-diagnosis in time."""
    require_provincial(request.user)
    cycle = get_object_or_404(Cycle, pk=pk)
    school_id = request.POST.get("school", "")
    school = get_object_or_404(School, pk=int(school_id) if school_id.isdecimal() else 0)
    try:
        record = publication.record_not_diagnosed(
            cycle=cycle, school=school, user=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, "未记录：" + " ".join(exc.messages))
        return redirect("review:cycle", pk=pk)
    messages.success(request, f"已记录 {school.name} 的结论为“异常”。")
    return redirect("review:verdict", pk=record.pk)
