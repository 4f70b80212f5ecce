"""Login lockout through django-axes (DOMAIN G1): 5 failures within 15 minutes lock that username from that address
for 30 minutes, on the portal login and the admin login alike.

Axes keeps one row per username and address (AccessAttempt) with the failure count and the time of the latest
failure, and forgets a row once its cool-off has passed since that latest failure. One cool-off cannot be both the
15-minute counting window and the 30-minute lock, so it is a function of the row: 15 minutes while the count is
below the limit (a quarter of an hour without a failure starts the count afresh), 30 minutes once it has reached
it (the lock ends 30 minutes after the failure that caused it). Failures during the lock are refused without
extending it. Staff unlock by deleting the row in the admin (登录失败记录).
"""

import datetime as dt
import unicodedata

from django.conf import settings
from django.shortcuts import render

from zzmetro.throttle import client_ip


def username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username as the login form hands it to authentication (spaces stripped, NFKC), so
    " officer1" or a full-width ｏｆｆｉｃｅｒ１ — which sign in as officer1 — are counted and locked as officer1."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    value = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFKC", value.strip())


def cool_off(request=None) -> dt.timedelta:
    """AXES_COOLOFF_TIME: the lock's length for a locked username and address, else the counting window."""
    lock = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    if request is None:
        return lock
    window = dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    return lock if failures(request) >= settings.AXES_FAILURE_LIMIT else window


def failures(request) -> int:
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt

    username = get_client_username(request)
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    rows = AccessAttempt.objects.filter(username=username, ip_address=ip)
    return sum(rows.values_list("failures_since_start", flat=True))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the same Chinese page for the portal and the admin login."""
    context = {"minutes": settings.LOGIN_LOCKOUT_MINUTES, "limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)
