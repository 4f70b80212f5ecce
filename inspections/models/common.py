from django.db import models


class StationOwnedQuerySet(models.QuerySet):
    """Bureau staff and managers read all; an officer only their own station's rows (DOMAIN Actors)."""

    station_field = "station"

    def for_user(self, user):
        if getattr(user, "reads_everything", False):
            return self
        if getattr(user, "is_officer", False):
            return self.filter(**{f"{self.station_field}_id": user.station_id})
        return self.none()
