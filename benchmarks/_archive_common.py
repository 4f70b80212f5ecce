"""Shared by the archive benchmarks: a throw-away PostgreSQL database named zz_bench4_<name>, dropped after.

The schema is created from the models (as pytest --nomigrations does), so the benchmarks run before or after the
migrations exist. DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres).
"""

import json
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(db_name: str):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"].setdefault("TEST", {}).update({"NAME": db_name, "MIGRATE": False})


@contextmanager
def bench_database(db_name: str):
    """Create zz_bench4_* from the models, yield, drop it."""
    from django.db import connection

    os.environ["ZZ_BENCH_DB"] = db_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)


def connect_existing(db_name: str) -> None:
    """In a child process: use the database the parent created."""
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["default"]["NAME"] = db_name
    connections["default"].close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(script: str, *args: str) -> dict:
    """Run one measurement in a fresh interpreter, so its peak memory is its own."""
    done = subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, env={**os.environ, "LOG_LEVEL": "WARNING"}
    )
    if done.returncode:
        raise SystemExit(f"{script} {args[0]} failed:\n{done.stderr}")
    if os.environ.get("ZZ_BENCH_PROFILE"):
        print(done.stderr, file=sys.stderr)
    output = done.stdout
    return json.loads(output.strip().splitlines()[-1])


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def make_station(code: str = "BENCH-DN01"):
    """A station authorized since 2025-01-01 for one item, with a standard and a verifier serving it."""
    import datetime as dt

    from authorizations.tests.factories import (
        CertificateFactory,
        MeasurementStandardFactory,
        PersonnelFactory,
        StationFactory,
        VerificationItemFactory,
    )

    item = VerificationItemFactory(code=code, name="电能表")
    station = StationFactory(name="新密市供电公司计量中心")
    CertificateFactory(station=station, issued_on=dt.date(2025, 1, 1), items=[item])
    standard = MeasurementStandardFactory(
        station=station, certificate_number="[2024]豫量标郑证字第001号", valid_until=dt.date(2030, 1, 1), items=[item]
    )
    person = PersonnelFactory(
        station=station, certificate_number="豫计检字00001", valid_until=dt.date(2030, 1, 1), items=[item]
    )
    return station, item, standard, person
