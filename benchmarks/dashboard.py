"""The managers' dashboard at scale (issue 11): 300 stations × 10 items × 10 years of monthly reports and
1,000,000 archived verifications, with issued plans, inspections, complaints, violations and samples.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/dashboard.py
    BENCH_KEEP_DB=zz_bench_dashboard …   # build once into that database, keep it, reuse it on the next run

Creates its own PostgreSQL database (zz_bench3_<pid>, tables from the models, built by reporting_scale.py's
builder plus the rest here) and drops it at the end. For the whole page as the manager gets it (middleware,
session, every panel, template) with each filter, prints the number of queries (target ≤ 20) and the median
server time (target ≤ 300 ms). Prints figures only; it never fails on them.
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reporting_scale  # noqa: E402  (the 300 × 10 × 10-year report builder)

VERIFICATIONS, INSTRUMENTS = 1_000_000, 100_000
YEAR = reporting_scale.FIRST_YEAR + reporting_scale.YEARS - 1  # the last full year of reports
RUNS = 7


def build_rest() -> None:
    """Issued plans, the archive, supervision and complaints on top of the reports."""
    from django.db import connection

    from authorizations.models import Station
    from inspections.models import Complaint, Inspection, SampleDraw, SampleItem, SupervisionPlan, Violation
    from reporting.models import AnnualPlan, AnnualPlanLine, Verification

    stations = list(Station.objects.order_by("pk"))
    items = {s: list(ids) for s, ids in _station_items().items()}
    plans = AnnualPlan.objects.bulk_create(
        AnnualPlan(station=s, year=y, status=AnnualPlan.Status.ISSUED) for s in stations for y in (YEAR - 1, YEAR)
    )
    AnnualPlanLine.objects.bulk_create(
        (AnnualPlanLine(plan=p, item_id=i, planned_count=500) for p in plans for i in items[p.station_id]),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO reporting_instrument (station_id, item_id, user_unit, name, model, serial_number,
                   measuring_range, accuracy_class, use, location, cycle_months, last_result, created_at)
               SELECT s.id, ci.item_id, '用户' || (n %% 997), '器具', 'M', 'BENCH' || n, '', '2级',
                      CASE WHEN n %% 3 = 0 THEN 'trade' ELSE 'safety' END, '', 12, 'qualified', now()
               FROM generate_series(1, %s) AS n
               JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM authorizations_station) s
                    ON s.k = n %% %s
               JOIN LATERAL (SELECT item_id FROM authorizations_certificateitem c
                             JOIN authorizations_certificate ce ON ce.id = c.certificate_id
                             WHERE ce.station_id = s.id LIMIT 1) ci ON true""",
            [INSTRUMENTS, len(stations)],
        )
        cursor.execute(
            """INSERT INTO reporting_verification (instrument_id, station_id, item_id, use, verified_on, result,
                   certificate_number, verifier_id, standard_id, created_at)
               SELECT i.id, i.station_id, i.item_id, i.use, DATE %s + ((i.id * 7 + r) %% 730)::int,
                      CASE WHEN (i.id + r) %% 50 = 0 THEN 'unqualified' ELSE 'qualified' END, 'JD' || i.id || '-' || r,
                      1, 1, now()
               FROM reporting_instrument i CROSS JOIN generate_series(1, %s) AS r""",
            [f"{YEAR - 1}-01-01", VERIFICATIONS // INSTRUMENTS],
        )
    supervision = SupervisionPlan.objects.create(year=YEAR, institution="郑州市计量科学研究院")
    draws = SampleDraw.objects.bulk_create(
        SampleDraw(plan=supervision, station=s, seed=n, size=5, population=100, trade_population=30)
        for n, s in enumerate(stations)
    )
    verifications = list(Verification.objects.order_by("pk").values_list("pk", flat=True)[: len(draws) * 5])
    SampleItem.objects.bulk_create(
        SampleItem(draw=d, verification_id=verifications[n * 5 + k], result="qualified" if k else "unqualified")
        for n, d in enumerate(draws)
        for k in range(5)
    )
    Inspection.objects.bulk_create(
        Inspection(station=s, planned_on=dt.date(YEAR, 5, 1), held_on=dt.date(YEAR, 5, 2), result="pass")
        for s in stations[::2]
    )
    Complaint.objects.bulk_create(
        Complaint(station=s, received_on=dt.date(YEAR, 11, 1), complainant="甲", subject="计量不准", description="…")
        for s in stations[::5]
    )
    Violation.objects.bulk_create(
        Violation(
            station=s,
            kind="late_reports",
            found_on=dt.date(YEAR, 6, 1),
            description="…",
            action="correction_order",
            decided_on=dt.date(YEAR, 6, 2),
        )
        for s in stations[::7]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Verification.objects.count()


def _station_items() -> dict[int, set[int]]:
    from authorizations.models import CertificateItem

    result: dict[int, set[int]] = {}
    for station, item in CertificateItem.objects.values_list("certificate__station_id", "item_id"):
        result.setdefault(station, set()).add(item)
    return result


def measure() -> None:
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from authorizations.models import Role, Station, User, VerificationItem

    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"role": Role.MANAGER, "is_staff": True})
    client = Client()
    client.force_login(manager)
    station = Station.objects.order_by("pk").first()
    item = VerificationItem.objects.order_by("pk").first()
    filters = {
        "this year (default)": {},
        f"{YEAR}": {"year": YEAR},
        f"{YEAR}-11": {"year": YEAR, "month": 11},
        f"{YEAR} Q2": {"year": YEAR, "quarter": 2},
        "district": {"year": YEAR, "district": "jinshui"},
        "item": {"year": YEAR, "item": item.pk},
        "station": {"year": YEAR, "station": station.pk},
        "sorted by pass rate": {"year": YEAR, "sort": "pass_rate", "dir": "desc"},
    }
    url = reverse("dashboard")
    client.get(url)  # the browser's CSRF cookie, which a kept page is keyed on
    print(
        f"{'filter':<22}{'queries':>8}{'median ms':>11}{'kept ms':>9}   (targets ≤ 20 queries, ≤ 300 ms; "
        "kept: served again while no row changed, zzmetro/pagecache.py)"
    )
    for name, params in filters.items():
        caches["kept"].clear()
        queries = []  # counted at the cursor: a request resets connection.queries, so CaptureQueriesContext sees none
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            assert client.get(url, params).status_code == 200
        times, kept = [], []
        for _ in range(RUNS):
            caches["kept"].clear()  # rendered in full, as after any change to the rows it reads
            started = time.perf_counter()
            client.get(url, params)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.get(url, params)
            kept.append(time.perf_counter() - started)
        print(
            f"{name:<22}{len(queries):>8}{statistics.median(times) * 1000:>11.0f}{statistics.median(kept) * 1000:>9.1f}"
        )


def run() -> None:
    os.environ.setdefault("STATIC_MANIFEST", "0")  # the page's static URLs without a collectstatic run
    reporting_scale.setup_django()
    from django.db import connection
    from django.urls import reverse

    from authorizations.models import Station

    reverse("dashboard")  # load every view now: the page is measured minutes later
    keep = os.environ.get("BENCH_KEEP_DB", "")  # a database name: built once, then reused and never dropped
    if keep:
        connection.settings_dict["TEST"]["NAME"] = keep
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=bool(keep))
    try:
        if not Station.objects.exists():
            started = time.perf_counter()
            reports, lines = reporting_scale.build()
            verifications = build_rest()
            print(
                f"built {reporting_scale.STATIONS} stations, {reports} monthly reports, {lines} lines, "
                f"{verifications} archived verifications in {time.perf_counter() - started:.0f} s"
            )
        measure()
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    run()
