"""Two staff acting on the same row at the same moment (DOMAIN A12: the trail can be replayed, one move at a time).

Each side runs the real service in its own thread, so on its own PostgreSQL connection and transaction; the kernel
locks the row, so the later side waits for the earlier one and is then refused, naming the state the row is in.
"""

import datetime as dt
import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from inspections.models import LicenceEvent, LicenceFinding, ManufacturingLicence
from inspections.services import licences

from .factories import LicenceFindingFactory
from .test_licence_checks import grant, manufacturer

pytestmark = pytest.mark.django_db(transaction=True)
Finding = LicenceFinding.Status
Licence = ManufacturingLicence.Status


@pytest.fixture(autouse=True)
def catalogue():
    """The key-managed types the migration seeds (L1): a transactional test before these may have emptied them."""
    importlib.import_module("inspections.migrations.0006_licence_register").seed(apps, None)


def race(*actions):
    """Run each action (given its own copy of the row) in its own thread and connection, released together."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            action()
            results[index] = "ok"
        except Exception as error:  # the outcome is what the test asserts on
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def refusals(results):
    return [str(r) for r in results if r != "ok"]


def test_confirming_and_explaining_one_finding_at_once_leaves_one_move_in_the_trail():
    """A12, L3: one 确认问题 and one 说明情况 of the same open finding at the same time: exactly one succeeds and
    writes its event; the other is refused naming the state the first one left."""
    finding = LicenceFindingFactory(open=True)
    first, second = (LicenceFinding.objects.get(pk=finding.pk) for _ in range(2))

    results = race(
        lambda: licences.finding_confirm(finding=first, by=None, note="属实"),
        lambda: licences.finding_explain(finding=second, by=None, note="数据补录后符合"),
    )

    assert results.count("ok") == 1, results
    finding.refresh_from_db()
    events = list(LicenceEvent.objects.filter(finding=finding))
    assert len(events) == 1
    assert (events[0].from_status, events[0].to_status) == (Finding.OPEN, finding.status)
    (refusal,) = refusals(results)
    assert f"当前状态为“{finding.get_status_display()}”" in refusal


def test_a_double_submitted_confirmation_writes_one_event():
    """A12: the same button pressed twice (two requests at once) moves the finding once, with one event."""
    finding = LicenceFindingFactory(open=True)
    copies = [LicenceFinding.objects.get(pk=finding.pk) for _ in range(2)]

    results = race(*(lambda f=f: licences.finding_confirm(finding=f, by=None, note="属实") for f in copies))

    assert results.count("ok") == 1, results
    assert LicenceEvent.objects.filter(finding=finding).count() == 1
    (refusal,) = refusals(results)
    assert "当前状态为“已确认”" in refusal


def test_cancelling_and_revoking_one_licence_at_once_ends_it_once():
    """A12, L2: a cancellation and a revocation of the same licence at the same time: one ends it, the other is
    refused with a message (not an error page), and only one decision is on the licence's record."""
    licence = grant(manufacturer(1), number="(豫)制00000001号")
    first, second = (ManufacturingLicence.objects.get(pk=licence.pk) for _ in range(2))
    decided = dt.date(2024, 6, 3)

    results = race(
        lambda: licences.licence_cancel(licence=first, decided_on=decided, reason="企业申请注销", by=None),
        lambda: licences.licence_revoke(licence=second, decided_on=decided, reason="超越法定职权作出许可", by=None),
    )

    assert results.count("ok") == 1, results
    licence.refresh_from_db()
    assert licence.status in (Licence.CANCELLED, Licence.REVOKED)
    ends = LicenceEvent.objects.filter(licence=licence, to_status__in=[Licence.CANCELLED, Licence.REVOKED])
    assert ends.count() == 1
    (refusal,) = refusals(results)
    assert f"当前状态为“{licence.get_status_display()}”" in refusal
