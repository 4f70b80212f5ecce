"""Staff run supervision from the admin; each button goes through its service (DOMAIN I1, I2, I6, I8, A11)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from authorizations.models import Certificate
from authorizations.tests.factories import CertificateFactory, StationFactory
from inspections.models import AnnualEvaluation, Inspection, InspectionFinding, SampleItem, SamplingRatio, Violation
from inspections.services import onsite, sampling

from .factories import default_policies, make_verifications, supervision_plan

pytestmark = pytest.mark.django_db


def test_recording_an_inspection_in_the_admin_names_a_missing_area(admin_client_bureau):
    """I1: the form lists the area without a finding; nothing is recorded."""
    inspection = onsite.inspection_plan(station=StationFactory(), by=None, planned_on=dt.date(2026, 6, 1))
    data = {
        "held_on": "2026-06-02",
        "result": "pass",
        **{f"result_{a.value}": "conforms" for a in InspectionFinding.Area if a.value != "violations"},
    }
    response = admin_client_bureau.post(
        reverse("admin:inspections_inspection_transition", args=[inspection.pk, "record"]), data
    )
    assert "违法、违规、违纪行为" in response.content.decode()
    assert not Inspection.objects.get(pk=inspection.pk).is_recorded


def test_violation_with_revocation_recorded_in_the_admin_revokes_the_certificate(admin_client_bureau):
    """I8, A11: the admin form runs the service, which runs the lifecycle's revocation."""
    certificate = CertificateFactory(issued_on=dt.date(2025, 1, 1))
    entry = {
        "station": certificate.station.pk,
        "kind": "forged_seals",
        "found_on": "2026-09-01",
        "description": "倒卖强检合格标志",
        "action": "revocation",
        "decided_on": "2026-09-05",
    }
    confirmation = admin_client_bureau.post(reverse("admin:inspections_violation_add"), entry).content.decode()
    assert (
        "不可恢复" in confirmation and "倒卖强检合格标志" in confirmation
    )  # shown once the server has checked the entry
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    response = admin_client_bureau.post(reverse("admin:inspections_violation_add"), {**entry, "_confirmed": "确认"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and Violation.objects.get().certificate == certificate


def test_sample_results_entered_in_the_admin_and_exported_for_the_institution(admin_client_bureau):
    """I2: staff record each result and export the sample list with Chinese headers."""
    default_policies()
    station = CertificateFactory(issued_on=dt.date(2025, 1, 1)).station
    make_verifications(station, year=2026, count=20)
    SamplingRatio.objects.create(year=2026, station=station, ratio_percent=10, policy="t", plan_total=20, sample_size=2)
    draw = sampling.sample_draw(plan=supervision_plan(2026), station=station, by=None, seed=3)
    items = list(draw.items.all())
    data = {"recorded_on": "2026-11-30", f"item_{items[0].pk}": "qualified", f"item_{items[1].pk}": "refused"}
    assert (
        admin_client_bureau.post(reverse("admin:inspections_sampledraw_results", args=[draw.pk]), data).status_code
        == 302
    )
    assert sorted(SampleItem.objects.values_list("result", flat=True)) == ["qualified", "refused"]
    response = admin_client_bureau.get(reverse("admin:inspections_sampledraw_export", args=[draw.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "被授权单位", "使用单位") and len(rows) == 3
    assert {r[-1] for r in rows[1:]} == {"合格", "拒不配合（按不合格）"}


def test_evaluation_figures_are_prepared_for_every_station_authorized_that_year(client, bureau, freeze):
    """I6: one action pre-fills the year's evaluations from what the portal knows."""
    freeze("2027-01-10 10:00:00+08:00")
    client.force_login(bureau)  # after travelling: a session from "today" would have expired by 2027
    admin_client_bureau = client
    CertificateFactory(issued_on=dt.date(2025, 1, 1))
    CertificateFactory(issued_on=dt.date(2020, 1, 1))  # expired 2022: not evaluated for 2026
    response = admin_client_bureau.post(reverse("admin:inspections_annualevaluation_prepare"), {"year": 2026})
    assert response.status_code == 302
    evaluation = AnnualEvaluation.objects.get()
    assert evaluation.year == 2026 and "on_time_rate" in evaluation.metrics


def test_dashboard_flags_stations_without_an_inspection_after_30_november(client, manager, freeze):
    """I1: the compliance dashboard shows who still lacks this year's inspection, flagged after 30 November."""
    freeze("2026-12-01 09:00:00+08:00")
    CertificateFactory(station=StationFactory(name="未检查的检定站"), issued_on=dt.date(2025, 1, 1))
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert "未检查的检定站" in page and "已超过11月30日" in page


def test_the_evaluation_list_offers_the_recomputation_to_staff_and_not_to_managers(client, bureau, manager):
    """I6, Actors: 汇总年度考核指标 changes the figures, so a manager (read only) is not offered a button that ends
    in a refusal; bureau staff are."""
    url = reverse("admin:inspections_annualevaluation_changelist")
    prepare = reverse("admin:inspections_annualevaluation_prepare")
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "汇总年度考核指标" not in page and prepare not in page
    assert client.get(prepare).status_code == 403
    client.force_login(bureau)
    assert prepare in client.get(url).content.decode()
