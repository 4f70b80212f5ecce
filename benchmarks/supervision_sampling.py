"""Supervision at scale (DOMAIN I2–I4): one station's draw from 1,000,000 verifications, and the ratio job for 300 stations.

    .venv/bin/python benchmarks/supervision_sampling.py

Needs PostgreSQL: uses BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/zz_bench5, which it
creates, migrates and fills the first time (about a minute), and reuses after. Prints figures; never fails on them.
Targets: draw < 1 s; ratio job < 2 s with a bounded number of queries.
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

YEAR = 2026
VERIFICATIONS = 1_000_000
STATIONS = 300
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zz_bench5"


def setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
    _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def big_station():
    """One station with a million verifications in YEAR, a third of them trade settlement (built once)."""
    from django.db import connection

    from authorizations.models import Station
    from authorizations.tests.factories import (
        MeasurementStandardFactory,
        PersonnelFactory,
        StationFactory,
        VerificationItemFactory,
    )
    from authorizations.validators import make_credit_code

    station = Station.objects.filter(name="基准测试大站").first()
    if station:
        return station
    station = StationFactory(name="基准测试大站", credit_code=make_credit_code("91410100999999999"))
    item = VerificationItemFactory(code="BENCH-DN", name="电能表")
    verifier, standard = PersonnelFactory(station=station), MeasurementStandardFactory(station=station)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO reporting_instrument (station_id, item_id, user_unit, name, model, serial_number, measuring_range,
                   accuracy_class, use, location, cycle_months, last_result, created_at)
               SELECT %s, %s, '用户' || (n %% 997), '电能表', 'DDZY', 'BENCH' || n, '', '2级',
                      CASE WHEN n %% 3 = 0 THEN 'trade' ELSE 'safety' END, '', 12, 'qualified', now()
               FROM generate_series(1, %s) AS n""",
            [station.pk, item.pk, VERIFICATIONS],
        )
        cursor.execute(
            """INSERT INTO reporting_verification (instrument_id, station_id, item_id, use, verified_on, result,
                   certificate_number, verifier_id, standard_id, created_at)
               SELECT i.id, i.station_id, i.item_id, i.use, DATE %s + (i.id %% 365)::int, 'qualified', 'JD' || i.id, %s, %s, now()
               FROM reporting_instrument i WHERE i.station_id = %s""",
            [f"{YEAR}-01-01", verifier.pk, standard.pk, station.pk],
        )
        cursor.execute("ANALYZE reporting_instrument; ANALYZE reporting_verification;")
    return station


def many_stations():
    """300 authorized stations with issued plans for YEAR + 1 and last year's sample results (built once)."""
    from authorizations.models import Station
    from authorizations.tests.factories import CertificateFactory, StationFactory, VerificationItemFactory
    from authorizations.validators import make_credit_code
    from inspections.models import SampleDraw, SupervisionPlan
    from inspections.tests.factories import default_policies
    from reporting.models import AnnualPlan, AnnualPlanLine

    default_policies()
    if Station.objects.filter(name__startswith="基准站").count() >= STATIONS:
        return
    item = VerificationItemFactory(code="BENCH-SB", name="水表")
    plan = SupervisionPlan.objects.get_or_create(year=YEAR, defaults={"institution": "郑州市计量科学研究院"})[0]
    for n in range(STATIONS):
        station = StationFactory(name=f"基准站{n:03d}", credit_code=make_credit_code(f"91410100{n:09d}"))
        CertificateFactory(station=station, issued_on=dt.date(YEAR - 1, 3, 1))
        annual = AnnualPlan.objects.create(station=station, year=YEAR + 1, status=AnnualPlan.Status.ISSUED)
        AnnualPlanLine.objects.create(plan=annual, item=item, planned_count=100 + n)
        SampleDraw.objects.create(plan=plan, station=station, seed=n, size=0, population=0, trade_population=0)


def timed(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> None:
    setup_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from inspections.models import SamplingRatio, SupervisionPlan
    from inspections.services import sampling

    with transaction.atomic():
        station = big_station()
    with transaction.atomic():
        many_stations()
    plan = SupervisionPlan.objects.get_or_create(year=YEAR, defaults={"institution": "郑州市计量科学研究院"})[0]
    SamplingRatio.objects.update_or_create(
        year=YEAR,
        station=station,
        defaults={
            "ratio_percent": 10,
            "policy": "bench",
            "plan_total": VERIFICATIONS,
            "sample_size": VERIFICATIONS // 10,
        },
    )
    sizes = (100, 10_000, VERIFICATIONS // 10)
    print(f"station with {VERIFICATIONS:,} verifications in {YEAR}:")
    for size in sizes:
        median = timed(lambda: sampling.draw_ids(station_id=station.pk, year=YEAR, seed=42, size=size))
        print(f"  draw_ids, sample of {size:>7,}: median {median:.3f} s")

    def full_draw():
        with transaction.atomic():
            sampling.sample_draw(plan=plan, station=station, by=None, seed=42)
            transaction.set_rollback(True)

    for size in (10_000, VERIFICATIONS // 10):
        SamplingRatio.objects.filter(year=YEAR, station=station).update(sample_size=size)
        print(f"  sample_draw, draw and store {size:>7,} items (rolled back): median {timed(full_draw, 3):.3f} s")
    print("  target: the draw < 1 s")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        count = sampling.compute_sampling_ratios(year=YEAR + 1)
        elapsed = time.perf_counter() - started
    print(f"ratio job for {count} stations: {elapsed:.3f} s, {len(queries)} queries  (target < 2 s, bounded)")


if __name__ == "__main__":
    run()
