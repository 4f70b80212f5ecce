"""Building blocks for supervision tests: archived verifications in bulk, plans, policies."""

import datetime as dt
from decimal import Decimal

from authorizations.tests.factories import VerificationItemFactory
from authorizations.tests.resource_factories import MeasurementStandardFactory, PersonnelFactory
from inspections.models import SamplingPolicy, SupervisionPlan
from reporting.models import AnnualPlan, AnnualPlanLine, Instrument, InstrumentUse, Verification

DEFAULT_POLICIES = (
    (Decimal("98"), Decimal("10"), True),
    (Decimal("95"), Decimal("15"), False),
    (Decimal("0"), Decimal("20"), False),
)


def default_policies() -> list[SamplingPolicy]:
    """The I3 decision rows (also created by the data migration; update_or_create keeps both paths happy)."""
    return [
        SamplingPolicy.objects.update_or_create(
            min_pass_rate=low, defaults={"ratio_percent": ratio, "used_without_data": no_data}
        )[0]
        for low, ratio, no_data in DEFAULT_POLICIES
    ]


def make_verifications(station, *, year: int, count: int, trade_share: float = 0.5, item=None) -> list[int]:
    """`count` instruments of the station, each verified once in `year`; the first share are trade settlement."""
    item = item or VerificationItemFactory()
    verifier = PersonnelFactory(station=station)
    standard = MeasurementStandardFactory(station=station)
    trade_count = round(count * trade_share)
    instruments = Instrument.objects.bulk_create(
        Instrument(
            station=station,
            item=item,
            user_unit=f"用户单位{n % 17}",
            name="电能表",
            serial_number=f"SN{station.pk}-{year}-{n:07d}",
            use=InstrumentUse.TRADE if n < trade_count else InstrumentUse.SAFETY,
            cycle_months=12,
        )
        for n in range(count)
    )
    verifications = Verification.objects.bulk_create(
        Verification(
            instrument=i,
            station=station,
            item=item,
            use=i.use,
            verified_on=dt.date(year, 1 + n % 12, 1 + n % 28),
            result="qualified",
            certificate_number=f"JD{year}{n:07d}",
            verifier=verifier,
            standard=standard,
        )
        for n, i in enumerate(instruments)
    )
    return [v.pk for v in verifications]


def issued_plan(station, *, year: int, counts: list[int]) -> AnnualPlan:
    plan = AnnualPlan.objects.create(station=station, year=year, status=AnnualPlan.Status.ISSUED)
    for count in counts:
        AnnualPlanLine.objects.create(plan=plan, item=VerificationItemFactory(), planned_count=count)
    return plan


def supervision_plan(year: int) -> SupervisionPlan:
    return SupervisionPlan.objects.get_or_create(year=year, defaults={"institution": "郑州市计量科学研究院"})[0]
