"""When was a station authorized, in force and for which items — per month, from few queries (M5, M8, A10).

A certificate is *current* from `valid_from` through the earliest of its expiry, the day before revocation and
its approved termination date (A6, A9, A11); it is *in force* on the current days not covered by a suspension
(A10). Everything here is interval arithmetic on rows loaded once, so a province-wide rate table stays cheap.
"""
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from authorizations.models import Certificate, CertificateItem

Span = tuple[dt.date, dt.date]  # inclusive


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def current_span(certificate: Certificate) -> Span | None:
    end = certificate.expires_on
    if certificate.revoked_on:
        end = min(end, certificate.revoked_on - dt.timedelta(days=1))
    if certificate.terminated_on:
        end = min(end, certificate.terminated_on)
    return (certificate.valid_from, end) if end >= certificate.valid_from else None


def _suspended_spans(certificate: Certificate) -> list[Span]:
    return [
        (s.starts_on, s.lifted_on - dt.timedelta(days=1) if s.lifted_on else dt.date.max)
        for s in certificate.suspensions.all()
    ]


def _uncovered(span: Span, covers: list[Span]) -> bool:
    """True when some day of `span` lies outside every span in `covers`."""
    day = span[0]
    for start, end in sorted(covers):
        if start > day:
            return True
        if end >= day:
            if end >= span[1]:
                return False
            day = end + dt.timedelta(days=1)
    return day <= span[1]


@dataclass
class StationAuthority:
    """A station's certificates reduced to spans; answers per-period questions without queries."""

    current: list[Span] = field(default_factory=list)
    in_force: list[tuple[Span, list[Span]]] = field(default_factory=list)  # (current span, suspensions)
    items: list[tuple[Span, int, dt.date]] = field(default_factory=list)  # (current span, item id, added_on)

    def add(self, certificate: Certificate, *, with_items: bool) -> None:
        span = current_span(certificate)
        if span is None:
            return
        self.current.append(span)
        self.in_force.append((span, _suspended_spans(certificate)))
        if with_items:
            self.items += [(span, ci.item_id, ci.added_on) for ci in certificate.certificate_items.all()]

    def current_in(self, span: Span) -> bool:
        """Authorized (in force or suspended) on at least one day of `span` (M8)."""
        return any(_overlaps(c, span) for c in self.current)

    def in_force_in(self, span: Span) -> bool:
        """May verify on at least one day of `span`: current and not suspended (A10)."""
        for current, suspensions in self.in_force:
            if _overlaps(current, span):
                part = (max(current[0], span[0]), min(current[1], span[1]))
                if _uncovered(part, suspensions):
                    return True
        return False

    def days_not_in_force(self, span: Span) -> list[dt.date]:
        """Days of `span` on which the station may not verify: outside every certificate or suspended (A10)."""
        days, day = [], span[0]
        while day <= span[1]:
            if not any(c[0] <= day <= c[1] and not any(s[0] <= day <= s[1] for s in sus) for c, sus in self.in_force):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def item_ids_in(self, span: Span) -> set[int]:
        """Items authorized on at least one day of `span` (an item added mid-month counts, A8)."""
        return {item for current, item, added in self.items if _overlaps(current, span) and added <= span[1] and added <= current[1]}


def load_authorities(*, station_ids=None, with_items: bool = False) -> dict[int, StationAuthority]:
    """Certificates of the given stations (all when None) as StationAuthority objects: 2–3 queries."""
    certificates = Certificate.objects.only(
        "id", "station_id", "valid_from", "expires_on", "revoked_on", "terminated_on"
    ).prefetch_related("suspensions")
    if with_items:
        certificates = certificates.prefetch_related(
            Prefetch("certificate_items", queryset=CertificateItem.objects.only("id", "certificate_id", "item_id", "added_on"))
        )
    if station_ids is not None:
        certificates = certificates.filter(station_id__in=station_ids)
    authorities: dict[int, StationAuthority] = {}
    for certificate in certificates:
        authorities.setdefault(certificate.station_id, StationAuthority()).add(certificate, with_items=with_items)
    return authorities


def station_authority(station_id: int, *, with_items: bool = True) -> StationAuthority:
    return load_authorities(station_ids=[station_id], with_items=with_items).get(station_id, StationAuthority())
