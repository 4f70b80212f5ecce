"""Helpers for the plan and report tests: an authorized station with items, lines that add up."""

import datetime as dt

from authorizations.tests.factories import CertificateFactory, VerificationItemFactory
from reporting.services.reports import LineInput, monthly_submit


def make_items(prefix: str = "DN", count: int = 2):
    names = ["电能表", "测量用电流互感器", "水表", "燃气表"]
    return [
        VerificationItemFactory(
            code=f"{prefix}{n:02d}", name=names[n % len(names)] + (prefix if prefix != "DN" else "")
        )
        for n in range(1, count + 1)
    ]


def authorize(station, *, valid_from=dt.date(2025, 1, 1), items=None, **kwargs):
    """Give `station` a certificate in force from `valid_from` for `items` (two new items by default)."""
    items = items if items is not None else make_items()
    return CertificateFactory(station=station, issued_on=valid_from, items=items, **kwargs)


def lines(items, *, verified=10, unqualified=1, sticker=3):
    return [
        LineInput(n, item.code, verified, verified - unqualified, unqualified, sticker)
        for n, item in enumerate(items, start=1)
    ]


def submit(station, period, *, by=None, items=None, nil_confirmed=False, **kwargs):
    from reporting.selectors.reports import month_authority

    items = items if items is not None else month_authority(station, period).items
    return monthly_submit(
        station=station, period=period, lines=lines(items, **kwargs), by=by, nil_confirmed=nil_confirmed
    )
