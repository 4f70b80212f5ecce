"""The production setup (issue 13): `check --deploy` clean with the example values, security headers on every page a
signed-in user or a download reaches, JSON logs with the request id, and deploy/ files that agree with the settings.
"""

import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from reporting.tests.factories import authorize, make_items
from zzmetro.logging import JsonFormatter, RequestIdFilter

BASE_DIR = Path(django_settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"


def example_production_values() -> dict[str, str]:
    """The uncommented assignments of .env.example: the documented production values."""
    lines = (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line))


@pytest.fixture
def production(settings):
    """This process's settings as the production example sets them (HTTPS behind nginx, HSTS)."""
    values = example_production_values()
    settings.SECURE_HSTS_SECONDS = int(values["HSTS_SECONDS"])
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return values


def assert_security_headers(response):
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert csp["script-src"] == "'self'" and "unsafe-inline" not in csp["script-src"]
    assert "unsafe-inline" not in csp["default-src"] and csp["frame-ancestors"] == "'none'"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_check_deploy_with_the_example_production_values_gives_no_warning(tmp_path):
    """G1–G4 baseline: `manage.py check --deploy` with .env.example's production values and a real secret key."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= example_production_values() | {"SECRET_KEY": secrets.token_urlsafe(50), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
def test_a_signed_in_page_carries_csp_hsts_frame_denial_and_no_store(client, officer1, production):
    """G1 (shared office computers), G4: the portal page of a signed-in officer, over HTTPS behind nginx."""
    client.force_login(officer1)
    response = client.get(reverse("portal:index"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_a_download_carries_the_same_headers(client, officer1, production, freeze):
    """G4: a generated workbook download is never cached either."""
    freeze("2026-11-02 10:00:00+08:00")
    authorize(officer1.station, items=make_items())
    client.force_login(officer1)
    response = client.get(
        reverse("reporting:monthly_template", args=[2026, 10]), headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert_security_headers(response)


@pytest.mark.django_db
def test_public_pages_stay_cacheable_and_plain_http_is_redirected_except_health(client, production):
    """G4: no-store follows the signed-in user, not every page; HTTP goes to HTTPS, but the load balancer's probe does not."""
    public = client.get(reverse("register:index"), headers={"X-Forwarded-Proto": "https"})
    assert public.status_code == 200 and "no-store" not in public.get("Cache-Control", "")
    assert public["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in public
    redirect = client.get(reverse("register:index"))
    assert redirect.status_code == 301 and redirect["Location"].startswith("https://")
    assert client.get("/healthz/live").status_code == 200


@pytest.fixture
def json_log():
    """The production log handler (JSON formatter, request-id filter) on zzmetro.access, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("zzmetro.access")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_request_logs_one_json_line_with_nginx_request_id(client, json_log):
    """Issue 13: logs are one JSON object a line; the id nginx sent is in the line and in the response."""
    response = client.get("/healthz/live", headers={"X-Request-ID": "4f1c9a0b2d3e4f5a6b7c8d9e0f1a2b3c"})
    assert response["X-Request-ID"] == "4f1c9a0b2d3e4f5a6b7c8d9e0f1a2b3c"
    [line] = json_log()
    assert line["request_id"] == "4f1c9a0b2d3e4f5a6b7c8d9e0f1a2b3c" and line["logger"] == "zzmetro.access"
    assert line["path"] == "/healthz/live" and line["status"] == 200 and line["level"] == "INFO"


def test_a_forged_request_id_is_replaced_by_a_new_one(client, json_log):
    """Issue 13: a header carrying a line break or quotes cannot forge log content; a fresh id is made instead."""
    response = client.get("/healthz/live", headers={"X-Request-ID": 'x"\n{"level": "ERROR"}'})
    [line] = json_log()
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]) and line["request_id"] == response["X-Request-ID"]


def test_nginx_accepts_exactly_the_request_size_the_portal_accepts():
    """G4: client_max_body_size equals the largest upload limit of the example values plus 1 MB."""
    values = example_production_values()
    largest = max(
        int(values[k])
        for k in ("UPLOAD_MAX_BYTES", "ZZ_ARCHIVE_IMPORT_MAX_BYTES", "ZZ_MONTHLY_REPORT_UPLOAD_MAX_BYTES")
    )
    from zzmetro.uploads import MULTIPART_ALLOWANCE

    site = (DEPLOY / "nginx" / "zzmetro.conf").read_text(encoding="utf-8")
    [size] = re.findall(r"^\s*client_max_body_size\s+(\d+)m;", site, re.M)
    assert int(size) * 1024 * 1024 == largest + MULTIPART_ALLOWANCE
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", site)
    assert re.search(r"proxy_set_header\s+X-Request-ID\s+\$request_id;", site)


@pytest.mark.parametrize("unit", ["zzmetro-web.service", "zzmetro-worker.service", "zzmetro-beat.service"])
def test_each_systemd_unit_restarts_on_failure(unit):
    """Issue 13: the web server, the Celery worker and Celery beat come back after a crash."""
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    assert re.search(r"^Restart=on-failure$", text, re.M) and "EnvironmentFile=/etc/zzmetro/zzmetro.env" in text
