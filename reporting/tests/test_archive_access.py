"""Who may see what (DOMAIN Actors) in the "archive" and "resources" namespaces: every URL walked as every actor.

officer2 asking for officer1's instruments, imports, standards or personnel gets the same 404 as for nothing;
bureau staff and managers use the admin (403 in the portal); the public is sent to log in.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import ImportJob, Instrument
from reporting.services.archive import import_job_create, import_job_run
from reporting.services.archive_import import archive_import
from zzmetro.testing import named_urls

from .factories import row, workbook_bytes, world  # noqa: F401

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "officer1", "officer2", "manager", "bureau")


@pytest.fixture
def walk(world, officer1, officer2, manager, bureau):
    archive_import(station=officer1.station, data=workbook_bytes([row(world, 1, user_unit="甲单位专属")]))
    bad = workbook_bytes([row(world, 2, use="自用")])
    job = import_job_create(station=officer1.station, by=officer1, filename="a.xlsx", data=bad)
    import_job_run(job_id=job.pk)
    kit = world["a"]
    return {
        "users": {"officer1": officer1, "officer2": officer2, "manager": manager, "bureau": bureau},
        "instrument": Instrument.objects.get(),
        "job": job,
        "standard": kit["standard"],
        "person": kit["person"],
    }


def urls(walk):
    instrument, job = walk["instrument"].pk, walk["job"].pk
    lists = {
        "archive:index": reverse("archive:index"),
        "archive:export": reverse("archive:export"),
        "archive:instrument_create": reverse("archive:instrument_create"),
        "archive:import_create": reverse("archive:import_create"),
        "archive:import_template": reverse("archive:import_template"),
        "resources:index": reverse("resources:index"),
        "resources:standard_create": reverse("resources:standard_create"),
        "resources:person_create": reverse("resources:person_create"),
    }
    objects = {
        "archive:instrument_detail": reverse("archive:instrument_detail", args=[instrument]),
        "archive:import_detail": reverse("archive:import_detail", args=[job]),
        "archive:import_status": reverse("archive:import_status", args=[job]),
        "archive:import_errors": reverse("archive:import_errors", args=[job]),
        "resources:standard_edit": reverse("resources:standard_edit", args=[walk["standard"].pk]),
        "resources:person_edit": reverse("resources:person_edit", args=[walk["person"].pk]),
    }
    posts = {
        "archive:instrument_edit": reverse("archive:instrument_edit", args=[instrument]),
        "archive:verification_create": reverse("archive:verification_create", args=[instrument]),
    }
    return lists, objects, posts


def login(client, walk, actor):
    if actor != "anonymous":
        client.force_login(walk["users"][actor])
    return client


def test_every_named_url_of_archive_and_resources_is_in_this_walk(walk):
    """Coverage: a new URL in either namespace without an entry here fails this test."""
    lists, objects, posts = urls(walk)
    assert named_urls(namespaces={"archive", "resources"}) == set(lists) | set(objects) | set(posts)


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 200), ("officer2", 200), ("manager", 403), ("bureau", 403)]
)
def test_lists_and_forms_are_for_officers_only(client, walk, actor, expected):
    client = login(client, walk, actor)
    for name, url in urls(walk)[0].items():
        response = client.get(url)
        assert response.status_code == expected, name
        if expected == 302:
            assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer1", 200), ("officer2", 404), ("manager", 403), ("bureau", 403)]
)
def test_station_objects_are_seen_only_by_their_own_officer(client, walk, actor, expected):
    """Actors: officer2 gets 404 for officer1's instrument, import job, error report, standard and person."""
    client = login(client, walk, actor)
    for name, url in urls(walk)[1].items():
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize(
    ("actor", "expected"), [("anonymous", 302), ("officer2", 404), ("manager", 403), ("bureau", 403)]
)
def test_nobody_else_can_change_an_instrument_or_add_its_verification(client, walk, actor, expected):
    client = login(client, walk, actor)
    for name, url in urls(walk)[2].items():
        assert client.post(url, {"user_unit": "被改了", "v-verified_on": "2026-03-05"}).status_code == expected, name
    instrument = Instrument.objects.get()
    assert instrument.user_unit == "甲单位专属" and instrument.verifications.count() == 1


def test_officer2_export_and_list_never_show_officer1s_archive(client, walk):
    """Actors: officer2 cannot export officer1's archive — the export holds only station B's rows."""
    client = login(client, walk, "officer2")
    page = client.get(reverse("archive:index")).content.decode()
    assert "甲单位专属" not in page and "a.xlsx" not in page
    data = b"".join(client.get(reverse("archive:export") + "?q=甲单位").streaming_content)
    assert list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True)) == []


def test_officer2_cannot_import_into_officer1s_archive(client, walk, world):
    """Actors: an import always lands in the uploader's own station; officer1's verifier is unknown there."""
    client = login(client, walk, "officer2")
    upload = io.BytesIO(workbook_bytes([row(world, 9)]))
    upload.name = "b.xlsx"
    response = client.post(reverse("archive:import_create"), {"file": upload})
    job = ImportJob.objects.get(station=walk["users"]["officer2"].station)
    assert response["Location"] == reverse("archive:import_detail", args=[job.pk])
    assert job.status == "invalid" and "本单位没有登记" in job.errors[0][2]
    assert Instrument.objects.count() == 1
