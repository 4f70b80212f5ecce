"""The licence register in the admin and its demo (DOMAIN L2, L3, A12, Actors)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from inspections.demo_licences import seed_licence_register
from inspections.models import (
    InstrumentType,
    KeyListEntry,
    LicenceEvent,
    LicenceFinding,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)

from .test_licence_checks import approval, grant, manufacturer

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def demo(bureau):
    seed_licence_register()
    return ManufacturingLicence.objects.all()


def test_the_demo_register_has_forty_henan_makers_all_nine_types_each_kind_of_finding_and_ended_licences(demo):
    """L2, L3: about forty manufacturers in Henan, licences and approvals across the nine types, every kind of
    finding, one cancelled (and one revoked); a second load adds nothing."""
    assert Manufacturer.objects.count() == 40 and not Manufacturer.objects.exclude(province="河南省").exists()
    nine = set(InstrumentType.objects.filter(key_list_entries__isnull=False).values_list("code", flat=True))
    assert set(PatternApproval.objects.values_list("instrument_type__code", flat=True)) == nine
    assert {f.rule for f in LicenceFinding.objects.all()} == set(LicenceFinding.Rule.values)
    assert demo.filter(status=ManufacturingLicence.Status.CANCELLED).count() == 1
    assert set(demo.values_list("status", flat=True)) == set(ManufacturingLicence.Status.values)
    assert {f.status for f in LicenceFinding.objects.all()} == set(LicenceFinding.Status.values)
    assert seed_licence_register() == 0


def test_the_supervision_demo_command_loads_the_register(bureau):
    """L2: `seed_demo_supervision` (and so `manage.py demo_data`) brings the register along."""
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_supervision", stdout=io.StringIO())
    assert ManufacturingLicence.objects.count() == 40


def test_staff_grant_a_licence_in_the_admin_and_the_grant_is_an_event_and_checked_at_once(admin_client_bureau):
    """L2, A12, L3: the add page runs the grant service (scope lines typed one per line), then checks the licence."""
    holder = manufacturer()
    approval_row = approval(holder)
    response = admin_client_bureau.post(
        reverse("admin:inspections_manufacturinglicence_add"),
        {
            "number": "(豫)制00000099号",
            "holder": holder.pk,
            "department": "河南省质量技术监督局计量处",
            "level": "province",
            "accepted_on": "2024-01-15",
            "decided_on": "2024-02-08",
            "scope": "电能表|DDS666|5(60)A\nelectricity_meter|DTS666|10(100)A",
            "approvals": [approval_row.pk],
            "announced_on": "2024-02-10",
            "announced_via": "website",
            "filed_on": "2024-02-11",
        },
    )
    assert response.status_code == 302
    licence = ManufacturingLicence.objects.get(number="(豫)制00000099号")
    assert licence.status == "granted" and licence.scope_lines.count() == 2
    assert list(licence.events.values_list("action_label", flat=True)) == ["专项核查", "核准许可"]
    # L3: checked on save — DTS666 has no approval of its maker
    assert licence.findings.get().rule == LicenceFinding.Rule.SCOPE_APPROVAL


def test_a_malformed_scope_line_is_refused_with_its_line_number(admin_client_bureau):
    """L2: every error names where it is."""
    holder = manufacturer()
    response = admin_client_bureau.post(
        reverse("admin:inspections_manufacturinglicence_add"),
        {
            "number": "X1",
            "holder": holder.pk,
            "department": "处",
            "level": "province",
            "accepted_on": "2024-01-15",
            "decided_on": "2024-02-08",
            "scope": "电能表|DDS666\n血压计|X1",
        },  # fmt: skip
    )
    assert "第2行应写作" in response.content.decode() and not ManufacturingLicence.objects.exists()


def test_the_buttons_follow_the_table_and_cancelling_asks_for_confirmation(admin_client_bureau):
    """A12, L5: a granted licence offers change, cancel and revoke; a cancelled one none of them; the cancellation
    is confirmed on the page the server shows before it runs."""
    licence = grant()
    url = reverse("admin:inspections_manufacturinglicence_change", args=[licence.pk])
    page = admin_client_bureau.get(url).content.decode()
    assert "变更许可" in page and "注销许可" in page and "撤销许可" in page
    cancel = reverse("admin:inspections_manufacturinglicence_transition", args=[licence.pk, "cancel"])
    data = {"decided_on": "2024-06-03", "reason": "企业申请注销"}
    confirmation = admin_client_bureau.post(cancel, data)
    assert "请确认" in confirmation.content.decode()
    licence.refresh_from_db()
    assert licence.status == "granted"
    assert admin_client_bureau.post(cancel, {**data, "_confirmed": "1"}).status_code == 302
    licence.refresh_from_db()
    assert licence.status == "cancelled" and licence.ended_on == D(2024, 6, 3)
    page = admin_client_bureau.get(url).content.decode()
    assert "变更许可" not in page and "撤销许可" not in page


def test_staff_confirm_and_explain_findings_with_buttons(admin_client_bureau, bureau):
    """L3, A12: confirming or explaining a finding is a button writing an event; an explained one has no button."""
    licence = grant(model="X9", approvals=[])
    admin_client_bureau.post(
        reverse("admin:inspections_manufacturinglicence_changelist"),
        {"action": "check_selected", "_selected_action": [licence.pk]},
    )
    finding = licence.findings.get()
    explain = reverse("admin:inspections_licencefinding_transition", args=[finding.pk, "explain"])
    assert admin_client_bureau.post(explain, {"note": "型式批准证书补录"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "explained" and finding.note == "型式批准证书补录"
    assert LicenceEvent.objects.filter(finding=finding, by=bureau).exists()
    page = admin_client_bureau.get(reverse("admin:inspections_licencefinding_change", args=[finding.pk]))
    assert "确认问题" not in page.content.decode()


def test_lists_filter_by_type_level_status_and_finding_and_search_by_model(admin_client_bureau, demo):
    """L2: the register's list filters by type, level, status and finding and finds a licence by a scope model."""
    url = reverse("admin:inspections_manufacturinglicence_changelist")
    water = InstrumentType.objects.get(code="water_meter")
    for query in (f"type={water.pk}", "level=city", "status=cancelled", "finding=overdue", "finding=none", "q=DDS109"):
        response = admin_client_bureau.get(f"{url}?{query}")
        assert response.status_code == 200, query
    assert "条" in admin_client_bureau.get(f"{url}?q=DDS109").content.decode()
    assert response.context["cl"].result_count == 1
    findings = reverse("admin:inspections_licencefinding_changelist")
    assert admin_client_bureau.get(f"{findings}?rule=institution&status=open").context["cl"].result_count == 1


def test_the_register_lists_stay_within_a_fixed_number_of_queries(
    admin_client_bureau, demo, django_assert_max_num_queries
):
    """L2: the lists do not query per row."""
    for name in ("manufacturinglicence", "licencefinding", "patternapproval", "manufacturer", "evaluationinstitution"):
        with django_assert_max_num_queries(16):
            assert admin_client_bureau.get(reverse(f"admin:inspections_{name}_changelist")).status_code == 200


def test_managers_read_the_register_and_change_nothing(client, manager, demo):
    """Actors: a manager opens the lists and a licence, sees no button, and a POST to a button is refused."""
    client.force_login(manager)
    licence = demo.filter(status="granted").first()
    page = client.get(reverse("admin:inspections_manufacturinglicence_change", args=[licence.pk]))
    assert page.status_code == 200 and "变更许可" not in page.content.decode()
    cancel = reverse("admin:inspections_manufacturinglicence_transition", args=[licence.pk, "cancel"])
    response = client.post(cancel, {"decided_on": "2024-06-03", "reason": "x", "_confirmed": "1"})
    assert response.status_code == 403
    assert client.get(reverse("admin:inspections_manufacturinglicence_add")).status_code == 403
    licence.refresh_from_db()
    assert licence.status == "granted"


def test_station_officers_see_none_of_the_register(client, officer1, demo):
    """Actors: a station officer has no way into the admin's register."""
    client.force_login(officer1)
    for name in ("manufacturinglicence", "licencefinding", "licenceevent"):
        response = client.get(reverse(f"admin:inspections_{name}_changelist"))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_change_in_the_admin_keeps_what_was_left_blank_and_versions_the_licence(admin_client_bureau):
    """L2, L5: a change names only what changes; the department and scope left blank stay, and a version is added."""
    licence = grant()
    change = reverse("admin:inspections_manufacturinglicence_transition", args=[licence.pk, "change"])
    response = admin_client_bureau.post(change, {"decided_on": "2024-05-06", "summary": "企业名称变更"})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == "changed" and licence.department == "河南省质量技术监督局计量处"
    assert licence.scope_lines.count() == 1 and licence.versions.count() == 2


def test_the_demo_brings_the_catalogue_back_after_a_flush(bureau):
    """L1: a flushed test database has lost the migration's nine types; the demo seeds them again first."""
    KeyListEntry.objects.all().delete()
    InstrumentType.objects.all().delete()
    assert seed_licence_register() == 40
    assert InstrumentType.objects.filter(key_list_entries__isnull=False).count() == 9
