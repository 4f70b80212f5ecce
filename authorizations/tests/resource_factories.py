"""Factories for station resources (DOMAIN R1); traits: expired."""

import datetime as dt

import factory

from authorizations.models import MeasurementStandard, Personnel

from .factories import StationFactory


def _set_items(obj, create, extracted, **kwargs):
    if create and extracted:
        obj.items.set(extracted)


class MeasurementStandardFactory(factory.django.DjangoModelFactory):
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
