"""Who may see what (DOMAIN Actors, M1) in the "archive" namespace: every URL walked as every actor.

officer2 asking for officer1's instruments or imports gets the same 404 as for nothing; bureau staff and managers
use the admin (403 in the portal); the public is sent to log in. The "resources" namespace (standards, personnel)
is walked with the rest of the authorizations app in authorizations/tests/test_access.py.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import ImportJob, Instrument
from reporting.services.archive import import_job_create, import_job_run
from reporting.services.archive_import import archive_import
from zzmetro.access_walk import LOGIN, OFFICER, OTHERS_REFUSED, OWN, AccessWalk, Answers, Url

from .factories import row, workbook_bytes
from .factories import world as kit  # noqa: F401  (the archive fixture; `world` here is the walk's)

pytestmark = pytest.mark.django_db


@pytest.fixture
def walk(kit, officer1, officer2, manager, bureau):
    """Station A's archive holds one instrument and a failed import; both stations have a standard and a verifier."""
    archive_import(station=officer1.station, data=workbook_bytes([row(kit, 1, user_unit="甲单位专属")]))
    bad = workbook_bytes([row(kit, 2, use="自用")])
    job = import_job_create(station=officer1.station, by=officer1, filename="a.xlsx", data=bad)
    import_job_run(job_id=job.pk)
    return {
        "users": {"officer1": officer1, "officer2": officer2, "manager": manager, "bureau": bureau},
        "instrument": Instrument.objects.get(),
        "job": job,
    }


def pk(what):
    """kwargs naming station A's `what` (its instrument or its import job)."""
    return lambda walk: {"pk": walk[what].pk}


# Anyone but officer1 posting to station A's instrument: refused, its record and verifications unchanged.
INSTRUMENT_POST = {"user_unit": "被改了", "v-verified_on": "2026-03-05"}
# A form of the officer's own station: the public, managers and staff are refused (officers' writes: services' tests).
OWN_FORM_REFUSED = Answers(LOGIN, None, None, 403, 403)


class TestArchiveAccess(AccessWalk):
    """DOMAIN Actors, M1: the instrument archive and its imports (resources: authorizations/tests/test_access.py)."""

    namespaces = frozenset({"archive"})
    urls = (
        Url("archive:index", OFFICER),
        Url("archive:export", OFFICER),
        Url("archive:instrument_create", OFFICER, post=OWN_FORM_REFUSED),
        Url("archive:import_create", OFFICER, post=OWN_FORM_REFUSED),
        Url("archive:import_template", OFFICER),
        Url("archive:instrument_detail", OWN, kwargs=pk("instrument")),
        Url("archive:import_detail", OWN, kwargs=pk("job")),
        Url("archive:import_status", OWN, kwargs=pk("job")),
        Url("archive:import_errors", OWN, kwargs=pk("job")),
        Url("archive:instrument_edit", post=OTHERS_REFUSED, kwargs=pk("instrument"), data=lambda w: INSTRUMENT_POST),
        Url(
            "archive:verification_create",
            post=OTHERS_REFUSED,
            kwargs=pk("instrument"),
            data=lambda w: INSTRUMENT_POST,
        ),
    )

    @pytest.fixture
    def world(self, walk):
        return walk


def login(client, walk, actor):
    if actor != "anonymous":
        client.force_login(walk["users"][actor])
    return client


def test_officer2_export_and_list_never_show_officer1s_archive(client, walk):
    """Actors: officer2 cannot export officer1's archive — the export holds only station B's rows."""
    client = login(client, walk, "officer2")
    page = client.get(reverse("archive:index")).content.decode()
    assert "甲单位专属" not in page and "a.xlsx" not in page
    data = b"".join(client.get(reverse("archive:export") + "?q=甲单位").streaming_content)
    assert list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True)) == []


def test_officer2_cannot_import_into_officer1s_archive(client, walk, kit):
    """Actors: an import always lands in the uploader's own station; officer1's verifier is unknown there."""
    client = login(client, walk, "officer2")
    upload = io.BytesIO(workbook_bytes([row(kit, 9)]))
    upload.name = "b.xlsx"
    response = client.post(reverse("archive:import_create"), {"file": upload})
    job = ImportJob.objects.get(station=walk["users"]["officer2"].station)
    assert response["Location"] == reverse("archive:import_detail", args=[job.pk])
    assert job.status == "invalid" and "本单位没有登记" in job.errors[0][2]
    assert Instrument.objects.count() == 1
