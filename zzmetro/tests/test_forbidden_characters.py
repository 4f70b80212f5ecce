"""A NUL byte in a filter, a search or a form field gets a plain Chinese "not allowed" page, never a server error.

PostgreSQL refuses a text containing NUL, so such a value must be turned away before any filter or form reads it.
The admin changelists are taken from the admin site itself, so a list added tomorrow is checked too.
"""

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse

from . import admin_walk as walk

pytestmark = pytest.mark.django_db

NOT_ALLOWED = "请求中含有不允许的字符"


def changelist_queries() -> list[str]:
    """Every admin changelist, with a NUL in its search box and in each of its text columns used as a filter."""
    urls = []
    for route, entry in walk.routes(admin.site).items():
        if not entry.is_changelist or entry.model_admin is None:
            continue
        path = walk._fill_path(route, {}, [])
        urls.append(f"{path}?q=%00")
        for field in entry.model_admin.model._meta.fields:
            if isinstance(field, (models.CharField, models.TextField)):
                urls.append(f"{path}?{field.name}=%00")
                urls.append(f"{path}?{field.name}__icontains=a%00b")
    return urls


def assert_not_allowed(response):
    assert response.status_code == 400
    assert NOT_ALLOWED in response.content.decode()


@pytest.mark.parametrize("role", ["bureau", "manager"])
def test_a_nul_in_any_admin_list_filter_is_refused_with_a_clear_page(role, request):
    """Actors, issue 10: staff and managers filtering any admin list with a NUL byte get a 400 page saying the
    request has a character that is not allowed (no server error)."""
    client = Client()
    client.force_login(request.getfixturevalue(role))
    urls = changelist_queries()
    assert any("/inspections/manufacturinglicence/?number=%00" in u for u in urls)
    failures = []
    for url in urls:
        response = client.get(url)
        walk.drain(response)
        if response.status_code != 400 or NOT_ALLOWED not in response.content.decode():
            failures.append((url, response.status_code))
    assert not failures


@pytest.mark.parametrize("role", ["bureau", "manager"])
def test_a_nul_in_the_licence_exports_filters_is_refused(role, request):
    """L3, L4: the licence and finding exports filtered with a NUL byte answer 400 in Chinese, not a server error."""
    client = Client()
    client.force_login(request.getfixturevalue(role))
    for name, param in (("licences:export", "number"), ("licences:finding_export", "message")):
        assert_not_allowed(client.get(f"{reverse(name)}?{param}=%00"))
        assert_not_allowed(client.get(f"{reverse(name)}?q=a%00"))


def test_a_nul_on_the_public_list_and_in_a_posted_form_is_refused():
    """L5, G1: the public list of licence holders and the login form refuse a NUL byte with the same page."""
    client = Client()
    assert_not_allowed(client.get(f"{reverse('licences:register')}?number=%00"))
    assert_not_allowed(client.post(reverse("login"), {"username": "bureau\x00", "password": "x"}))


def test_ordinary_values_pass():
    """A value without a NUL (Chinese text, tabs, line breaks) still reaches the page."""
    client = Client()
    response = client.get(f"{reverse('licences:register')}?number=%E8%B1%AB%09")
    assert response.status_code == 200
