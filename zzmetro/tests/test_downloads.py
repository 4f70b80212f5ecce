"""Downloads carry an RFC 6266 file name that survives Chinese, and a content type we stored (DOMAIN G4)."""

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from authorizations import services as lifecycle
from authorizations.tests.factories import ApplicationFactory
from inspections.services import cases
from reporting.services import reports as report_services
from reporting.tests.factories import authorize, make_items
from zzmetro.responses import content_disposition
from zzmetro.testing import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def decoded(ext_value: str) -> str:
    """RFC 5987 ext-value: charset'language'percent-encoded-octets."""
    charset, _language, octets = ext_value.split("'", 2)
    assert charset == "UTF-8" and re.fullmatch(r"[A-Za-z0-9!#$&+\-.^_`|~%]+", octets), ext_value
    return unquote(octets, encoding="utf-8", errors="strict")


def saved_name(response) -> str:
    """The name a browser saves under: RFC 6266 prefers filename*, decoded here by the standard library."""
    header = response["Content-Disposition"]
    assert "=?" not in header, header  # Django's MIME-encoded header, which browsers save literally
    header.encode("ascii")  # a header is ASCII; raw UTF-8 is read differently by each browser
    encoded = re.search(r"filename\*=([^;\s]+)", header).group(1)
    assert re.search(r'(?:attachment|inline); filename="[\x20-\x7e]+"', header), header
    return decoded(encoded)


@pytest.mark.parametrize("name", ["申请书（盖章）.pdf", "月报明细-2026-10.xlsx", "堃䶮 计量 100%.pdf", "plain.pdf"])
def test_the_header_is_rfc_6266_and_decodes_back_to_the_name(name):
    """G4: one helper makes every download name: ASCII fallback plus the percent-encoded UTF-8 name."""
    header = content_disposition(name)
    assert header.startswith('attachment; filename="') and "filename*=UTF-8''" in header
    assert decoded(header.split("filename*=", 1)[1]) == name


@pytest.mark.parametrize(
    ("name", "saved"),
    [
        ("../../etc/passwd", "passwd"),
        ('a"b\r\nSet-Cookie: x.pdf', "a_b_Set-Cookie: x.pdf"),
        ("C:\\Users\\x\\申请书.pdf", "申请书.pdf"),
    ],
)
def test_a_hostile_name_cannot_escape_the_header_or_name_a_path(name, saved):
    """G4: quotes, line breaks and path parts never reach the header."""
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert decoded(header.split("filename*=", 1)[1]) == saved


@pytest.fixture
def material(officer1):
    """An application material uploaded under a Chinese name (the staff download that used to break)."""
    application = ApplicationFactory(station=officer1.station)
    return lifecycle.application_add_material(
        application=application, by=officer1, title="申请书", file=SimpleUploadedFile("计量授权申请书.pdf", pdf_bytes())
    )


def test_staff_download_a_material_with_a_chinese_name_intact(client, bureau, material):
    """G4: the admin's material download sent `=?utf-8?b?…?=`; now the saved name is the uploaded one."""
    client.force_login(bureau)
    response = client.get(
        reverse("admin:authorizations_application_material", args=[material.application_id, material.pk])
    )
    assert response.status_code == 200 and saved_name(response) == "计量授权申请书.pdf"
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_officer_downloads_the_same_material_under_the_same_name(client, officer1, material):
    """G4: the portal download uses the same helper."""
    client.force_login(officer1)
    response = client.get(reverse("portal:application_material_download", args=[material.application_id, material.pk]))
    assert saved_name(response) == "计量授权申请书.pdf" and response["Content-Type"] == "application/pdf"


def test_the_content_type_follows_the_stored_content_not_the_uploaded_name(client, bureau, officer1):
    """G4: a PNG uploaded as 照片.pdf is stored as .png and served as image/png, never as the name claims."""
    application = ApplicationFactory(station=officer1.station)
    material = lifecycle.application_add_material(
        application=application, by=officer1, title="照片", file=SimpleUploadedFile("照片.pdf", image_bytes("PNG"))
    )
    client.force_login(bureau)
    response = client.get(reverse("admin:authorizations_application_material", args=[application.pk, material.pk]))
    assert saved_name(response) == "照片.png" and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Disposition"].startswith("attachment;")


def test_protected_admin_files_use_the_same_header(client, bureau, officer1, freeze):
    """G4: the shared protected-file view of the admin (here a complaint's written result)."""
    freeze("2026-11-22 10:00:00+08:00")
    complaint = cases.complaint_file(
        station=officer1.station,
        by=officer1,
        received_on=dt.date(2026, 11, 2),
        complainant="李",
        subject="水表",
        description="x",
    )
    cases.complaint_close(
        complaint=complaint,
        by=officer1,
        handling="已复检",
        result_file=SimpleUploadedFile("处理结果.jpg", image_bytes("JPEG")),
        closed_on=dt.date(2026, 11, 22),
    )
    client.force_login(bureau)
    response = client.get(reverse("admin:inspections_complaint_file", args=[complaint.pk, "result_file"]))
    assert saved_name(response) == "处理结果.jpg" and response["Content-Type"] == "image/jpeg"


def test_the_stamped_copy_downloads_under_a_name_that_says_what_it_is(client, officer1, bureau, freeze):
    """G4, M6: portal and admin name the stamped copy after the station and quarter, with the stored extension."""
    freeze("2026-10-05 10:00:00+08:00")
    authorize(officer1.station)
    analysis = report_services.quarterly_save_narrative(
        station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1
    )
    report_services.quarterly_upload_stamped(
        analysis=analysis, file=SimpleUploadedFile("scan.jpeg", image_bytes("JPEG")), by=officer1
    )
    expected = f"盖章件-{officer1.station.name}-2026Q3.jpg"
    client.force_login(officer1)
    assert saved_name(client.get(reverse("reporting:quarterly_stamped_file", args=[analysis.pk]))) == expected
    client.force_login(bureau)
    admin = client.get(reverse("admin:reporting_quarterlyanalysis_document", args=[analysis.pk, "stamped"]))
    assert saved_name(admin) == expected and admin["Content-Type"] == "image/jpeg"


def test_generated_workbooks_and_pdfs_carry_their_chinese_names(client, officer1, freeze):
    """G4: Excel templates and exports and PDF documents go through the same helper."""
    freeze("2026-11-02 10:00:00+08:00")
    authorize(officer1.station, items=make_items())
    client.force_login(officer1)
    assert saved_name(client.get(reverse("reporting:monthly_template", args=[2026, 10]))) == "月报模板-2026-10.xlsx"
    assert saved_name(client.get(reverse("archive:import_template"))) == "强检器具档案导入模板.xlsx"
    assert saved_name(client.get(reverse("archive:export"))) == "强检器具档案-20261102.xlsx"


def test_the_import_error_workbook_is_named_in_chinese(client, officer1, world_job):
    """G4, M1: the error report of an import."""
    client.force_login(officer1)
    response = client.get(reverse("archive:import_errors", args=[world_job.pk]))
    assert saved_name(response) == f"导入错误报告-{world_job.pk}.xlsx"


@pytest.fixture
def world_job(officer1):
    from reporting.models import ImportJob

    return ImportJob.objects.create(
        station=officer1.station,
        created_by=officer1,
        filename="档案.xlsx",
        upload=b"",
        status="invalid",
        errors=[[3, "B", "日期格式不对"]],
    )
