"""The admin's per-page work done once (issue 13 "Load") still shows each account what its role allows (Actors)."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template import Context
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.html import format_html
from django.utils.translation import gettext

from authorizations.backends import MANAGED_APPS
from authorizations.models import Role
from zzmetro.models import OutboxMessage
from zzmetro.templatetags.admin_sidebar import sidebar_app_list

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _models(app_list):
    return {(app["app_label"], model["object_name"]): model["perms"] for app in app_list for model in app["models"]}


def test_row_checkbox_is_the_same_html_as_djangos_widget():
    """Actors: bureau staff select rows for an action as before; a name with markup is escaped once, as by Django."""
    obj = OutboxMessage(pk=7, subject='<b>"计量" & 检定</b>', body="")
    # Django's own ModelAdmin.action_checkbox, which the admin's app config replaces
    label = format_html(gettext("Select this object for an action - {}"), str(obj))
    checkbox = forms.CheckboxInput({"class": "action-select", "aria-label": label}, lambda value: False)
    ours = admin.site.get_model_admin(OutboxMessage).action_checkbox(obj)
    assert ours == checkbox.render(helpers.ACTION_CHECKBOX_NAME, "7")
    assert "&lt;b&gt;&quot;计量&quot; &amp; 检定" in ours


def test_every_model_on_the_site_has_its_rights_from_the_role():
    """Actors: the remembered app list may follow the role alone only while the role decides every model's rights."""
    assert {model._meta.app_label for model in admin.site._registry} <= MANAGED_APPS


def test_bureau_and_manager_each_get_their_own_app_list(bureau, manager):
    """Actors: bureau staff may change, managers only read — the remembered list never crosses roles."""
    bureau_list = _models(admin.site.get_app_list(_request(bureau)))
    manager_list = _models(admin.site.get_app_list(_request(manager)))
    assert bureau_list.keys() == manager_list.keys()
    assert not any(perms.get("change") or perms.get("add") for perms in manager_list.values())
    assert any(perms.get("change") for perms in bureau_list.values())
    assert _models(admin.site.get_app_list(_request(manager))) == manager_list
    assert _models(admin.site.get_app_list(_request(bureau))) == bureau_list


def test_a_new_role_shows_at_once(bureau, manager):
    """Actors: a manager made bureau staff sees the bureau's list on the next page, and a manager's again after."""
    as_manager = _models(admin.site.get_app_list(_request(manager)))
    manager.role = Role.BUREAU
    assert _models(admin.site.get_app_list(_request(manager))) == _models(admin.site.get_app_list(_request(bureau)))
    manager.role = Role.MANAGER
    assert _models(admin.site.get_app_list(_request(manager))) == as_manager


def test_a_caller_changing_its_list_does_not_change_the_next_ones(bureau):
    """Actors: a page that rearranges its copy of the list leaves every other page's list as it was."""
    first = admin.site.get_app_list(_request(bureau))
    expected, name = _models(first), first[0]["name"]
    first[0]["models"].clear()
    first[0]["name"] = "改过"
    second = admin.site.get_app_list(_request(bureau))
    assert _models(second) == expected and second[0]["name"] == name


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/authorizations/", "/admin/authorizations/station/", "/admin/authorizations/station/1/change/"],
)
def test_side_bar_is_the_html_django_renders(bureau, manager, path):
    """Actors: the side bar lists what the role may open and marks the current app and model as Django would."""
    for user in (bureau, manager):
        request = RequestFactory().get(path)
        request.user = user
        app_list = admin.site.get_app_list(request)
        djangos = render_to_string(
            "admin/app_list.html", {"app_list": app_list, "show_changelinks": False, "request": request}
        )
        context = Context({"available_apps": app_list, "request": request})
        for _ in range(2):  # rendered, then remembered
            assert sidebar_app_list(context) == djangos
        assert ("current-model" in djangos) == path.startswith("/admin/authorizations/station/")


def test_changelist_page_marks_its_model_in_the_side_bar(client, bureau):
    """Actors: bureau staff on the stations' list see it marked in the side bar, with the other models beside it."""
    client.force_login(bureau)
    html = client.get("/admin/authorizations/station/").content.decode()
    assert 'class="model-station current-model"' in html
    assert 'id="nav-sidebar"' in html and 'class="model-certificate"' in html
