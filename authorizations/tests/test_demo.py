"""`make demo` as a visitor meets it: the portal's own Chinese pages, the address it serves on, a reset (DOMAIN D2)."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from zzmetro.tests.netpeers import free_port

ROOT = Path(settings.BASE_DIR)


def make_dry_run(target: str, host: str) -> list[str]:
    """The commands `make <target> HOST=<host>` runs, printed by make without running them."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "ALLOWED_HOSTS", "MAKEFLAGS")}
    result = subprocess.run(["make", "-n", target, f"HOST={host}"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.django_db
def test_a_missing_page_is_the_portals_chinese_page_with_debug_off(client, settings):
    """D2: a visitor who mistypes an address gets the portal's page in Chinese, not Django's English debug page."""
    settings.DEBUG = False
    response = client.get("/register/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "授权单位名录" in page and "Page not found" not in page


def test_demo_host_sets_the_address_in_mails_and_qr_codes():
    """D2: `make demo HOST=127.0.0.1:8123` seeds and serves with SITE_URL on that port, not :8000."""
    lines = [
        line for line in make_dry_run("demo", "127.0.0.1:8123") if "manage.py" in line and "prepare_fonts" not in line
    ]
    assert any("runserver 127.0.0.1:8123" in line for line in lines)
    assert lines and all("SITE_URL=http://127.0.0.1:8123 " in line for line in lines), lines


def test_the_demo_server_answers_in_chinese_and_serves_its_stylesheet(tmp_path):
    """D2: the very command `make demo` serves with gives Chinese error pages and still loads CSS and JS."""
    port = free_port()
    command = next(line for line in make_dry_run("demo", f"127.0.0.1:{port}") if "runserver" in line)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    server = subprocess.Popen(
        ["bash", "-c", f"{command} --noreload"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        missing = fetch(f"{base}/no-such-page/")
        assert missing.status == 404 and "页面不存在" in missing.text and "Page not found" not in missing.text
        for path, kind in (("/static/css/site.css", "text/css"), ("/static/js/site.js", "javascript")):
            asset = fetch(base + path)
            assert asset.status == 200 and kind in asset.content_type, (path, asset.status)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


class Fetched:
    def __init__(self, status: int, content_type: str, body: bytes):
        self.status, self.content_type, self.text = status, content_type, body.decode("utf-8", "replace")


def fetch(url: str, wait_seconds: float = 60) -> Fetched:
    """GET url, waiting for the server to start listening."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return Fetched(response.status, response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as error:
            return Fetched(error.code, error.headers.get("Content-Type", ""), error.read())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_demo_reset_deletes_the_database_uploads_and_mail_but_not_the_fonts(tmp_path):
    """`make demo-reset`: the demo's SQLite file, uploads and mail go; the prepared fonts stay."""
    database, media, mail, fonts = (tmp_path / name for name in ("demo.sqlite3", "media", "mail", "fonts"))
    for folder in (media, mail, fonts):
        folder.mkdir()
        (folder / "kept-or-not.txt").write_text("x")
    database.write_bytes(b"SQLite format 3\x00")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_ROOT=str(media),
        EMAIL_FILE_PATH=str(mail),
        PDF_FONT_DIR=str(fonts),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "reset_demo", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert "演示数据已清除" in result.stdout
    assert not database.exists() and not media.exists() and not mail.exists()
    assert (fonts / "kept-or-not.txt").exists()


def test_demo_reset_refuses_a_database_that_is_not_the_demos(settings):
    """A production PostgreSQL is never emptied by the demo's reset, nor anything while DEBUG is off."""
    settings.DEBUG = True  # the test database is PostgreSQL
    with pytest.raises(CommandError, match="SQLite"):
        call_command("reset_demo", interactive=False)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("reset_demo", interactive=False)
