"""Who may see what (DOMAIN Actors): every portal, resources, register and dashboard URL walked as every actor.

officer1 (station A) and officer2 (station B) belong to different stations; officer2 asking for station A's objects
gets the same 404 as for an object that does not exist. Managers read only. The public sees only the register.
The table is walked by zzmetro.access_walk.AccessWalk; the tests below it check what a status code cannot show.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from authorizations import services
from zzmetro.access_walk import (
    ADMIN_LOGIN,
    ADMIN_READ,
    ADMIN_WRITE,
    LOGIN,
    OFFICER,
    OTHERS_REFUSED,
    OWN,
    PUBLIC,
    READER,
    AccessWalk,
    Answers,
    Redirect,
    Url,
)
from zzmetro.testing import pdf_bytes

from .factories import (
    ApplicationFactory,
    CertificateFactory,
    MeasurementStandardFactory,
    PersonnelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "officer1", "officer2", "manager", "bureau")


@pytest.fixture
def world(officer1, officer2, manager, bureau):
    """Each station has a certificate, an accepted application, a standard and a verifier; A's certificate is revoked."""
    objects = {}
    for name, officer in (("a", officer1), ("b", officer2)):
        certificate = CertificateFactory(station=officer.station, issued_on=dt.date(2025, 1, 1))
        application = ApplicationFactory(station=officer.station, kind="new_items", certificate=certificate)
        services.application_accept(application=application, by=bureau)
        services.application_add_material(
            application=application, by=officer, title="申请书", file=SimpleUploadedFile("a.pdf", pdf_bytes())
        )
        objects[name] = {
            "certificate": certificate,
            "application": application,
            "standard": MeasurementStandardFactory(station=officer.station, items=list(certificate.items.all())),
            "person": PersonnelFactory(station=officer.station, items=list(certificate.items.all())),
        }
    services.certificate_revoke(
        certificate=objects["a"]["certificate"], by=bureau, decided_on=dt.date(2026, 1, 10), reason="测试"
    )
    return {"users": {"officer1": officer1, "officer2": officer2, "manager": manager, "bureau": bureau}, **objects}


def a(what, **more):
    """kwargs naming station A's object `what` (pk), plus `more`."""
    return lambda world: {"pk": world["a"][what].pk, **more}


def a_admin(kind):
    """kwargs of the admin's change, history and transition pages of station A's object of `kind`."""
    return lambda world: {"object_id": world["a"][kind].pk}


def a_material(world):
    application = world["a"]["application"]
    return {"pk": application.pk, "material": application.materials.get().pk}


AUTHORIZATION_MODELS = (
    "station",
    "application",
    "certificate",
    "lifecycleevent",
    "verificationitem",
    "user",
    "assessment",
    "terminationrequest",
)
SUSPEND = {"starts_on": "2026-05-01", "planned_end_on": "2026-06-01", "reason": "检查", "_confirmed": "确认暂停授权"}
# Anyone else posting to station A's application: refused (404 for officer2, as for a missing one), nothing written.
APPLICATION_POST = {"prep_standards": "x", "title": "t"}
# A create form of the officer's own station: the public, managers and staff are refused.
CREATE_REFUSED = Answers(LOGIN, None, None, 403, 403)


class TestAuthorizationsAccess(AccessWalk):
    """DOMAIN Actors, A5, A11, D2, R1: the station portal, its resources, the public register and the dashboard."""

    namespaces = frozenset({"portal", "resources", "register"})
    urls = (
        Url("home", Answers(*(Redirect(p) for p in ("/register/", "/portal/", "/portal/", "/dashboard/", "/admin/")))),
        Url("dashboard", READER),
        # The public register (A5, A11, D2): no login.
        Url("register:index", PUBLIC),
        Url("register:revoked", PUBLIC),
        Url("register:certificate", PUBLIC, kwargs=lambda w: {"number": w["b"]["certificate"].number}),
        # The officer's own station (lists and forms).
        Url("portal:index", OFFICER),
        Url("portal:application_list", OFFICER),
        Url("portal:event_list", OFFICER),
        Url("portal:application_create", OFFICER, post=CREATE_REFUSED, query="?kind=new_items"),
        # officer1's certificate is revoked, so the termination form sends them back to the portal home.
        Url("portal:termination_create", OFFICER.but(officer_a=Redirect("portal:index")), post=CREATE_REFUSED),
        # Station A's objects.
        Url("portal:application_detail", OWN, kwargs=a("application")),
        Url("portal:application_document", OWN, kwargs=a("application", kind="acceptance")),
        Url("portal:application_material_download", OWN, kwargs=a_material),
        Url("portal:certificate_detail", OWN, kwargs=a("certificate")),
        Url("portal:certificate_document", OWN, kwargs=a("certificate", kind="certificate")),
        Url(
            "portal:application_material", post=OTHERS_REFUSED, kwargs=a("application"), data=lambda w: APPLICATION_POST
        ),
        Url(
            "portal:application_preparation",
            post=OTHERS_REFUSED,
            kwargs=a("application"),
            data=lambda w: APPLICATION_POST,
        ),
        Url(
            "portal:application_request_assessment",
            post=OTHERS_REFUSED,
            kwargs=a("application"),
            data=lambda w: APPLICATION_POST,
        ),
        # Station resources (R1): standards and verifying personnel.
        Url("resources:index", OFFICER),
        Url("resources:standard_create", OFFICER, post=CREATE_REFUSED),
        Url("resources:person_create", OFFICER, post=CREATE_REFUSED),
        Url(
            "resources:standard_edit", OWN, post=OTHERS_REFUSED, kwargs=a("standard"), data=lambda w: {"name": "被改了"}
        ),
        Url("resources:person_edit", OWN, post=OTHERS_REFUSED, kwargs=a("person"), data=lambda w: {"name": "被改了"}),
        # The admin: bureau staff's; managers read only; officers and the public never enter.
        *(Url(f"admin:authorizations_{model}_changelist", ADMIN_READ) for model in AUTHORIZATION_MODELS),
        Url("admin:authorizations_application_change", ADMIN_READ, kwargs=a_admin("application")),
        Url("admin:authorizations_certificate_change", ADMIN_READ, kwargs=a_admin("certificate")),
        Url("admin:authorizations_certificate_history", ADMIN_READ, kwargs=a_admin("certificate")),
        Url(
            "admin:authorizations_station_change",
            ADMIN_READ,
            post=ADMIN_WRITE.but(bureau=None),
            kwargs=lambda w: {"object_id": w["a"]["certificate"].station_id},
            data=lambda w: {"name": "被改名"},
        ),
        Url("admin:authorizations_application_document", ADMIN_READ, kwargs=a("application", kind="acceptance")),
        Url("admin:authorizations_certificate_document", ADMIN_READ, kwargs=a("certificate", kind="certificate")),
        Url("admin:authorizations_certificate_document", ADMIN_READ, kwargs=a("certificate", kind="revocation")),
        Url("admin:authorizations_application_material", ADMIN_READ, kwargs=a_material),
        Url(
            "admin:authorizations_certificate_transition",
            ADMIN_WRITE,
            post=ADMIN_WRITE.but(bureau=302),
            kwargs=lambda w: {"object_id": w["b"]["certificate"].pk, "name": "suspend"},
            data=lambda w: SUSPEND,
        ),
    )


def client_for(client, world, actor):
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


@pytest.mark.parametrize("actor", ACTORS)
def test_health_probes_answer_everyone_and_reveal_no_data(client, world, actor):
    """Actors: the load balancer's probes need no login and answer only with check names, never with rows."""
    client = client_for(client, world, actor)
    assert client.get(reverse("healthz_live")).status_code == 200
    ready = client.get(reverse("healthz_ready"))
    assert ready.status_code in (200, 503) and ready["Content-Type"].startswith("application/json")
    assert world["b"]["certificate"].number not in ready.content.decode()


def test_portal_lists_show_only_the_officers_own_station(client, world):
    """Actors: officer2's lists never show station A's numbers."""
    client = client_for(client, world, "officer2")
    a_number = world["a"]["application"].number
    b_number = world["b"]["application"].number
    page = client.get(reverse("portal:application_list")).content.decode()
    assert b_number in page and a_number not in page
    history = client.get(reverse("portal:event_list")).content.decode()
    assert world["b"]["certificate"].number in history and world["a"]["certificate"].number not in history


def test_staff_suspend_through_the_admin_transition_that_others_cannot_post(client, world):
    """Actors, A10: the walk shows the others' POST writes nothing; staff's POST suspends the certificate."""
    client = client_for(client, world, "bureau")
    certificate = world["b"]["certificate"]
    client.post(reverse("admin:authorizations_certificate_transition", args=[certificate.pk, "suspend"]), SUSPEND)
    certificate.refresh_from_db()
    assert certificate.status == "suspended"


def test_officer_cannot_log_into_the_admin_even_with_a_password(client, world):
    """Actors: an information officer has no admin access."""
    response = client.post(reverse("admin:login"), {"username": "officer1", "password": "zzmetro-demo"})
    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse(ADMIN_LOGIN.to))


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
        reverse("resources:standard_edit", args=[b["standard"].pk]),
        reverse("resources:person_edit", args=[b["person"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    missing = reverse("portal:application_detail", args=[b["application"].pk + 10_000])
    assert client.get(missing).status_code == 404
