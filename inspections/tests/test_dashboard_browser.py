"""The manager answers three questions by clicking from the dashboard in headless Chromium (issue 11; M2, M8).

"Which stations are late this month", "how does this year compare with last", "which station has the lowest
on-time rate": every chart draws on a canvas, the console stays clean, no request leaves 127.0.0.1, and a
drill-down lands on the right rows.
"""

import datetime as dt
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from authorizations.models import District
from authorizations.tests.factories import StationFactory, UserFactory
from reporting.selectors.reports import month_authority
from reporting.services.reports import monthly_submit
from reporting.tests.factories import authorize, lines, make_items
from zzmetro.dates import BEIJING
from zzmetro.pytest_browser import log_in

pytestmark = pytest.mark.browser
LOOPBACK = {"127.0.0.1", "localhost"}  # pytest-django's live server answers on localhost, i.e. 127.0.0.1
OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def _submit(station, period, day):
    items = month_authority(station, period).items
    at = dt.datetime.combine(day, dt.time(10), tzinfo=BEIJING)
    monthly_submit(station=station, period=period, lines=lines(items), by=None, at=at)


@pytest.fixture
def city(freeze):
    """Since October 2025: 甲 always on time, 丙 late in November 2026, 乙 late in October and silent in November."""
    freeze("2026-11-20 10:00:00+08:00")
    UserFactory(manager=True, username="manager")
    items = make_items()
    a, b, c = (StationFactory(name=n, district=District.XINMI) for n in ("甲计量站", "乙计量站", "丙计量站"))
    for station in (a, b, c):
        authorize(station, valid_from=dt.date(2025, 10, 1), items=items)
    _submit(a, dt.date(2025, 10, 1), dt.date(2025, 11, 2))
    _submit(a, dt.date(2025, 11, 1), dt.date(2025, 12, 2))
    _submit(a, OCTOBER, dt.date(2026, 11, 2))
    _submit(c, OCTOBER, dt.date(2026, 11, 3))
    _submit(b, OCTOBER, dt.date(2026, 11, 9))
    freeze("2026-12-10 10:00:00+08:00")
    _submit(a, NOVEMBER, dt.date(2026, 12, 2))
    _submit(c, NOVEMBER, dt.date(2026, 12, 6))
    return {"a": a, "b": b, "c": c}


def _watch(page, live_server) -> tuple[list[str], list[str]]:
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def request(r):
        url = urlparse(r.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOOPBACK:
            outside.append(r.url)

    page.on("request", request)
    return errors, outside


def test_the_manager_answers_three_questions_by_clicking_from_the_dashboard(page, live_server, city):
    errors, outside = _watch(page, live_server)
    log_in(page, "manager")
    page.goto("/dashboard/")
    assert urlparse(live_server.url).hostname in LOOPBACK

    # The charts render: a canvas in every chart box.
    charts = page.locator("div.chart")
    expect(charts).to_have_count(5)
    for n in range(charts.count()):
        expect(charts.nth(n).locator("canvas").first).to_be_attached()

    # 1. Which stations are late this month? November's report is overdue for 乙 alone.
    late = page.locator("#late")
    expect(late).to_contain_text("乙计量站")
    expect(late).not_to_contain_text("甲计量站")
    expect(late).not_to_contain_text("丙计量站")

    # 2. How does this year compare with last? Pick November in the filter bar: this year beside last year.
    page.get_by_label("月份").select_option(label="11月")
    page.get_by_role("button", name="查看").click()
    assert "month=11" in page.url
    on_time = page.locator("[data-tile=on_time_rate]")
    expect(on_time).to_contain_text("33.3%")  # 1 of 3 on time in November 2026
    expect(on_time).to_contain_text("上年同期 33.3%")  # 1 of 3 in November 2025
    reporting = page.locator("[data-tile=reporting_rate]")
    expect(reporting).to_contain_text("66.7%")
    expect(reporting).to_contain_text("上年同期 33.3%")

    # 3. Which station has the lowest on-time rate this year? Sort the league table by it: 乙 (none on time) first.
    page.get_by_label("月份").select_option(label="全部月份")
    page.get_by_role("button", name="查看").click()
    page.locator("table.league thead").get_by_role("link", name="及时率").click()
    first = page.locator("table.league tbody tr").first
    expect(first.locator("td").first).to_have_text("乙计量站")
    expect(first.locator("td").nth(2)).to_have_text("0.0%")
    first.get_by_role("link", name="乙计量站").click()
    expect(page.locator("h1")).to_contain_text("乙计量站")
    expect(page.locator("#reports")).to_contain_text("逾期")

    # A drill-down lands on the right rows: the on-time tile opens November's overdue reports — 乙 only.
    page.goto("/dashboard/")
    page.locator("[data-tile=on_time_rate]").click()
    expect(page.locator("main")).to_contain_text("乙计量站")
    expect(page.locator("main")).not_to_contain_text("甲计量站")
    expect(page.locator("main")).not_to_contain_text("丙计量站")

    assert errors == []
    assert outside == []
