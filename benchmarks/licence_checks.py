"""The special inspection's check run at national-register scale (DOMAIN L3): 10,000 licences with 50,000 scope
lines and 20,000 pattern approvals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/licence_checks.py

Creates its own PostgreSQL database (zz_bench_licences_<pid>, tables from the models), fills it, and drops it at
the end. Prints the time and the query count of a first run (every finding new) and of a re-run (open findings
replaced, confirmed ones kept) — target ≤ 3 s and a number of queries that does not grow with the register.
Prints figures only; it never fails on them.
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

MANUFACTURERS, APPROVALS, LICENCES, LINES_PER_LICENCE, LINKS_PER_LICENCE = 4_000, 20_000, 10_000, 5, 2
INSTITUTIONS = 30
TODAY = dt.date(2026, 6, 30)
NINE = ["electricity_meter", "water_meter", "gas_meter", "weighing", "fuel_dispenser", "taxi_meter", "heat_meter",
        "dust", "methane"]  # fmt: skip


def setup_django():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark creates and drops its own database).")
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["TEST"].update(NAME=f"zz_bench_licences_{os.getpid()}", MIGRATE=False)


def build() -> None:
    from authorizations.validators import make_credit_code
    from inspections import models as m

    rng = random.Random(10)
    types = m.InstrumentType.objects.bulk_create(m.InstrumentType(code=code, name=code) for code in [*NINE, "other"])
    m.KeyListEntry.objects.bulk_create(
        m.KeyListEntry(instrument_type=t, legal_name=t.name, catalogue="2016") for t in types[:9]
    )
    m.LicenceCheckPolicy.objects.create()
    institutions = m.EvaluationInstitution.objects.bulk_create(
        m.EvaluationInstitution(name=f"型式评价机构{n}") for n in range(INSTITUTIONS)
    )
    m.InstitutionAuthorization.objects.bulk_create(
        m.InstitutionAuthorization(institution=i, instrument_type=t, authorized_from=dt.date(2010, 1, 1))
        for i in institutions
        for t in types[:9]
    )
    makers = m.Manufacturer.objects.bulk_create(
        (
            m.Manufacturer(name=f"制造企业{n}", credit_code=make_credit_code(f"91410100BL{n:07d}"))
            for n in range(MANUFACTURERS)
        ),
        batch_size=2000,
    )
    approvals = m.PatternApproval.objects.bulk_create(
        (
            m.PatternApproval(
                number=f"PA{n:06d}",
                manufacturer=makers[n % MANUFACTURERS],
                instrument_type=types[n % 9],
                model_names=f"M{n}A，M{n}B、M{n}C",
                institution=institutions[n % INSTITUTIONS],
                department="省局计量处",
                level="province",
                approved_on=dt.date(2009 if n % 40 == 0 else 2010 + n % 13, 1 + n % 12, 1),  # 1 in 40 before the grants
            )
            for n in range(APPROVALS)
        ),
        batch_size=2000,
    )
    by_maker = {}
    for approval in approvals:
        by_maker.setdefault(approval.manufacturer_id, []).append(approval)
    licences = m.ManufacturingLicence.objects.bulk_create(
        (
            m.ManufacturingLicence(
                number=f"LIC{n:06d}",
                holder=makers[n % MANUFACTURERS],
                department="省局计量处",
                level="province",
                accepted_on=(accepted := dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(4000))),
                decided_on=accepted + dt.timedelta(days=rng.randrange(10, 32)),
                status="granted",
            )
            for n in range(LICENCES)
        ),
        batch_size=2000,
    )
    lines, links, versions, excluded, extensions = [], [], [], [], []
    Link = m.ManufacturingLicence.approvals.through
    for n, licence in enumerate(licences):
        own = by_maker[licence.holder_id]
        for k in range(LINES_PER_LICENCE):
            approval = own[k % len(own)]
            model = approval.model_list[0] if rng.random() > 0.02 else "未批准型号"
            instrument_type = approval.instrument_type if rng.random() > 0.01 else types[9]
            lines.append(m.LicenceScopeLine(licence=licence, instrument_type=instrument_type, model=model))
        for approval in own[:LINKS_PER_LICENCE]:
            links.append(Link(manufacturinglicence_id=licence.pk, patternapproval_id=approval.pk))
        announced = licence.decided_on + dt.timedelta(days=rng.randrange(5, 30)) if rng.random() > 0.05 else None
        versions.append(
            m.LicenceVersion(
                licence=licence,
                sequence=1,
                kind="grant",
                decided_on=licence.decided_on,
                announced_on=announced,
                announced_via="website" if announced else "",
                filed_on=announced,
            )  # fmt: skip
        )
        if n % 5 == 0:
            excluded.append(
                m.ExcludedPeriod(
                    licence=licence,
                    kind="type_evaluation",
                    starts_on=licence.accepted_on + dt.timedelta(days=3),
                    ends_on=licence.accepted_on + dt.timedelta(days=12),
                )  # fmt: skip
            )
        if n % 20 == 0:
            extensions.append(m.LicenceExtension(licence=licence, approved_on=licence.accepted_on, approved_by="处长"))
    for model, rows in ((m.LicenceScopeLine, lines), (Link, links), (m.LicenceVersion, versions),
                        (m.ExcludedPeriod, excluded), (m.LicenceExtension, extensions)):  # fmt: skip
        model.objects.bulk_create(rows, batch_size=5000)
    print(f"built {len(licences)} licences, {len(lines)} scope lines, {len(approvals)} approvals, {len(links)} links")


def measure(label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inspections.services.licence_checks import run_checks

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        counts = run_checks(today=TODAY)
        seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s (target ≤ 3 s), {len(queries)} queries — {counts}")


def run() -> None:
    setup_django()
    from django.db import connection

    from inspections.models import LicenceFinding

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        build()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        measure("first run")
        confirmed = LicenceFinding.objects.order_by("pk").values_list("pk", flat=True)[:500]
        LicenceFinding.objects.filter(pk__in=list(confirmed)).update(status=LicenceFinding.Status.CONFIRMED)
        measure("re-run, 500 findings confirmed")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    run()
