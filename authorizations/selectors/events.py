"""Reads of the lifecycle event log (DOMAIN A12)."""

from django.db.models import QuerySet

from authorizations.models import LifecycleEvent


def station_events(user) -> QuerySet:
    """The lifecycle events `user` may read: an officer their own station's, bureau staff and managers all."""
    return LifecycleEvent.objects.for_user(user).select_related("by", "application", "certificate")
