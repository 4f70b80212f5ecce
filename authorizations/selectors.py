"""Reads that carry rules: who is authorized when, what is due or overdue (DOMAIN A6–A11)."""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from authorizations import authority
from authorizations.models import Application, Certificate, CertificateItem, LifecycleEvent, Station, Suspension
from authorizations.validators import normalize_credit_code
from zzmetro.dates import add_months, add_years


def _with_items(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("station").prefetch_related(
        Prefetch("certificate_items", queryset=CertificateItem.objects.select_related("item")),
        "suspensions",
    )


def station_current_certificate(station: Station, day: dt.date) -> Certificate | None:
    """The certificate that is the station's live authority on `day` (in force or suspended)."""
    return _with_items(Certificate.objects.filter(station=station).current_on(day)).order_by("-valid_from").first()


def station_certificates(station: Station) -> QuerySet:
    return _with_items(Certificate.objects.filter(station=station)).order_by("-valid_from")


def authorized_item_ids_on(station: Station, day: dt.date) -> set[int]:
    """Items the station may verify on `day`: in force, not suspended, item already added (A8, A10)."""
    return set(
        CertificateItem.objects.filter(authority.item_in_force_on_q(day), certificate__station=station).values_list(
            "item_id", flat=True
        )
    )


def application_ban_lifts_on(*, credit_code: str, day: dt.date) -> dt.date | None:
    """A11: the day a revoked legal entity may apply again, if `day` is still inside the ban."""
    years = settings.ZZ_POLICY["REVOCATION_BAN_YEARS"]
    code = normalize_credit_code(credit_code)
    revoked = Certificate.objects.filter(station__credit_code=code, revoked_on__isnull=False).values_list(
        "revoked_on", flat=True
    )
    opens = [add_years(d, years) for d in revoked]
    latest = max(opens, default=None)
    return latest if latest and day < latest else None


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


def open_applications(user) -> QuerySet:
    closed = (Application.Status.REFUSED, Application.Status.FAILED, Application.Status.CERTIFIED)
    return Application.objects.for_user(user).exclude(status__in=closed).select_related("station")


def station_events(station: Station) -> QuerySet:
    return LifecycleEvent.objects.filter(station=station).select_related("by", "application", "certificate")


def dashboard_summary(day: dt.date) -> dict:
    """Counts for the compliance dashboard (bureau staff and managers)."""
    current = Certificate.objects.current_on(day)
    return {
        "stations_authorized": current.values("station").distinct().count(),
        "stations_in_force": Certificate.objects.in_force_on(day).values("station").distinct().count(),
        "expiring": certificates_expiring(day),
        "returns_overdue": revocation_returns_overdue(day),
        "suspensions_overdue": suspensions_past_planned_end(day),
        "open_applications": Application.objects.exclude(
            status__in=(Application.Status.REFUSED, Application.Status.FAILED, Application.Status.CERTIFIED)
        )
        .select_related("station")
        .order_by("submitted_on"),
        "late_renewals": Application.objects.filter(kind=Application.Kind.RENEWAL, late_days__gt=0).select_related(
            "station"
        ),
    }


def stations_authorized_in(year: int) -> QuerySet:
    """Stations whose certificate was current on at least one day of `year` (I1, I3, I6)."""
    live = Certificate.objects.filter(station=OuterRef("pk")).live_in(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return Station.objects.filter(Exists(live))
