"""A station ready to keep its archive, and workbooks shaped like the import template (DOMAIN M1)."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from authorizations.tests.factories import CertificateFactory, VerificationItemFactory
from authorizations.tests.resource_factories import MeasurementStandardFactory, PersonnelFactory
from reporting.services.archive_import import FIELDS

TODAY = dt.date(2026, 6, 15)
HEADERS = [f.header for f in FIELDS]


def station_kit(station, items):
    """A certificate in force since 2025-01-01 for `items`, a standard and a verifier serving them."""
    CertificateFactory(station=station, issued_on=dt.date(2025, 1, 1), items=items)
    standard = MeasurementStandardFactory(station=station, name=f"{station.name}电能表标准装置", items=items)
    person = PersonnelFactory(station=station, name=f"检定员{station.pk}", items=items)
    return {"standard": standard, "person": person}


@pytest.fixture
def world(officer1, officer2, freeze):
    freeze(dt.datetime(2026, 6, 15, 10, 0))
    meter = VerificationItemFactory(code="DN01", name="电能表")
    water = VerificationItemFactory(code="SB01", name="水表")
    return {
        "meter": meter,
        "water": water,
        "a": station_kit(officer1.station, [meter]),
        "b": station_kit(officer2.station, [meter]),
    }


def row(world, n=1, **overrides):
    """One template row for station A; keyword names are the Field keys."""
    values = {
        "item": "DN01",
        "user_unit": "新密市某商贸有限公司",
        "name": "单相电子式电能表",
        "model": "DDZY71",
        "serial_number": f"SN{n:06d}",
        "measuring_range": "5(60)A",
        "accuracy_class": "2级",
        "use": "贸易结算",
        "location": "新密市青屏大街1号",
        "cycle_months": 12,
        "verified_on": dt.date(2026, 3, 5),
        "result": "合格",
        "certificate_number": f"ZZJD-2026-{n:06d}",
        "verifier": world["a"]["person"].certificate_number,
        "standard": world["a"]["standard"].certificate_number,
    }
    values.update(overrides)
    return [values[f.key] for f in FIELDS]


def workbook_bytes(rows, headers=HEADERS, edit=None, formulas=False) -> bytes:
    """An .xlsx like Excel saves it; text starting with "=" stays text unless `formulas`."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    if not formulas:
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
