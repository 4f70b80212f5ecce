"""The access walk's own guarantees (DOMAIN "Actors"): its database fingerprint sees every write, and only writes."""

import pytest

from zzmetro.access_walk import fingerprint

pytestmark = pytest.mark.django_db


def test_fingerprint_changes_with_any_row_and_only_then(officer1):
    """A manager's or a refused POST is checked by this fingerprint: it must see a one-field change of one row."""
    before = fingerprint()
    assert fingerprint() == before
    station = officer1.station
    station.name = station.name + "（改）"
    station.save(update_fields=["name"])
    after = fingerprint()
    assert {label for label in after if after[label] != before[label]} >= {"authorizations.Station"}


def test_fingerprint_leaves_out_sessions_and_the_audit_log(client, officer1):
    """Signing in writes a session and an audit row; neither is a write the walk forbids a refused request."""
    before = fingerprint()
    client.force_login(officer1)
    assert "sessions.Session" not in before and "zzmetro.SecurityEvent" not in before
    assert "authorizations.User" in before
