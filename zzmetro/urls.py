import os

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from authorizations import views as auth_views
from authorizations.views.accounts import PasswordResetView
from inspections.views import dashboard as dashboard_views
from zzmetro import health
from zzmetro.security import views as security_views

urlpatterns = [
    path("", auth_views.home, name="home"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password_change/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        security_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/otp/setup/", security_views.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", security_views.otp_verify, name="otp_verify"),
    path("accounts/otp/recovery-codes/", security_views.otp_recovery_codes, name="otp_recovery_codes"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("authorizations.urls")),  # /portal/, /portal/resources/, /register/
    path("", include("reporting.urls")),  # /portal/archive/, /portal/reporting/
    path("", include("inspections.urls")),  # /portal/supervision/, /licences/, /register/manufacturers/
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/", include((dashboard_views.urlpatterns, "dash"))),  # station page, exports, monthly brief
    # For the load balancer, nginx and systemd: the process answers / the portal can serve (zzmetro/health.py).
    path("healthz/live", health.live, name="healthz_live"),
    path("healthz/ready", health.ready, name="healthz_ready"),
]

# benchmarks/load.py's yardstick: the cheapest answer this stack gives (every middleware, URL resolution, no query),
# so each page's latency reads as a multiple of it. Only in the benchmark's own server, never in a deployment.
if os.environ.get("ZZ_BENCH_HELLO") == "1":
    urlpatterns.append(path("bench/hello/", lambda request: HttpResponse("hello", content_type="text/plain")))
