"""The managers' compliance dashboard, station page, exports and monthly brief (issue 11; DOMAIN M8, I1, I5, R2, L3).

A small city on 10 December 2026: 甲 reported November on time, 乙 has not reported it, 丙 reported it late; a
year earlier only 甲 reported November (on time).
"""

import datetime as dt
import io
from contextlib import closing

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from authorizations.models import District
from authorizations.tests.factories import StationFactory
from inspections.models import Complaint
from reporting.services.reports import monthly_submit
from reporting.tests.factories import authorize, lines, make_items
from zzmetro.dates import BEIJING
from zzmetro.testing import named_urls

pytestmark = pytest.mark.django_db
NOVEMBER = dt.date(2026, 11, 1)


def _submit(station, period, day: dt.date, *, verified=10, unqualified=1):
    at = dt.datetime.combine(day, dt.time(10), tzinfo=BEIJING)
    from reporting.selectors.reports import month_authority

    items = month_authority(station, period).items
    return monthly_submit(
        station=station, period=period, lines=lines(items, verified=verified, unqualified=unqualified), by=None, at=at
    )


@pytest.fixture
def city(freeze):
    freeze("2026-11-20 10:00:00+08:00")
    items = make_items()
    a = StationFactory(name="甲计量站", district=District.XINMI)
    b = StationFactory(name="乙计量站", district=District.XINMI)
    c = StationFactory(name="丙计量站", district=District.GONGYI)
    for station in (a, b, c):
        authorize(station, valid_from=dt.date(2024, 1, 1), items=items)
    _submit(a, dt.date(2025, 11, 1), dt.date(2025, 12, 2))
    freeze("2026-12-10 10:00:00+08:00")
    _submit(a, NOVEMBER, dt.date(2026, 12, 2), verified=20, unqualified=2)
    _submit(c, NOVEMBER, dt.date(2026, 12, 5), verified=10, unqualified=0)
    Complaint.objects.create(
        station=b, received_on=dt.date(2026, 10, 1), complainant="王先生", subject="水表计量不准", description="…"
    )
    return {"a": a, "b": b, "c": c, "items": items}


def _page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_manager_sees_which_stations_are_late_this_month(client, manager, city):
    """M2, M8: on 10 December the November report is overdue for 乙 only; the list links to its station page."""
    response, page = _page(client, manager)
    late = page.split('id="late"')[1].split("</section>")[0]
    assert "乙计量站" in late and "甲计量站" not in late and "丙计量站" not in late
    assert reverse("dash:station", args=[city["b"].pk]) in late


def test_the_league_table_puts_the_lowest_on_time_rate_first_and_sorts_by_any_measure(client, manager, city):
    """M8: November 2026 — 甲 on time, 丙 late, 乙 overdue: both 乙 and 丙 have 0 %, 甲 100 %."""
    response, _ = _page(client, manager, year=2026, month=11, sort="on_time_rate", dir="asc")
    names = [row.station.name for row, _, _ in response.context["league"]]
    assert names[-1] == "甲计量站"
    response, _ = _page(client, manager, year=2026, month=11, sort="verified", dir="desc")
    assert [row.station.name for row, _, _ in response.context["league"]][:2] == ["甲计量站", "丙计量站"]


def test_tiles_put_the_same_period_last_year_beside_this_year(client, manager, city):
    """M8: November on-time rate 1/3 this year and 1/3 last year; verifications 60 against 20."""
    response, _ = _page(client, manager, year=2026, month=11)
    tiles = {t.key: t for t in response.context["tiles"]}
    assert (tiles["on_time_rate"].value, tiles["on_time_rate"].previous) == ("33.3%", "33.3%")
    assert (tiles["reporting_rate"].value, tiles["reporting_rate"].previous) == ("66.7%", "33.3%")
    assert (tiles["verified"].value, tiles["verified"].previous) == ("60", "20")
    assert tiles["authorized"].value == "3" and tiles["open_complaints"].value == "1"
    assert tiles["inspections_missing"].value == "3"  # I1: nobody inspected in 2026
    assert {"flags", "licence_findings", "not_verifiable", "expiring", "rectifications_overdue"} <= set(tiles)
    assert "其中超过30天1件" in tiles["open_complaints"].note


def test_the_filter_bar_narrows_every_panel_and_stays_in_the_url(client, manager, city):
    """A district filter keeps the two 新密 stations; the export and brief links carry the same filter."""
    response, page = _page(client, manager, year=2026, month=11, district=District.XINMI)
    assert {row.station.name for row, _, _ in response.context["league"]} == {"甲计量站", "乙计量站"}
    assert "district=xinmi" in page and "全市报送率" not in page


def test_months_before_go_live_count_neither_as_expected_nor_overdue(client, manager, city, settings):
    """M8: with the portal live from December 2026, no November report is expected: nobody is late."""
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "GO_LIVE": dt.date(2026, 12, 1)}
    response, page = _page(client, manager, year=2026, month=11)
    assert response.context["late"] == []
    assert {t.key: t for t in response.context["tiles"]}["on_time_rate"].value == "—"


FILTERS = (
    {},
    {"year": 2026, "month": 11},
    {"year": 2026, "quarter": 4},
    {"year": 2025},
    {"district": District.XINMI},
    {"station": "STATION"},
    {"item": "ITEM"},
    {"sort": "pass_rate", "dir": "desc"},
)


@pytest.mark.parametrize("params", FILTERS)
def test_the_dashboard_with_any_filter_takes_at_most_20_queries(
    client, manager, city, params, django_assert_max_num_queries
):
    """Every panel on one page in a fixed number of queries, however many stations (issue 11)."""
    for n in range(6):  # more stations must not mean more queries
        authorize(StationFactory(name=f"新增计量站{n}"), valid_from=dt.date(2024, 1, 1), items=city["items"])
    params = {
        k: (city["a"].pk if v == "STATION" else city["items"][0].pk if v == "ITEM" else v) for k, v in params.items()
    }
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard"), params).status_code == 200


def test_every_tile_and_chart_drills_down_to_a_page_that_opens(client, manager, city):
    """Every number drills down: each tile's and bar's URL answers 200 for the manager (admin lists read-only)."""
    response, _ = _page(client, manager, year=2026, month=11, station=city["b"].pk)
    urls = {t.url for t in response.context["tiles"] if t.url}
    urls |= {url for chart in response.context["charts"] for url in chart["links"]}
    urls |= {url for _, _, cells in response.context["league"] for _, url in cells}
    for url in urls:
        if url.startswith("?"):
            url = reverse("dashboard") + url
        assert client.get(url).status_code == 200, url


def test_the_late_drill_down_lands_on_the_overdue_rows(client, manager, city):
    """M2: the on-time tile opens November's board filtered to overdue — 乙 and no one else."""
    response, _ = _page(client, manager)
    url = {t.key: t for t in response.context["tiles"]}["on_time_rate"].url
    page = client.get(url).content.decode()
    assert "乙计量站" in page and "甲计量站" not in page and "丙计量站" not in page


@pytest.mark.parametrize("panel", ("tiles", "rates", "verifications", "items", "plan", "pass_rates", "stations"))
def test_every_panel_exports_to_excel_with_the_page_figures(client, manager, city, panel):
    client.force_login(manager)
    response = client.get(reverse("dash:export", args=[panel]), {"year": 2026, "month": 11})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] in ("指标", "类别", "单位") and (len(rows) > 1 or panel == "pass_rates")  # no samples yet
    if panel == "stations":
        assert {r[0] for r in rows[1:]} == {"甲计量站", "乙计量站", "丙计量站"}
    if panel == "tiles":
        assert ("全市及时率（月报）", "33.3%", "33.3%") in [r[:3] for r in rows]


def test_the_monthly_brief_is_a_chinese_pdf_with_the_figures_and_charts(client, bureau, city):
    client.force_login(bureau)
    response = client.get(reverse("dash:brief"), {"year": 2026, "month": 11})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with closing(pdfium.PdfDocument(response.content)) as document:
        text = "".join(page.get_textpage().get_text_range() for page in document).replace(" ", "")
    assert "月度监管简报" in text and "2026年11月" in text and "乙计量站" in text and "全市及时率" in text


def test_the_station_page_shows_everything_about_one_station(client, manager, city):
    """A12, I5, R2, Q2: certificate, complaint, data-quality flags and the event timeline on one page."""
    client.force_login(manager)
    page = client.get(reverse("dash:station", args=[city["b"].pk])).content.decode()
    for part in ("计量授权证书与项目", "水表计量不准", "事件记录", "月报与异常", "现场检查与监督复核", "违规处理"):
        assert part in page
    page = client.get(reverse("dash:station", args=[city["a"].pk])).content.decode()
    assert "报表与档案不符" in page  # Q2: 甲 reported verifications its archive does not hold


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 403), ("manager", 200), ("bureau", 200)]
)
def test_dashboard_pages_are_for_managers_and_bureau_staff_only(client, city, actor, expected, request):
    """Actors: officers never see another station's page (nor the city's figures)."""
    if actor != "anonymous":
        client.force_login(request.getfixturevalue(actor))
    urls = [
        reverse("dashboard"),
        reverse("dash:station", args=[city["a"].pk]),
        reverse("dash:export", args=["stations"]),
        reverse("dash:brief"),
    ]
    assert named_urls(namespaces={"dash"}) == {"dash:station", "dash:export", "dash:brief"}
    for url in urls:
        assert client.get(url).status_code == expected, url


def test_the_station_page_and_exports_keep_their_query_counts(client, manager, city, django_assert_max_num_queries):
    """No N+1 on the station page or the panel exports, however long the station's history."""
    for month in range(1, 11):
        _submit(city["b"], dt.date(2026, month, 1), dt.date(2026, month + 1, 2))
    client.force_login(manager)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("dash:station", args=[city["b"].pk])).status_code == 200
    with django_assert_max_num_queries(20):
        response = client.get(reverse("dash:export", args=["stations"]))
        b"".join(response.streaming_content)
