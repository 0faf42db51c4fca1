"""The school's eight re-check materials (R9, R10): upload, replace, publish, submit, withdraw.

Publishing (公示) and marking submitted (报送) are confirmed on a summary page first; before
公示 a wrong file can be deleted or replaced, after it a file stays and the school asks staff
to take one down.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from review.forms import MaterialForm
from review.models import Material, MaterialKind, MaterialWithdrawalRequest, WithdrawalDecision
from review.permissions import (
    can_see_materials,
    get_recheck_for_user,
    is_school_of,
    require_provincial,
)
from review.services import materials
from review.services.files import stored_file_response
from review.views.rechecks import _recheck_page
from zhengai.confirm import Confirmation, confirmation_page, confirmed, day

PUBLIC_AUDIENCE = "社会公众：无需登录，在诊改专栏中查看和下载（显示公示时间和 SHA-256）"


def _school_recheck(request, pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    if not is_school_of(request.user, recheck):
        raise Http404("页面不存在")
    return recheck


def _back(pk: int, anchor: str = "materials") -> str:
    return reverse("review:recheck", kwargs={"pk": pk}) + f"#{anchor}"


def _material_errors(request, recheck, kind, exc_or_errors, status=400):
    errors = exc_or_errors.messages if isinstance(exc_or_errors, ValidationError) else exc_or_errors
    return _recheck_page(request, recheck, status=status, material_errors={str(kind): errors})


@login_required
@require_POST
def upload_material(request, pk: int):
    recheck = _school_recheck(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    kind = form.data.get("kind", "")
    if form.is_valid():
        try:
            material = materials.upload_material(
                recheck=recheck,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["document"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error("document", exc)
        else:
            messages.success(request, f"已上传：{material.get_kind_display()}。")
            return redirect(_back(pk, f"m{material.kind}"))
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return _material_errors(request, recheck, kind, errors)


def _draft_file(request, pk: int, material_pk: int) -> tuple[object, Material]:
    recheck = _school_recheck(request, pk)
    return recheck, get_object_or_404(Material, pk=material_pk, recheck=recheck)


@login_required
@require_POST
def replace_material(request, pk: int, material_pk: int):
    """Before 公示: a new file in the wrong one's place."""
    recheck, material = _draft_file(request, pk, material_pk)
    form = MaterialForm(request.POST | {"kind": material.kind}, request.FILES)
    if form.is_valid():
        try:
            new = materials.replace_material(
                material=material, upload=form.cleaned_data["document"], user=request.user
            )
        except ValidationError as exc:
            form.add_error("document", exc)
        else:
            messages.success(request, f"已替换为：{new.original_name}。")
            return redirect(_back(pk, f"m{new.kind}"))
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    return _material_errors(request, recheck, material.kind, errors)


@login_required
@require_POST
def delete_material(request, pk: int, material_pk: int):
    """Before 公示: remove a wrong file (nobody outside the school has seen it)."""
    recheck, material = _draft_file(request, pk, material_pk)
    try:
        materials.delete_material(material=material, user=request.user)
    except ValidationError as exc:
        return _material_errors(request, recheck, material.kind, exc)
    messages.success(request, f"已删除：{material.original_name}。")
    return redirect(_back(pk, f"m{material.kind}"))


@login_required
@require_POST
def take_material(request, pk: int, kind: int):
    """Material 1 or 2 in one click, from the rules already filed or the submitted report."""
    recheck = _school_recheck(request, pk)
    if kind not in (MaterialKind.RULES, MaterialKind.REPORT):
        raise Http404("页面不存在")
    try:
        material = materials.take_from_filed(recheck=recheck, kind=kind, user=request.user)
    except ValidationError as exc:
        return _material_errors(request, recheck, kind, exc)
    messages.success(request, f"已采用：{material.original_name}（SHA-256 与原文件一致）。")
    return redirect(_back(pk, f"m{kind}"))


def _publish_confirmation(recheck, action: str) -> Confirmation:
    files = recheck.materials.filter(withdrawn_at__isnull=True).count()
    missing = materials.missing_materials(recheck)
    deadlines = recheck.deadlines
    if action == "submit":
        late = deadlines and timezone.localdate() > deadlines.submit_by
        return Confirmation(
            title="确认：材料已报送省教育评估研究中心",
            action=reverse("review:publish", kwargs={"pk": recheck.pk}),
            cancel=_back(recheck.pk),
            button="确认已报送",
            fields={"action": "submit"},
            details=[("学校", recheck.school.name), ("文件数", f"{files} 个")],
            happens=[
                "记录本校 8 项复核材料已报送省教育评估研究中心，报送时间照实记录。",
                *(
                    [f"报送期限是 {day(deadlines.submit_by)}，现已超过，将记为逾期。"]
                    if late
                    else []
                ),
            ],
            audience=["省级管理人员和专家委员会在复核页面看到报送时间"],
            irreversible="报送时间一经记录不能撤销。",
            problems=["报送前还缺以下材料：", *missing] if missing else [],
        )
    late = deadlines and timezone.localdate() > deadlines.publish_by
    return Confirmation(
        title="确认公示复核材料",
        action=reverse("review:publish", kwargs={"pk": recheck.pk}),
        cancel=_back(recheck.pk),
        button="确认公示",
        fields={"action": "publish"},
        details=[("学校", recheck.school.name), ("文件数", f"{files} 个")],
        happens=[
            "本校 8 项复核材料立即在诊改专栏向社会公开，公示时间照实记录。",
            "公示后文件不能再删除或替换：新上传的文件作为新版本与旧版本并列公开。",
            "如需撤下已公示的文件，须向省级管理人员申请，撤下原因将公开显示。",
            *([f"公示期限是 {day(deadlines.publish_by)}，现已超过，将记为逾期。"] if late else []),
        ],
        audience=[
            PUBLIC_AUDIENCE,
            "省级管理人员、专家委员会，以及确认无利益冲突的复核专家",
        ],
        irreversible="公示后不能撤回公示，文件只能由省级管理人员撤下，并留有记录。",
        problems=["公示前还缺以下材料：", *missing] if missing else [],
    )


@login_required
def publish(request, pk: int):
    """公示 or 报送: a summary first; only the confirmed POST acts."""
    recheck = _school_recheck(request, pk)
    action = "submit" if request.POST.get("action", request.GET.get("action")) == "submit" else ""
    if not confirmed(request):
        return confirmation_page(request, _publish_confirmation(recheck, action or "publish"))
    try:
        if action == "submit":
            materials.submit_materials(recheck=recheck, user=request.user)
        else:
            materials.publish_materials(recheck=recheck, user=request.user)
    except ValidationError as exc:
        return _recheck_page(request, recheck, status=400, publish_errors=exc.messages)
    recheck.refresh_from_db()
    if action == "submit":
        late = "（已超过报送期限，记为逾期）" if recheck.submitted_late else ""
        messages.success(request, f"材料已标记为报送省教育评估研究中心{late}。")
    else:
        late = "（已超过公示期限，记为逾期）" if recheck.published_late else ""
        messages.success(request, f"材料已公示，社会公众现在可以在专栏中查看{late}。")
    return redirect("review:recheck", pk=pk)


@login_required
@require_POST
def request_withdrawal(request, pk: int, material_pk: int):
    """After 公示: the school asks staff to take a file down."""
    recheck, material = _draft_file(request, pk, material_pk)
    try:
        materials.request_withdrawal(
            material=material, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        return _material_errors(request, recheck, material.kind, exc)
    messages.success(request, "已申请撤下该文件，省级管理人员审核后会通知结果。")
    return redirect(_back(pk, f"m{material.kind}"))


@login_required
@require_POST
def decide_withdrawal(request, pk: int, request_pk: int):
    """Staff approve (the file comes down) or refuse a school's request, with a reason."""
    recheck = get_recheck_for_user(request.user, pk)
    require_provincial(request.user)
    ask = get_object_or_404(
        MaterialWithdrawalRequest.objects.select_related("material"),
        pk=request_pk,
        material__recheck=recheck,
    )
    approve = request.POST.get("decision") == "approve"
    if approve and not confirmed(request):
        return confirmation_page(request, withdraw_confirmation(recheck, ask.material, ask.reason))
    try:
        materials.decide_withdrawal(
            request=ask,
            user=request.user,
            approve=approve,
            reason=request.POST.get("decision_reason", ""),
        )
    except ValidationError as exc:
        return _material_errors(request, recheck, ask.material.kind, exc)
    if approve:
        messages.success(request, "已同意并撤下该文件；专栏中显示撤下时间和原因。")
    else:
        messages.success(request, "已答复：不同意撤下，学校可看到理由。")
    return redirect(_back(pk, f"m{ask.material.kind}"))


def withdraw_confirmation(
    recheck, material: Material, reason: str, *, fields: dict | None = None
) -> Confirmation:
    """The summary before a published file is taken down (by staff, on request or not)."""
    pending = material.withdrawal_requests.filter(decision=WithdrawalDecision.PENDING).first()
    action = (
        reverse("review:decide_withdrawal", kwargs={"pk": recheck.pk, "request_pk": pending.pk})
        if pending and not fields
        else reverse("column:withdraw", kwargs={"pk": recheck.pk, "material_pk": material.pk})
    )
    return Confirmation(
        title="确认撤下已公示的文件",
        action=action,
        cancel=_back(recheck.pk, f"m{material.kind}"),
        button="确认撤下",
        fields=fields or {"decision": "approve"},
        details=[
            ("学校", recheck.school.name),
            ("材料", material.get_kind_display()),
            ("文件", material.original_name),
            ("撤下原因", reason.strip() or "（未填写）"),
        ],
        happens=[
            "该文件从诊改专栏撤下，不能再下载。",
            "专栏中原位置保留文件名，并显示撤下时间和上面的撤下原因。",
        ],
        audience=[
            "社会公众在专栏中看到撤下时间和原因",
            "学校、省级管理人员和专家委员会在复核页面看到撤下记录",
        ],
        irreversible="撤下后不能恢复；如需重新公开，学校须重新上传（作为新版本）。",
        problems=[] if reason.strip() else ["请填写撤下原因（将向社会公开）。"],
    )


@login_required
@require_GET
def download_material(request, pk: int, material_pk: int):
    recheck = get_recheck_for_user(request.user, pk)
    if not can_see_materials(request.user, recheck):
        raise Http404("页面不存在")
    material = get_object_or_404(Material, pk=material_pk, recheck=recheck)
    filename = f"{recheck.school.name}-材料{material.kind}-{material.original_name}"
    return stored_file_response(material.document, kind=material.content_kind, filename=filename)
