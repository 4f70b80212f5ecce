"""The application pages staff work on take the same number of queries for 3 items as for 30 (issue 12).

Each page is loaded, or each button submitted, with 3 and with 30 rows under it (items, materials, assessment
team members, officers to notify); the bound is the same for both, so an N+1 fails the 30-row run.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from authorizations import services
from authorizations.models import Application, ApplicationMaterial, AssessmentFinding, Certificate
from authorizations.tests.factories import ApplicationFactory, UserFactory, VerificationItemFactory
from zzmetro.testing import pdf_bytes

pytestmark = pytest.mark.django_db
ROWS = (3, 30)


def assessing_application(rows: int) -> Application:
    """An application in assessment with `rows` items, materials, experts and station officers."""
    items = [VerificationItemFactory() for _ in range(rows)]
    application = ApplicationFactory(prepared=True, items=items, status=Application.Status.ASSESSMENT_REQUESTED)
    for n in range(rows):
        ApplicationMaterial.objects.create(
            application=application, title=f"材料{n}", file=SimpleUploadedFile(f"m{n}.pdf", pdf_bytes())
        )
        UserFactory(station=application.station)
    services.assessment_start(
        application=application,
        by=None,
        planned_on=dt.date(2026, 2, 1),
        leader="王组长",
        experts=[f"专家{n}" for n in range(rows)],
    )
    return Application.objects.get(pk=application.pk)


def conclude_data() -> dict:
    # `_confirmed`: the button of the confirmation page an irreversible step shows first (sent straight here).
    data = {"held_on": "2026-02-01", "conclusion": "pass", "summary": "符合要求", "_confirmed": "1"}
    for criterion in AssessmentFinding.Criterion:
        data[f"result_{criterion.value}"] = AssessmentFinding.Result.CONFORMS
    return data


def warm(client):
    # A session's first page records its start for the idle timeout (G1): not part of the page's own cost.
    client.get(reverse("admin:index"))


@pytest.mark.parametrize("rows", ROWS)
def test_application_change_page_queries_do_not_grow_with_items_materials_or_team(
    rows, admin_client_bureau, django_assert_max_num_queries
):
    """A2, A4: the change page lists items, materials and the team in a fixed number of queries."""
    application = assessing_application(rows)
    warm(admin_client_bureau)
    with django_assert_max_num_queries(15):
        page = admin_client_bureau.get(reverse("admin:authorizations_application_change", args=[application.pk]))
    assert page.status_code == 200
    assert f"专家{rows - 1}" in page.content.decode() and f"材料{rows - 1}" in page.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_concluding_an_assessment_takes_a_fixed_number_of_queries(
    rows, admin_client_bureau, django_assert_max_num_queries
):
    """A4, A12: the conclusion, its six findings, the event and the redirect, whatever the size of the application."""
    application = assessing_application(rows)
    warm(admin_client_bureau)
    url = reverse("admin:authorizations_application_transition", args=[application.pk, "conclude-assessment"])
    with django_assert_max_num_queries(19):
        response = admin_client_bureau.post(url, conclude_data())
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.PASSED


@pytest.mark.parametrize("rows", ROWS)
def test_issuing_a_certificate_takes_a_fixed_number_of_queries(
    rows, admin_client_bureau, django_assert_max_num_queries
):
    """A5, A6: the certificate, its items in one insert, the event and the notice mail, whatever the item count."""
    application = assessing_application(rows)
    services.assessment_conclude(
        application=application,
        by=None,
        held_on=dt.date(2026, 2, 1),
        conclusion="pass",
        findings={c.value: (AssessmentFinding.Result.CONFORMS, "") for c in AssessmentFinding.Criterion},
    )
    warm(admin_client_bureau)
    url = reverse("admin:authorizations_application_transition", args=[application.pk, "issue-certificate"])
    with django_assert_max_num_queries(26):  # includes delivering the notice mail in-process after the commit
        response = admin_client_bureau.post(
            url, {"issued_on": "2026-02-10", "seal_number": "郑授章900", "_confirmed": "1"}
        )
    assert response.status_code == 302
    certificate = Certificate.objects.get(application=application)
    assert certificate.certificate_items.count() == rows
