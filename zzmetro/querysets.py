"""Who may see which rows (DOMAIN Actors), in one place for every station-owned model."""

from django.db import models


class StationOwnedQuerySet(models.QuerySet):
    """Bureau staff and managers read every station's rows; an officer only their own station's; others none.

    Views reach station-owned objects only through `for_user`, so another station's object is a 404 exactly
    like one that does not exist. `station_lookup` is the path to the station's id when it is not `station_id`.
    """

    station_lookup = "station_id"

    def for_user(self, user, action: str = "view"):
        """The rows `user` may `action` ("view", "add", "change", "delete" or a service's verb).

        Reading: bureau staff and managers every station's rows, an officer their own. Any other action: bureau
        staff every row, an officer their own station's, a manager none — read-only through every URL.
        """
        if action == "view" and getattr(user, "reads_everything", False):
            return self
        if action != "view" and getattr(user, "is_bureau", False):
            return self
        if getattr(user, "is_officer", False):
            return self.filter(**{self.station_lookup: user.station_id})
        return self.none()
