"""Whose station a signed-in user acts for (DOMAIN Actors)."""

from authorizations.models import Station


def officer_station(user, *, action: str = "view") -> Station:
    """The officer's own station, reached through `for_user` like every station-owned row: anyone whose queryset
    does not hold it (another role, or a write `action` a manager may not do) gets Station.DoesNotExist."""
    return Station.objects.for_user(user, action=action).get(pk=user.station_id)
