"""Reads of the instrument archive that carry rules (DOMAIN M1, A10, R2)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from authorizations import authority
from authorizations.models import Certificate, CertificateItem, MeasurementStandard, Personnel, Station
from reporting.models import ImportJob, Instrument, Verification

DUE_SOON_DAYS = 30
DUE_CHOICES = [("overdue", "已超期"), ("soon", f"{DUE_SOON_DAYS}天内到期"), ("none", "无下次检定日期")]


@dataclass(frozen=True)
class ArchiveFilters:
    q: str = ""
    station: int | None = None
    item: int | None = None
    use: str = ""
    result: str = ""
    due: str = ""


def archive_search(queryset: QuerySet, filters: ArchiveFilters, *, today: dt.date) -> QuerySet:
    """The archive list and its export share this: search text, station, item, use, latest result, due state."""
    if filters.q:
        q = filters.q
        queryset = queryset.filter(
            Q(serial_number__icontains=q) | Q(name__icontains=q) | Q(user_unit__icontains=q) | Q(model__icontains=q)
        )
    exact = {"station_id": filters.station, "item_id": filters.item, "use": filters.use, "last_result": filters.result}
    queryset = queryset.filter(**{k: v for k, v in exact.items() if v})
    due = {
        "overdue": Q(next_due_on__lt=today),
        "soon": Q(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)),
        "none": Q(next_due_on__isnull=True),
    }
    if filters.due in due:
        queryset = queryset.filter(due[filters.due])
    return queryset


def instrument_verifications(instrument: Instrument) -> QuerySet:
    return instrument.verifications.select_related("verifier", "standard").order_by("-verified_on", "-id")


def station_import_jobs(user) -> QuerySet:
    return ImportJob.objects.for_user(user).defer("upload", "errors").select_related("created_by")


def certificates_with_items(station: Station) -> list[Certificate]:
    return list(Certificate.objects.filter(station=station).prefetch_related("suspensions", "certificate_items"))


def items_in_force(certificates: list[Certificate], day: dt.date) -> set[int]:
    """A8, A10: the rule of `authorizations.selectors.authorized_item_ids_on`, on certificates already fetched,
    so an import checks a year of days without a query per day."""
    return authority.item_ids_in_force_on(certificates, day)


def authorized_items_by_day(station: Station, days) -> dict[dt.date, set[int]]:
    certificates = certificates_with_items(station)
    return {day: items_in_force(certificates, day) for day in days}


def station_item_choices(station: Station) -> QuerySet:
    """Items ever on the station's certificates: what its archive can hold."""
    from authorizations.models import VerificationItem

    return VerificationItem.objects.filter(
        pk__in=CertificateItem.objects.filter(certificate__station=station).values("item_id")
    ).order_by("code")


def station_resources(station: Station) -> tuple[list, list]:
    """Standards and personnel with their item ids, for validating verifications (R1)."""
    standards = list(MeasurementStandard.objects.filter(station=station).prefetch_related("items"))
    people = list(Personnel.objects.filter(station=station).prefetch_related("items"))
    return standards, people


def verifications_of_year(station: Station, year: int) -> QuerySet:
    """Issue 5 samples from these: served by the (station, verified_on) index."""
    return Verification.objects.filter(
        station=station, verified_on__gte=dt.date(year, 1, 1), verified_on__lte=dt.date(year, 12, 31)
    )
