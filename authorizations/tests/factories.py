"""factory_boy factories with one trait per lifecycle state (STYLE.md)."""

import datetime as dt

import factory

from authorizations.models import (
    Application,
    Certificate,
    CertificateItem,
    District,
    Role,
    Station,
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
        accepted = factory.Trait(
            status=Application.Status.ACCEPTED,
            accepted_on=dt.date(2026, 1, 10),
            acceptance_number="郑质监量受〔2026〕1号",
        )
        prepared = factory.Trait(
            status=Application.Status.ACCEPTED,
            accepted_on=dt.date(2026, 1, 10),
            prep_standards="电能表检定装置 0.05级",
            prep_environment="温度20±2℃，湿度≤75%",
            prep_personnel="检定员3名，均持证",
            prep_management="质量手册及程序文件已发布",
        )
        assessing = factory.Trait(status=Application.Status.ASSESSING, accepted_on=dt.date(2026, 1, 10))
        passed = factory.Trait(status=Application.Status.PASSED, accepted_on=dt.date(2026, 1, 10))

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if create:
            obj.items.set(extracted if extracted is not None else [VerificationItemFactory()])


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate in force from `valid_from`; traits: expired, revoked, suspended."""

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
        revoked = factory.Trait(
            status=Certificate.Status.REVOKED,
            revoked_on=dt.date(2026, 3, 1),
            revocation_reason="监督检查不合格且整改后仍达不到要求",
        )

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if not create:
            return
        for item in extracted if extracted is not None else [VerificationItemFactory()]:
            CertificateItem.objects.create(
                certificate=obj, item=item, added_on=obj.valid_from, application=obj.application
            )
