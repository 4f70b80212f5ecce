"""Reads about applications that carry rules (DOMAIN A2, A11)."""

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet

from authorizations.models import Application, Certificate
from authorizations.validators import normalize_credit_code
from zzmetro.dates import add_years


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


def open_applications(user) -> QuerySet:
    closed = (Application.Status.REFUSED, Application.Status.FAILED, Application.Status.CERTIFIED)
    return Application.objects.for_user(user).exclude(status__in=closed).select_related("station")
