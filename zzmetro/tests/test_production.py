"""The production setup (issue 13): `check --deploy` clean with the example values, security headers on every page a
signed-in user or a download reaches, JSON logs with the request id, and deploy/ files that agree with the settings.
"""

import contextlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import shared_task
from django.conf import settings as django_settings
from django.urls import path, reverse

from reporting.tests.factories import authorize, make_items
from zzmetro import testing
from zzmetro import urls as project_urls
from zzmetro.logging import JsonFormatter, RequestIdFilter, request_id

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


@contextlib.contextmanager
def captured_json(logger: logging.Logger):
    """The production log handler (JSON formatter, request-id filter) on `logger`, with zzmetro.access at INFO;
    yields a function that returns the captured lines, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    access = logging.getLogger("zzmetro.access")
    levels = logger.level, access.level
    logger.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(levels[0])
        access.setLevel(levels[1])


@pytest.fixture
def json_log():
    """zzmetro.access's lines as the production handler writes them."""
    with captured_json(logging.getLogger("zzmetro.access")) as lines:
        yield lines


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


def production_subprocess(*args: str, **extra: str) -> subprocess.CompletedProcess:
    """`args` run in a fresh process with .env.example's production values, a real secret key and `extra`."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env |= example_production_values() | {"SECRET_KEY": secrets.token_urlsafe(50), "PYTHONDONTWRITEBYTECODE": "1"}
    env |= extra
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180)


WEAK_KEYS = {
    "example placeholder": ("change-me", "security.W009"),
    "unset (the demo's key)": (None, "security.W009"),
    "placeholder written out to length": ("change-me-" + secrets.token_hex(25), "zzmetro.W001"),
    "one word repeated": ("zzmetro" * 8, "zzmetro.W001"),
    "few characters": ("01234567" * 3 + "76543210" * 3 + "0123", "zzmetro.W001"),
}


@pytest.mark.parametrize("case", list(WEAK_KEYS))
def test_check_deploy_warns_about_a_weak_secret_key(case):
    """G1 (sessions and password-reset links are signed with it): the example's placeholder, the demo's built-in key
    (Django's W009), and keys long enough for Django but guessable (ours, zzmetro.W001) fail `check --deploy` at WARNING
    level; a random key passes (test above)."""
    key, warning = WEAK_KEYS[case]
    result = production_subprocess(
        sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=key
    )
    assert result.returncode != 0 and warning in result.stdout + result.stderr


def test_random_keys_of_every_usual_kind_pass_our_secret_key_check():
    """G1: the generators an IT office uses (Django's, token_urlsafe, token_hex, base64) never trip zzmetro.W001."""
    import base64

    from django.core.management.utils import get_random_secret_key

    from zzmetro.checks import weak_secret_key

    for _ in range(200):
        for key in (
            get_random_secret_key(),
            secrets.token_urlsafe(50),
            secrets.token_hex(32),
            base64.b64encode(secrets.token_bytes(48)).decode(),
        ):
            assert not weak_secret_key(key), key


def database_url(**change) -> str:
    test = {**django_settings.DATABASES["default"], **change}
    return f"postgres://{test['USER']}@{test['HOST'] or '127.0.0.1'}:{test['PORT'] or 5432}/{test['NAME']}"


@pytest.fixture
def never_migrated(django_db_blocker):
    """An empty database beside the test database: `migrate` never ran there."""
    with testing.empty_database(django_db_blocker, "_fresh") as name:
        yield name


@pytest.mark.django_db  # the test database exists and is migrated (also when this test runs alone)
def test_serving_is_refused_on_an_unmigrated_or_unreachable_database_saying_why(never_migrated):
    """Issue 13: `make serve` and zzmetro-web.service run check_migrated before gunicorn; it says in Chinese and English
    that migrations are missing (naming them) or that the database cannot be reached, and exits 1; 0 when migrated."""
    from django.db import connection

    from zzmetro.tests.netpeers import free_port

    def check(url):
        return production_subprocess(
            sys.executable, "manage.py", "check_migrated", DATABASE_URL=url, DATABASE_MIGRATE_URL=None
        )

    fresh = check(database_url(NAME=never_migrated))
    assert fresh.returncode == 1 and "Traceback" not in fresh.stderr, fresh.stderr
    assert "拒绝启动：数据库尚有" in fresh.stderr and "个迁移未执行" in fresh.stderr
    assert "Refusing to start:" in fresh.stderr and "contenttypes.0001_initial" in fresh.stderr

    down = check(database_url(PORT=free_port()))
    assert down.returncode == 1 and "Traceback" not in down.stderr, down.stderr
    assert "拒绝启动：无法连接数据库" in down.stderr and "unreachable" in down.stderr

    migrated = check(database_url(NAME=connection.settings_dict["NAME"]))
    assert migrated.returncode == 0, migrated.stderr
    assert "已执行全部迁移" in migrated.stdout

    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", (BASE_DIR / "Makefile").read_text(encoding="utf-8"), re.M)[1]
    assert recipe.index("manage.py check_migrated") < recipe.index("collectstatic") < recipe.index("gunicorn")
    unit = (DEPLOY / "systemd" / "zzmetro-web.service").read_text(encoding="utf-8")
    assert re.search(r"^ExecStartPre=\S+python manage.py check_migrated$", unit, re.M)


def test_collectstatic_writes_hashed_compressed_files_that_pages_then_name(tmp_path):
    """Issue 13: in production (DEBUG off) static files get content-hashed names with gzip and brotli copies, and
    `{% static %}` names the hashed file, so a year-long cache (deploy/nginx) never serves an old file."""
    root = tmp_path / "staticfiles"
    collected = production_subprocess(
        sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", STATIC_ROOT=str(root), STATIC_MANIFEST=None
    )
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((root / "staticfiles.json").read_text(encoding="utf-8"))["paths"]
    hashed = manifest["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (root / hashed).is_file() and (root / f"{hashed}.gz").is_file() and (root / f"{hashed}.br").is_file()
    named = production_subprocess(
        sys.executable,
        "-c",
        "import django; django.setup(); from django.templatetags.static import static; print(static('css/site.css'))",
        DJANGO_SETTINGS_MODULE="zzmetro.settings",
        STATIC_ROOT=str(root),
        STATIC_MANIFEST=None,
    )
    assert named.stdout.strip() == f"/static/{hashed}", named.stderr


def boom(request):
    raise RuntimeError("故障演示")


urlpatterns = [path("boom/", boom), *project_urls.urlpatterns]


@pytest.fixture
def json_root_log():
    """Every logger's lines (the root logger's handler), as the production handler writes them."""
    with captured_json(logging.getLogger()) as lines:
        yield lines


@pytest.mark.urls(__name__)
def test_a_server_error_logs_json_lines_with_the_request_id_and_the_traceback(client, json_root_log):
    """Issue 13: a 500 is logged as JSON too: django.request's error line carries the request id and the traceback,
    and the access line the status; every captured line is one JSON object."""
    client.raise_request_exception = False
    response = client.get("/boom/", headers={"X-Request-ID": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"})
    assert response.status_code == 500 and response["X-Request-ID"] == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    lines = json_root_log()
    [error] = [line for line in lines if line["logger"] == "django.request"]
    [access] = [line for line in lines if line["logger"] == "zzmetro.access"]
    assert error["level"] == "ERROR" and error["request_id"] == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert "RuntimeError: 故障演示" in error["exception"]
    assert access["status"] == 500 and access["request_id"] == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


@shared_task(name="zzmetro.tests.log_line", ignore_result=True)
def log_line(text: str) -> None:
    logging.getLogger("zzmetro.tests.task").warning(text)


@pytest.mark.celery_worker
def test_a_celery_task_logs_with_the_id_of_the_request_that_queued_it(celery_redis_worker, json_root_log):
    """Issue 13: the worker's lines of a task carry the request id of the request that queued it (the id
    RequestIdMiddleware set), so nginx's, the portal's and the worker's lines join; a task queued outside any request
    (beat's schedule) carries its own task id."""
    token = request_id.set("feedc0de00112233445566778899aabb")
    try:
        log_line.delay("任务日志：来自请求")
    finally:
        request_id.reset(token)
    scheduled = log_line.delay("任务日志：定时")

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        task_lines = {line["message"]: line for line in json_root_log() if line["logger"] == "zzmetro.tests.task"}
        if len(task_lines) == 2:
            break
        time.sleep(0.1)
    assert task_lines["任务日志：来自请求"]["request_id"] == "feedc0de00112233445566778899aabb"
    assert task_lines["任务日志：定时"]["request_id"] == scheduled.id


@pytest.mark.parametrize("unit", ["zzmetro-worker.service", "zzmetro-beat.service"])
def test_celery_units_print_no_banner_between_the_json_lines(unit):
    """Issue 13: Celery's start-up banner is plain text; --quiet leaves worker.log and beat.log one JSON object a line."""
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=\S+/celery -A zzmetro --quiet (worker|beat) ", text, re.M)


def nginx_servers(text: str) -> list[str]:
    """The body of each top-level `server { … }` block of an nginx site file, braces balanced."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"server\s*\{|\{|\}", text):
        token = match.group()
        if token.startswith("server") and depth == 0:
            start, depth = match.end(), 1
        elif token == "{" and start is not None:
            depth += 1
        elif token == "}" and start is not None:
            depth -= 1
            if depth == 0:
                blocks.append(text[start : match.start()])
                start = None
    return blocks


def test_nginx_passes_the_health_probes_over_plain_http_and_sends_the_rest_to_https():
    """Issue 13: a load balancer probing port 80 reaches /healthz/ (with the scheme and request id), any other page is
    redirected to HTTPS; the HTTPS server serves /static/ from STATIC_ROOT, never /media/ (G4), and refuses a body
    over the limit with a Chinese page."""
    site = (DEPLOY / "nginx" / "zzmetro.conf").read_text(encoding="utf-8")
    [plain] = [block for block in nginx_servers(site) if re.search(r"^\s*listen 80;", block, re.M)]
    [tls] = [block for block in nginx_servers(site) if re.search(r"^\s*listen 443 ssl;", block, re.M)]
    probes = re.search(r"location /healthz/ \{(.*?)\}", plain, re.S)[1]
    assert "proxy_pass http://zzmetro_web;" in probes and "return" not in probes
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", probes)
    assert re.search(r"proxy_set_header\s+X-Request-ID\s+\$request_id;", probes)
    assert re.search(r"location / \{\s*return 301 https://\$host\$request_uri;\s*\}", plain)
    assert re.search(r"location /static/ \{\s*alias /opt/zzmetro/staticfiles/;", tls)
    assert re.search(r"location /media/ \{\s*return 404;\s*\}", tls)
    # A body over client_max_body_size never reaches the portal's Chinese 413 page: nginx answers in Chinese itself.
    assert re.search(r"^\s*error_page 413 @too_large;$", tls, re.M)
    too_large = re.search(r"location @too_large \{(.*?)\n    \}", tls, re.S)[1]
    assert re.search(r"return 413 '<!DOCTYPE html>.*上传的文件过大.*';", too_large) and "charset=utf-8" in too_large


@pytest.mark.skipif(not shutil.which("logrotate"), reason="logrotate is not installed")
def test_logrotate_file_is_valid_and_covers_every_log_the_units_write(tmp_path):
    """Issue 13, G2 (logs kept six months): logrotate reads the file without error (its `su` user swapped for root, as
    this machine has no zzmetro user) and rotates each log file a unit or nginx appends to."""
    text = (DEPLOY / "logrotate" / "zzmetro").read_text(encoding="utf-8")
    config = tmp_path / "zzmetro"
    config.write_text(text.replace("su zzmetro zzmetro", "su root root"), encoding="utf-8")
    done = subprocess.run(
        ["logrotate", "--debug", "--state", str(tmp_path / "state"), str(config)], capture_output=True, text=True
    )
    assert done.returncode == 0 and "error:" not in done.stderr + done.stdout, done.stderr
    written = set()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        written |= set(re.findall(r"^Standard(?:Output|Error)=append:(\S+)$", unit.read_text(encoding="utf-8"), re.M))
    site = (DEPLOY / "nginx" / "zzmetro.conf").read_text(encoding="utf-8")
    written |= set(re.findall(r"(?:access|error)_log\s+(/\S+)", site))
    rotated = {path for line in re.findall(r"^(/var/log/\S.*?)\s*\{", text, re.M) for path in line.split()}
    assert written and written <= rotated
    assert re.findall(r"^\s*rotate (\d+)$", text, re.M) == ["180", "180"]


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_site_file(tmp_path):
    """Issue 13: `nginx -t` accepts deploy/nginx/zzmetro.conf as shipped, its paths moved into a scratch folder (a
    throwaway self-signed certificate, log and static folders)."""
    for folder in ("log", "static", "tls"):
        (tmp_path / folder).mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=zzmetro.example.gov.cn",
        ]
        + ["-keyout", str(tmp_path / "tls" / "privkey.pem"), "-out", str(tmp_path / "tls" / "fullchain.pem")],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "zzmetro.conf").read_text(encoding="utf-8")
    for old, new in (("/etc/zzmetro/tls", "tls"), ("/var/log/zzmetro", "log"), ("/opt/zzmetro/staticfiles", "static")):
        site = site.replace(old, str(tmp_path / new))
    (tmp_path / "zzmetro.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/log/error.log;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/zzmetro.conf;\n}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
