"""Reads about certificates that carry rules: who is authorized when, what is due or overdue (DOMAIN A5–A11)."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from authorizations import authority
from authorizations.models import Certificate, CertificateItem, Station, Suspension
from zzmetro.dates import add_months


def _with_items(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("station").prefetch_related(
        Prefetch("certificate_items", queryset=CertificateItem.objects.select_related("item")),
        "suspensions",
    )


def station_current_certificate(station: Station, day: dt.date) -> Certificate | None:
    """The certificate that is the station's live authority on `day` (in force or suspended)."""
    return _with_items(Certificate.objects.filter(station=station).current_on(day)).order_by("-valid_from").first()


def current_certificate_for(user, day: dt.date, *, action: str = "view") -> Certificate | None:
    """The live certificate on `day` of the station `user` acts for, among the rows `for_user(user, action)` holds."""
    queryset = Certificate.objects.for_user(user, action=action).current_on(day)
    return _with_items(queryset).order_by("-valid_from").first()


def station_certificates(station: Station) -> QuerySet:
    return _with_items(Certificate.objects.filter(station=station)).order_by("-valid_from")


def authorized_item_ids_on(station: Station, day: dt.date) -> set[int]:
    """Items the station may verify on `day`: in force, not suspended, item already added (A8, A10)."""
    return set(
        CertificateItem.objects.filter(authority.item_in_force_on_q(day), certificate__station=station).values_list(
            "item_id", flat=True
        )
    )


def renewal_deadline(certificate: Certificate) -> dt.date:
    """A7: a renewal is due no later than six months before expiry."""
    return add_months(certificate.expires_on, -settings.ZZ_POLICY["RENEWAL_MONTHS_BEFORE_EXPIRY"])


def register_certificates(day: dt.date, *, search: str = "", district: str = "", item: str = "") -> QuerySet:
    """Public register (A5): certificates that are the live authority today, suspended ones included."""
    queryset = Certificate.objects.current_on(day)
    if search:
        queryset = queryset.filter(
            Q(station__name__icontains=search) | Q(number__icontains=search) | Q(items__name__icontains=search)
        )
    if district:
        queryset = queryset.filter(station__district=district)
    if item:
        queryset = queryset.filter(items__pk=item)
    return _with_items(queryset.distinct()).order_by("station__name")


def revoked_certificates() -> QuerySet:
    """Public revoked list (A11)."""
    return Certificate.objects.filter(revoked_on__isnull=False).select_related("station").order_by("-revoked_on")


def certificates_expiring(day: dt.date, *, months: int | None = None) -> QuerySet:
    months = settings.ZZ_POLICY["EXPIRY_WARNING_MONTHS"] if months is None else months
    return (
        Certificate.objects.current_on(day)
        .filter(expires_on__lte=add_months(day, months), renewed_by__isnull=True)
        .select_related("station")
        .order_by("expires_on")
    )


def revocation_returns_overdue(day: dt.date) -> QuerySet:
    """A11: revoked certificates whose seal or certificate is still out 30 days after the decision."""
    due_before = day - dt.timedelta(days=settings.ZZ_POLICY["REVOCATION_RETURN_DAYS"])
    return (
        Certificate.objects.filter(revoked_on__lt=due_before)
        .filter(Q(seal_returned_on__isnull=True) | Q(certificate_returned_on__isnull=True))
        .select_related("station")
        .order_by("revoked_on")
    )


def suspensions_past_planned_end(day: dt.date) -> QuerySet:
    return Suspension.objects.filter(lifted_on__isnull=True, planned_end_on__lt=day).select_related(
        "certificate__station"
    )


def stations_authorized_in(year: int) -> QuerySet:
    """Stations whose certificate was current on at least one day of `year` (I1, I3, I6)."""
    live = Certificate.objects.filter(station=OuterRef("pk")).live_in(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return Station.objects.filter(Exists(live))
