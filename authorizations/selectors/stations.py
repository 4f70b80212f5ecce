"""Whose station a signed-in user acts for (DOMAIN Actors)."""

from authorizations.models import Station


def officer_station(user) -> Station:
    """The station an officer acts for, to read or to write: `for_user`'s rule (an officer's rows are their own
    station's, whatever the action; a manager or bureau account has no station of its own to act for), answered from
    the station the request already loaded with the account, so it costs no query. Others get Station.DoesNotExist."""
    if not getattr(user, "is_officer", False):
        raise Station.DoesNotExist("此账号不属于任何检定机构。")
    return user.station
