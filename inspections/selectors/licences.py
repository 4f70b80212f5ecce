"""Reads of the licence register that carry a rule (DOMAIN L3, L4): which licences a finding stands against."""

from django.db.models import Count, Q, QuerySet

from inspections.models import LicenceFinding, ManufacturingLicence
from inspections.selectors.licence_documents import STANDING


def _standing(prefix: str = "findings__") -> Q:
    return Q(**{f"{prefix}status__in": STANDING})


def with_standing_count(licences: QuerySet) -> QuerySet:
    """Each licence with `standing_count`: its open and confirmed findings (explained ones do not count, L4)."""
    return licences.annotate(standing_count=Count("findings", filter=_standing(), distinct=True))


def by_finding(licences: QuerySet, value: str) -> QuerySet:
    """Licences with a standing finding ("any"), with none ("none"), or with one of the rule `value`."""
    if value == "any":
        return licences.filter(pk__in=ManufacturingLicence.objects.filter(_standing()).values("pk"))
    if value == "none":
        return licences.exclude(pk__in=ManufacturingLicence.objects.filter(_standing()).values("pk"))
    if value in LicenceFinding.Rule.values:
        standing = LicenceFinding.objects.filter(status__in=STANDING, rule=value)
        return licences.filter(pk__in=standing.values("licence_id"))
    return licences
