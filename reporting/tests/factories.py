"""Factories and builders of the reporting tests (factory_boy, one trait per lifecycle state; STYLE.md).

Plans, monthly and quarterly reports and archive imports are built in any state of their tables with a trait
(`AnnualPlanFactory(issued=True)`); an authorized station with items, lines that add up and workbooks shaped like
the import template come from the helpers below (DOMAIN P1, M1–M6).
"""

import datetime as dt
import io

import factory
import pytest
from openpyxl import Workbook

from authorizations.tests.factories import (
    CertificateFactory,
    MeasurementStandardFactory,
    PersonnelFactory,
    StationFactory,
    VerificationItemFactory,
)
from reporting.deadlines import monthly_due_on, plan_due_on, quarterly_due_on
from reporting.models import AnnualPlan, ImportJob, MonthlyReport, QualityFlag, QuarterlyAnalysis
from reporting.selectors.reports import month_authority
from reporting.services.archive_import import FIELDS
from reporting.services.reports import LineInput, monthly_submit

AT = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# --- models in each state of their tables ------------------------------------------------------------------


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    """A station's plan for next year, a draft unless a trait names another state (P1)."""

    class Meta:
        model = AnnualPlan

    station = factory.SubFactory(StationFactory)
    year = 2027
    due_on = factory.LazyAttribute(lambda plan: plan_due_on(plan.year))
    status = AnnualPlan.Status.DRAFT

    class Params:
        draft = factory.Trait(status=AnnualPlan.Status.DRAFT)
        submitted = factory.Trait(status=AnnualPlan.Status.SUBMITTED, first_submitted_at=AT, submitted_at=AT)
        returned = factory.Trait(
            status=AnnualPlan.Status.RETURNED, first_submitted_at=AT, submitted_at=AT, return_reason="计划数量偏低"
        )
        approved = factory.Trait(
            status=AnnualPlan.Status.APPROVED, first_submitted_at=AT, submitted_at=AT, reviewed_at=AT
        )
        issued = factory.Trait(status=AnnualPlan.Status.ISSUED, first_submitted_at=AT, submitted_at=AT, reviewed_at=AT)
        superseded = factory.Trait(
            status=AnnualPlan.Status.SUPERSEDED, first_submitted_at=AT, submitted_at=AT, reviewed_at=AT
        )


class MonthlyReportFactory(factory.django.DjangoModelFactory):
    """A station's report of one month, pending unless a trait says it was submitted or reopened (M2, M4)."""

    class Meta:
        model = MonthlyReport

    station = factory.SubFactory(StationFactory)
    period = dt.date(2026, 1, 1)
    due_on = factory.LazyAttribute(lambda report: monthly_due_on(report.period))
    status = MonthlyReport.Status.PENDING

    class Params:
        pending = factory.Trait(status=MonthlyReport.Status.PENDING)
        submitted = factory.Trait(
            status=MonthlyReport.Status.SUBMITTED, first_submitted_at=AT, submitted_at=AT, late_days=0
        )
        reopened = factory.Trait(
            status=MonthlyReport.Status.REOPENED,
            first_submitted_at=AT,
            submitted_at=AT,
            late_days=0,
            reopen_reason="合格数量有误",
        )


class QuarterlyAnalysisFactory(factory.django.DjangoModelFactory):
    """A station's analysis of one quarter, pending until a trait says its stamped copy was uploaded (M6)."""

    class Meta:
        model = QuarterlyAnalysis

    station = factory.SubFactory(StationFactory)
    year = 2026
    quarter = 1
    due_on = factory.LazyAttribute(lambda analysis: quarterly_due_on(analysis.year, analysis.quarter))
    status = QuarterlyAnalysis.Status.PENDING

    class Params:
        pending = factory.Trait(status=QuarterlyAnalysis.Status.PENDING)
        submitted = factory.Trait(
            status=QuarterlyAnalysis.Status.SUBMITTED,
            stamped_file=factory.django.FileField(filename="stamped.pdf", data=b"%PDF-1.4 stamped"),
            stamped_uploaded_at=AT,
            stamped_late_days=0,
        )


class QualityFlagFactory(factory.django.DjangoModelFactory):
    """A data-quality flag on a submitted report, open unless a trait names the bureau's follow-up (Q1, Q4)."""

    class Meta:
        model = QualityFlag

    report = factory.SubFactory(MonthlyReportFactory, submitted=True)
    station = factory.SelfAttribute("report.station")
    period = factory.SelfAttribute("report.period")
    kind = QualityFlag.Kind.OUTLIER
    reported = 120
    reference = 40
    low = 31
    high = 49
    detail = "检定数量明显高于本单位近12个月的水平"
    status = QualityFlag.Status.OPEN

    class Params:
        open = factory.Trait(status=QualityFlag.Status.OPEN)
        explained = factory.Trait(status=QualityFlag.Status.EXPLAINED)
        confirmed = factory.Trait(status=QualityFlag.Status.CONFIRMED)
        cleared = factory.Trait(status=QualityFlag.Status.CLEARED)


class ImportJobFactory(factory.django.DjangoModelFactory):
    """An archive import, queued unless a trait names another state of its run (M1)."""

    class Meta:
        model = ImportJob

    station = factory.SubFactory(StationFactory)
    filename = "强检器具档案.xlsx"
    upload = b""
    status = ImportJob.Status.PENDING

    class Params:
        pending = factory.Trait(status=ImportJob.Status.PENDING)
        running = factory.Trait(status=ImportJob.Status.RUNNING, progress=40, rows_total=10, heartbeat_at=AT)
        invalid = factory.Trait(
            status=ImportJob.Status.INVALID,
            progress=100,
            rows_total=10,
            errors=[[2, "出厂编号", "必填"]],
            error_count=1,
            finished_at=AT,
        )
        failed = factory.Trait(
            status=ImportJob.Status.FAILED, progress=100, message="文件无法读取，全部数据均未导入。", finished_at=AT
        )
        done = factory.Trait(
            status=ImportJob.Status.DONE, progress=100, rows_total=10, rows_imported=10, finished_at=AT
        )


# --- plans and reports: an authorized station, lines that add up (P1, M2) -------------------------------------


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
    items = items if items is not None else month_authority(station, period).items
    return monthly_submit(
        station=station, period=period, lines=lines(items, **kwargs), by=by, nil_confirmed=nil_confirmed
    )


# --- the archive: a station ready to keep it, workbooks shaped like the import template (M1) ---------------

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
