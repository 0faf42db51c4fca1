"""Self-diagnosis pages: parse the request, call one service, render (R2–R6, R20)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from indicators.models import Element
from review import selectors
from review.forms import (
    OpenReportForm,
    PanelFormSet,
    ReopenForm,
    RulesUploadForm,
    SubmitForm,
)
from review.history import entry_history, overview_history
from review.models import EditConflict, ReportStatus
from review.permissions import (
    can_reopen,
    can_write,
    get_report_for_user,
    get_report_for_writer,
    get_rules_for_user,
)
from review.services import self_diagnosis as service
from review.services.files import stored_file_response
from review.services.implementation_rules import file_implementation_rules
from review.services.limits import ELEMENT_FIELDS
from review.services.rules import filed_on_time, rules_deadline
from review.views.report_page import report_response
from schools.models import City
from schools.permissions import reads_everything, school_of
from zhengai.confirm import Confirmation, confirmation_page, confirmed, day


@login_required
@require_GET
def index(request):
    """Schools: their reports and implementation rules. Province and committee: every school."""
    year = timezone.localdate().year
    school = school_of(request.user)
    if school is not None:
        return _school_index(request, school, RulesUploadForm(initial={"year": year}))
    if not reads_everything(request.user):
        raise Http404("页面不存在")
    filters = {key: request.GET.get(key, "") for key in ("q", "city", "status", "rules")}
    try:
        chosen = int(request.GET.get("year") or year)
    except ValueError:
        chosen = year
    rows, counts = selectors.report_statuses(year=chosen, filters=filters)
    statuses = [("not_started", "未开始"), *ReportStatus.choices]
    status_choices = [*statuses, (selectors.UNSUBMITTED, "未提交（未开始或草稿）")]
    return render(
        request,
        "review/province_index.html",
        {
            "rows": rows,
            "year": chosen,
            "years": range(year + 1, 2016, -1),
            "filters": filters,
            "cities": City.choices,
            "statuses": status_choices,
            "status_counts": [(value, label, counts[value]) for value, label in statuses],
        },
    )


@login_required
@require_POST
def open_report(request):
    school = school_of(request.user)
    if school is None:
        raise Http404("页面不存在")
    form = OpenReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的年度。")
        return redirect("review:index")
    try:
        report = service.open_self_diagnosis(
            school=school, year=form.cleaned_data["year"], user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review:index")
    return redirect("review:report", pk=report.pk)


@login_required
@require_POST
def upload_rules(request):
    school = school_of(request.user)
    if school is None:
        raise Http404("页面不存在")
    form = RulesUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rules = file_implementation_rules(
                school=school,
                year=form.cleaned_data["year"],
                user=request.user,
                upload=form.cleaned_data["document"],
            )
        except ValidationError as exc:
            form.add_error("document", exc)
        else:
            late = (
                ""
                if filed_on_time(rules.created, rules.year)
                else "（已超过 5 月 30 日，记为逾期备案）"
            )
            messages.success(request, f"{rules.year} 年实施细则已备案{late}。")
            return redirect("review:index")
    return _school_index(request, school, form, status=400)


def _school_index(request, school, upload_form, *, status: int = 200):
    """A school's own page: its reports and its implementation rules of each year (R20)."""
    year = timezone.localdate().year
    rules = selectors.implementation_rules_of(school)
    this_year = [r for r in rules if r.year == year]
    return render(
        request,
        "review/school_index.html",
        {
            "school": school,
            "year": year,
            "reports": school.self_diagnoses.order_by("-year"),
            "rechecks": school.rechecks.select_related("cycle").order_by("-planned_year"),
            "rules": rules,
            "deadline": rules_deadline(year),
            # Said before the upload, not only after: a filing today would be late.
            "late_now": timezone.localdate() > rules_deadline(year),
            "rules_this_year": this_year[0] if this_year else None,
            "rules_on_time": any(r.on_time for r in this_year),
            "open_form": OpenReportForm(initial={"year": year}),
            "upload_form": upload_form,
        },
        status=status,
    )


@login_required
@require_GET
def download_rules(request, pk: int):
    rules = get_rules_for_user(request.user, pk)
    filename = f"{rules.school.name}-{rules.year}-实施细则.{rules.kind}"
    return stored_file_response(rules.document, kind=rules.kind, filename=filename)


def _revision(value: str | None) -> int:
    """A posted revision number; a tampered one counts as 0 (the save then merges or conflicts)."""
    try:
        revision = int(value or 0)
    except ValueError:
        return 0
    # Beyond the column's range (tampered) it is no revision the report ever had.
    return revision if 0 <= revision < 2**31 else 0


def _posted_edits(request, report, projects) -> tuple[service.TextEdit | None, dict]:
    overview = None
    if "overview" in request.POST:
        overview = service.TextEdit(
            values={"overview": request.POST["overview"]},
            revision=_revision(request.POST.get("overview-rev")),
        )
    entries = {}
    for _, forms in projects:
        for form in forms:
            code = form.element.code
            prefix = f"e{code}-"
            # Only the fields the form sent: a field left out is not a field cleared.
            values = {
                name: request.POST[prefix + name]
                for name, _, _ in ELEMENT_FIELDS
                if prefix + name in request.POST
            }
            if values:
                entries[code] = service.TextEdit(
                    values=values, revision=_revision(request.POST.get(prefix + "rev"))
                )
    return overview, entries


@login_required
@require_GET
def report_page(request, pk: int):
    report = get_report_for_user(request.user, pk)
    return report_response(request, report)


def _unsaved_texts(request, report) -> list[tuple[str, str]]:
    """What the author typed, labelled, in page order: shown back when a save is refused."""
    texts = []
    if request.POST.get("overview", "").strip():
        texts.append(("自我诊改工作概述", request.POST["overview"]))
    entries = report.entries.select_related("element").order_by(
        "element__project__position", "element__position"
    )
    for entry in entries:
        code = entry.element.code
        for name, label, _ in ELEMENT_FIELDS:
            text = request.POST.get(f"e{code}-{name}", "")
            if text.strip():
                texts.append((f"{code} {entry.element.name} · {label}", text))
    return texts


@login_required
@require_POST
def save(request, pk: int):
    report = get_report_for_writer(request.user, pk)
    page = selectors.edit_page(report)
    overview, entries = _posted_edits(request, report, page["projects"])
    try:
        result = service.save_draft(
            self_diagnosis=report, user=request.user, overview=overview, entries=entries
        )
    except service.ReportLocked as exc:
        # Submitted (or locked) while the author typed: nothing is saved, nothing is lost.
        report.refresh_from_db()
        return report_response(
            request,
            report,
            status=409,
            unsaved=_unsaved_texts(request, report),
            unsaved_reason=" ".join(exc.messages),
        )
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        messages.error(
            request, f"有 {len(errors)} 处超过字数限制或内容有误，草稿未保存，请修改标出的内容。"
        )
        return report_response(
            request, report, status=400, posted=request.POST.dict(), errors=errors
        )
    if result.conflicts:
        messages.warning(
            request,
            f"已保存 {result.saved} 处修改；{len(result.conflicts)} 处在你编辑期间已被同事修改，"
            "你的文字已单独保留，请在标出的位置比较并处理。",
        )
    else:
        messages.success(request, f"草稿已保存（{timezone.localtime():%H:%M}）。")
    # Back where the writer was (the element's own 保存 button, or the one last focused), and
    # the message shows in the save bar, which stays in view wherever the page scrolls.
    target = reverse("review:report", kwargs={"pk": pk})
    anchor = request.POST.get("anchor", "")
    valid = {f"e{form.element.code}" for _, forms in page["projects"] for form in forms}
    return redirect(f"{target}#{anchor}" if anchor in valid | {"overview"} else target)


@login_required
@require_POST
def resolve_conflict(request, pk: int, conflict_pk: int):
    report = get_report_for_writer(request.user, pk)
    conflict = get_object_or_404(EditConflict, pk=conflict_pk, self_diagnosis=report)
    service.resolve_conflict(conflict=conflict, user=request.user)
    messages.success(request, "已处理该冲突。")
    anchor = f"#e{conflict.element.code}" if conflict.element else "#overview"
    return redirect(reverse("review:report", kwargs={"pk": pk}) + anchor)


@login_required
def panel(request, pk: int):
    report = get_report_for_user(request.user, pk)
    writable = can_write(request.user, report)
    members = list(report.panel.all())
    if request.method == "POST":
        report = get_report_for_writer(request.user, pk)
        formset = PanelFormSet(request.POST, prefix="panel")
        if formset.is_valid():
            try:
                service.save_panel(
                    self_diagnosis=report, user=request.user, members=formset.members()
                )
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            else:
                messages.success(request, "自我诊断专家组已保存。")
                return redirect("review:report", pk=pk)
        status = 400
    else:
        initial = [
            {"name": m.name, "employer": m.employer, "external": m.external} for m in members
        ]
        formset = PanelFormSet(prefix="panel", initial=initial)
        status = 200
    return render(
        request,
        "review/panel.html",
        {"report": report, "formset": formset, "writable": writable, "members": members},
        status=status,
    )


def _submit_confirmation(report, data: dict) -> Confirmation:
    filing = report.is_filing
    verb = "备案" if filing else "提交"
    return Confirmation(
        title=f"确认{verb}{report.year} 年自我诊断与改进工作报告",
        action=reverse("review:submit", kwargs={"pk": report.pk}),
        cancel=reverse("review:report", kwargs={"pk": report.pk}) + "#submit",
        button=f"确认{verb}",
        back_label="返回报告，不提交",
        fields={
            "principal_name": data["principal_name"],
            "signed_on": data["signed_on"].isoformat(),
        },
        details=[
            ("学校", report.school.name),
            ("校长（签字）", data["principal_name"]),
            ("签字日期", day(data["signed_on"])),
        ],
        happens=[
            f"报告以现在的内容{verb}，并锁定为提交版（此后的 PDF 和 Excel 都是这一版）。",
            "学校不能再修改；如需修改，须请省级管理人员退回，退回原因记入历史。",
            *(
                ["本校属于已通过第二轮评估的学校，报告报省教育厅备案，省里不再复核。"]
                if filing
                else ["如本校被抽中复核，这份报告就是复核材料 2，可在复核页面一键采用。"]
            ),
        ],
        audience=[
            "本校用户",
            "省级管理人员和专家委员会",
            "本校被复核时，确认无利益冲突的复核专家",
        ],
        irreversible="提交后学校不能自行撤回或修改。",
    )


@login_required
@require_POST
def submit(request, pk: int):
    report = get_report_for_writer(request.user, pk)
    form = SubmitForm(request.POST)
    ready = form.is_valid() and report.is_draft and not service.submission_problems(report)
    if ready and not confirmed(request):
        return confirmation_page(request, _submit_confirmation(report, form.cleaned_data))
    if form.is_valid():
        try:
            service.submit(
                self_diagnosis=report,
                user=request.user,
                principal_name=form.cleaned_data["principal_name"],
                signed_on=form.cleaned_data["signed_on"],
            )
        except ValidationError as exc:
            # A locked report (a second click) raises a plain list, not a field dict.
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for field, errors in by_field.items():
                form.add_error(None if field == "__all__" else field, errors)
        else:
            report.refresh_from_db()
            verb = "备案" if report.status == ReportStatus.FILED else "提交"
            messages.success(request, f"报告已{verb}，内容已锁定。")
            return redirect("review:report", pk=pk)
    return report_response(request, report, status=400, submit_form=form, problems=[], checklist=[])


@login_required
@require_POST
def reopen(request, pk: int):
    report = get_report_for_user(request.user, pk)
    if not can_reopen(request.user):
        raise Http404("页面不存在")
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            service.reopen(
                self_diagnosis=report, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("reason", exc)
        else:
            messages.success(request, "报告已退回学校修改，原因已记录。")
            return redirect("review:report", pk=pk)
    return report_response(request, report, status=400, reopen_form=form)


@login_required
@require_GET
def history(request, pk: int):
    report = get_report_for_user(request.user, pk)
    code = request.GET.get("element", "")
    if code == "overview" or not code:
        field_history = overview_history(report, a=request.GET.get("a"), b=request.GET.get("b"))
    else:
        entry = report.entries.select_related("element").filter(element__code=code).first()
        if entry is None:
            raise Http404("没有这个诊断要素")
        field_history = entry_history(entry, a=request.GET.get("a"), b=request.GET.get("b"))
    elements = Element.objects.filter(project__system=report.system).order_by(
        "project__position", "position"
    )
    return render(
        request,
        "review/history.html",
        {"report": report, "code": code or "overview", "elements": elements, **field_history},
    )
