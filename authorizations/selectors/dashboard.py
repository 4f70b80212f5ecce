"""The compliance dashboard's figures (bureau staff and managers)."""

import datetime as dt

from authorizations.models import Application, Certificate
from authorizations.selectors.certificates import (
    certificates_expiring,
    revocation_returns_overdue,
    suspensions_past_planned_end,
)


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
