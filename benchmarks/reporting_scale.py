"""Reporting at province scale (DOMAIN M2, M8): 300 stations × 10 items × 10 years of monthly reports.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/reporting_scale.py

Creates its own PostgreSQL database (zz_bench3_<pid>, tables from the models), fills it, and drops it at the end.
Prints, for the last full year:
  * reporting and on-time rates of every station and the city — target ≤ 5 queries and ≤ 200 ms;
  * the export of the year's city-wide lines (one row per station × item × month) — target ≤ 1.3 × the time
    openpyxl's write-only mode needs to write the same rows with no database, measured in the same run.
Prints figures only; it never fails on them.
"""

import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

STATIONS, ITEMS_PER_STATION, CATALOGUE = 300, 10, 20
FIRST_YEAR, YEARS = 2016, 10
RUNS = 5


def setup_django():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates and drops its own database).")
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["TEST"].update(NAME=f"zz_bench3_{os.getpid()}", MIGRATE=False)


def build():
    from authorizations.models import Application, Certificate, CertificateItem, Station, Suspension, VerificationItem
    from authorizations.validators import make_credit_code
    from reporting.deadlines import monthly_due_on
    from reporting.models import MonthlyReport, MonthlyReportLine, MonthlyReportVersion
    from zzmetro.dates import BEIJING, add_months

    rng = random.Random(3)
    items = VerificationItem.objects.bulk_create(
        VerificationItem(code=f"B{n:03d}", name=f"检定项目{n}", regulation="JJG 596-2012") for n in range(CATALOGUE)
    )
    stations = Station.objects.bulk_create(
        Station(
            name=f"郑州市第{n:03d}计量检定站",
            credit_code=make_credit_code(f"91410100BM{n:07d}"),
            address="郑州市",
            district="jinshui",
            industry="电力",
            contact_person="张三",
            contact_phone="0371-1",
            email=f"s{n}@bench.cn",
        )
        for n in range(STATIONS)
    )
    starts = {s.pk: dt.date(FIRST_YEAR - 1, 7, 1) if n % 10 else dt.date(2020, 3, 15) for n, s in enumerate(stations)}
    applications, certificates = [], []
    for station in stations:
        start = starts[station.pk]
        while start <= dt.date(FIRST_YEAR + YEARS, 1, 1):
            applications.append(
                Application(
                    number=f"B-{len(applications)}",
                    station=station,
                    area="郑州",
                    status="certified",
                    submitted_on=start,
                )
            )
            certificates.append(
                Certificate(
                    number=f"BZ-{len(certificates)}",
                    station=station,
                    area="郑州",
                    issued_on=start,
                    valid_from=start,
                    expires_on=Certificate.expiry_for(start),
                    seal_number="章",
                )
            )
            start = Certificate.expiry_for(start) + dt.timedelta(days=1)
    Application.objects.bulk_create(applications, batch_size=2000)
    for application, certificate in zip(applications, certificates):
        certificate.application = application
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    station_items = {s.pk: rng.sample(items, ITEMS_PER_STATION) for s in stations}
    CertificateItem.objects.bulk_create(
        (
            CertificateItem(certificate=c, item=i, added_on=c.valid_from, application_id=c.application_id)
            for c in certificates
            for i in station_items[c.station_id]
        ),
        batch_size=5000,
    )
    Suspension.objects.bulk_create(
        Suspension(
            certificate=c,
            starts_on=c.valid_from + dt.timedelta(days=200),
            planned_end_on=c.valid_from + dt.timedelta(days=260),
            lifted_on=c.valid_from + dt.timedelta(days=250),
            reason="基准测试",
        )
        for c in certificates[::40]
    )
    periods = [add_months(dt.date(FIRST_YEAR, 1, 1), n) for n in range(YEARS * 12)]
    reports = []
    for station in stations:
        for period in periods:
            if period < starts[station.pk].replace(day=1) or rng.random() < 0.03:
                continue  # not yet authorized, or never reported (overdue)
            late = 0 if rng.random() < 0.9 else rng.randint(1, 9)
            at = dt.datetime.combine(monthly_due_on(period) + dt.timedelta(days=late - 1), dt.time(10), tzinfo=BEIJING)
            reports.append(
                MonthlyReport(
                    station=station,
                    period=period,
                    due_on=monthly_due_on(period),
                    status="submitted",
                    first_submitted_at=at,
                    submitted_at=at,
                    late_days=late,
                )
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=5000)
    versions = MonthlyReportVersion.objects.bulk_create(
        (MonthlyReportVersion(report=r, number=1, submitted_at=r.submitted_at, late_days=r.late_days) for r in reports),
        batch_size=5000,
    )
    station_of = {r.pk: r.station_id for r in reports}
    MonthlyReportLine.objects.bulk_create(
        (
            MonthlyReportLine(version=v, item=i, verified=40 + n, qualified=39 + n, unqualified=1, first_time_sticker=n)
            for v in versions
            for n, i in enumerate(station_items[station_of[v.report_id]])
        ),
        batch_size=10000,
    )
    return len(reports), MonthlyReportLine.objects.count()


def median_seconds(function, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(year: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import Workbook

    from reporting import exports
    from reporting.selectors.reports import reporting_rates

    as_of = dt.date(year + 1, 1, 10)
    with CaptureQueriesContext(connection) as queries:
        table = reporting_rates(year, as_of=as_of)
    rates = median_seconds(lambda: reporting_rates(year, as_of=as_of))
    print(
        f"rates {year}: {len(table.stations)} stations, city reporting {table.city.reporting_pct}, on time {table.city.on_time_pct}"
    )
    print(f"  queries: {len(queries)} (target ≤ 5)   median time: {rates * 1000:.0f} ms (target ≤ 200 ms)")

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 1)
    rows = [[column.value(row) for column in exports.LINE_COLUMNS] for row in exports.city_lines(start, end)]
    headers = [column.header for column in exports.LINE_COLUMNS]

    def openpyxl_only():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("月报")
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        book.save(io.BytesIO())

    baseline = median_seconds(openpyxl_only, 3)
    export = median_seconds(lambda: exports.write_city_lines(io.BytesIO(), start, end, title="月报"), 3)
    print(
        f"export {year}: {len(rows)} lines   with the database: {export:.2f} s   openpyxl write-only, no database: {baseline:.2f} s"
    )
    print(f"  ratio: {export / baseline:.2f} × (target ≤ 1.3 ×)")


def run() -> None:
    setup_django()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        reports, lines = build()
        print(
            f"built {STATIONS} stations, {reports} monthly reports, {lines} lines in {time.perf_counter() - started:.0f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        measure(FIRST_YEAR + YEARS - 1)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    run()
