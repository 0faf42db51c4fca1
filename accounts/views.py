"""Passwords (Django's own views), invitations and two-factor sign-in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts.forms import SetPasswordForm, ThrottledPasswordResetForm, TokenForm
from accounts.models import StagedImport
from accounts.services import invitations, throttle
from accounts.services import onboarding as onboarding_service
from accounts.services import two_factor as tfa
from accounts.services.sessions import end_sessions
from schools.permissions import require_role
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
