"""Reads about station resources that carry rules (DOMAIN R1, R2)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from authorizations.models import MeasurementStandard, Personnel, Station, VerificationItem
from authorizations.selectors.certificates import station_current_certificate


def warning_days() -> tuple[int, ...]:
    """R2 thresholds, nearest first (one configurable place: ZZ_POLICY["RESOURCE_WARNING_DAYS"])."""
    return tuple(sorted(settings.ZZ_POLICY["RESOURCE_WARNING_DAYS"]))


def station_standards(station: Station) -> QuerySet:
    return MeasurementStandard.objects.filter(station=station).prefetch_related("items")


def station_personnel(station: Station) -> QuerySet:
    return Personnel.objects.filter(station=station).prefetch_related("items")


def standards_for(user, *, action: str = "view") -> QuerySet:
    """The measurement standards `user` may `action` (an officer: their own station's)."""
    return MeasurementStandard.objects.for_user(user, action=action).prefetch_related("items")


def personnel_for(user, *, action: str = "view") -> QuerySet:
    return Personnel.objects.for_user(user, action=action).prefetch_related("items")


@dataclass(frozen=True)
class ItemCapability:
    """Whether the station can verify an item on a day, and why not (R2)."""

    item: VerificationItem
    standards_valid: int
    standards_total: int
    people_valid: int
    people_total: int

    @property
    def verifiable(self) -> bool:
        return self.standards_valid > 0 and self.people_valid > 0

    @property
    def reason(self) -> str:
        reasons = []
        if not self.standards_total:
            reasons.append("未登记计量标准")
        elif not self.standards_valid:
            reasons.append("计量标准均已过期")
        if not self.people_total:
            reasons.append("未登记检定人员")
        elif not self.people_valid:
            reasons.append("检定人员证书均已过期")
        return "；".join(reasons)


def capabilities_from(items, standards, people, day: dt.date) -> list[ItemCapability]:
    """Pure: one row per item from already-fetched standards and people (each with prefetched `items`)."""
    result = []
    for item in items:
        serving = [s for s in standards if any(i.pk == item.pk for i in s.items.all())]
        qualified = [p for p in people if any(i.pk == item.pk for i in p.items.all())]
        result.append(
            ItemCapability(
                item=item,
                standards_valid=sum(s.is_valid_on(day) for s in serving),
                standards_total=len(serving),
                people_valid=sum(p.is_valid_on(day) for p in qualified),
                people_total=len(qualified),
            )
        )
    return result


def _items_of(certificate, resources) -> list[VerificationItem]:
    items = {ci.item.pk: ci.item for ci in certificate.certificate_items.all()} if certificate else {}
    for resource in resources:
        items.update({i.pk: i for i in resource.items.all()})
    return sorted(items.values(), key=lambda i: i.code)


def item_capabilities(station: Station, day: dt.date, *, standards=None, people=None) -> list[ItemCapability]:
    """R2: for each item on the live certificate or served by a resource, whether a valid standard and a valid
    qualified person exist. Pass already-fetched `standards`/`people` (with items prefetched) to save queries."""
    standards = list(station_standards(station) if standards is None else standards)
    people = list(station_personnel(station) if people is None else people)
    items = _items_of(station_current_certificate(station, day), standards + people)
    return capabilities_from(items, standards, people, day)


def not_verifiable_items(station: Station, day: dt.date) -> list[ItemCapability]:
    return [c for c in item_capabilities(station, day) if not c.verifiable]


def resources_expiring(day: dt.date, *, within_days: int) -> tuple[QuerySet, QuerySet]:
    """Standards and people whose certificate ends between `day` and `day + within_days` (R2)."""
    window = {"valid_until__gte": day, "valid_until__lte": day + dt.timedelta(days=within_days)}
    return (
        MeasurementStandard.objects.filter(**window).select_related("station"),
        Personnel.objects.filter(**window).select_related("station"),
    )


def capability_stations() -> QuerySet:
    """Stations with everything `prefetched_capabilities` reads, for the admin list (no query per row)."""
    from django.db.models import Prefetch

    return Station.objects.prefetch_related(
        Prefetch("standards", queryset=MeasurementStandard.objects.prefetch_related("items")),
        Prefetch("personnel", queryset=Personnel.objects.prefetch_related("items")),
        "certificates__certificate_items__item",
        "certificates__suspensions",
    )


def prefetched_capabilities(station: Station, day: dt.date) -> list[ItemCapability]:
    """R2 on a station from `capability_stations()`: certificate items plus any item its resources serve."""
    standards, people = list(station.standards.all()), list(station.personnel.all())
    items = {}
    for certificate in station.certificates.all():
        if certificate.is_live_on(day):
            items.update({ci.item.pk: ci.item for ci in certificate.certificate_items.all()})
    for resource in standards + people:
        items.update({i.pk: i for i in resource.items.all()})
    return capabilities_from(sorted(items.values(), key=lambda i: i.code), standards, people, day)
