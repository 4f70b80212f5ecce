"""Who may see what (DOMAIN Actors): every portal, register and dashboard URL walked as every actor.

officer1 and officer2 belong to different stations; officer1 asking for officer2's objects gets the same 404
as for an object that does not exist. Managers read only. The public sees only the register.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from authorizations import services
from zzmetro.testing import named_urls, pdf_bytes

from .factories import ApplicationFactory, CertificateFactory, UserFactory

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "officer1", "officer2", "manager", "bureau")
LOGIN = "login"


@pytest.fixture
def world(officer1, officer2, manager, bureau):
    """Each officer's station has a certificate and an accepted application; officer1's certificate is revoked."""
    objects = {}
    for name, officer in (("a", officer1), ("b", officer2)):
        certificate = CertificateFactory(station=officer.station, issued_on=dt.date(2025, 1, 1))
        application = ApplicationFactory(station=officer.station, kind="new_items", certificate=certificate)
        services.application_accept(application=application, by=bureau)
        services.application_add_material(
            application=application, by=officer, title="申请书", file=SimpleUploadedFile("a.pdf", pdf_bytes())
        )
        objects[name] = {"certificate": certificate, "application": application}
    services.certificate_revoke(
        certificate=objects["a"]["certificate"], by=bureau, decided_on=dt.date(2026, 1, 10), reason="测试"
    )
    return {"users": {"officer1": officer1, "officer2": officer2, "manager": manager, "bureau": bureau}, **objects}


def portal_urls(world):
    a = world["a"]
    return (
        {
            "portal:index": reverse("portal:index"),
            "portal:application_list": reverse("portal:application_list"),
            "portal:application_create": reverse("portal:application_create") + "?kind=new_items",
            "portal:event_list": reverse("portal:event_list"),
            "portal:termination_create": reverse("portal:termination_create"),
        },
        {
            "portal:application_detail": reverse("portal:application_detail", args=[a["application"].pk]),
            "portal:application_document": reverse(
                "portal:application_document", args=[a["application"].pk, "acceptance"]
            ),
            "portal:certificate_detail": reverse("portal:certificate_detail", args=[a["certificate"].pk]),
            "portal:certificate_document": reverse(
                "portal:certificate_document", args=[a["certificate"].pk, "certificate"]
            ),
            "portal:application_material_download": reverse(
                "portal:application_material_download", args=[a["application"].pk, a["application"].materials.get().pk]
            ),
        },
        {
            "portal:application_material": reverse("portal:application_material", args=[a["application"].pk]),
            "portal:application_preparation": reverse("portal:application_preparation", args=[a["application"].pk]),
            "portal:application_request_assessment": reverse(
                "portal:application_request_assessment", args=[a["application"].pk]
            ),
        },
    )


def public_urls(world):
    return {
        "register:index": reverse("register:index"),
        "register:revoked": reverse("register:revoked"),
        "register:certificate": reverse("register:certificate", args=[world["b"]["certificate"].number]),
    }


def client_for(client, world, actor):
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


def test_every_named_page_outside_the_admin_is_in_this_access_walk(world):
    """Every view is covered: a new URL without an entry here fails this test."""
    own_lists, own_objects, own_posts = portal_urls(world)
    covered = set(own_lists) | set(own_objects) | set(own_posts) | set(public_urls(world)) | {"home", "dashboard"}
    auth_views = {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
    auth_views |= {"otp_setup", "otp_verify", "otp_recovery_codes"}  # login required: test_identity.py walks them
    probes = {"healthz_live", "healthz_ready"}  # open to the load balancer: walked below
    assert named_urls(namespaces={None, "portal", "register"}) - auth_views - probes - covered == set()


@pytest.mark.parametrize("actor", ACTORS)
def test_health_probes_answer_everyone_and_reveal_no_data(client, world, actor):
    """Actors: the load balancer's probes need no login and answer only with check names, never with rows."""
    client = client_for(client, world, actor)
    assert client.get(reverse("healthz_live")).status_code == 200
    ready = client.get(reverse("healthz_ready"))
    assert ready.status_code in (200, 503) and ready["Content-Type"].startswith("application/json")
    assert world["b"]["certificate"].number not in ready.content.decode()


@pytest.mark.parametrize("actor", ACTORS)
def test_public_register_is_open_to_everyone(client, world, actor):
    """A5, A11, D2: the register, the revoked list and certificate pages need no login."""
    client = client_for(client, world, actor)
    for url in public_urls(world).values():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 302), ("officer1", 200), ("officer2", 404), ("manager", 403), ("bureau", 403)],
)
def test_station_objects_are_seen_only_by_their_own_officer(client, world, actor, expected):
    """Actors: officer1 sees station A's objects; officer2 gets 404 as for a missing object; others have no portal."""
    client = client_for(client, world, actor)
    _, own_objects, _ = portal_urls(world)
    for name, url in own_objects.items():
        response = client.get(url)
        assert response.status_code == expected, (name, response.status_code)
        if expected == 302:
            assert reverse(LOGIN) in response["Location"]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 302), ("officer1", 200), ("officer2", 200), ("manager", 403), ("bureau", 403)],
)
def test_portal_lists_open_to_officers_only(client, world, actor, expected):
    client = client_for(client, world, actor)
    lists, _, _ = portal_urls(world)
    for name, url in lists.items():
        response = client.get(url)
        # officer1's certificate is revoked, so the termination form sends them back to the portal home.
        wanted = 302 if (name == "portal:termination_create" and actor == "officer1") else expected
        assert response.status_code == wanted, (name, response.status_code)


def test_portal_lists_show_only_the_officers_own_station(client, world):
    """Actors: officer2's lists never show station A's numbers."""
    client = client_for(client, world, "officer2")
    a_number = world["a"]["application"].number
    b_number = world["b"]["application"].number
    page = client.get(reverse("portal:application_list")).content.decode()
    assert b_number in page and a_number not in page
    history = client.get(reverse("portal:event_list")).content.decode()
    assert world["b"]["certificate"].number in history and world["a"]["certificate"].number not in history


@pytest.mark.parametrize(("actor", "expected"), [("officer2", 404), ("manager", 403), ("bureau", 403)])
def test_nobody_else_can_change_an_officers_application(client, world, actor, expected):
    """Actors: posting to another station's application changes nothing."""
    client = client_for(client, world, actor)
    _, _, posts = portal_urls(world)
    application = world["a"]["application"]
    for url in posts.values():
        assert client.post(url, {"prep_standards": "x", "title": "t"}).status_code == expected
    application.refresh_from_db()
    assert application.prep_standards == ""
    assert application.materials.count() == 1


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anonymous", 302), ("officer1", 403), ("officer2", 403), ("manager", 200), ("bureau", 200)],
)
def test_dashboard_is_for_bureau_and_managers(client, world, actor, expected):
    client = client_for(client, world, actor)
    assert client.get(reverse("dashboard")).status_code == expected


@pytest.mark.parametrize(
    ("actor", "target"),
    [("anonymous", "/register/"), ("officer1", "/portal/"), ("manager", "/dashboard/"), ("bureau", "/admin/")],
)
def test_home_sends_each_actor_to_their_room(client, world, actor, target):
    client = client_for(client, world, actor)
    assert client.get(reverse("home"))["Location"] == target


def admin_urls(world):
    a = world["a"]
    return {
        "changelist": [
            reverse(f"admin:authorizations_{model}_changelist")
            for model in (
                "station",
                "application",
                "certificate",
                "lifecycleevent",
                "verificationitem",
                "user",
                "assessment",
                "terminationrequest",
            )
        ],
        "objects": [
            reverse("admin:authorizations_application_change", args=[a["application"].pk]),
            reverse("admin:authorizations_certificate_change", args=[a["certificate"].pk]),
            reverse("admin:authorizations_certificate_history", args=[a["certificate"].pk]),
            reverse("admin:authorizations_station_change", args=[a["certificate"].station_id]),
            reverse("admin:authorizations_application_document", args=[a["application"].pk, "acceptance"]),
            reverse("admin:authorizations_certificate_document", args=[a["certificate"].pk, "certificate"]),
            reverse("admin:authorizations_certificate_document", args=[a["certificate"].pk, "revocation"]),
            reverse(
                "admin:authorizations_application_material",
                args=[a["application"].pk, a["application"].materials.get().pk],
            ),
        ],
        "transition": reverse(
            "admin:authorizations_certificate_transition", args=[world["b"]["certificate"].pk, "suspend"]
        ),
    }


@pytest.mark.parametrize(
    ("actor", "read", "change"),
    [("anonymous", 302, 302), ("officer1", 302, 302), ("manager", 200, 403), ("bureau", 200, 200)],
)
def test_admin_is_for_bureau_staff_and_read_only_for_managers(client, world, actor, read, change):
    """Actors: managers read everything in the admin and change nothing; officers and the public never enter."""
    client = client_for(client, world, actor)
    urls = admin_urls(world)
    for url in urls["changelist"] + urls["objects"]:
        assert client.get(url).status_code == read, url
    assert client.get(urls["transition"]).status_code == change
    response = client.post(
        urls["transition"],
        {"starts_on": "2026-05-01", "planned_end_on": "2026-06-01", "reason": "检查", "_confirmed": "确认暂停授权"},
    )
    world["b"]["certificate"].refresh_from_db()
    suspended = world["b"]["certificate"].status == "suspended"
    assert suspended == (actor == "bureau"), response.status_code


def test_manager_cannot_edit_a_station_through_the_admin_form(client, world):
    """Actors: managers read only: a POST to a change form is refused and nothing changes."""
    station = world["a"]["certificate"].station
    client = client_for(client, world, "manager")
    url = reverse("admin:authorizations_station_change", args=[station.pk])
    assert client.post(url, {"name": "被改名"}).status_code == 403
    station.refresh_from_db()
    assert station.name != "被改名"


def test_officer_cannot_log_into_the_admin_even_with_a_password(client, world):
    """Actors: an information officer has no admin access."""
    response = client.post(reverse("admin:login"), {"username": "officer1", "password": "zzmetro-demo"})
    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_inactive_officer_loses_portal_access(client, world):
    officer = world["users"]["officer1"]
    officer.is_active = False
    officer.save()
    client.force_login(UserFactory(username="someone-else"))
    client.logout()
    assert client.post(reverse("login"), {"username": "officer1", "password": "zzmetro-demo"}).status_code == 200
    assert client.get(reverse("portal:index")).status_code == 302


def test_officer1_gets_404_for_officer2s_objects(client, world):
    """Actors: the same 404 in the other direction — station B's application and certificate are not officer1's."""
    b = world["b"]
    client = client_for(client, world, "officer1")
    for url in (
        reverse("portal:application_detail", args=[b["application"].pk]),
        reverse("portal:application_document", args=[b["application"].pk, "acceptance"]),
        reverse("portal:certificate_detail", args=[b["certificate"].pk]),
        reverse("portal:certificate_document", args=[b["certificate"].pk, "certificate"]),
    ):
        assert client.get(url).status_code == 404, url
    missing = reverse("portal:application_detail", args=[b["application"].pk + 10_000])
    assert client.get(missing).status_code == 404
