"""One place for everything about a station (单位档案): what managers and bureau staff open from any station name.

Certificate and items (A5–A11), resources and their expiry with what cannot be verified (R1, R2), plan (P1),
reports with their timeliness and flags (M2, M8, Q1–Q4), supervision (I1–I3), complaints (I5), violations (I8)
and one timeline of every recorded event (A12). Each part is read where its rule lives.
"""

import datetime as dt
from itertools import chain

from django.db.models import Count, Q

from authorizations.models import LifecycleEvent, Station
from authorizations.selectors.certificates import station_certificates, station_current_certificate
from authorizations.selectors.resources import item_capabilities, station_personnel, station_standards, warning_days
from inspections.models import Complaint, Inspection, SampleDraw, SampleItem, SupervisionEvent, Violation
from reporting.models import AnnualPlanLine, MonthlyReport, QualityFlag, ReportingEvent
from reporting.selectors.reports import plan_for, reporting_rates

TIMELINE_LENGTH = 50


def station_page(station: Station, today: dt.date) -> dict:
    plan = plan_for(station, today.year)
    rates = reporting_rates(today.year, as_of=today, station_ids=[station.pk])
    standards, people = list(station_standards(station)), list(station_personnel(station))
    return {
        "station": station,
        "today": today,
        "certificate": station_current_certificate(station, today),
        "certificates": station_certificates(station),
        "standards": standards,
        "people": people,
        "warning_day": today + dt.timedelta(days=max(warning_days())),
        "capabilities": item_capabilities(station, today, standards=standards, people=people),
        "plan": plan,
        "plan_lines": AnnualPlanLine.objects.filter(plan=plan).select_related("item") if plan else [],
        "rates": rates.stations[0] if rates.stations else None,
        "reports": MonthlyReport.objects.filter(station=station).order_by("-period")[:24],
        "flags": QualityFlag.objects.filter(station=station).select_related("item").order_by("-period", "pk")[:30],
        "inspections": Inspection.objects.filter(station=station)
        .select_related("rectification")
        .order_by("-planned_on")[:20],
        "draws": _draws(station)[:10],
        "complaints": Complaint.objects.filter(station=station).order_by("-received_on")[:20],
        "violations": Violation.objects.filter(station=station).order_by("-found_on")[:20],
        "timeline": timeline(station),
    }


def _draws(station: Station):
    """I2: the station's re-verification samples with their results so far."""
    results = SampleItem.Result
    return (
        SampleDraw.objects.filter(station=station)
        .select_related("plan")
        .annotate(
            tested=Count("items", filter=~Q(items__result=results.PENDING)),
            passed=Count("items", filter=Q(items__result=results.QUALIFIED)),
        )
        .order_by("-drawn_at")
    )


def timeline(station: Station, *, length: int = TIMELINE_LENGTH) -> list:
    """The newest recorded events of the station in every app, one list newest first (A12)."""
    parts = (
        LifecycleEvent.objects.filter(station=station).select_related("by").order_by("-at")[:length],
        ReportingEvent.objects.filter(station=station).select_related("by").order_by("-at")[:length],
        SupervisionEvent.objects.filter(station=station).select_related("by").order_by("-at")[:length],
    )
    return sorted(chain.from_iterable(parts), key=lambda e: e.at, reverse=True)[:length]
