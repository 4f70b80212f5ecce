"""The main pages keep their layout on the bureau's and stations' screens, 1366 and 1920 pixels wide (issue 12).

Nothing sticks out of its card or the page (a wide table scrolls inside its own box), and no status badge or admin
status cell breaks over more than two lines (M2, M8: the rates table, the monthly form and the report list).
"""

import datetime as dt

import pytest

from authorizations.tests.factories import StationFactory, UserFactory
from reporting.services import reports as services
from zzmetro.pytest_browser import log_in

from .factories import authorize, make_items, submit

pytestmark = pytest.mark.browser
WIDTHS = ((1366, 768), (1920, 1080))
LONG_NAMES = (
    "中国石化销售股份有限公司河南郑州石油分公司计量站",
    "郑州煤炭工业（集团）有限责任公司计量检定站",
    "郑州大学第一附属医院医学计量站",
    "郑州华润燃气股份有限公司燃气表检定站",
    "巩义市供电公司电能计量中心",
)

# For every card-like box: how far its content sticks out; for every badge or status cell: how many lines it takes.
MEASURE = """() => {
  const boxes = ['main', '.card', '.table-scroll', '#content-main', '#changelist'];
  const overflowing = [];
  for (const box of document.querySelectorAll(boxes.join(','))) {
    if (box.scrollWidth > box.clientWidth + 1) overflowing.push(`${box.tagName}.${box.className} ${box.scrollWidth}>${box.clientWidth}`);
  }
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) overflowing.push(`page ${root.scrollWidth}>${root.clientWidth}`);
  const lines = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  };
  const cells = '.badge, #result_list td[class*="status"], #result_list td[class*="timeliness"]';
  const broken = [...document.querySelectorAll(cells)].filter(e => lines(e) > 2).map(e => `${e.textContent.trim()}: ${lines(e)} lines`);
  return {overflowing, broken, badges: document.querySelectorAll(cells).length};
}"""


@pytest.fixture
def city(freeze):
    """Twelve stations with long real-world names, officer1's with three items; some months reported, some not."""
    freeze("2026-11-10 10:00:00+08:00")
    officer1 = UserFactory(username="officer1")
    UserFactory(bureau=True, username="bureau")
    UserFactory(manager=True, username="manager")
    authorize(officer1.station, items=make_items("DN", 3))
    stations = [officer1.station] + [StationFactory(name=LONG_NAMES[n % len(LONG_NAMES)] + str(n)) for n in range(11)]
    for n, station in enumerate(stations[1:]):
        authorize(station, items=make_items(f"S{n}x", 1))
    for month in range(1, 11):
        services.reports_open_month(dt.date(2026, month, 1))
        for n, station in enumerate(stations):
            if (n + month) % 3:
                submit(station, dt.date(2026, month, 1))
    return officer1


PAGES = (
    ("officer1", "/portal/"),
    ("officer1", "/portal/reporting/"),
    ("officer1", "/portal/reporting/monthly/2026/9/"),  # September is officer1's unreported month
    ("bureau", "/portal/reporting/bureau/rates/"),
    ("bureau", "/admin/reporting/monthlyreport/"),
    ("manager", "/dashboard/"),
)


@pytest.mark.parametrize("width,height", WIDTHS)
def test_main_pages_fit_their_cards_and_badges_stay_on_one_line(width, height, city, new_page):
    """M2, M8: portal home, monthly form, rates table, admin report list and dashboard at a common screen size."""
    problems = {}
    sessions = {}
    for account, path in PAGES:
        if account not in sessions:
            sessions[account] = new_page()
            sessions[account].set_viewport_size({"width": width, "height": height})
            log_in(sessions[account], account)
        page = sessions[account]
        page.goto(path)
        assert page.locator("h1").first.is_visible(), path
        found = page.evaluate(MEASURE)
        if found["overflowing"] or found["broken"]:
            problems[path] = found
    assert problems == {}
