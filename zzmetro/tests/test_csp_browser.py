"""The Content-Security-Policy in a real browser (issue 13, G4): the admin and the portal work without inline scripts.

Headless Chromium reports every blocked script, style or image as a console error; the pages must produce none,
while an inline script injected on purpose is refused, so the silence is the policy at work, not its absence.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from authorizations.models import Certificate
from authorizations.tests.factories import CertificateFactory, UserFactory
from reporting.tests.factories import authorize, make_items
from zzmetro.pytest_browser import accept_dialogs, log_in

pytestmark = pytest.mark.browser


def watch_console(page) -> list[str]:
    """Console errors and uncaught exceptions of `page`, and every answer of 400 or more to the page, with its URL.

    Chromium's own "Failed to load resource" lines are left to the response listener, which names the URL: the one it
    would add alone is the browser's /favicon.ico guess on admin pages, which no page asks for.
    """
    errors = []

    def console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    return errors


def assert_policy_header(response):
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_admin_changelist_and_a_confirmed_transition_run_without_a_csp_error(page):
    """G4: bureau staff list certificates, open one, and revoke it through its confirmation page; no script prompt."""
    UserFactory(bureau=True, username="bureau")
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    errors = watch_console(page)
    dialogs = accept_dialogs(page)
    log_in(page, "bureau")

    assert_policy_header(page.goto("/admin/authorizations/certificate/"))
    expect(page.locator("#result_list")).to_contain_text(certificate.number)
    page.locator("#result_list").get_by_role("link", name=certificate.number).click()
    page.locator(".zz-actions").get_by_role("link", name="撤销授权").click()
    page.get_by_label("撤销决定日期").fill("2026-03-02")
    page.get_by_label("撤销理由").fill("整改后仍不合格")
    page.get_by_role("button", name="下一步：核对并确认").click()
    expect(page.locator(".zz-confirm")).to_contain_text("不可恢复")
    page.get_by_role("button", name="确认撤销授权").click()
    expect(page.locator(".messagelist")).to_contain_text("已完成")
    assert dialogs == []
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert errors == []


def test_portal_monthly_form_runs_without_a_csp_error_and_an_injected_inline_script_is_refused(page, freeze):
    """G4: the officer's monthly form (data-confirm prompt, site.js) loads cleanly; inline code is blocked."""
    freeze("2026-11-03 21:00:00+08:00")
    officer = UserFactory(username="officer1")
    authorize(officer.station, items=make_items())
    errors = watch_console(page)
    dialogs = accept_dialogs(page)
    log_in(page, "officer1")

    assert_policy_header(page.goto("/portal/reporting/monthly/2026/10/"))
    expect(page.locator("h1")).to_have_text("2026年10月月度报表")
    page.get_by_role("button", name="报送月报").click()  # the browser asks first (site.js)
    assert dialogs and "报送" in dialogs[0]
    assert errors == []

    ran = page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.zzInlineRan = true';
        document.head.appendChild(script);
        return window.zzInlineRan === true;
    }""")
    assert ran is False
    for _ in range(20):  # Chromium reports the violation to the console just after refusing
        if any("Content Security Policy" in e for e in errors):
            break
        page.wait_for_timeout(100)
    assert any("Content Security Policy" in e for e in errors), errors
