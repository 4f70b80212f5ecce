"""factory_boy factories of the authorizations app, with a trait per lifecycle state (STYLE.md).

`ApplicationFactory(accepted=True)`, `CertificateFactory(suspended=True)`, `TerminationRequestFactory(approved=True)`:
every state of each model's `Status` has a trait of the same name (the default state too), so a test can put a row
in any state of its transition table without walking the services.
"""

import datetime as dt

import factory

from authorizations.models import (
    Application,
    Certificate,
    CertificateItem,
    District,
    MeasurementStandard,
    Personnel,
    Role,
    Station,
    Suspension,
    TerminationRequest,
    User,
    VerificationItem,
)
from authorizations.validators import make_credit_code

PASSWORD = "zzmetro-demo"


class VerificationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationItem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试检定项目{n}")
    regulation = "JJG 596-2012"


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"郑州测试计量站{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(f"12410100{n:09d}"))
    address = factory.Sequence(lambda n: f"郑州市金水区测试路{n}号")
    district = District.JINSHUI
    industry = "电力"
    contact_person = "张三"
    contact_phone = "0371-67180000"
    email = factory.Sequence(lambda n: f"station{n}@example.cn")


class UserFactory(factory.django.DjangoModelFactory):
    """An information officer of a new station unless a trait says otherwise."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    role = Role.OFFICER
    station = factory.SubFactory(StationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        bureau = factory.Trait(role=Role.BUREAU, station=None, is_staff=True)
        manager = factory.Trait(role=Role.MANAGER, station=None, is_staff=True)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"ZZSQ-T-{n:05d}")
    station = factory.SubFactory(StationFactory)
    kind = Application.Kind.NEW
    area = "郑州市金水区"
    submitted_on = dt.date(2026, 1, 5)
    status = Application.Status.SUBMITTED

    class Params:
        submitted = factory.Trait(status=Application.Status.SUBMITTED)
        accepted = factory.Trait(
            status=Application.Status.ACCEPTED,
            accepted_on=dt.date(2026, 1, 10),
            acceptance_number="郑质监量受〔2026〕1号",
        )
        refused = factory.Trait(
            status=Application.Status.REFUSED,
            refused_on=dt.date(2026, 1, 10),
            refusal_number="郑质监量不受〔2026〕1号",
            refusal_reason="申请材料不齐全",
        )
        prepared = factory.Trait(
            status=Application.Status.ACCEPTED,
            accepted_on=dt.date(2026, 1, 10),
            prep_standards="电能表检定装置 0.05级",
            prep_environment="温度20±2℃，湿度≤75%",
            prep_personnel="检定员3名，均持证",
            prep_management="质量手册及程序文件已发布",
        )
        assessment_requested = factory.Trait(
            prepared=True, status=Application.Status.ASSESSMENT_REQUESTED, assessment_requested_on=dt.date(2026, 2, 1)
        )
        assessing = factory.Trait(status=Application.Status.ASSESSING, accepted_on=dt.date(2026, 1, 10))
        passed = factory.Trait(status=Application.Status.PASSED, accepted_on=dt.date(2026, 1, 10))
        failed = factory.Trait(status=Application.Status.FAILED, accepted_on=dt.date(2026, 1, 10))
        certified = factory.Trait(status=Application.Status.CERTIFIED, accepted_on=dt.date(2026, 1, 10))

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if create:
            obj.items.set(extracted if extracted is not None else [VerificationItemFactory()])


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate in force from `valid_from`; traits: valid, suspended, terminated, revoked (its states) and
    expired (valid by status, past its end date)."""

    class Meta:
        model = Certificate
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"ZZJL-T-{n:04d}")
    station = factory.SubFactory(StationFactory)
    application = factory.SubFactory(
        ApplicationFactory, station=factory.SelfAttribute("..station"), status=Application.Status.CERTIFIED
    )
    area = "郑州市金水区"
    issued_on = dt.date(2025, 1, 1)
    valid_from = factory.LazyAttribute(lambda c: c.issued_on)
    expires_on = factory.LazyAttribute(lambda c: Certificate.expiry_for(c.valid_from))
    seal_number = factory.Sequence(lambda n: f"郑授章{n:03d}")

    class Params:
        valid = factory.Trait(status=Certificate.Status.VALID)
        suspended = factory.Trait(status=Certificate.Status.SUSPENDED)
        terminated = factory.Trait(status=Certificate.Status.TERMINATED, terminated_on=dt.date(2026, 9, 30))
        revoked = factory.Trait(
            status=Certificate.Status.REVOKED,
            revoked_on=dt.date(2026, 3, 1),
            revocation_reason="监督检查不合格且整改后仍达不到要求",
        )
        expired = factory.Trait(issued_on=dt.date(2021, 1, 1))

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if not create:
            return
        for item in extracted if extracted is not None else [VerificationItemFactory()]:
            CertificateItem.objects.create(
                certificate=obj, item=item, added_on=obj.valid_from, application=obj.application
            )

    @factory.post_generation
    def open_suspension(obj, create, extracted, **kwargs):
        """A suspended certificate has its open suspension (A10), as certificate_suspend leaves it."""
        if create and obj.status == Certificate.Status.SUSPENDED and not obj.suspensions.exists():
            Suspension.objects.create(
                certificate=obj,
                starts_on=dt.date(2026, 3, 1),
                planned_end_on=dt.date(2026, 5, 31),
                reason="监督检查发现问题，限期整改",
            )


class TerminationRequestFactory(factory.django.DjangoModelFactory):
    """A written termination report (A9) on a valid certificate; traits: submitted, approved, rejected."""

    class Meta:
        model = TerminationRequest

    certificate = factory.SubFactory(CertificateFactory)
    reported_on = dt.date(2026, 3, 1)
    requested_end_on = dt.date(2026, 9, 30)
    reason = "业务调整，不再开展该项检定工作"
    status = TerminationRequest.Status.SUBMITTED

    class Params:
        submitted = factory.Trait(status=TerminationRequest.Status.SUBMITTED)
        approved = factory.Trait(
            status=TerminationRequest.Status.APPROVED,
            decided_on=dt.date(2026, 3, 20),
            certificate=factory.SubFactory(CertificateFactory, terminated=True),
        )
        rejected = factory.Trait(
            status=TerminationRequest.Status.REJECTED, decided_on=dt.date(2026, 3, 20), decision_note="理由不充分"
        )


def _set_items(obj, create, extracted, **kwargs):
    if create and extracted:
        obj.items.set(extracted)


class MeasurementStandardFactory(factory.django.DjangoModelFactory):
    """A measurement standard (计量标准, R1) valid through 2028; trait: expired."""

    class Meta:
        model = MeasurementStandard
        skip_postgeneration_save = True

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"电能表检定装置{n}")
    certificate_number = factory.Sequence(lambda n: f"[2024]豫量标郑证字第{n:03d}号")
    issued_on = dt.date(2024, 1, 1)
    valid_until = dt.date(2028, 12, 31)

    items = factory.PostGeneration(_set_items)

    class Params:
        expired = factory.Trait(valid_until=dt.date(2025, 12, 31))


class PersonnelFactory(factory.django.DjangoModelFactory):
    """A verifying person (检定人员, R1) certified through 2028; trait: expired."""

    class Meta:
        model = Personnel
        skip_postgeneration_save = True

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"检定员{n}")
    certificate_type = Personnel.CertificateType.VERIFIER
    certificate_number = factory.Sequence(lambda n: f"豫计检字{n:05d}")
    valid_until = dt.date(2028, 12, 31)

    items = factory.PostGeneration(_set_items)

    class Params:
        expired = factory.Trait(valid_until=dt.date(2025, 12, 31))
