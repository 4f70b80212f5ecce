"""The managers' compliance dashboard (监管看板): every figure for one filter, with the same period last year.

The dashboard reads every app, so it lives at the top of the import chain. It asks each rule where it lives —
expected months and rates (M8) in reporting selectors, authority (A6–A11) in authorizations.authority,
overdue rectifications (I1) on their queryset, pass rates (I3) in the sampling service, capability (R2) in the
resources selectors — and only adds them up. A fixed number of queries whatever the filter or the number of
stations (benchmarks/dashboard.py prints it).
"""

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, DateField, Q, Sum, Value

from authorizations.authority import as_flag, live_in_q, live_on_q, load_authorities
from authorizations.models import CertificateItem, MeasurementStandard, Personnel, Station, VerificationItem
from authorizations.selectors.certificates import certificates_expiring
from authorizations.selectors.resources import ItemCapability
from inspections.models import Complaint, Inspection, LicenceFinding, Rectification, SampleItem, Violation
from inspections.selectors.dashboard_figures import Figures, Filters, StationRow, same_day_last_year
from reporting.models import AnnualPlan, AnnualPlanLine, MonthlyReportLine, QualityFlag
from reporting.selectors.reports import report_statuses, reporting_rates

COMPLAINT_OLD_DAYS = 30  # I5: an open complaint older than this shows red, as on the supervision board


def all_stations() -> list[Station]:
    """Every station by name (the filter bar's choices and the scope): one query."""
    return list(Station.objects.order_by("name").only("id", "name", "district"))


def all_items() -> list[VerificationItem]:
    return list(VerificationItem.objects.order_by("code"))


def station_scope(filters: Filters, stations: list[Station]) -> list[Station]:
    """The stations the filter reaches (district, station)."""
    return [
        s
        for s in stations
        if (not filters.district or s.district == filters.district) and (not filters.station or s.pk == filters.station)
    ]


def compute(filters: Filters, *, today: dt.date, stations=None) -> tuple[Figures, Figures]:
    """This period's figures and the same period's last year, in a fixed number of queries.

    `stations` is all_stations() when the caller already has it.
    """
    everyone = all_stations() if stations is None else stations
    stations = station_scope(filters, everyone)
    ids = None if len(stations) == len(everyone) else [s.pk for s in stations]  # None: no IN list for the city
    day = min(filters.end, today)
    items_on_day, with_item = _certificate_items(filters, ids, day)
    if filters.item:  # a station counts for an item only while that item is on its certificate
        stations = [s for s in stations if s.pk in with_item]
        ids = [s.pk for s in stations]
    authorities = load_authorities(station_ids=ids)
    figures = (
        Figures(filters, day, today),
        Figures(filters.last_year(), same_day_last_year(day), same_day_last_year(today)),
    )
    for f in figures:
        for station in stations:
            authority = authorities[station.pk] if station.pk in authorities else None
            row = f.rows[station.pk] = StationRow(station)
            if authority:
                row.authorized = authority.current_in((f.day, f.day))
                row.in_force = authority.in_force_on(f.day)
        f.months = {
            m: dict.fromkeys(("expected", "submitted", "on_time", "verified", "unqualified"), 0) for m in range(1, 13)
        }
    reports = list(report_statuses([filters.year - 1, filters.year], station_ids=ids))
    for f in figures:
        _add_rates(f, stations, authorities, reports)
    _add_lines(figures, ids, filters)
    _add_plans(figures, ids, filters)
    _add_samples(figures, ids)
    _add_supervision(figures, ids, authorities)
    _add_counts(figures, ids)
    _add_flags(figures, ids, filters)
    _add_capabilities(figures[0], ids, items_on_day)
    return figures


def _certificate_items(filters: Filters, ids, day: dt.date) -> tuple[dict[int, set[int]], set[int]]:
    """Per station, the items on its live certificate on `day` (A8, R2); and the stations that held the filter's
    item on some day of either period. One query, the authority module's SQL boundaries."""
    start = dt.date(filters.year - 1, filters.months[0], 1)
    rows = (
        CertificateItem.objects.filter(
            _within(ids, "certificate__station_id"), live_in_q((start, day), "certificate__")
        )
        .annotate(on_day=as_flag(live_on_q(day, "certificate__") & Q(added_on__lte=day)))
        .values_list("certificate__station_id", "item_id", "on_day")
        .order_by()  # read into sets: no join to the catalogue for its default ordering
    )
    on_day: dict[int, set[int]] = defaultdict(set)
    with_item = set()
    for sid, item, live in rows:
        if live:
            on_day[sid].add(item)
        if item == filters.item:
            with_item.add(sid)
    return on_day, with_item


def _within(ids, field: str) -> Q:
    """The filter's stations; no condition at all when it reaches the whole city."""
    return Q() if ids is None else Q(**{f"{field}__in": ids})


def _add_rates(f: Figures, stations, authorities, reports) -> None:
    """M8 via reporting_rates on rows already loaded; a year's months outside the filter are left out."""
    table = reporting_rates(f.filters.year, as_of=f.as_of, stations=stations, authorities=authorities, reports=reports)
    months = set(f.filters.months)
    late_month = _last_closed_month(f.as_of)
    for rate_row in table.stations:
        row = f.rows[rate_row.station_id]
        for month, status in rate_row.months.items():
            cell = f.months[month]
            if status in ("pending", "not_expected", "not_online"):
                continue
            submitted = status in ("on_time", "late", "reopened")
            on_time = status == "on_time"
            cell["expected"] += 1
            cell["submitted"] += submitted
            cell["on_time"] += on_time
            if month in months:
                row.expected += 1
                row.submitted += submitted
                row.on_time += on_time
            if (f.filters.year, month) == late_month and status == "overdue":
                row.late_now = True


def _last_closed_month(today: dt.date) -> tuple[int, int]:
    """The month whose report was last due: on 10 December, November."""
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def _lines(ids, filters: Filters):
    lines = MonthlyReportLine.objects.filter(
        _within(ids, "version__report__station_id"),
        version__is_current=True,
        version__report__period__gte=dt.date(filters.year - 1, 1, 1),
        version__report__period__lte=dt.date(filters.year, 12, 1),
    )
    return lines.filter(item_id=filters.item) if filters.item else lines


def _add_lines(figures, ids, filters: Filters) -> None:
    """Verified and unqualified counts of the current report versions (M2): by month and item, and by station.

    One query: the lines of both years are joined once and added up twice, by (month, item) and by (station,
    month) — GROUPING SETS on PostgreSQL, a CTE read twice elsewhere (SQLite has no grouping sets).
    """
    this, last = figures
    by_year = {filters.year: this, filters.year - 1: last}
    months = {dt.date(f.filters.year, m, 1) for f in figures for m in f.filters.months}
    lines = _lines(ids, filters).values_list(
        "version__report__station_id", "version__report__period", "item_id", "verified", "unqualified"
    )
    sql, params = lines.order_by().query.sql_with_params()
    columns = "lines (station, period, item, verified, unqualified)"
    if connection.vendor == "postgresql":
        query = (
            f"SELECT CASE WHEN GROUPING(station) = 0 THEN station END, period, item, SUM(verified), SUM(unqualified)"
            f" FROM ({sql}) AS {columns} GROUP BY GROUPING SETS ((period, item), (station, period))"
        )
    else:
        query = (
            f"WITH {columns} AS ({sql}) SELECT NULL, period, item, SUM(verified), SUM(unqualified) FROM lines"
            " GROUP BY period, item UNION ALL SELECT station, period, NULL, SUM(verified), SUM(unqualified)"
            " FROM lines GROUP BY station, period"
        )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    for sid, period, item, verified, unqualified in rows:
        period = period if isinstance(period, dt.date) else dt.date.fromisoformat(period)  # SQLite returns text
        f = by_year[period.year]
        if sid is not None:  # a station's month: counted in the league table for the filter's months only
            if period in months:
                f.rows[sid].verified += verified
                f.rows[sid].unqualified += unqualified
            continue
        f.months[period.month]["verified"] += verified
        f.months[period.month]["unqualified"] += unqualified
        if period.month in filters.months:
            cell = f.by_item.setdefault(item, {"verified": 0, "unqualified": 0, "planned": 0})
            cell["verified"] += verified
            cell["unqualified"] += unqualified


def _add_plans(figures, ids, filters: Filters) -> None:
    """P1: the issued plans of both years, per station and item; a part of a year plans its share of months."""
    lines = AnnualPlanLine.objects.filter(
        _within(ids, "plan__station_id"),
        plan__status=AnnualPlan.Status.ISSUED,
        plan__year__in=[filters.year - 1, filters.year],
    )
    if filters.item:
        lines = lines.filter(item_id=filters.item)
    share = len(filters.months) / 12
    by_year = {f.filters.year: f for f in figures}
    for year, sid, item, planned in (
        lines.values_list("plan__year", "plan__station_id", "item_id").annotate(p=Sum("planned_count")).order_by()
    ):
        f = by_year[year]
        f.rows[sid].planned += round(planned * share)
        if f is figures[0]:
            f.by_item.setdefault(item, {"verified": 0, "unqualified": 0, "planned": 0})["planned"] += round(
                planned * share
            )


def _add_samples(figures, ids) -> None:
    """I2, I3: re-verification results of each year's supervision plan; refused samples count as failed."""
    by_year = {f.filters.year: f for f in figures}
    for year, sid, tested, passed in (
        SampleItem.objects.filter(_within(ids, "draw__station_id"), draw__plan__year__in=list(by_year))
        .exclude(result=SampleItem.Result.PENDING)
        .values_list("draw__plan__year", "draw__station_id")
        .annotate(t=Count("id"), p=Count("id", filter=Q(result=SampleItem.Result.QUALIFIED)))
        .order_by()
    ):
        by_year[year].rows[sid].tested, by_year[year].rows[sid].passed = tested, passed


def _in_period(f: Figures, day: dt.date | None) -> bool:
    return day is not None and f.filters.start <= day <= f.day


def _supervision_rows(figures, ids) -> list[tuple]:
    """(kind, station, day, closed day) of inspections held (I1), complaints open (I5) and violations found (I8)
    in the two periods: one query over the three tables."""
    first, last_day, no_day = dt.date(figures[1].filters.year, 1, 1), figures[0].day, Value(None, DateField())
    # No ORDER BY in the parts of a UNION (SQLite refuses it): the models' default ordering is dropped.
    inspections = Inspection.objects.filter(_within(ids, "station_id"), held_on__gte=first, held_on__lte=last_day)
    complaints = Complaint.objects.filter(_within(ids, "station_id"), received_on__lte=last_day).order_by()
    violations = Violation.objects.filter(_within(ids, "station_id"), found_on__gte=first, found_on__lte=last_day)
    inspections, violations = inspections.order_by(), violations.order_by()
    return list(
        inspections.annotate(source=Value("i"), until=no_day)
        .values_list("source", "station_id", "held_on", "until")
        .union(
            complaints.annotate(source=Value("c")).values_list("source", "station_id", "received_on", "closed_on"),
            violations.annotate(source=Value("v"), until=no_day).values_list(
                "source", "station_id", "found_on", "until"
            ),
            all=True,
        )
    )


def _add_supervision(figures, ids, authorities) -> None:
    rows = _supervision_rows(figures, ids)
    for f in figures:
        year_start = dt.date(f.filters.year, 1, 1)
        with_one = set()
        for kind, sid, day, closed in rows:
            row = f.rows[sid]
            if kind == "i":  # I1: inspections held in the period; a station without one in the year so far
                row.inspections += _in_period(f, day)
                if year_start <= day <= f.day:
                    with_one.add(sid)
            elif kind == "c" and day <= f.day and (closed is None or closed > f.day):  # I5: open on the day
                row.open_complaints += 1
                f.old_complaints += (f.day - day).days > COMPLAINT_OLD_DAYS
            elif kind == "v":  # I8: violations found in the period
                row.violations += _in_period(f, day)
        f.inspections_missing = [
            row.station
            for sid, row in f.rows.items()
            if sid in authorities and authorities[sid].current_in((year_start, f.day)) and sid not in with_one
        ]


def _add_flags(figures, ids, filters: Filters) -> None:
    """Q1–Q4: flags raised on the reports of the period's months, and those still waiting for staff."""
    open_ = Q(status=QualityFlag.Status.OPEN)
    flags = QualityFlag.objects.filter(_within(ids, "station_id"))
    if filters.item:
        flags = flags.filter(item_id=filters.item)
    counts = {}
    for n, f in enumerate(figures):
        months = Q(period__in=[dt.date(f.filters.year, m, 1) for m in f.filters.months])
        counts[f"raised{n}"] = Count("pk", filter=months)
        counts[f"open{n}"] = Count("pk", filter=months & open_)
    for row in flags.values("station_id").annotate(**counts).order_by():
        for n, f in enumerate(figures):
            f.rows[row["station_id"]].flags = row[f"raised{n}"]
            f.rows[row["station_id"]].flags_open = row[f"open{n}"]


def _add_counts(figures, ids) -> None:
    """Counts asked of each rule's own queryset, all in one query: overdue rectifications (I1), certificates
    within the warning months of expiry and not renewed (A7), licence findings found and waiting (L3)."""
    found = LicenceFinding.objects.all
    counts = {}
    for n, f in enumerate(figures):
        counts[f"rectifications{n}"] = Rectification.objects.overdue_on(f.day).filter(
            _within(ids, "inspection__station_id")
        )
        counts[f"expiring{n}"] = certificates_expiring(f.day).filter(_within(ids, "station_id"))
        counts[f"licence{n}"] = found().filter(found_at__date__gte=f.filters.start, found_at__date__lte=f.day)
    counts["waiting"] = found().filter(status=LicenceFinding.Status.OPEN)
    values = count_all(counts)
    for n, f in enumerate(figures):
        f.rectifications_overdue = values[f"rectifications{n}"]
        f.expiring = values[f"expiring{n}"]
        f.licence_findings = values[f"licence{n}"]
        f.licence_waiting = values["waiting"]


def count_all(querysets: dict) -> dict[str, int]:
    """COUNT of several querysets in one round trip: SELECT (SELECT COUNT(*) FROM (…)), …"""
    parts, params = [], []
    for queryset in querysets.values():
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(querysets, cursor.fetchone()))


def _add_capabilities(f: Figures, ids, items_on_day: dict[int, set[int]]) -> None:
    """R2 on the day: items on the live certificate whose every standard or every qualified person has expired.

    One query over both resources' item links; whether a resource is valid and whether an item is verifiable
    are the models' own rules (is_valid_on, ItemCapability.verifiable).
    """
    links = [
        (
            model,
            model.items.through.objects.filter(_within(ids, f"{name}__station_id"))
            .values_list(f"{name}__station_id", "verificationitem_id", f"{name}__valid_until")
            .annotate(kind=Value(kind))
            .order_by(),
        )
        for model, name, kind in ((MeasurementStandard, "measurementstandard", "s"), (Personnel, "personnel", "p"))
    ]
    counts = defaultdict(lambda: {"s": [0, 0], "p": [0, 0]})  # (station, item) -> kind -> [valid, total]
    for sid, item, valid_until, kind in links[0][1].union(links[1][1], all=True):
        model = MeasurementStandard if kind == "s" else Personnel
        cell = counts[sid, item][kind]
        cell[0] += model(valid_until=valid_until).is_valid_on(f.day)
        cell[1] += 1
    for sid, row in f.rows.items():
        if not row.authorized:
            continue
        for item in items_on_day[sid]:
            (sv, st), (pv, pt) = counts[sid, item]["s"], counts[sid, item]["p"]
            row.not_verifiable += not ItemCapability(None, sv, st, pv, pt).verifiable


def late_this_month(figures: Figures) -> list[Station]:
    return [r.station for r in figures.rows.values() if r.late_now]
