"""The station portal: officers file applications, renewals, new items and termination reports (A2, A3, A7–A9)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from authorizations.models import Application, TerminationRequest

from .factories import ApplicationFactory, CertificateFactory, VerificationItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer1):
    client.force_login(officer1)
    return client


def test_officer_files_an_application_and_lands_on_its_page(officer_client, officer1):
    """A2: the filed application belongs to the officer's station."""
    item = VerificationItemFactory(name="电能表")
    response = officer_client.post(
        reverse("portal:application_create") + "?kind=new", {"items": [item.pk], "area": "新密市行政区域内"}
    )
    application = Application.objects.get()
    assert response["Location"] == reverse("portal:application_detail", args=[application.pk])
    assert application.station == officer1.station and application.submitted_by == officer1
    page = officer_client.get(response["Location"]).content.decode()
    assert application.number in page and "电能表" in page


def test_application_form_errors_are_shown_next_to_the_field(officer_client):
    """A2: missing items or area are named; nothing is saved."""
    response = officer_client.post(reverse("portal:application_create") + "?kind=new", {"area": ""})
    page = response.content.decode()
    assert "请至少选择一个申请检定项目" in page and "这个字段是必填项" in page
    assert not Application.objects.exists()


def test_banned_station_is_told_when_it_may_apply_again(officer_client, officer1, bureau, freeze):
    """A11: the three-year ban is enforced at filing, with the opening date."""
    from authorizations import services

    freeze("2026-11-22 10:00:00+08:00")
    certificate = CertificateFactory(station=officer1.station, issued_on=dt.date(2025, 1, 1))
    services.certificate_revoke(certificate=certificate, by=bureau, decided_on=dt.date(2026, 6, 1), reason="违规")
    item = VerificationItemFactory()
    page = officer_client.post(
        reverse("portal:application_create") + "?kind=new", {"items": [item.pk], "area": "郑州"}
    ).content.decode()
    assert "2029年06月01日起重新申请" in page
    assert not Application.objects.filter(kind="new", status="submitted").exists()


def test_renewal_form_starts_from_the_certificate_and_marks_a_late_filing(officer_client, officer1, freeze):
    """A7: filed after the six-month deadline, the renewal is accepted and marked late with its days."""
    freeze("2026-11-22 10:00:00+08:00")
    item = VerificationItemFactory(name="水表")
    certificate = CertificateFactory(
        station=officer1.station, issued_on=dt.date(2024, 3, 1), items=[item]
    )  # expires 2027-02-28
    form_page = officer_client.get(reverse("portal:application_create") + "?kind=renewal").content.decode()
    assert certificate.number in form_page and "checked" in form_page
    officer_client.post(
        reverse("portal:application_create") + "?kind=renewal", {"items": [item.pk], "area": certificate.area}
    )
    renewal = Application.objects.get(kind="renewal")
    assert renewal.renewal_deadline == dt.date(2026, 8, 28) and renewal.late_days == 86
    assert "逾期申请" in officer_client.get(reverse("portal:application_detail", args=[renewal.pk])).content.decode()


def test_new_items_form_offers_only_items_not_yet_held(officer_client, officer1):
    """A8."""
    held = VerificationItemFactory(name="已授权项目")
    VerificationItemFactory(name="可新增项目")
    CertificateFactory(station=officer1.station, issued_on=dt.date(2026, 1, 1), items=[held])
    page = officer_client.get(reverse("portal:application_create") + "?kind=new_items").content.decode()
    assert "可新增项目" in page and "已授权项目" not in page


def test_preparation_and_assessment_request_from_the_portal(officer_client, officer1):
    """A3: the four conditions, then the request; an incomplete request names what is missing."""
    application = ApplicationFactory(station=officer1.station, accepted=True)
    officer_client.post(reverse("portal:application_preparation", args=[application.pk]), {"prep_standards": "装置"})
    response = officer_client.post(reverse("portal:application_request_assessment", args=[application.pk]), follow=True)
    assert "还缺少：工作环境、检定人员（经考核合格）、工作制度和管理制度" in response.content.decode()
    officer_client.post(
        reverse("portal:application_preparation", args=[application.pk]),
        {"prep_standards": "装置", "prep_environment": "环境", "prep_personnel": "人员", "prep_management": "制度"},
    )
    officer_client.post(reverse("portal:application_request_assessment", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.ASSESSMENT_REQUESTED


def test_uploading_a_fake_pdf_says_why_and_keeps_nothing(officer_client, officer1):
    """A2: materials are checked by content."""
    application = ApplicationFactory(station=officer1.station)
    upload = SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00 executable")
    response = officer_client.post(
        reverse("portal:application_material", args=[application.pk]), {"title": "申请书", "file": upload}, follow=True
    )
    assert "不是PDF、PNG或JPEG格式" in response.content.decode()
    assert application.materials.count() == 0


def test_termination_report_with_short_notice_is_refused_on_the_form(officer_client, officer1, freeze):
    """A9: the form says the earliest allowed end date."""
    freeze("2026-03-01 10:00:00+08:00")
    CertificateFactory(station=officer1.station, issued_on=dt.date(2025, 1, 1))
    page = officer_client.post(
        reverse("portal:termination_create"), {"requested_end_on": "2026-06-30", "reason": "撤并"}
    ).content.decode()
    assert "最早为2026年09月01日" in page
    assert not TerminationRequest.objects.exists()
    officer_client.post(reverse("portal:termination_create"), {"requested_end_on": "2026-09-01", "reason": "撤并"})
    assert TerminationRequest.objects.get().status == TerminationRequest.Status.SUBMITTED


def test_portal_home_shows_the_certificate_and_the_renewal_deadline(
    officer_client, officer1, freeze, django_assert_max_num_queries
):
    """A6, A7: the officer sees validity and the date the renewal is due."""
    freeze("2026-11-22 10:00:00+08:00")
    certificate = CertificateFactory(station=officer1.station, issued_on=dt.date(2025, 1, 1))
    with django_assert_max_num_queries(15):
        page = officer_client.get(reverse("portal:index")).content.decode()
    assert certificate.number in page and "2027年12月31日" in page and "2027年6月30日" in page
