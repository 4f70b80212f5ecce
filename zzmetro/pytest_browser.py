"""Browser fixtures: Debian's headless Chromium, driven by Playwright, against pytest-django's live_server.

Registered from conftest.py (`pytest_plugins`). Tests that use them carry `@pytest.mark.browser`.

    def test_...(page, new_page):          # each page is its own browser context: its own login session
        log_in(page, "officer1")
        page.goto("/portal/")               # relative to the live server
        dialogs = accept_dialogs(page)      # answers every window.confirm with OK and keeps its text
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# The machine running the tests may have no network: without these flags Chromium keeps trying Google services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
FAILURE_SCREENSHOTS = Path("/tmp/zzmetro-browser-failures")
PASSWORD = "zzmetro-demo"  # authorizations.tests.factories.PASSWORD, kept here so the plugin loads before Django


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so `new_page` can tell whether the test failed."""
    report = yield
    setattr(item, f"_zz_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Debian's binary; Playwright never downloads a browser here)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}, which is not installed. "
            "Run `make test`: it installs it first (scripts/system_deps.sh browser).",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """Factory of pages, each in a fresh context (zh-CN, Beijing time), closed after the test.

    When the test fails, every page it opened is saved as a screenshot under /tmp before it is closed.
    """
    contexts = []

    def _new_page():
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    report = getattr(request.node, "_zz_report_call", None)
    for index, context in enumerate(contexts):
        if report is not None and report.failed:
            _save_failure_screenshots(context, f"{request.node.name}-{index}")
        context.close()


def _save_failure_screenshots(context, stem: str) -> None:
    from playwright.sync_api import Error

    FAILURE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(context.pages):
        path = FAILURE_SCREENSHOTS / f"{stem}-{number}.png"
        try:
            page.screenshot(path=path, full_page=True, timeout=3_000)
        except Error:
            continue  # a crashed or hung page must not keep the context from closing
        print(f"screenshot of failed page {page.url}: {path}")


@pytest.fixture
def page(new_page):
    """The test's first page."""
    return new_page()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real /accounts/login/ form; fail with the form's own error if it refuses."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()
    if "/accounts/login/" in page.url:
        errors = page.locator(".errorlist").all_inner_texts()
        pytest.fail(f"{username} could not log in: {' '.join(errors) or page.url}", pytrace=False)
    expect(page.locator(".topbar, #header").first).to_be_visible()


def accept_dialogs(page) -> list[str]:
    """Answer every dialog on `page` (the data-confirm prompts) with OK; the returned list collects their texts."""
    messages: list[str] = []

    def _accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", _accept)
    return messages
