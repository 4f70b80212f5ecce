"""Reads that carry the reporting rules: what a month asks for, who is expected, rates (M2, M5, M6, M8)."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

from authorizations.authority import StationAuthority, load_authorities, station_authority
from authorizations.models import Station, VerificationItem
from reporting.deadlines import month_end, monthly_due_on, quarter_months, quarterly_due_on
from reporting.models import (
    AnnualPlan,
    AnnualPlanLine,
    MonthlyReport,
    MonthlyReportLine,
    QuarterlyAnalysis,
    ReportingEvent,
)


@dataclass
class MonthAuthority:
    """What month `period` asks of a station (M2, M5)."""

    period: dt.date
    expected: bool  # authorized on at least one day (M8)
    in_force: bool  # could verify on at least one day (A10)
    items: list[VerificationItem]
    days_not_in_force: list[dt.date] = field(default_factory=list)  # suspended or unauthorized days (A10)


def month_authority(station: Station, period: dt.date, authority: StationAuthority | None = None) -> MonthAuthority:
    authority = authority or station_authority(station.pk)
    span = (period, month_end(period))
    items = VerificationItem.objects.filter(pk__in=authority.item_ids_in(span)).order_by("code")
    gaps = authority.days_not_in_force(span)
    return MonthAuthority(period, authority.current_in(span), authority.in_force_in(span), list(items), gaps)


def go_live_month() -> dt.date | None:
    """M8: the first month reported through the portal (ZZ_GO_LIVE, "YYYY-MM"); None when every month is."""
    return settings.ZZ_POLICY["GO_LIVE"]


def reported_online(period: dt.date) -> bool:
    """M8: a month before go-live was reported on paper — never expected online, never overdue.

    The one place this is decided: rates, boards, reminders, the officer's months and the dashboard ask here.
    """
    go_live = go_live_month()
    return go_live is None or period >= go_live


def expected_station_ids(period: dt.date) -> set[int]:
    """M8: stations authorized (certificate current) on at least one day of the month, from go-live on."""
    if not reported_online(period):
        return set()
    span = (period, month_end(period))
    return {sid for sid, authority in load_authorities().items() if authority.current_in(span)}


def submitted_station_ids(period: dt.date) -> set[int]:
    return set(
        MonthlyReport.objects.filter(period=period, first_submitted_at__isnull=False).values_list(
            "station_id", flat=True
        )
    )


# --- rates (M8) ---------------------------------------------------------------------------------------------

STATUS_LABELS = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "overdue": "逾期未报",
    "reopened": "已退回修改",
    "pending": "未到截止日",
    "not_expected": "无需报送",
    "not_online": "上线前纸质报送",
}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass
class RateRow:
    """Counts over the closed months (due day passed) of one station, or of the city."""

    name: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    months: dict = field(default_factory=dict)  # month number -> status key

    @property
    def reporting_rate(self) -> float | None:
        return self.submitted / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    @property
    def reporting_pct(self) -> str:
        return _percent(self.reporting_rate)

    @property
    def on_time_pct(self) -> str:
        return _percent(self.on_time_rate)

    @property
    def month_cells(self) -> list[tuple[str, str]]:
        return [
            (self.months.get(m, "not_expected"), STATUS_LABELS[self.months.get(m, "not_expected")])
            for m in range(1, 13)
        ]

    def count(self, status: str, *, first_on_time: bool = False) -> None:
        """A reopened report keeps the timeliness of its first submission (M4 decision)."""
        if status in ("pending", "not_expected", "not_online"):
            return
        self.expected += 1
        if status in ("on_time", "late", "reopened"):
            self.submitted += 1
        if status == "on_time" or (status == "reopened" and first_on_time):
            self.on_time += 1


@dataclass
class RateTable:
    year: int
    as_of: dt.date
    stations: list[RateRow]
    city: RateRow
    city_months: dict  # month number -> RateRow


def _cell(authority: StationAuthority | None, period: dt.date, report: tuple | None, as_of: dt.date) -> str:
    month = _MonthFacts.of(period, as_of)
    return _status(authority is not None and authority.current_in(month.span), month, report)


@dataclass(frozen=True)
class _MonthFacts:
    """What a month's status depends on apart from the station: worked out once per month, not once per cell."""

    span: tuple[dt.date, dt.date]
    online: bool  # M8
    past_due: bool  # the due day has passed on as_of (M2)

    @classmethod
    def of(cls, period: dt.date, as_of: dt.date) -> "_MonthFacts":
        return cls((period, month_end(period)), reported_online(period), as_of > monthly_due_on(period))


def _status(current: bool, month: _MonthFacts, report: tuple | None) -> str:
    """`current`: the station is authorized on some day of the month (M8)."""
    if not current:
        return "not_expected"
    if not month.online:
        return "not_online"
    if report is not None and report[0] is not None:
        late_days, status = report
        if status == MonthlyReport.Status.REOPENED:
            return "reopened"
        return "on_time" if late_days == 0 else "late"
    return "overdue" if month.past_due else "pending"


def report_statuses(years, *, station_ids=None):
    """(station id, period, late days, status) of every report of `years`: what reporting_rates reads."""
    years = sorted(years)
    reports = MonthlyReport.objects.filter(period__gte=dt.date(years[0], 1, 1), period__lte=dt.date(years[-1], 12, 1))
    if station_ids is not None:
        reports = reports.filter(station_id__in=station_ids)
    return reports.values_list("station_id", "period", "late_days", "status").order_by()  # read into a dict: no sort


def reporting_rates(
    year: int, *, as_of: dt.date, station_ids=None, stations=None, authorities=None, reports=None
) -> RateTable:
    """M8 per station and city-wide, per month and year to date, in four queries (none when the caller passes
    the `stations` (ordered by name), their `authorities` and the `reports` rows of report_statuses() it has
    already loaded, as the dashboard does for two years at once).

    A month counts once its due day has passed; a reopened report counts as submitted with the timeliness of
    its first submission (M4 decision).
    """
    if reports is None:
        reports = report_statuses([year], station_ids=station_ids)
    if stations is None:
        stations = Station.objects.order_by("name").only("id", "name")
        if station_ids is not None:
            stations = stations.filter(pk__in=station_ids)
    if authorities is None:
        authorities = load_authorities(station_ids=station_ids)
    by_key = {(sid, p.month): (late, status) for sid, p, late, status in reports if p.year == year}
    periods = [dt.date(year, m, 1) for m in range(1, 13)]
    facts = {period: _MonthFacts.of(period, as_of) for period in periods}
    city, city_months, rows = RateRow("全市"), {p.month: RateRow(f"{p.month}月") for p in periods}, []
    for station in stations:
        authority = authorities.get(station.pk)
        if authority is None:
            continue
        row = RateRow(station.name)
        row.station_id = station.pk
        current = authority.months_current_in(year)
        for period in periods:
            report = by_key.get((station.pk, period.month))
            status = _status(period.month in current, facts[period], report)
            first_on_time = report is not None and report[0] == 0
            row.months[period.month] = status
            for target in (row, city, city_months[period.month]):
                target.count(status, first_on_time=first_on_time)
        if row.expected or any(s != "not_expected" for s in row.months.values()):
            rows.append(row)
    return RateTable(year, as_of, rows, city, city_months)


# --- the bureau's month board (M2, M8) ----------------------------------------------------------------------


@dataclass
class BoardRow:
    station: Station
    status: str
    report: MonthlyReport | None

    @property
    def status_label(self) -> str:
        if self.status == "late" and self.report:
            return f"逾期报送（{self.report.late_days}天）"
        return STATUS_LABELS[self.status]


def month_board(period: dt.date, *, as_of: dt.date, status: str = "") -> list[BoardRow]:
    """Every station expected for `period` with its status: on time, late, overdue, reopened or not yet due."""
    authorities = load_authorities()
    span = (period, month_end(period))
    expected = [sid for sid, a in authorities.items() if a.current_in(span)] if reported_online(period) else []
    reports = {r.station_id: r for r in MonthlyReport.objects.filter(period=period, station_id__in=expected)}
    rows = []
    for station in Station.objects.filter(pk__in=expected).order_by("name"):
        report = reports.get(station.pk)
        key = (report.late_days, report.status) if report else None
        rows.append(BoardRow(station, _cell(authorities[station.pk], period, key, as_of), report))
    return [r for r in rows if not status or r.status == status]


# --- the officer's form: year to date against the plan (M2, P1) ---------------------------------------------


def plan_in_progress(user, year: int) -> AnnualPlan | None:
    """The officer's newest plan version for `year` that is not superseded: what the plan button leads to (P1)."""
    return (
        AnnualPlan.objects.for_user(user)
        .filter(year=year)
        .exclude(status=AnnualPlan.Status.SUPERSEDED)
        .order_by("-version")
        .first()
    )


def plan_for(station: Station, year: int) -> AnnualPlan | None:
    """The plan that counts for `year`: the issued one, else the newest approved or submitted version."""
    plans = AnnualPlan.objects.filter(station=station, year=year).exclude(status=AnnualPlan.Status.SUPERSEDED)
    issued = plans.filter(status=AnnualPlan.Status.ISSUED).order_by("-version").first()
    return issued or plans.exclude(status=AnnualPlan.Status.DRAFT).order_by("-version").first()


def year_to_date(user, period: dt.date) -> dict[int, dict]:
    """Per item: verified in the officer's station's earlier months of the year (current versions) and planned."""
    reports = MonthlyReport.objects.for_user(user)
    verified = (
        MonthlyReportLine.objects.filter(
            version__report__in=reports,
            version__is_current=True,
            version__report__period__year=period.year,
            version__report__period__lt=period,
        )
        .values("item_id")
        .annotate(total=Sum("verified"))
    )
    totals = {row["item_id"]: {"verified": row["total"], "planned": None} for row in verified}
    plan = plan_for(user.station, period.year)
    if plan:
        for line in AnnualPlanLine.objects.filter(plan=plan):
            totals.setdefault(line.item_id, {"verified": 0, "planned": None})["planned"] = line.planned_count
    return totals


def analysis_events(analysis: QuarterlyAnalysis):
    """A quarterly analysis's events (its stamped copies), newest first (M6, A12): they hang on it as their subject."""
    subject_type = ContentType.objects.get_for_model(QuarterlyAnalysis)
    return ReportingEvent.objects.filter(subject_type=subject_type, subject_id=analysis.pk).select_related("by")


def current_lines(report: MonthlyReport):
    return MonthlyReportLine.objects.filter(version__report=report, version__is_current=True).select_related("item")


def report_versions(report: MonthlyReport):
    from django.db.models import Prefetch

    return report.versions.select_related("submitted_by").prefetch_related(
        Prefetch("lines", queryset=MonthlyReportLine.objects.select_related("item"))
    )


def open_months(user, *, as_of: dt.date, back: int = 12) -> list[dict]:
    """The officer's station's recent months that ask for a report, newest first, with their report if any."""
    authority = station_authority(user.station_id, with_items=False)
    since = _months_back(as_of, back)
    reports = {r.period: r for r in MonthlyReport.objects.for_user(user).filter(period__gte=since)}
    months = []
    period = as_of.replace(day=1)
    for _ in range(back):
        period = _months_back(period, 1)
        if authority.current_in((period, month_end(period))) and reported_online(period):
            report = reports.get(period)
            key = (report.late_days, report.status) if report else None
            months.append(
                {
                    "period": period,
                    "report": report,
                    "status": _cell(authority, period, key, as_of),
                    "due_on": monthly_due_on(period),
                }
            )
    return months


def _months_back(day: dt.date, months: int) -> dt.date:
    from zzmetro.dates import add_months

    return add_months(day.replace(day=1), -months)


# --- quarterly analysis (M6) -------------------------------------------------------------------------------


@dataclass
class QuarterStatistics:
    months: list[dt.date]
    missing: list[dt.date]
    rows: list[dict]  # item, per-month verified, totals
    totals: dict


def quarter_statistics(station: Station, year: int, quarter: int) -> QuarterStatistics:
    months = quarter_months(year, quarter)
    lines = MonthlyReportLine.objects.filter(
        version__report__station=station, version__is_current=True, version__report__period__in=months
    ).select_related("item", "version__report")
    submitted = set(
        MonthlyReport.objects.filter(station=station, period__in=months, first_submitted_at__isnull=False).values_list(
            "period", flat=True
        )
    )
    by_item: dict[int, dict] = {}
    for line in lines:
        row = by_item.setdefault(
            line.item_id,
            {
                "item": line.item,
                "monthly": {m: 0 for m in months},
                "verified": 0,
                "qualified": 0,
                "unqualified": 0,
                "first_time_sticker": 0,
            },
        )
        row["monthly"][line.version.report.period] += line.verified
        for key in ("verified", "qualified", "unqualified", "first_time_sticker"):
            row[key] += getattr(line, key)
    rows = sorted(by_item.values(), key=lambda r: r["item"].code)
    for row in rows:
        row["monthly_list"] = [row["monthly"][m] for m in months]
        row["pass_rate"] = row["qualified"] / row["verified"] if row["verified"] else None
    totals = {key: sum(r[key] for r in rows) for key in ("verified", "qualified", "unqualified", "first_time_sticker")}
    totals["pass_rate"] = totals["qualified"] / totals["verified"] if totals["verified"] else None
    return QuarterStatistics(months, [m for m in months if m not in submitted], rows, totals)


def quarter_expected(authority: StationAuthority, year: int, quarter: int) -> bool:
    """M6, M8: a quarter's analysis is asked for only when all its months are on or after go-live and the
    station was authorized in the quarter.

    The one place this is decided: the portal's list, the service and the bureau's board all ask here.
    """
    months = quarter_months(year, quarter)
    if not reported_online(months[0]):
        return False
    return authority.current_in((months[0], month_end(months[-1])))


def recent_quarters(user, *, as_of: dt.date, back: int = 4) -> list[dict]:
    """The last `back` closed quarters that ask the officer's station for an analysis, newest first, with it (M6)."""
    authority = station_authority(user.station_id, with_items=False)
    year, quarter, closed = as_of.year, (as_of.month - 1) // 3 + 1, []
    for _ in range(back):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        closed.append((year, quarter))
    analyses = QuarterlyAnalysis.objects.for_user(user).filter(year__gte=closed[-1][0])
    analyses = {(a.year, a.quarter): a for a in analyses}
    return [
        {"year": y, "quarter": q, "due_on": quarterly_due_on(y, q), "analysis": analyses.get((y, q))}
        for y, q in closed
        if quarter_expected(authority, y, q)
    ]


@dataclass
class QuarterBoardRow:
    station: Station
    analysis: QuarterlyAnalysis | None


def quarterly_board(year: int, quarter: int) -> list[QuarterBoardRow]:
    """Stations expected in the quarter, with their analysis; the bureau sees who has not uploaded (M6)."""
    expected = [sid for sid, a in load_authorities().items() if quarter_expected(a, year, quarter)]
    analyses = {
        a.station_id: a for a in QuarterlyAnalysis.objects.filter(year=year, quarter=quarter, station_id__in=expected)
    }
    return [QuarterBoardRow(s, analyses.get(s.pk)) for s in Station.objects.filter(pk__in=expected).order_by("name")]


def quarter_closed(year: int, quarter: int, today: dt.date) -> bool:
    return today > month_end(quarter_months(year, quarter)[-1])


__all__ = [
    "MonthAuthority",
    "RateTable",
    "STATUS_LABELS",
    "analysis_events",
    "current_lines",
    "expected_station_ids",
    "go_live_month",
    "month_authority",
    "month_board",
    "open_months",
    "plan_for",
    "plan_in_progress",
    "quarter_closed",
    "quarter_expected",
    "quarter_statistics",
    "quarterly_board",
    "quarterly_due_on",
    "recent_quarters",
    "report_versions",
    "report_statuses",
    "reported_online",
    "reporting_rates",
    "submitted_station_ids",
    "year_to_date",
]
