"""The one authority definition answers the same in SQL and in Python on every day of 2024–2027.

Certificates are drawn by a seeded random generator (a failing seed reproduces exactly): chains of renewals,
revocations (some before the renewal they end has started), approved terminations, suspensions lifted or still
open, and items added during validity.
"""

import datetime as dt
import random

import pytest
from django.db.models import Q

from authorizations import authority
from authorizations.models import Certificate, CertificateItem, Suspension
from authorizations.selectors.certificates import authorized_item_ids_on, stations_authorized_in
from authorizations.tests.factories import CertificateFactory, StationFactory, VerificationItemFactory

pytestmark = pytest.mark.django_db

YEARS = range(2024, 2028)
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2027, 12, 31)
DAYS = [FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
SEEDS = range(4)


@pytest.fixture(autouse=True)
def _no_jit():
    """Sixty days per query makes one wide select; compiling it with PostgreSQL's JIT costs seconds per query."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")


def _near(rng: random.Random, day: dt.date, before: int, after: int) -> dt.date:
    return day + dt.timedelta(days=rng.randint(-before, after))


def _suspend(rng: random.Random, certificate: Certificate) -> None:
    day = _near(rng, certificate.valid_from, 30, 200)
    for n in range(rng.randint(0, 3)):
        starts_on = day + dt.timedelta(days=rng.randint(0, 120))
        open_ended = n == 2 or rng.random() < 0.15
        lifted_on = None if open_ended else starts_on + dt.timedelta(days=rng.choice([0, 1, rng.randint(2, 150)]))
        Suspension.objects.create(
            certificate=certificate,
            starts_on=starts_on,
            planned_end_on=starts_on + dt.timedelta(days=30),
            reason="监督检查发现问题",
            lifted_on=lifted_on,
        )
        if open_ended:
            return
        day = lifted_on


def _end(rng: random.Random, certificate: Certificate) -> None:
    roll = rng.random()
    if roll < 0.25:
        certificate.status, certificate.revoked_on = (
            Certificate.Status.REVOKED,
            _near(rng, certificate.valid_from, 20, 1200),
        )
        certificate.revocation_reason = "整改后仍达不到要求"
    if 0.15 < roll < 0.4:
        certificate.terminated_on = _near(rng, certificate.valid_from, 20, 1200)
        if certificate.status == Certificate.Status.VALID:
            certificate.status = Certificate.Status.TERMINATED
    certificate.save()


def _certificate(rng: random.Random, station, items, *, previous=None) -> Certificate:
    if previous is None:
        issued_on = valid_from = _near(rng, dt.date(2024, 6, 1), 900, 700)
    else:
        issued_on = _near(rng, previous.expires_on, 200, 60)
        valid_from = max(previous.expires_on + dt.timedelta(days=1), issued_on)  # A7
    certificate = CertificateFactory(
        station=station,
        previous=previous,
        issued_on=issued_on,
        valid_from=valid_from,
        expires_on=Certificate.expiry_for(valid_from),
        items=[],
    )
    for item in rng.sample(items, rng.randint(1, len(items))):
        added_on = rng.choice([valid_from, _near(rng, valid_from, 0, 900)])
        CertificateItem.objects.create(
            certificate=certificate, item=item, added_on=added_on, application=certificate.application
        )
    _suspend(rng, certificate)
    _end(rng, certificate)
    return certificate


def _draw(seed: int) -> list[Certificate]:
    rng = random.Random(seed)
    items = [VerificationItemFactory() for _ in range(3)]
    for _ in range(3):
        station, previous = StationFactory(), None
        for _ in range(rng.randint(1, 3)):
            previous = _certificate(rng, station, items, previous=previous)
    return list(Certificate.objects.prefetch_related("suspensions", "certificate_items"))


def _sql_by_day(queryset, flags, *key) -> dict[dt.date, set]:
    """For each day, the keys of the rows whose condition holds — many days per query as boolean columns."""
    answers = {}
    for start in range(0, len(DAYS), 61):
        days = DAYS[start : start + 61]
        columns = {f"d{n}": authority.as_flag(flags(day)) for n, day in enumerate(days)}
        rows = list(queryset.annotate(**columns).values_list(*key, *columns))
        for n, day in enumerate(days):
            answers[day] = {row[: len(key)] if len(key) > 1 else row[0] for row in rows if row[len(key) + n]}
    return answers


@pytest.mark.parametrize("seed", SEEDS)
def test_live_and_in_force_agree_in_sql_and_python_on_every_day(seed):
    """A6, A7, A9, A10, A11: for every day of 2024–2027, the certificates SQL finds live (in force or suspended)
    and in force are exactly those the Python predicates, `Certificate.state_on` and the loaded station
    authorities name."""
    certificates = _draw(seed)
    live_sql = _sql_by_day(Certificate.objects.all(), authority.live_on_q, "id")
    in_force_sql = _sql_by_day(Certificate.objects.all(), authority.in_force_on_q, "id")
    stations = authority.load_authorities()
    for day in DAYS:
        live = {c.pk for c in certificates if authority.live_on(c, day)}
        in_force = {c.pk for c in certificates if authority.in_force_on(c, day)}
        assert live_sql[day] == live, day
        assert in_force_sql[day] == in_force, day
        assert {c.pk for c in certificates if c.state_on(day) in ("in_force", "suspended")} == live, day
        assert {c.pk for c in certificates if c.state_on(day) == "in_force"} == in_force, day
        by_station = {c.station_id for c in certificates if c.pk in live}
        assert {sid for sid, a in stations.items() if a.current_in((day, day))} == by_station, day
        assert {sid for sid, a in stations.items() if a.in_force_on(day)} == {
            c.station_id for c in certificates if c.pk in in_force
        }, day


@pytest.mark.parametrize("seed", SEEDS)
def test_items_authorized_and_in_force_agree_in_sql_and_python_on_every_day(seed):
    """A8, A10: an item is authorized on the live days of its certificate from the day it was added, and may be
    verified on those days that no suspension covers — the same in SQL and Python on every day of 2024–2027."""
    certificates = _draw(seed)
    rows, key = CertificateItem.objects.all(), ("certificate__station_id", "item_id")
    in_force_sql = _sql_by_day(rows, authority.item_in_force_on_q, *key)
    authorized_sql = _sql_by_day(
        rows, lambda day: authority.live_on_q(day, "certificate__") & Q(added_on__lte=day), *key
    )
    stations = authority.load_authorities(with_items=True)
    by_station = {}
    for certificate in certificates:
        by_station.setdefault(certificate.station_id, []).append(certificate)
    for day in DAYS:
        for station_id, own in by_station.items():
            in_force = {item for sid, item in in_force_sql[day] if sid == station_id}
            authorized = {item for sid, item in authorized_sql[day] if sid == station_id}
            assert authority.item_ids_in_force_on(own, day) == in_force, (day, station_id)
            assert stations[station_id].item_ids_in((day, day)) == authorized, (day, station_id)
    some_station = certificates[0].station
    for day in DAYS[::97]:
        assert authorized_item_ids_on(some_station, day) == authority.item_ids_in_force_on(
            by_station[some_station.pk], day
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_months_and_years_authorized_agree_in_sql_and_python(seed):
    """A6–A11, M8: the months of each year with an authorized day, and the stations authorized in a year, are
    the same in one SQL query as day by day in Python."""
    certificates = _draw(seed)
    stations = authority.load_authorities()
    for year in YEARS:
        by_day, days = {}, [day for day in DAYS if day.year == year]
        for certificate in certificates:
            for day in days:
                if authority.live_on(certificate, day):
                    by_day.setdefault(certificate.station_id, set()).add(day.month)
        assert authority.months_live_sql(year) == by_day, year
        assert {sid: a.months_current_in(year) for sid, a in stations.items() if a.months_current_in(year)} == by_day
        assert set(stations_authorized_in(year).values_list("pk", flat=True)) == set(by_day), year
