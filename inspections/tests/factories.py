"""factory_boy factories of the supervision models, with a trait per lifecycle state (STYLE.md), and building blocks.

`InspectionFactory(recorded=True)`, `RectificationFactory(answered=True)`, `SampleDrawFactory(notified=True)`:
every state of each model's `Status` has a trait of the same name (the default state too), so a test can put a row
in any state of its transition table without walking the services. Below them: archived verifications in bulk,
plans, policies.
"""

import datetime as dt
import itertools
from decimal import Decimal

import factory

from authorizations.tests.factories import (
    MeasurementStandardFactory,
    PersonnelFactory,
    StationFactory,
    VerificationItemFactory,
)
from authorizations.validators import make_credit_code
from inspections.models import (
    AnnualEvaluation,
    Complaint,
    EvaluationInstitution,
    Inspection,
    InspectionFinding,
    InstitutionAuthorization,
    InstrumentType,
    IntegrityEvaluation,
    IssuingLevel,
    LicenceFinding,
    LicenceScopeLine,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
    Rectification,
    SampleDraw,
    SampleItem,
    SamplingPolicy,
    SamplingRatio,
    SupervisionEvent,
    SupervisionPlan,
    Violation,
)
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


def make_verifications(
    station, *, year: int, count: int, trade_share: float = 0.5, item=None, first: int = 0
) -> list[int]:
    """`count` instruments of the station, each verified once in `year`; the first share are trade settlement.

    `first` numbers the serials from there, so several calls for one station and year never collide."""
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
            serial_number=f"SN{station.pk}-{year}-{first + n:07d}",
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
            certificate_number=f"JD{year}{first + n:07d}",
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


class InspectionFactory(factory.django.DjangoModelFactory):
    """Planned by default; `recorded` has been held and concluded (I1)."""

    class Meta:
        model = Inspection

    station = factory.SubFactory(StationFactory)
    planned_on = dt.date(2026, 6, 1)
    inspectors = "刘计量、张检查"
    status = Inspection.Status.PLANNED

    class Params:
        planned = factory.Trait(status=Inspection.Status.PLANNED)
        recorded = factory.Trait(
            status=Inspection.Status.RECORDED, held_on=dt.date(2026, 6, 2), result=Inspection.Result.PASS
        )


class InspectionFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionFinding

    inspection = factory.SubFactory(InspectionFactory, recorded=True)
    area = InspectionFinding.Area.RECORDS
    result = InspectionFinding.Result.CONFORMS


class RectificationFactory(factory.django.DjangoModelFactory):
    """A notice issued after a recorded inspection; `open` waits for the station's report (I1, I8)."""

    class Meta:
        model = Rectification

    inspection = factory.SubFactory(InspectionFactory, recorded=True, result=Inspection.Result.RECTIFY)
    number = factory.Sequence(lambda n: f"郑质监量整〔2026〕{n + 1000}号")
    issued_on = dt.date(2026, 6, 2)
    requirements = "补齐原始记录签名"
    deadline = dt.date(2026, 7, 2)
    status = Rectification.Status.OPEN

    class Params:
        open = factory.Trait(status=Rectification.Status.OPEN)
        answered = factory.Trait(
            status=Rectification.Status.ANSWERED, answer="已补齐签名", answered_on=dt.date(2026, 6, 20)
        )
        closed = factory.Trait(
            status=Rectification.Status.CLOSED,
            answer="已补齐签名",
            answered_on=dt.date(2026, 6, 20),
            closed_on=dt.date(2026, 6, 25),
            closing_note="验收通过",
        )


class SamplingPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SamplingPolicy
        django_get_or_create = ("min_pass_rate",)

    min_pass_rate = Decimal("98")
    ratio_percent = Decimal("10")


class SupervisionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionPlan
        django_get_or_create = ("year",)

    year = 2026
    institution = "郑州市计量科学研究院"


class SamplingRatioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SamplingRatio

    year = 2026
    station = factory.SubFactory(StationFactory)
    ratio_percent = Decimal("10")
    policy = "合格率≥98.00% → 抽样10.00%"
    plan_total = 100
    sample_size = 10


class SampleDrawFactory(factory.django.DjangoModelFactory):
    """A draw of no items unless some are added (SampleItemFactory); `drawn` waits for results (I2, I4)."""

    class Meta:
        model = SampleDraw

    plan = factory.SubFactory(SupervisionPlanFactory)
    station = factory.SubFactory(StationFactory)
    seed = factory.Sequence(lambda n: 1000 + n)
    size = 0
    population = 0
    trade_population = 0
    status = SampleDraw.Status.DRAWN

    class Params:
        drawn = factory.Trait(status=SampleDraw.Status.DRAWN)
        results_entered = factory.Trait(status=SampleDraw.Status.RESULTS_ENTERED)
        notified = factory.Trait(status=SampleDraw.Status.NOTIFIED, notified_on=dt.date(2026, 12, 1))


_serials = itertools.count(900000)


def _verification(draw: SampleDraw) -> Verification:
    pk = make_verifications(draw.station, year=draw.plan.year, count=1, first=next(_serials))[0]
    return Verification.objects.get(pk=pk)


class SampleItemFactory(factory.django.DjangoModelFactory):
    """One drawn verification; pending until a result trait says otherwise (I2: refused counts as failed)."""

    class Meta:
        model = SampleItem

    draw = factory.SubFactory(SampleDrawFactory)
    verification = factory.LazyAttribute(lambda item: _verification(item.draw))
    result = SampleItem.Result.PENDING

    class Params:
        pending = factory.Trait(result=SampleItem.Result.PENDING)
        qualified = factory.Trait(result=SampleItem.Result.QUALIFIED, recorded_on=dt.date(2026, 11, 30))
        unqualified = factory.Trait(result=SampleItem.Result.UNQUALIFIED, recorded_on=dt.date(2026, 11, 30))
        refused = factory.Trait(result=SampleItem.Result.REFUSED, recorded_on=dt.date(2026, 11, 30))


class ComplaintFactory(factory.django.DjangoModelFactory):
    """Open until the station files its written result (I5)."""

    class Meta:
        model = Complaint

    station = factory.SubFactory(StationFactory)
    received_on = dt.date(2026, 5, 1)
    complainant = "王先生"
    subject = factory.Sequence(lambda n: f"电表走快{n}")
    description = "家中电表计量偏快"
    status = Complaint.Status.OPEN

    class Params:
        open = factory.Trait(status=Complaint.Status.OPEN)
        handled = factory.Trait(
            status=Complaint.Status.HANDLED, handling="已复检并答复", closed_on=dt.date(2026, 5, 10)
        )


class AnnualEvaluationFactory(factory.django.DjangoModelFactory):
    """Figures summed up, conclusion pending; `concluded` has passed (I6)."""

    class Meta:
        model = AnnualEvaluation

    station = factory.SubFactory(StationFactory)
    year = 2025
    status = AnnualEvaluation.Status.PREPARED

    class Params:
        prepared = factory.Trait(status=AnnualEvaluation.Status.PREPARED)
        concluded = factory.Trait(
            status=AnnualEvaluation.Status.CONCLUDED,
            result=AnnualEvaluation.Result.PASS,
            evaluated_on=dt.date(2026, 1, 20),
        )


class IntegrityEvaluationFactory(factory.django.DjangoModelFactory):
    """One evaluation of the station's integrity status; a trait per status (I7)."""

    class Meta:
        model = IntegrityEvaluation

    station = factory.SubFactory(StationFactory)
    status = IntegrityEvaluation.Status.IN_PROGRESS
    evaluated_on = dt.date(2015, 9, 25)

    class Params:
        demonstration = factory.Trait(status=IntegrityEvaluation.Status.DEMONSTRATION)
        in_progress = factory.Trait(status=IntegrityEvaluation.Status.IN_PROGRESS)
        not_passed = factory.Trait(status=IntegrityEvaluation.Status.NOT_PASSED)
        withdrawn = factory.Trait(status=IntegrityEvaluation.Status.WITHDRAWN)


class ViolationFactory(factory.django.DjangoModelFactory):
    """A late-reports case with its correction order, open until closed (I8)."""

    class Meta:
        model = Violation

    station = factory.SubFactory(StationFactory)
    kind = Violation.Kind.LATE_REPORTS
    found_on = dt.date(2026, 5, 1)
    description = "未按时报送月度报表"
    action = Violation.Action.CORRECTION_ORDER
    decided_on = dt.date(2026, 5, 2)
    deadline = dt.date(2026, 5, 20)
    notice_number = factory.Sequence(lambda n: f"郑质监量改〔2026〕{n + 1000}号")
    status = Violation.Status.OPEN

    class Params:
        open = factory.Trait(status=Violation.Status.OPEN)
        closed = factory.Trait(status=Violation.Status.CLOSED, closed_on=dt.date(2026, 5, 18), closing_note="已整改")


class SupervisionEventFactory(factory.django.DjangoModelFactory):
    """A row of the append-only trail as the kernel's record() writes it; events have no states of their own (A12)."""

    class Meta:
        model = SupervisionEvent

    station = factory.SubFactory(StationFactory)
    action = "file"
    action_label = "登记用户投诉"
    to_status = Complaint.Status.OPEN
    to_state = Complaint.Status.OPEN.label
    subject = factory.SubFactory(ComplaintFactory, station=factory.SelfAttribute("..station"))
    subject_label = factory.LazyAttribute(lambda event: f"投诉：{event.subject.subject}")


# --- the licence register (S2, DOMAIN L2, L3) ---------------------------------------------------------------------


def key_type(code: str = "electricity_meter") -> InstrumentType:
    """One of the nine key-managed types the migration seeds (L1)."""
    return InstrumentType.objects.get(code=code)


class ManufacturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manufacturer

    name = factory.Sequence(lambda n: f"郑州第{n}计量器具有限公司")
    credit_code = factory.Sequence(lambda n: make_credit_code(f"91410100MB{n:07d}"))
    city = "郑州市"
    county = "金水区"


class EvaluationInstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationInstitution

    name = factory.Sequence(lambda n: f"型式评价机构{n}")
    province = "河南省"


class InstitutionAuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionAuthorization

    institution = factory.SubFactory(EvaluationInstitutionFactory)
    instrument_type = factory.LazyFunction(key_type)
    authorized_from = dt.date(2015, 1, 1)


class PatternApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatternApproval

    number = factory.Sequence(lambda n: f"2023F{n + 100}-41")
    manufacturer = factory.SubFactory(ManufacturerFactory)
    instrument_type = factory.LazyFunction(key_type)
    model_names = "DDS666"
    institution = factory.SubFactory(EvaluationInstitutionFactory)
    department = "河南省质量技术监督局计量处"
    level = IssuingLevel.PROVINCE
    approved_on = dt.date(2023, 5, 10)


class ManufacturingLicenceFactory(factory.django.DjangoModelFactory):
    """A licence row in any state of its table (`cancelled=True` …) with one scope line; the services add versions
    and events, a factory does not."""

    class Meta:
        model = ManufacturingLicence
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"(豫)制{n:08d}号")
    holder = factory.SubFactory(ManufacturerFactory)
    department = "河南省质量技术监督局计量处"
    level = IssuingLevel.PROVINCE
    accepted_on = dt.date(2024, 1, 15)
    decided_on = dt.date(2024, 2, 8)
    status = ManufacturingLicence.Status.GRANTED
    scope_line = factory.RelatedFactory(
        "inspections.tests.factories.LicenceScopeLineFactory", factory_related_name="licence"
    )

    class Params:
        granted = factory.Trait(status=ManufacturingLicence.Status.GRANTED)
        changed = factory.Trait(status=ManufacturingLicence.Status.CHANGED)
        cancelled = factory.Trait(status=ManufacturingLicence.Status.CANCELLED, ended_on=dt.date(2024, 9, 2))
        revoked = factory.Trait(status=ManufacturingLicence.Status.REVOKED, ended_on=dt.date(2024, 9, 2))


class LicenceScopeLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LicenceScopeLine

    licence = factory.SubFactory(ManufacturingLicenceFactory, scope_line=None)
    instrument_type = factory.LazyFunction(key_type)
    model = "DDS666"
    measuring_range = "5(60)A"


class LicenceFindingFactory(factory.django.DjangoModelFactory):
    """A finding as a check run stores it, in any state of its table (`confirmed=True` …)."""

    class Meta:
        model = LicenceFinding

    licence = factory.SubFactory(ManufacturingLicenceFactory)
    rule = LicenceFinding.Rule.OVERDUE
    key = "overdue"
    message = "受理至决定用时21个工作日（时限20个工作日）"
    status = LicenceFinding.Status.OPEN

    class Params:
        open = factory.Trait(status=LicenceFinding.Status.OPEN)
        confirmed = factory.Trait(status=LicenceFinding.Status.CONFIRMED, note="属实")
        explained = factory.Trait(status=LicenceFinding.Status.EXPLAINED, note="数据补录后符合")
