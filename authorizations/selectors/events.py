"""Reads of the lifecycle event log (DOMAIN A12)."""

from django.db.models import QuerySet

from authorizations.models import LifecycleEvent, Station


def station_events(station: Station) -> QuerySet:
    return LifecycleEvent.objects.filter(station=station).select_related("by", "application", "certificate")
