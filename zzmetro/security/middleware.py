"""One middleware for the identity rules that hold on every page (DOMAIN G1, G3), checked in this order:

1. a session idle longer than SESSION_IDLE_MINUTES is ended, and the login page says so (会话已超时);
2. bureau staff and managers, where ZZ_REQUIRE_2FA is on, confirm a TOTP code (enrolling first) before anything else;
3. an account whose password someone else set changes it before anything else.

Only the pages needed to get through these steps (and logging out) are let through.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import otp

LAST_SEEN_KEY = "zz_last_seen"
# Writing the session on every request would be a database write per page; a minute's precision is enough.
LAST_SEEN_RESOLUTION_SECONDS = 60
IDLE_NOTICE = "会话已超时：您已超过{minutes}分钟未操作，请重新登录。"


class IdentityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            response = self.idle_timeout(request) or self.second_factor(request) or self.password_change(request)
            if response is not None:
                return response
        return self.get_response(request)

    def idle_timeout(self, request):
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN_KEY)
        if last_seen is not None and now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            logout(request)
            messages.warning(request, IDLE_NOTICE.format(minutes=settings.SESSION_IDLE_MINUTES))
            response = redirect_to(request, "login")
            # Answered to a session that was signed in: never cached, though the user is signed out by now.
            add_never_cache_headers(response)
            return response
        if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            request.session[LAST_SEEN_KEY] = now
        return None

    def second_factor(self, request):
        if not otp.second_factor_required(request.user) or request.user.is_verified():
            return None
        if self._passes(request, ("otp_verify", "otp_setup")):
            return None
        return redirect_to(request, "otp_verify" if otp.has_device(request.user) else "otp_setup")

    def password_change(self, request):
        if not getattr(request.user, "must_change_password", False):
            return None
        if self._passes(request, ("password_change", "password_change_done", "otp_recovery_codes")):
            return None
        messages.info(request, "您的密码由他人设置，请先修改为只有您自己知道的密码。")
        return redirect_to(request, "password_change")

    @staticmethod
    def _passes(request, names) -> bool:
        path = request.path_info
        allowed = [reverse(name) for name in (*names, "logout", "admin:logout")]
        return path in allowed or path.startswith(settings.STATIC_URL)


@receiver(user_logged_in, dispatch_uid="zz_idle_clock_starts_at_login")
def _start_idle_clock(sender, request, user, **kwargs):
    """The idle clock starts at the login itself: a session signed in and then left alone ends like any other."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN_KEY] = int(time.time())


def redirect_to(request, name: str):
    """Redirect to the named page, coming back here afterwards (for GET pages)."""
    url = reverse(name)
    if request.method == "GET" and request.path_info != url:
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)
