"""Bureau staff run the lifecycle from the admin buttons; each goes through its service (DOMAIN A2–A12)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from authorizations.models import Application, AssessmentFinding, Certificate, LifecycleEvent

from .factories import ApplicationFactory, CertificateFactory

pytestmark = pytest.mark.django_db


def transition(model, pk, name):
    return reverse(f"admin:authorizations_{model}_transition", args=[pk, name])


def test_change_page_offers_only_the_buttons_the_state_allows(admin_client_bureau):
    """A12: a submitted application shows 受理 and 不予受理, not 颁发证书."""
    application = ApplicationFactory()
    page = admin_client_bureau.get(
        reverse("admin:authorizations_application_change", args=[application.pk])
    ).content.decode()
    assert "受理" in page and "不予受理" in page and "颁发证书" not in page


def test_bureau_walks_an_application_to_a_certificate_in_the_admin(admin_client_bureau, freeze):
    """A2–A6: accept, form the team, record every finding, issue; the certificate is valid three years."""
    freeze("2026-05-20 09:00:00+08:00")
    application = ApplicationFactory(prepared=True)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.SUBMITTED)
    client = admin_client_bureau
    assert (
        client.post(
            transition("application", application.pk, "accept"), {"note": "材料齐全", "_confirmed": "确认受理"}
        ).status_code
        == 302
    )
    Application.objects.filter(pk=application.pk).update(status=Application.Status.ASSESSMENT_REQUESTED)
    response = client.post(
        transition("application", application.pk, "start-assessment"),
        {"planned_on": "2026-06-01", "leader": "赵国强", "experts": "钱学文\n孙立平", "organization": "郑州市计量院"},
    )
    assert response.status_code == 302
    findings = {f"result_{c.value}": "conforms" for c in AssessmentFinding.Criterion}
    response = client.post(
        transition("application", application.pk, "conclude-assessment"),
        {"held_on": "2026-06-01", "conclusion": "pass", "summary": "同意授权", **findings, "_confirmed": "确认"},
    )
    assert response.status_code == 302
    response = client.post(
        transition("application", application.pk, "issue-certificate"),
        {"issued_on": "2026-06-10", "seal_number": "郑计授章-088", "_confirmed": "确认"},
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(application=application)
    assert (certificate.valid_from, certificate.expires_on) == (dt.date(2026, 6, 10), dt.date(2029, 6, 9))
    assert list(
        LifecycleEvent.objects.filter(application=application).order_by("at", "id").values_list("action", flat=True)
    ) == [
        "accept",
        "assessment_start",
        "assessment_conclude",
        "certificate_issue",
    ]


def test_illegal_step_from_a_crafted_url_shows_the_current_state(admin_client_bureau):
    """A12: posting a transition the state does not allow is refused with the state named; nothing changes."""
    application = ApplicationFactory(status=Application.Status.REFUSED)
    response = admin_client_bureau.post(transition("application", application.pk, "accept"), {"note": ""})
    assert response.status_code == 200
    assert "当前状态为“不予受理”" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.REFUSED


def test_missing_finding_is_reported_by_criterion_name(admin_client_bureau):
    """A4: the form names the criterion without a result."""
    application = ApplicationFactory(assessing=True)
    from authorizations.models import Assessment

    Assessment.objects.create(application=application, planned_on=dt.date(2026, 6, 1))
    findings = {f"result_{c.value}": "conforms" for c in AssessmentFinding.Criterion if c.value != "capability"}
    response = admin_client_bureau.post(
        transition("application", application.pk, "conclude-assessment"),
        {"held_on": "2026-06-01", "conclusion": "pass", **findings},
    )
    assert response.status_code == 200
    assert "检定能力验证" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.ASSESSING


def test_revocation_from_the_admin_is_confirmed_after_the_server_checked_it_and_records_the_decision(
    admin_client_bureau,
):
    """A11: the irreversible step is a red button; its filled-in form is checked by the server, then a confirmation
    page says what will happen and repeats the entry, and only that page's button revokes the certificate."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    change = admin_client_bureau.get(
        reverse("admin:authorizations_certificate_change", args=[certificate.pk])
    ).content.decode()
    assert re.search(r'class="[^"]*zz-destructive[^"]*"[^>]*>撤销授权<', change)
    url = transition("certificate", certificate.pk, "revoke")
    assert (
        "不可恢复" not in admin_client_bureau.get(url).content.decode()
    )  # nothing to confirm before the form is checked
    entry = {"decided_on": "2026-03-02", "reason": "整改后仍不合格"}
    incomplete = admin_client_bureau.post(url, {"decided_on": "2026-03-02"}).content.decode()
    assert "zz-confirm" not in incomplete and "errorlist" in incomplete
    confirmation = admin_client_bureau.post(url, entry).content.decode()
    assert "不可恢复" in confirmation and "整改后仍不合格" in confirmation and 'name="_confirmed"' in confirmation
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    response = admin_client_bureau.post(url, {**entry, "_confirmed": "确认撤销授权"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.return_due_on == dt.date(2026, 4, 1)


def test_a_move_the_state_does_not_allow_shows_why_and_no_form(admin_client_bureau):
    """A12: opening 颁发证书 for an application still awaiting acceptance names its state; there is nothing to fill in."""
    application = ApplicationFactory()
    page = admin_client_bureau.get(transition("application", application.pk, "issue-certificate")).content.decode()
    assert "授权申请当前状态为“已提交，待受理”，不能颁发证书。" in page and 'name="seal_number"' not in page


def test_expiring_filter_lists_certificates_ending_within_six_months(admin_client_bureau, freeze):
    """A7: staff find the certificates whose renewal is due."""
    freeze("2026-11-22 10:00:00+08:00")
    soon = CertificateFactory(issued_on=dt.date(2024, 3, 1))  # expires 2027-02-28
    later = CertificateFactory(issued_on=dt.date(2026, 1, 1))
    page = admin_client_bureau.get(
        reverse("admin:authorizations_certificate_changelist"), {"expiring": "soon"}
    ).content.decode()
    assert soon.number in page and later.number not in page


def test_certificates_export_to_excel_with_their_items(admin_client_bureau):
    """Staff export the certificate list; the workbook reads back with Chinese headers and values."""
    import io

    from openpyxl import load_workbook

    certificate = CertificateFactory(issued_on=dt.date(2026, 1, 1))
    response = admin_client_bureau.post(
        reverse("admin:authorizations_certificate_changelist"),
        {"action": "export_xlsx", "_selected_action": [certificate.pk]},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("证书编号", "被授权单位", "统一社会信用代码")
    assert rows[1][0] == certificate.number and rows[1][1] == certificate.station.name


def test_events_cannot_be_changed_or_deleted_in_the_admin(admin_client_bureau):
    """A12: even bureau staff only read events."""
    application = ApplicationFactory()
    from authorizations import services

    services.application_accept(application=application, by=None)
    event = LifecycleEvent.objects.get(application=application)
    change = reverse("admin:authorizations_lifecycleevent_change", args=[event.pk])
    page = admin_client_bureau.get(change).content.decode()
    assert 'name="note"' not in page
    assert (
        admin_client_bureau.post(
            reverse("admin:authorizations_lifecycleevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert LifecycleEvent.objects.filter(pk=event.pk).exists()


def test_credit_code_error_is_shown_on_the_station_form(admin_client_bureau):
    """A1: a wrong check character is named on the form and nothing is saved."""
    from authorizations.models import Station

    response = admin_client_bureau.post(
        reverse("admin:authorizations_station_add"),
        {
            "name": "测试单位",
            "credit_code": "91350100M000100Y44",
            "address": "郑州",
            "district": "jinshui",
            "industry": "电力",
            "contact_person": "张",
            "contact_phone": "1",
            "officers-TOTAL_FORMS": 0,
            "officers-INITIAL_FORMS": 0,
            "certificates-TOTAL_FORMS": 0,
            "certificates-INITIAL_FORMS": 0,
        },
    )
    assert "第18位应为“3”，实际为“4”" in response.content.decode()
    assert not Station.objects.exists()


def test_dashboard_and_admin_lists_keep_their_query_count(admin_client_bureau, django_assert_max_num_queries):
    """No N+1 on the lists staff open every day."""
    for _ in range(12):
        CertificateFactory(issued_on=dt.date(2024, 3, 1))
    with django_assert_max_num_queries(20):
        admin_client_bureau.get(reverse("admin:authorizations_certificate_changelist"))
    with django_assert_max_num_queries(20):
        admin_client_bureau.get(reverse("dashboard"))
