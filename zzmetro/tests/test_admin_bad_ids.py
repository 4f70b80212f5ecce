"""A row URL of the admin with an id that cannot be a row's answers "not found", never a server error.

The URL list comes from the admin site itself (`admin_walk.routes`), so a row page added tomorrow is walked too:
Django's own pages (change, history, delete), the history of one version, the transition buttons' pages and the
documents, for bureau staff (who may change) and managers (who read).
"""

import pytest
from django.contrib import admin
from django.test import Client

from . import admin_walk as walk

pytestmark = pytest.mark.django_db

BAD_IDS = ("abc", "1abc", "1.5", "99999999999999999999")


def row_urls(bad_id: str) -> list[str]:
    """Every admin pattern that takes a row's id, filled with `bad_id` (other arguments get a plausible value)."""
    urls = []
    for route, entry in walk.routes(admin.site).items():
        named, positional = walk._params(entry)
        if not named & {"object_id", "pk"} and not (positional and entry.model_admin):
            continue
        values = {"object_id": bad_id, "pk": bad_id, "name": "confirm", "kind": "notice", "field": "file"}
        urls.append(walk._fill_path(route, values, [bad_id, "1"]))
        if positional > 1:  # the history of one version: the version's id too
            urls.append(walk._fill_path(route, {**values, "object_id": "1", "pk": "1"}, ["1", bad_id]))
    return sorted(set(urls))


def test_the_walk_reaches_every_kind_of_row_page():
    """The walk below covers Django's row pages, the transition buttons and the documents (A12)."""
    urls = row_urls("abc")
    assert any(u.endswith("/abc/change/") for u in urls)
    assert any(u.endswith("/abc/history/") for u in urls)
    assert any(u.endswith("/abc/delete/") for u in urls)
    assert any("/abc/do/" in u for u in urls)
    assert any("/abc/document" in u or u.endswith(".pdf") for u in urls)


@pytest.mark.parametrize("role", ["bureau", "manager"])
def test_every_admin_row_url_with_an_impossible_id_is_not_found(role, request):
    """Actors, A12: staff and managers who follow a mistyped or cut link to a row get "not found" (404), for every
    kind of row page, and never a server error."""
    client = Client()
    client.force_login(request.getfixturevalue(role))
    failures = []
    for bad_id in BAD_IDS:
        for url in row_urls(bad_id):
            # A document URL whose `<int:pk>` cannot match gets Django's add-a-slash redirect first (APPEND_SLASH);
            # where the link leads is what the user sees.
            response = client.get(url, follow=True)
            walk.drain(response)
            if response.status_code != 404:
                failures.append((url, response.status_code))
    assert not failures
