"""The one definition of "is this station authorized on day D" (DOMAIN A6–A11), in Python and in SQL.

A certificate reduces to a few date boundaries:

- it is *live* (the station's authority: in force or suspended) on every day from `valid_from` through its
  *last live day*, the earliest of `expires_on` (A6; a renewal starts the day after, A7), the day before the
  revocation decision (A11) and the approved termination date (A9, the station stays authorized through it);
- a suspension covers the days from `starts_on` until the day before `lifted_on` (open while not lifted): those
  days are authorized but not *in force* (A10);
- an item is authorized from the day it was added (A8) on the certificate's live days.

Every question — a day, a span, the months of a year — is "is some day of the span inside these boundaries".
`live_in` answers it in Python on loaded rows, `live_in_q` as a filter the database evaluates; both are written
from the same inequalities (the span's start and the certificate's start ≤ the span's end and the last live day),
and `authorizations/tests/test_authority.py` checks they agree on every day of several years.

This module imports no model at import time: `authorizations.models` builds its querysets and `Certificate.state_on`
from it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q

Span = tuple[dt.date, dt.date]  # inclusive
ONE_DAY = dt.timedelta(days=1)
OPEN_END = dt.date.max

# Certificate.State values (the model's TextChoices wrap them).
NOT_YET, IN_FORCE, SUSPENDED, EXPIRED, TERMINATED, REVOKED = (
    "not_yet",
    "in_force",
    "suspended",
    "expired",
    "terminated",
    "revoked",
)


# --- the boundaries, in Python -----------------------------------------------------------------------------


def last_live_day(certificate) -> dt.date:
    """The last day the certificate is the station's authority (A6, A9, A11); may fall before `valid_from`."""
    end = certificate.expires_on
    if certificate.revoked_on is not None:
        end = min(end, certificate.revoked_on - ONE_DAY)
    if certificate.terminated_on is not None:
        end = min(end, certificate.terminated_on)
    return end


def live_span(certificate) -> Span | None:
    """The days the certificate is live, or None when it never is (revoked or terminated before it started)."""
    end = last_live_day(certificate)
    return (certificate.valid_from, end) if end >= certificate.valid_from else None


def suspension_span(suspension) -> Span:
    """A10: suspended from `starts_on` until lifted (the planned end is a deadline, not an automatic lift)."""
    return (suspension.starts_on, suspension.lifted_on - ONE_DAY if suspension.lifted_on else OPEN_END)


def overlaps(a: Span | None, b: Span) -> bool:
    return a is not None and a[0] <= b[1] and b[0] <= a[1]


def covers(span: Span | None, day: dt.date) -> bool:
    return overlaps(span, (day, day))


def live_in(certificate, span: Span) -> bool:
    """Live on at least one day of `span` (the Python side of `live_in_q`)."""
    return overlaps(live_span(certificate), span)


def live_on(certificate, day: dt.date) -> bool:
    """The station's live authority on `day`: in force or suspended (the Python side of `live_on_q`)."""
    return live_in(certificate, (day, day))


def suspended_on(certificate, day: dt.date) -> bool:
    """Some suspension of the certificate covers `day` (reads prefetched `suspensions`)."""
    return any(covers(suspension_span(s), day) for s in certificate.suspensions.all())


def in_force_on(certificate, day: dt.date) -> bool:
    """The station may verify under the certificate on `day`: live and not suspended (A10)."""
    return live_on(certificate, day) and not suspended_on(certificate, day)


def state_on(certificate, day: dt.date, *, suspended: bool | None = None) -> str:
    """What the certificate means on `day`; a live day is in force or suspended, an ended day says why."""
    if live_on(certificate, day):
        if suspended is None:
            suspended = suspended_on(certificate, day)
        return SUSPENDED if suspended else IN_FORCE
    if certificate.revoked_on is not None and certificate.revoked_on <= day:
        return REVOKED
    if certificate.terminated_on is not None and certificate.terminated_on < day:
        return TERMINATED
    return NOT_YET if day < certificate.valid_from else EXPIRED


def item_ids_in_force_on(certificates, day: dt.date) -> set[int]:
    """A8, A10: items the station may verify on `day`, from certificates with prefetched items and suspensions."""
    return {
        ci.item_id
        for certificate in certificates
        if in_force_on(certificate, day)
        for ci in certificate.certificate_items.all()
        if ci.added_on <= day
    }


# --- the same boundaries, in SQL ---------------------------------------------------------------------------


def live_in_q(span: Span, prefix: str = "") -> Q:
    """Certificates live on at least one day of `span` (the SQL side of `live_in`).

    Some day lies in both spans when each start is ≤ each end: valid_from ≤ span end, span start ≤ expires_on,
    and both starts < revoked_on and ≤ terminated_on. `prefix` reaches a certificate through a relation
    ("certificate__").
    """
    start, end = span
    p = prefix
    return (
        Q(**{f"{p}valid_from__lte": end, f"{p}expires_on__gte": start})
        & (
            Q(**{f"{p}revoked_on__isnull": True})
            | Q(**{f"{p}revoked_on__gt": start}) & Q(**{f"{p}revoked_on__gt": F(f"{p}valid_from")})
        )
        & (
            Q(**{f"{p}terminated_on__isnull": True})
            | Q(**{f"{p}terminated_on__gte": start}) & Q(**{f"{p}terminated_on__gte": F(f"{p}valid_from")})
        )
    )


def live_on_q(day: dt.date, prefix: str = "") -> Q:
    """Certificates that are the station's live authority on `day` (the SQL side of `live_on`)."""
    return live_in_q((day, day), prefix)


def suspension_covers_q(day: dt.date) -> Q:
    """Suspensions covering `day` (the SQL side of `suspension_span`)."""
    return Q(starts_on__lte=day) & (Q(lifted_on__isnull=True) | Q(lifted_on__gt=day))


def suspended_on_q(day: dt.date, prefix: str = "") -> Q:
    suspension = apps.get_model("authorizations", "Suspension")
    covering = suspension.objects.filter(suspension_covers_q(day), certificate=OuterRef(f"{prefix}pk"))
    return Q(Exists(covering))


def in_force_on_q(day: dt.date, prefix: str = "") -> Q:
    """Certificates under which the station may verify on `day`: live and not suspended (A10)."""
    return live_on_q(day, prefix) & ~suspended_on_q(day, prefix)


def item_in_force_on_q(day: dt.date) -> Q:
    """CertificateItems the station may verify on `day`: the certificate in force and the item added (A8, A10)."""
    return Q(added_on__lte=day) & in_force_on_q(day, "certificate__")


def as_flag(condition: Q) -> ExpressionWrapper:
    """A filter as a boolean column, to ask many days or months in one query."""
    return ExpressionWrapper(condition, output_field=BooleanField())


# --- months of a year --------------------------------------------------------------------------------------


def month_span(year: int, month: int) -> Span:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (dt.date(year, month, 1), following - ONE_DAY)


def months_live_sql(year: int, *, station_ids=None) -> dict[int, set[int]]:
    """M8: per station, the months of `year` with at least one live day — one query."""
    certificate = apps.get_model("authorizations", "Certificate")
    rows = certificate.objects.filter(live_in_q((dt.date(year, 1, 1), dt.date(year, 12, 31))))
    if station_ids is not None:
        rows = rows.filter(station_id__in=station_ids)
    flags = {f"m{m}": as_flag(live_in_q(month_span(year, m))) for m in range(1, 13)}
    months: dict[int, set[int]] = {}
    for row in rows.annotate(**flags).values("station_id", *flags):
        months.setdefault(row["station_id"], set()).update(m for m in range(1, 13) if row[f"m{m}"])
    return months


# --- a station's certificates loaded once, for many periods (M5, M8, A10) ----------------------------------


@dataclass
class StationAuthority:
    """A station's certificates reduced to their boundaries; answers per-period questions without queries."""

    current: list[Span] = field(default_factory=list)
    in_force: list[tuple[Span, list[Span]]] = field(default_factory=list)  # (live span, suspensions)
    items: list[tuple[Span, int, dt.date]] = field(default_factory=list)  # (live span, item id, added_on)

    def add(self, certificate, *, with_items: bool) -> None:
        span = live_span(certificate)
        if span is None:
            return
        self.current.append(span)
        self.in_force.append((span, [suspension_span(s) for s in certificate.suspensions.all()]))
        if with_items:
            self.items += [(span, ci.item_id, ci.added_on) for ci in certificate.certificate_items.all()]

    def current_in(self, span: Span) -> bool:
        """Authorized (in force or suspended) on at least one day of `span` (M8)."""
        return any(overlaps(c, span) for c in self.current)

    def months_current_in(self, year: int) -> set[int]:
        """M8: the months of `year` with at least one authorized day (the Python side of `months_live_sql`).

        A live span clipped to the year has a day in every month from its first day's to its last day's.
        """
        first, last, months = dt.date(year, 1, 1), dt.date(year, 12, 31), set()
        for start, end in self.current:
            if start <= last and first <= end:
                months.update(range(max(start, first).month, min(end, last).month + 1))
        return months

    def in_force_on(self, day: dt.date) -> bool:
        return any(covers(c, day) and not any(covers(s, day) for s in sus) for c, sus in self.in_force)

    def in_force_in(self, span: Span) -> bool:
        """May verify on at least one day of `span`: live and not suspended (A10)."""
        return any(self.in_force_on(day) for day in _days(span))

    def days_not_in_force(self, span: Span) -> list[dt.date]:
        """Days of `span` on which the station may not verify: outside every certificate or suspended (A10)."""
        return [day for day in _days(span) if not self.in_force_on(day)]

    def item_ids_in(self, span: Span) -> set[int]:
        """Items authorized on at least one day of `span` (an item added mid-month counts, A8)."""
        return {item for live, item, added in self.items if overlaps(live, span) and added <= min(live[1], span[1])}


def _days(span: Span):
    day = span[0]
    while day <= span[1]:
        yield day
        day += ONE_DAY


def load_authorities(*, station_ids=None, with_items: bool = False) -> dict[int, StationAuthority]:
    """Certificates of the given stations (all when None) as StationAuthority objects: 2–3 queries.

    Only the boundary columns are read, as plain tuples (no model instances, no prefetch machinery): the
    dashboard loads every certificate of the city on each request.
    """
    certificate_model = apps.get_model("authorizations", "Certificate")
    within = {} if station_ids is None else {"station_id__in": station_ids}
    through = {} if station_ids is None else {"certificate__station_id__in": station_ids}
    certificates = certificate_model.objects.filter(**within).values_list(
        "id", "station_id", "valid_from", "expires_on", "revoked_on", "terminated_on"
    )  # in the model's order, so the stations come out in the order they always did
    suspensions: dict[int, list[Span]] = {}
    suspension_rows = apps.get_model("authorizations", "Suspension").objects.filter(**through)
    for certificate_id, starts_on, lifted_on in suspension_rows.values_list(
        "certificate_id", "starts_on", "lifted_on"
    ).order_by():  # every answer is "any span …": the order of the spans does not matter
        suspensions.setdefault(certificate_id, []).append(suspension_span(_Suspension(starts_on, lifted_on)))
    items: dict[int, list[tuple[int, dt.date]]] = {}
    if with_items:
        item_rows = apps.get_model("authorizations", "CertificateItem").objects.filter(**through)
        for certificate_id, item_id, added_on in item_rows.values_list(
            "certificate_id", "item_id", "added_on"
        ).order_by():
            items.setdefault(certificate_id, []).append((item_id, added_on))
    authorities: dict[int, StationAuthority] = {}
    for pk, station_id, *boundaries in certificates:
        authority = authorities.setdefault(station_id, StationAuthority())
        span = live_span(_Certificate(*boundaries))
        if span is None:
            continue
        authority.current.append(span)
        authority.in_force.append((span, suspensions.get(pk, [])))
        authority.items += [(span, item_id, added_on) for item_id, added_on in items.get(pk, ())]
    return authorities


@dataclass(frozen=True)
class _Certificate:
    """A certificate's boundary columns, read by live_span()."""

    valid_from: dt.date
    expires_on: dt.date
    revoked_on: dt.date | None
    terminated_on: dt.date | None


@dataclass(frozen=True)
class _Suspension:
    starts_on: dt.date
    lifted_on: dt.date | None


def station_authority(station_id: int, *, with_items: bool = True) -> StationAuthority:
    return load_authorities(station_ids=[station_id], with_items=with_items).get(station_id, StationAuthority())
