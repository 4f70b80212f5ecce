"""Pages of the second factor (enrol, confirm, recovery codes) and the password change that clears the first-login
flag (DOMAIN G1, G3). Rules live in `otp.py`; these pages only ask and answer."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from zzmetro import audit
from zzmetro.models import SecurityEvent

from . import otp
from .forms import TokenForm

WRONG_TOKEN = "验证码不正确或已使用过，请输入应用中当前显示的验证码。"
RECOVERY_CODES_KEY = "zz_new_recovery_codes"


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """First login of an account that must use a second factor: scan the QR code, type the first code."""
    if otp.has_device(request.user):
        return redirect(_with_next(request, "otp_verify"))
    device = otp.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        codes = otp.confirm_enrolment(device=device, token=form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            request.session[RECOVERY_CODES_KEY] = codes
            return redirect(_with_next(request, "otp_recovery_codes"))
        form.add_error("token", WRONG_TOKEN)
    context = {
        "form": form,
        "qr_svg": otp.qr_svg(device),
        "secret": otp.secret_for_typing(device),
        "next": _next(request),
    }
    return render(request, "registration/otp_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Every login of an account with a device: the code of the moment, or one recovery code."""
    if not otp.has_device(request.user):
        return redirect(_with_next(request, "otp_setup"))
    form = TokenForm(request.POST or None)
    wait = otp.wait_seconds(request.user) if form.is_valid() else 0
    if wait > 0:
        form.add_error("token", f"验证码错误次数较多，请{wait}秒后再试。")
        _record_failure(request, "动态验证码尝试过于频繁，未校验")
    elif form.is_valid():
        device = otp.verify(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            left = otp.recovery_codes_left(request.user)
            if device.name == otp.RECOVERY_DEVICE_NAME:
                messages.warning(request, f"您使用了一个恢复码，还剩{left}个。请尽快在“双因素认证”页面生成新的恢复码。")
            return redirect(_next(request) or reverse("home"))
        form.add_error("token", WRONG_TOKEN)
        _record_failure(request, "动态验证码或恢复码错误")
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_recovery_codes(request):
    """The recovery codes, shown once after enrolment; a verified account may replace them with new ones."""
    if request.method == "POST" and request.user.is_verified():
        request.session[RECOVERY_CODES_KEY] = otp.new_recovery_codes(request.user)
        return redirect(_with_next(request, "otp_recovery_codes"))
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    context = {"codes": codes, "left": otp.recovery_codes_left(request.user), "next": _next(request) or reverse("home")}
    return render(request, "registration/otp_recovery_codes.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The owner's own change: the password is now theirs alone, so the first-login flag is cleared."""

    def form_valid(self, form):
        form.user.must_change_password = False
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A password chosen through the owner's reset link is the owner's alone too."""

    def form_valid(self, form):
        form.user.must_change_password = False
        return super().form_valid(form)


def _record_failure(request, detail: str) -> None:
    """A right password followed by a wrong second factor is a failed login (DOMAIN G2, G3)."""
    audit.record(audit.Kind.LOGIN_FAILED, request=request, result=SecurityEvent.FAILURE, detail=detail)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _with_next(request, name: str) -> str:
    target = _next(request)
    return f"{reverse(name)}?{urlencode({'next': target})}" if target else reverse(name)
