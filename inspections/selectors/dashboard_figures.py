"""The dashboard's filter (year, quarter or month, district, item, station) and the shapes of its figures: one
StationRow per station of the league table, one Figures per period. inspections.selectors.dashboard fills them.
"""

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from authorizations.models import Station
from inspections.services.sampling import pass_rate
from reporting.deadlines import month_end

QUARTER_MONTHS = {1: (1, 2, 3), 2: (4, 5, 6), 3: (7, 8, 9), 4: (10, 11, 12)}


# --- the filter bar -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Year, optionally a quarter or a month of it, district, verification item, station — all in the URL."""

    year: int
    quarter: int | None = None
    month: int | None = None
    district: str = ""
    item: int | None = None
    station: int | None = None

    @property
    def months(self) -> tuple[int, ...]:
        if self.month:
            return (self.month,)
        if self.quarter:
            return QUARTER_MONTHS[self.quarter]
        return tuple(range(1, 13))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.months[0], 1)

    @property
    def end(self) -> dt.date:
        return month_end(dt.date(self.year, self.months[-1], 1))

    @property
    def label(self) -> str:
        if self.month:
            return f"{self.year}年{self.month}月"
        if self.quarter:
            return f"{self.year}年第{self.quarter}季度"
        return f"{self.year}年"

    def last_year(self) -> "Filters":
        return replace(self, year=self.year - 1)

    def params(self, **changes) -> dict:
        values = {
            "year": self.year,
            "quarter": self.quarter or "",
            "month": self.month or "",
            "district": self.district,
            "item": self.item or "",
            "station": self.station or "",
            **changes,
        }
        return {k: v for k, v in values.items() if v not in ("", None)}

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))


def same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --- the figures --------------------------------------------------------------------------------------------


@dataclass
class StationRow:
    """One line of the league table: every measure of one station in the period."""

    station: Station
    authorized: bool = False
    in_force: bool = False
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late_now: bool = False
    verified: int = 0
    unqualified: int = 0
    planned: int = 0
    tested: int = 0
    passed: int = 0
    inspections: int = 0
    open_complaints: int = 0
    violations: int = 0
    not_verifiable: int = 0
    flags: int = 0  # data-quality flags raised on the period's reports (Q1–Q3)
    flags_open: int = 0  # of which staff have not yet marked explained or confirmed (Q4)

    @property
    def reporting_rate(self):
        return _ratio(self.submitted, self.expected)

    @property
    def on_time_rate(self):
        return _ratio(self.on_time, self.expected)

    @property
    def failure_rate(self):
        return _ratio(self.unqualified, self.verified)

    @property
    def plan_completion(self):
        return _ratio(self.verified, self.planned)

    @property
    def pass_rate(self):
        rate = pass_rate(self.passed, self.tested)
        return None if rate is None else float(rate) / 100


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    """Every number of one period (this year's or last year's) for the scope of the filter."""

    filters: Filters
    day: dt.date  # states (authorized, open complaints …) are read on this day: the period's end or today
    as_of: dt.date  # the day reporting deadlines are judged on (M2): today, or the same day last year
    rows: dict[int, StationRow] = field(default_factory=dict)
    months: dict[int, dict] = field(default_factory=dict)  # month -> reporting and verification figures
    by_item: dict[int, dict] = field(default_factory=dict)  # item id -> verified, unqualified, planned
    rectifications_overdue: int = 0
    old_complaints: int = 0  # open on the day for more than COMPLAINT_OLD_DAYS (I5)
    licence_findings: int = 0  # found in the period (L3)
    licence_waiting: int = 0  # open findings waiting for staff, whenever found
    expiring: int = 0
    inspections_missing: list = field(default_factory=list)  # stations authorized in the year without one (I1)

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.rows.values())

    def count(self, name: str) -> int:
        return sum(1 for r in self.rows.values() if getattr(r, name))

    @property
    def stations_authorized(self) -> int:
        return self.count("authorized")

    @property
    def stations_in_force(self) -> int:
        return self.count("in_force")

    @property
    def stations_suspended(self) -> int:
        return sum(1 for r in self.rows.values() if r.authorized and not r.in_force)

    @property
    def reporting_rate(self):
        return _ratio(self.total("submitted"), self.total("expected"))

    @property
    def on_time_rate(self):
        return _ratio(self.total("on_time"), self.total("expected"))

    @property
    def failure_rate(self):
        return _ratio(self.total("unqualified"), self.total("verified"))

    @property
    def plan_completion(self):
        return _ratio(self.total("verified"), self.total("planned"))

    @property
    def pass_rate(self):
        rate = pass_rate(self.total("passed"), self.total("tested"))
        return None if rate is None else float(rate) / 100
