"""What the dashboard shows, built once from the figures and shared by the page, its Excel exports and the
printed monthly brief: tiles, chart series, the league table — each number with the URL of the rows behind it.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from html import escape  # what Django's escape() calls, without its lazy-string wrapper (12 calls a row)
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from authorizations.models import District
from inspections.selectors.dashboard_figures import Figures, StationRow
from zzmetro.exports import Column

DISTRICTS = dict(District.choices)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@lru_cache(maxsize=None)
def _changelist(model: str) -> str:
    return reverse(f"admin:{model}_changelist")


def admin_list(model: str, **params) -> str:
    """An admin change list (read-only for managers) filtered by query parameters."""
    url = _changelist(model)
    params = {k: v for k, v in params.items() if v not in ("", None)}
    return f"{url}?{urlencode(params)}" if params else url


def _period_params(f: Figures, field: str) -> dict:
    return {f"{field}__gte": f.filters.start.isoformat(), f"{field}__lte": f.day.isoformat()}


def _station_param(f: Figures, lookup: str = "station__id__exact") -> dict:
    return {lookup: f.filters.station} if f.filters.station else {}


def _district_param(f: Figures, lookup: str = "station__district__exact") -> dict:
    return {lookup: f.filters.district} if f.filters.district else {}


# --- tiles --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    previous: str
    url: str
    note: str = ""
    raw: float | int | None = None
    previous_raw: float | int | None = None


def tiles(this: Figures, last: Figures, *, board_url: str) -> list[Tile]:
    """Every tile with the same period last year beside it, and where a click on it leads."""
    cert = {**_station_param(this), **_district_param(this)}
    scope = "" if this.filters.district or this.filters.station else "全市"
    reports = {**_station_param(this), **_district_param(this), **_period_params(this, "period")}
    defs = [
        (
            "authorized",
            "授权单位",
            this.stations_authorized,
            last.stations_authorized,
            None,
            admin_list("authorizations_certificate", status="valid", **cert),
        ),
        (
            "in_force",
            "可开展检定（不含暂停）",
            this.stations_in_force,
            last.stations_in_force,
            None,
            admin_list("authorizations_certificate", status="valid", **cert),
        ),
        (
            "suspended",
            "暂停中",
            this.stations_suspended,
            last.stations_suspended,
            None,
            admin_list("authorizations_certificate", status="suspended", **cert),
        ),
        (
            "reporting_rate",
            f"{scope}报送率（月报）",
            this.reporting_rate,
            last.reporting_rate,
            pct,
            reverse("reporting:rates") + f"?year={this.filters.year}",
        ),
        ("on_time_rate", f"{scope}及时率（月报）", this.on_time_rate, last.on_time_rate, pct, board_url),
        (
            "plan_completion",
            "强检计划完成率",
            this.plan_completion,
            last.plan_completion,
            pct,
            admin_list("reporting_annualplan", year=this.filters.year, status="issued"),
        ),
        (
            "verified",
            "检定台件数",
            this.total("verified"),
            last.total("verified"),
            None,
            admin_list("reporting_monthlyreport", **reports),
        ),
        (
            "failure_rate",
            "检定不合格率",
            this.failure_rate,
            last.failure_rate,
            pct,
            admin_list(
                "reporting_verification",
                result="unqualified",
                **_station_param(this),
                **_period_params(this, "verified_on"),
                **({"item__id__exact": this.filters.item} if this.filters.item else {}),
            ),
        ),
        (
            "pass_rate",
            "监督复核合格率",
            this.pass_rate,
            last.pass_rate,
            pct,
            admin_list("inspections_sampledraw", plan__year=this.filters.year, **_station_param(this)),
        ),
        (
            "inspections",
            "现场检查（已检查）",
            this.total("inspections"),
            last.total("inspections"),
            None,
            admin_list(
                "inspections_inspection",
                **_station_param(this),
                **_district_param(this),
                **_period_params(this, "held_on"),
            ),
        ),
        (
            "inspections_missing",
            "本年尚未现场检查",
            len(this.inspections_missing),
            len(last.inspections_missing),
            None,
            "?" + this.filters.query(sort="inspections", dir="asc") + "#league",
        ),
        (
            "rectifications_overdue",
            "逾期未整改",
            this.rectifications_overdue,
            last.rectifications_overdue,
            None,
            admin_list("inspections_rectification", overdue="yes"),
        ),
        (
            "open_complaints",
            "未办结投诉",
            this.total("open_complaints"),
            last.total("open_complaints"),
            None,
            admin_list("inspections_complaint", status="open", **_station_param(this), **_district_param(this)),
        ),
        (
            "violations",
            "违规处理",
            this.total("violations"),
            last.total("violations"),
            None,
            admin_list("inspections_violation", **_station_param(this), **_period_params(this, "found_on")),
        ),
        (
            "expiring",
            "六个月内到期证书",
            this.expiring,
            last.expiring,
            None,
            admin_list("authorizations_certificate", expiring="soon", **cert),
        ),
        (
            "flags",
            "数据质量提示",
            this.total("flags"),
            last.total("flags"),
            None,
            admin_list("reporting_qualityflag", status__exact="open"),
        ),
        (
            "licence_findings",
            "许可证核查问题",
            this.licence_findings,
            last.licence_findings,
            None,
            _licence_findings_url(),
        ),
        (
            "not_verifiable",
            "无法开展检定的项目",
            this.total("not_verifiable"),
            None,
            None,
            admin_list("authorizations_stationcapability"),
        ),
    ]
    notes = {
        "open_complaints": f"其中超过30天{this.old_complaints}件" if this.old_complaints else "",
        "flags": f"待核实{this.total('flags_open')}条" if this.total("flags_open") else "",
        "licence_findings": f"待处理{this.licence_waiting}件" if this.licence_waiting else "",
    }
    return [
        Tile(
            key,
            label,
            fmt(value) if fmt else str(value),
            "—" if prev is None else (fmt(prev) if fmt else str(prev)),
            url,
            notes.get(key, ""),
            value,
            prev,
        )
        for key, label, value, prev, fmt, url in defs
    ]


def _licence_findings_url() -> str:
    try:
        return admin_list("inspections_licencefinding", status__exact="open")
    except NoReverseMatch:  # the licence register's admin is not installed yet
        return ""


# --- charts (ECharts options; the same series feed the brief's server-side SVG) ------------------------------


def month_labels() -> list[str]:
    return [f"{m}月" for m in range(1, 13)]


def _rate(cell: dict, key: str) -> float | None:
    return round(cell[key] * 100 / cell["expected"], 1) if cell["expected"] else None


def _failure(cell: dict) -> float | None:
    return round(cell["unqualified"] * 100 / cell["verified"], 2) if cell["verified"] else None


def charts(this: Figures, last: Figures, items: dict[int, object]) -> list[dict]:
    """Chart panels: id, title, ECharts option, and per category the URL a click opens."""
    y, py = this.filters.year, last.filters.year
    board = reverse("reporting:board")
    month_links = [f"{board}?month={y}-{m:02d}" for m in range(1, 13)]
    report_links = [admin_list("reporting_monthlyreport", month=f"{y}-{m:02d}") for m in range(1, 13)]
    rates = {
        "id": "rates",
        "title": f"月报报送率与及时率（{y}年与{py}年）",
        "links": month_links,
        "option": _line_option(
            month_labels(),
            [
                (f"{y}年报送率", [_rate(this.months[m], "submitted") for m in range(1, 13)]),
                (f"{py}年报送率", [_rate(last.months[m], "submitted") for m in range(1, 13)]),
                (f"{y}年及时率", [_rate(this.months[m], "on_time") for m in range(1, 13)]),
                (f"{py}年及时率", [_rate(last.months[m], "on_time") for m in range(1, 13)]),
            ],
            unit="%",
        ),
    }
    monthly = {
        "id": "verifications",
        "title": f"各月检定台件数与不合格率（{y}年与{py}年）",
        "links": report_links,
        "option": _bar_line_option(
            month_labels(),
            [
                (f"{y}年检定数", [this.months[m]["verified"] for m in range(1, 13)]),
                (f"{py}年检定数", [last.months[m]["verified"] for m in range(1, 13)]),
            ],
            [(f"{y}年不合格率", [_failure(this.months[m]) for m in range(1, 13)])],
        ),
    }
    item_ids = sorted(this.by_item, key=lambda i: getattr(items.get(i), "code", ""))
    names = [getattr(items.get(i), "name", str(i)) for i in item_ids]
    verification_list = [
        admin_list("reporting_verification", item__id__exact=i, **_period_params(this, "verified_on")) for i in item_ids
    ]
    by_item = {
        "id": "items",
        "title": f"分项目检定台件数与不合格率（{this.filters.label}）",
        "links": verification_list,
        "option": _bar_line_option(
            names,
            [("检定数", [this.by_item[i]["verified"] for i in item_ids])],
            [("不合格率", [_failure(this.by_item[i]) for i in item_ids])],
        ),
    }
    plan = {
        "id": "plan",
        "title": f"分项目强检计划与完成（{this.filters.label}）",
        "links": [admin_list("reporting_annualplan", year=y, status="issued") for _ in item_ids],
        "option": _bar_line_option(
            names,
            [
                ("计划台件数", [this.by_item[i]["planned"] for i in item_ids]),
                ("已检定台件数", [this.by_item[i]["verified"] for i in item_ids]),
            ],
            [],
        ),
    }
    tested = sorted((r for r in this.rows.values() if r.tested), key=lambda r: (r.pass_rate, r.station.name))
    station_page = reverse("dash:station", args=[0]).replace("/0/", "/{}/")  # reversed once, not per station
    passes = {
        "id": "pass_rates",
        "title": f"各单位监督复核合格率（{y}年）",
        "links": [station_page.format(r.station.pk) for r in tested],
        "option": _bar_line_option(
            [r.station.name for r in tested],
            [("复核合格率", [round(r.pass_rate * 100, 2) for r in tested])],
            [],
            unit="%",
        ),
    }
    return [rates, monthly, by_item, plan, passes]


def _axis(categories):
    return {
        "type": "category",
        "data": categories,
        "axisLabel": {"interval": 0, "rotate": 30 if len(categories) > 8 else 0},
    }


def _line_option(categories, series, *, unit=""):
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 24, "top": 40, "bottom": 48},
        "xAxis": _axis(categories),
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}" + unit}},
        "series": [{"name": n, "type": "line", "data": d, "connectNulls": False} for n, d in series],
    }


def _bar_line_option(categories, bars, lines, *, unit=""):
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 56, "right": 56, "top": 40, "bottom": 72},
        "xAxis": _axis(categories),
        "yAxis": [{"type": "value", "axisLabel": {"formatter": "{value}" + unit}}],
        "series": [{"name": n, "type": "bar", "data": d} for n, d in bars],
    }
    if lines:
        option["yAxis"].append({"type": "value", "axisLabel": {"formatter": "{value}%"}})
        option["series"] += [{"name": n, "type": "line", "yAxisIndex": 1, "data": d} for n, d in lines]
    return option


# --- the league table ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    header: str
    value: object  # StationRow -> number or None
    fmt: object = str


LEAGUE = (
    Measure("reporting_rate", "报送率", lambda r: r.reporting_rate, pct),
    Measure("on_time_rate", "及时率", lambda r: r.on_time_rate, pct),
    Measure("verified", "检定台件数", lambda r: r.verified),
    Measure("failure_rate", "不合格率", lambda r: r.failure_rate, pct),
    Measure("plan_completion", "计划完成率", lambda r: r.plan_completion, pct),
    Measure("pass_rate", "复核合格率", lambda r: r.pass_rate, pct),
    Measure("inspections", "现场检查", lambda r: r.inspections),
    Measure("open_complaints", "未办结投诉", lambda r: r.open_complaints),
    Measure("violations", "违规处理", lambda r: r.violations),
    Measure("not_verifiable", "无法检定项目", lambda r: r.not_verifiable),
    Measure("flags", "数据质量提示", lambda r: r.flags),
)
SORT_KEYS = {"name", *(m.key for m in LEAGUE)}


def league(f: Figures, *, sort: str = "on_time_rate", direction: str = "asc") -> list[StationRow]:
    """Stations with anything to show, sorted by one measure; a station without a value sorts last."""
    rows = [r for r in f.rows.values() if r.authorized or r.expected or r.verified or r.open_complaints]
    if sort == "name":
        return sorted(rows, key=lambda r: r.station.name, reverse=direction == "desc")
    measure = next((m for m in LEAGUE if m.key == sort), LEAGUE[1])
    with_value = [r for r in rows if measure.value(r) is not None]
    without = sorted((r for r in rows if measure.value(r) is None), key=lambda r: r.station.name)
    with_value.sort(key=lambda r: (measure.value(r), r.station.name), reverse=direction == "desc")
    return with_value + without


def league_links(f: Figures) -> dict[str, str]:
    """Per measure, the filtered list its cells open, still missing the station (the cell appends it)."""
    station_page = reverse("dash:station", args=[0]).replace("/0/", "/{}/")
    reports = admin_list("reporting_monthlyreport", **_period_params(f, "period"))
    return {
        "reporting_rate": reports,
        "on_time_rate": reports,
        "verified": reports,
        "failure_rate": admin_list("reporting_verification", result="unqualified", **_period_params(f, "verified_on")),
        "plan_completion": admin_list("reporting_annualplan", year=f.filters.year),
        "pass_rate": admin_list("inspections_sampledraw", plan__year=f.filters.year),
        "inspections": admin_list("inspections_inspection", **_period_params(f, "held_on")),
        "open_complaints": admin_list("inspections_complaint", status="open"),
        "violations": admin_list("inspections_violation", **_period_params(f, "found_on")),
        "not_verifiable": station_page + "#resources",
        "flags": admin_list("reporting_qualityflag"),
        "station": station_page,
    }


def league_cells(links: dict[str, str], row: StationRow) -> list[tuple[str, str]]:
    """(text, drill-down URL) per measure of one station, from league_links()."""
    pk = row.station.pk
    cells = []
    for m in LEAGUE:
        value, url = m.value(row), links[m.key]
        url = url.format(pk) if "{}" in url else f"{url}{'&' if '?' in url else '?'}station__id__exact={pk}"
        cells.append((m.fmt(value) if value is not None else "—", url))
    return cells


def league_html(league: list[tuple[StationRow, str, list[tuple[str, str]]]]) -> SafeString:
    """The league table's body rows, as the page's template wrote them, joined in Python: 300 stations × 12
    cells cost the template engine about 100 ms, string formatting a few."""
    rows = []
    for row, station_url, cells in league:
        tds = "".join(f'<td><a href="{escape(url)}">{escape(text)}</a></td>' for text, url in cells)
        rows.append(
            f'<tr>\n      <td><a href="{escape(station_url)}">{escape(row.station.name)}</a></td>\n      {tds}\n    </tr>'
        )
    return mark_safe("".join(rows))  # every value above is escaped


def league_columns() -> list[Column]:
    """The league table's Excel columns: the same measures as the page."""
    return [
        Column("单位", lambda r: r.station.name, 30),
        Column("县（市、区）", lambda r: DISTRICTS.get(r.station.district, ""), 14),
        *(Column(m.header, (lambda m: lambda r: _excel(m.value(r), m.fmt))(m), 12) for m in LEAGUE),
    ]


def _excel(value, fmt):
    if value is None:
        return None
    return round(value * 100, 2) if fmt is pct else value


def as_of_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
