"""Appeals: the school files one (confirmed), the committee recommends, staff decide (confirmed).

Who may open what: filing — the verdict's school; an appeal's page and its document — that
school, provincial staff and the committee; the recommendation — the committee; the decision
— provincial staff. Everyone else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from review.models import (
    Appeal,
    AppealGround,
    AppealOutcome,
    Recommendation,
    VerdictRecord,
)
from review.permissions import require_provincial
from review.services import appeals as service
from review.services.files import stored_file_response
from review.services.verdict import MeasuresRating, decide_verdict
from schools.permissions import is_provincial, reads_everything, role_of, school_of
from schools.roles import Role
from zhengai.confirm import Confirmation, confirmation_page, confirmed, day


def _errors(exc: ValidationError) -> dict[str, str]:
    raw = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
    return _form(raw)


def _form(errors: dict) -> dict[str, str]:
    """Errors by field for the template; the whole form's under ``form``."""
    return {
        ("form" if key == "__all__" else key): value if isinstance(value, str) else " ".join(value)
        for key, value in errors.items()
    }


def _school_verdict(request, pk: int) -> VerdictRecord:
    record = VerdictRecord.objects.select_related("school", "cycle").filter(pk=pk).first()
    if record is None or school_of(request.user) != record.school:
        raise Http404("没有找到这份结论")
    return record


def _appeal_for(request, pk: int) -> Appeal:
    appeal = (
        Appeal.objects.select_related("school", "verdict", "correction")
        .prefetch_related("claims")
        .filter(pk=pk)
        .first()
    )
    if appeal is None or not (
        reads_everything(request.user) or school_of(request.user) == appeal.school
    ):
        raise Http404("没有找到这份申诉")
    return appeal


def verdict_appeals(record: VerdictRecord, user) -> dict:
    """What the verdict page shows of appeals: the list, and whether the school may file one."""
    rows = Appeal.objects.filter(verdict=record) | Appeal.objects.filter(correction=record)
    return {
        "appeals": list(rows.prefetch_related("claims").order_by("created")),
        "appeal_deadline": service.appeal_deadline(record),
        "appeal_refusal": service.filing_refusal(record)
        if school_of(user) == record.school
        else None,
    }


# --- Filing --------------------------------------------------------------------------------------


def _filing_confirmation(record, grounds, statement) -> Confirmation:
    labels = [AppealGround(g).label for g in grounds]
    published = day(timezone.localdate(record.published_at))
    return Confirmation(
        title="确认提出申诉",
        action=reverse("review:appeal_new", kwargs={"pk": record.pk}),
        cancel=reverse("review:appeal_new", kwargs={"pk": record.pk}),
        button="确认提出申诉",
        back_label="返回修改申诉",
        details=[
            ("申诉的结论", f"{record.get_verdict_display()}（{published}发布）"),
            ("申诉事由", "；".join(labels)),
            ("申诉理由", statement.strip()),
        ],
        happens=[
            "专家委员会收到通知，审阅申诉并提出维持或更正的建议；省级管理人员作出决定。",
            "处理期间结论继续有效；决定更正的，发布更正记录，原结论保留并注明已更正。",
            "提出后可在申诉页面补充一份证明材料（不公开）。",
        ],
        audience=[
            "专家委员会、省级管理人员：申诉理由和材料",
            "社会公众：专栏中该结论旁注明“学校提出申诉”、事由类别和处理结果（不含申诉理由和材料）",
        ],
        irreversible="申诉提出后不能撤回；同一事由不能再次申诉。",
        fields={"statement": statement, **{"grounds": ",".join(grounds)}},
    )


@login_required
def new_appeal(request, pk: int):
    """The school's appeal form; a valid post is confirmed first, then filed."""
    record = _school_verdict(request, pk)
    errors: dict[str, str] = {}
    grounds: list[str] = []
    statement = ""
    if request.method == "POST":
        grounds = request.POST.getlist("grounds")
        if len(grounds) == 1 and "," in grounds[0]:  # posted back by the confirmation page
            grounds = grounds[0].split(",")
        statement = request.POST.get("statement", "")
        if confirmed(request):
            try:
                appeal = service.file_appeal(
                    record=record, user=request.user, grounds=grounds, statement=statement
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, "申诉已提出，专家委员会将审阅后提出建议。")
                return redirect("review:appeal", pk=appeal.pk)
        else:
            errors = _form(service.filing_errors(record, grounds, statement))
            if not errors:
                return confirmation_page(request, _filing_confirmation(record, grounds, statement))
    refusal = service.filing_refusal(record)
    used = service.grounds_used(record)
    return render(
        request,
        "review/appeal_new.html",
        {
            "record": record,
            "refusal": refusal,
            "deadline": service.appeal_deadline(record),
            "grounds": [(value, label, value in used) for value, label in AppealGround.choices],
            "chosen": grounds,
            "statement": statement,
            "errors": errors,
            "appeals": list(record.appeals.prefetch_related("claims")),
        },
        status=400 if errors else 200,
    )


# --- The appeal's page ---------------------------------------------------------------------------


def _appeal_page(request, appeal, *, errors=None, typed=None, status=200):
    record = appeal.verdict
    return render(
        request,
        "review/appeal.html",
        {
            "appeal": appeal,
            "record": record,
            "is_school": school_of(request.user) == appeal.school,
            "can_recommend": role_of(request.user) == Role.COMMITTEE
            and not appeal.recommended_at
            and not appeal.outcome,
            "can_decide": is_provincial(request.user)
            and bool(appeal.recommended_at)
            and not appeal.outcome,
            "recommendations": Recommendation.choices,
            "outcomes": AppealOutcome.choices,
            "ratings": MeasuresRating.choices,
            "errors": errors or {},
            "typed": typed or {},
        },
        status=status,
    )


@login_required
@require_GET
def appeal(request, pk: int):
    return _appeal_page(request, _appeal_for(request, pk))


@login_required
@require_POST
def attach(request, pk: int):
    """The school adds its one supporting document (private) while the appeal is heard."""
    appeal = _appeal_for(request, pk)
    if school_of(request.user) != appeal.school:
        raise Http404("页面不存在")
    try:
        service.attach_document(
            appeal=appeal, user=request.user, upload=request.FILES.get("document")
        )
    except ValidationError as exc:
        return _appeal_page(request, appeal, errors=_errors(exc), status=400)
    messages.success(request, "证明材料已上传（不公开）。")
    return redirect("review:appeal", pk=pk)


@login_required
@require_GET
def document(request, pk: int):
    appeal = _appeal_for(request, pk)
    if not appeal.token:
        raise Http404("没有材料")
    name = f"{appeal.school.name}-申诉材料-{appeal.original_name}"
    return stored_file_response(appeal.document, kind=appeal.content_kind, filename=name)


@login_required
@require_POST
def recommend(request, pk: int):
    appeal = _appeal_for(request, pk)
    if role_of(request.user) != Role.COMMITTEE:
        raise Http404("页面不存在")
    typed = {k: request.POST.get(k, "") for k in ("recommendation", "recommendation_reason")}
    try:
        service.recommend(
            appeal=appeal,
            user=request.user,
            recommendation=typed["recommendation"],
            reason=typed["recommendation_reason"],
        )
    except ValidationError as exc:
        return _appeal_page(request, appeal, errors=_errors(exc), typed=typed, status=400)
    messages.success(request, "建议已记录，省级管理人员将据此作出决定。")
    return redirect("review:appeal", pk=pk)


def _decision_confirmation(appeal, typed) -> Confirmation:
    record = appeal.verdict
    fields = {k: v for k, v in typed.items() if v}
    if typed["outcome"] == AppealOutcome.CORRECTED:
        matched = int(typed["matched"])
        rating = MeasuresRating(typed["measures_rating"])
        new = decide_verdict(matched, rating)
        happens = [
            f"发布更正记录：结论由“{record.get_verdict_display()}”更正为“{new.label}”"
            f"（相符 {matched} 项，改进措施评价：{rating.label}）。",
            "原结论保留，标明已更正；更正记录生成新的 PDF；限制措施按更正后的结论重新判断。",
        ]
    else:
        happens = [f"维持原结论“{record.get_verdict_display()}”。"]
    happens.append("学校收到处理结果和理由；专栏中该结论旁注明申诉结果（不含申诉理由和材料）。")
    return Confirmation(
        title="确认申诉处理决定",
        action=reverse("review:appeal_decide", kwargs={"pk": appeal.pk}),
        cancel=reverse("review:appeal", kwargs={"pk": appeal.pk}),
        button="确认决定",
        back_label="返回申诉页面，不决定",
        details=[
            ("学校", appeal.school.name),
            ("处理结果", AppealOutcome(typed["outcome"]).label),
            ("理由", typed["decision_reason"].strip()),
        ],
        happens=happens,
        audience=["学校", "专家委员会", "社会公众：专栏中的申诉结果"],
        irreversible="决定后不能撤回；更正记录一经发布不能修改。",
        fields=fields,
    )


@login_required
@require_POST
def decide(request, pk: int):
    appeal = _appeal_for(request, pk)
    require_provincial(request.user)
    typed = {
        k: request.POST.get(k, "")
        for k in ("outcome", "decision_reason", "matched", "measures_rating")
    }
    errors = _form(service.decision_errors(appeal, **typed))
    if errors:
        return _appeal_page(request, appeal, errors=errors, typed=typed, status=400)
    if not confirmed(request):
        return confirmation_page(request, _decision_confirmation(appeal, typed))
    corrected = typed["outcome"] == AppealOutcome.CORRECTED
    try:
        appeal = service.decide(
            appeal=appeal,
            user=request.user,
            outcome=typed["outcome"],
            reason=typed["decision_reason"],
            matched=int(typed["matched"]) if corrected else None,
            measures_rating=typed["measures_rating"] if corrected else "",
        )
    except ValidationError as exc:
        return _appeal_page(request, appeal, errors=_errors(exc), typed=typed, status=400)
    messages.success(request, f"申诉处理决定已记录：{appeal.get_outcome_display()}。")
    if appeal.correction_id:
        return redirect("review:verdict", pk=appeal.correction_id)
    return redirect("review:appeal", pk=pk)
