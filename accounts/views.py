"""Passwords (Django's own views), invitations and two-factor sign-in."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts.forms import SetPasswordForm, ThrottledPasswordResetForm, TokenForm
from accounts.models import Invitation, StagedImport
from accounts.services import invitations, throttle
from accounts.services import onboarding as onboarding_service
from accounts.services import people as people_service
from accounts.services import two_factor as tfa
from accounts.services.sessions import end_sessions
from schools.models import SchoolUserObjectPermission
from schools.permissions import ACT_FOR_SCHOOL_CODENAME, require_role, role_of
from schools.roles import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RESET_PER_EMAIL = 3  # reset e-mails per address per hour
RESET_PER_IP = 10  # reset requests per client address per hour
VERIFY_PER_USER = 10  # second-factor attempts per person per 10 minutes


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view; afterwards every other session of the person ends."""

    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, then update_session_auth_hash
        end_sessions(self.request.user, keep=self.request.session.session_key)
        from accounts.models import UserSession

        UserSession.objects.get_or_create(
            session_key=self.request.session.session_key, defaults={"user": self.request.user}
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, throttled per address and per client; links use PORTAL_BASE_URL."""

    form_class = ThrottledPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        from django.conf import settings

        email = form.cleaned_data["email"].strip().lower()
        by_ip = throttle.allow(
            "reset-ip", _client_ip(self.request), limit=RESET_PER_IP, window_seconds=3600
        )
        by_email = throttle.allow("reset-email", email, limit=RESET_PER_EMAIL, window_seconds=3600)
        if not (by_ip and by_email):
            form.add_error("email", "重设密码的请求过于频繁，请一小时后再试。")
            return self.form_invalid(form)
        self.extra_email_context = {"base_url": settings.PORTAL_BASE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a reset ends every session the person had, and accepts a pending invite."""

    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        end_sessions(form.user)
        return response


def accept_invitation(request, token: str):
    """The invitee chooses a password; the link works once and for seven days."""
    checked = invitations.check_token(token)
    if checked.invitation is None:
        return render(
            request, "accounts/invitation_invalid.html", {"problem": checked.problem}, status=410
        )
    user = checked.invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitations.accept(checked.invitation, password=form.cleaned_data["password1"])
        messages.success(request, "密码已设置，请用用户名和新密码登录。")
        return redirect("login")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitee": user})


@login_required
def two_factor(request):
    """Anyone's own page: whether two-factor sign-in is on, turn it on, new recovery codes."""
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": tfa.has_two_factor(request.user),
            "required": tfa.must_use_two_factor(request.user)
            and not tfa.has_two_factor(request.user),
        },
    )


@login_required
def two_factor_setup(request):
    if tfa.has_two_factor(request.user) and not request.user.is_verified():
        # Replacing a device needs the old one first.
        return redirect("accounts:two_factor_verify")
    device = tfa.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = tfa.confirm(device, form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request)},
            )
        form.add_error("token", "验证码不正确，请核对手机上的时间后输入当前显示的 6 位数字。")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": tfa.qr_svg(device),
            "secret": tfa.secret_text(device),
            "next": _safe_next(request),
        },
    )


@login_required
def two_factor_verify(request):
    if not tfa.has_two_factor(request.user):
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not throttle.allow(
            "otp", str(request.user.pk), limit=VERIFY_PER_USER, window_seconds=600
        ):
            form.add_error("token", "尝试次数过多，请 10 分钟后再试。")
        else:
            device = tfa.match(request.user, form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                return redirect(_safe_next(request))
            form.add_error(
                "token", "验证码不正确或已用过，请输入身份验证器当前显示的 6 位数字或一个恢复码。"
            )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


@login_required
@require_POST
def two_factor_recovery_codes(request):
    if not (tfa.has_two_factor(request.user) and request.user.is_verified()):
        return redirect("accounts:two_factor")
    codes = tfa.new_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/"})


# ------------------------------------------------------------------ bulk onboarding (staff)


class OnboardingUploadForm(forms.Form):
    file = forms.FileField(label="填好的 Excel 文件（.xlsx）")


@login_required
def onboarding(request):
    require_role(request.user, Role.PROVINCIAL_STAFF)
    form = OnboardingUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(onboarding_service.MAX_UPLOAD + 1)
        staged, plan = onboarding_service.stage(data=data, filename=upload.name, user=request.user)
        if staged is not None:
            return redirect("accounts:onboarding_preview", staged.pk)
        errors = [onboarding_service.format_issue(e) for e in plan.errors]
    return render(request, "accounts/onboarding.html", {"form": form, "errors": errors})


@login_required
def onboarding_template(request):
    require_role(request.user, Role.PROVINCIAL_STAFF)
    response = HttpResponse(onboarding_service.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
def onboarding_preview(request, pk: int):
    require_role(request.user, Role.PROVINCIAL_STAFF)
    staged = get_object_or_404(StagedImport, pk=pk, uploaded_by=request.user)
    if request.method == "POST" and staged.applied_at is None:
        try:
            counts = onboarding_service.apply(staged, by=request.user)
        except onboarding_service.StaleImport as error:
            messages.error(request, str(error))
            return redirect("accounts:onboarding")
        messages.success(
            request,
            f"导入完成：新建 {counts['new']} 人（已发送设置密码邮件），"
            f"更新 {counts['changed']} 人，{counts['same']} 人无变化。",
        )
        return redirect("accounts:onboarding_preview", staged.pk)
    rows = staged.rows
    everyone = rows["contacts"] + rows["experts"]
    counts = {s: sum(1 for r in everyone if r["status"] == s) for s in ("new", "changed", "same")}
    return render(
        request,
        "accounts/onboarding_preview.html",
        {
            "staged": staged,
            "contacts": rows["contacts"],
            "experts": rows["experts"],
            "counts": counts,
        },
    )


# ------------------------------------------------------------------ invitations and people


def _invitation_state(invitation: Invitation, now) -> str:
    if invitation.accepted_at:
        return "used"
    if invitation.sent_at < now - timedelta(days=invitations.INVITATION_DAYS):
        return "expired"
    return "pending"


INVITATION_STATES = {"pending": "待设置密码", "used": "已设置密码", "expired": "已过期"}


@login_required
def invitation_list(request):
    """Staff see every invitation; a school's contact person sees their school's."""
    schools = people_service.managed_schools(request.user)
    rows = Invitation.objects.select_related("user", "invited_by").order_by("-sent_at")
    if role_of(request.user) != Role.PROVINCIAL_STAFF:
        rows = rows.filter(
            user_id__in=SchoolUserObjectPermission.objects.filter(
                permission__codename=ACT_FOR_SCHOOL_CODENAME,
                content_object_id__in=schools.values("pk"),
            ).values("user_id")
        )
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(user__email__icontains=query) | Q(user__display_name__icontains=query))
    now = timezone.now()
    cutoff = now - timedelta(days=invitations.INVITATION_DAYS)
    state = request.GET.get("state", "")
    if state == "used":
        rows = rows.filter(accepted_at__isnull=False)
    elif state == "pending":
        rows = rows.filter(accepted_at__isnull=True, sent_at__gte=cutoff)
    elif state == "expired":
        rows = rows.filter(accepted_at__isnull=True, sent_at__lt=cutoff)
    else:
        state = ""
    rows = list(rows[:500])
    for row in rows:
        row.state = _invitation_state(row, now)
        row.state_label = INVITATION_STATES[row.state]
    return render(
        request,
        "accounts/invitations.html",
        {"rows": rows, "state": state, "states": INVITATION_STATES, "q": query},
    )


@login_required
@require_POST
def invitation_resend(request, pk: int):
    invitation = get_object_or_404(Invitation.objects.select_related("user"), pk=pk)
    if role_of(request.user) != Role.PROVINCIAL_STAFF:
        people_service.colleague_to_manage(request.user, invitation.user_id)  # 404 if not theirs
    if not invitation.pending:
        messages.error(request, "此人已经设置了密码，无需重新发送。")
    elif not invitation.user.is_active:
        messages.error(request, "此账号已停用，不能发送邀请。")
    else:
        invitations.resend(invitation, by=request.user)
        messages.success(
            request,
            f"已重新发送邀请邮件给 {invitation.user.email}；之前邮件中的链接随即失效。",
        )
    return redirect(_safe_next(request, reverse("accounts:invitations")))


class ColleagueForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    email = forms.EmailField(label="电子邮箱", max_length=254)
    is_contact = forms.BooleanField(label="也担任学校联络人", required=False)


@login_required
def school_people(request):
    """A school's people: invite a colleague, deactivate one who has left."""
    school = people_service.school_to_manage(request.user, request.GET.get("school"))
    schools = people_service.managed_schools(request.user)
    form = ColleagueForm(request.POST or None)
    if request.method == "POST" and school is not None and form.is_valid():
        try:
            people_service.invite_colleague(
                school=school,
                person=people_service.NewColleague(
                    form.cleaned_data["name"],
                    form.cleaned_data["email"],
                    form.cleaned_data["is_contact"],
                ),
                by=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request, f"已为 {form.cleaned_data['name']} 开通账号，并发送设置密码的邮件。"
            )
            return redirect(f"{reverse('accounts:people')}?school={school.pk}")
    return render(
        request,
        "accounts/people.html",
        {
            "school": school,
            "schools": schools if schools.count() > 1 else None,
            "people": people_service.people_of(school) if school else [],
            "form": form,
        },
    )


@login_required
@require_POST
def deactivate_person(request, pk: int):
    person, school = people_service.colleague_to_manage(request.user, pk)
    try:
        ended = people_service.deactivate(person=person, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"已停用 {person.display_name or person.username} 的账号（结束 {ended} 个登录会话）；"
            "其填写过的内容全部保留。",
        )
    return redirect(f"{reverse('accounts:people')}?school={school.pk}")
