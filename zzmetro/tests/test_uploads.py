"""Uploads are checked by size before they are read and by structure, not only their first bytes (DOMAIN G4)."""

import datetime as dt
import io
import socket
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from authorizations.models import ApplicationMaterial
from authorizations.tests.factories import ApplicationFactory
from inspections.models import Complaint, InspectionFinding, Rectification, Violation
from inspections.services import cases, onsite
from reporting.models import ImportJob, MonthlyReport, QuarterlyAnalysis
from reporting.services import reports as report_services
from reporting.tests.factories import authorize, make_items
from zzmetro.testing import image_bytes, pdf_bytes
from zzmetro.upload_handlers import SizeLimitUploadHandler
from zzmetro.uploads import OversizedUpload, validate_document

pytestmark = pytest.mark.django_db
LIMIT = 400  # bytes: a one-page PDF (about 550 bytes) is over it, so size is the only reason to refuse it
FINDINGS = {area.value: ("conforms", "") for area in InspectionFinding.Area}


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- structure: what the bytes are, not what the first bytes claim ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("申请书.pdf", pdf_bytes(3), ".pdf"),
        ("扫描件.bin", pdf_bytes(), ".pdf"),
        ("照片.exe", image_bytes("PNG"), ".png"),
        ("照片.pdf", image_bytes("JPEG"), ".jpg"),
    ],
)
def test_real_documents_are_accepted_and_stored_under_the_extension_their_content_has(name, content, extension):
    """G4: the stored extension comes from the content, never from the name the uploader chose."""
    assert validate_document(upload(name, content)) == extension


def _pdf_with_javascript() -> bytes:
    body = pdf_bytes()
    return body.replace(b"/Type/Catalog>>", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>", 1)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _empty_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


HOSTILE = {
    "PDF header followed by HTML": b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF",
    "PDF header followed by JavaScript": b"%PDF-1.7\nfetch('/admin/').then(r => r.text())\n%%EOF\n",
    "real PDF with HTML appended": pdf_bytes() + b"<html><script>alert(1)</script></html>",
    "PDF with an OpenAction script": _pdf_with_javascript(),
    "empty PDF without pages": _empty_pdf(),
    "truncated PDF": pdf_bytes()[:300],
    "PDF cut just before %%EOF": pdf_bytes()[:-8],
    "JPEG header with HTML after it": b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>",
    "real JPEG with HTML appended": image_bytes("JPEG") + b"<html><script>alert(1)</script></html>",
    "truncated JPEG": image_bytes("JPEG", (400, 300))[:-200],
    "truncated PNG": image_bytes("PNG")[:-20],
    "SVG image": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "HTML renamed .pdf": b"<!DOCTYPE html><html><body>%PDF-1.4</body></html>",
    "HTML with leading blanks": b"\n\n   <html><script>alert(1)</script>",
    "zip renamed .pdf": _zip(),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_polyglots_and_broken_files_are_refused_with_a_chinese_message_naming_the_file(kind):
    """G4: a file is accepted for its structure (a PDF with pages, an image that decodes), not its first bytes."""
    with pytest.raises(ValidationError) as refused:
        validate_document(upload("申请书.pdf", HOSTILE[kind]))
    message = refused.value.messages[0]
    assert "“申请书.pdf”" in message and "未保存" in message


def test_an_image_with_more_pixels_than_allowed_is_refused_before_it_is_decoded(settings):
    """G4: decompression bombs: the pixel count is checked from the header."""
    settings.UPLOAD_IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match="像素数为60×40"):
        validate_document(upload("图.png", image_bytes("PNG", (60, 40))))
    with pytest.raises(ValidationError, match="像素数"):
        validate_document(upload("图.jpg", image_bytes("JPEG", (60, 40))))


def test_a_png_declaring_a_huge_canvas_is_refused_by_default():
    """G4: a 100,000 × 100,000 pixel PNG is a few kilobytes on disk and 10 GB decoded."""
    png = image_bytes("PNG", (1, 1))
    header = png[:16] + (100_000).to_bytes(4, "big") + (100_000).to_bytes(4, "big") + png[24:29]
    import zlib

    header = header[:29] + zlib.crc32(header[12:29]).to_bytes(4, "big") + png[33:]
    with pytest.raises(ValidationError, match="“炸弹.png”"):
        validate_document(upload("炸弹.png", header))


# --- size before reading -----------------------------------------------------------------------------------------


def test_an_over_limit_file_is_refused_from_its_size_without_being_read(settings):
    """G4: the size is checked on upload.size; the stub the handler leaves cannot even be read."""
    settings.UPLOAD_MAX_BYTES = 1000
    cut_off = OversizedUpload(name="大扫描件.pdf", size=50 * 1024 * 1024, field_name="file")
    with pytest.raises(ValidationError, match="“大扫描件.pdf”大小为50.0 MB，超过上限1000"):
        validate_document(cut_off)
    with pytest.raises(ValidationError):
        cut_off.read()


def test_the_upload_handler_stops_storing_a_file_once_it_passes_the_largest_limit(settings):
    """G4: a body within the request limit still cannot hand a view a file above every field's limit."""
    settings.UPLOAD_MAX_BYTES = 1000
    settings.ZZ_POLICY = {
        **settings.ZZ_POLICY,
        "ARCHIVE_IMPORT_MAX_BYTES": 1000,
        "MONTHLY_REPORT_UPLOAD_MAX_BYTES": 1000,
    }
    request = RequestFactory().post("/", {"file": upload("大文件.pdf", b"%PDF-" + b"0" * 200_000)})
    received = request.FILES["file"]
    assert isinstance(received, OversizedUpload) and received.name == "大文件.pdf" and received.size > 200_000
    handler = next(h for h in request.upload_handlers if isinstance(h, SizeLimitUploadHandler))
    assert handler.limit == 1000


def test_a_body_longer_than_any_upload_is_refused_with_a_chinese_413_before_it_is_read(live_server, settings):
    """G4: over a real socket: headers announce 10 GB, no body is sent, and the answer still comes back."""
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /portal/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 10737418240\r\n\r\n"
        )
        answer = b""
        while b"</html>" not in answer and (chunk := connection.recv(65536)):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert "上传的文件过大" in body.decode() and "10.0 GB" in body.decode()


def test_an_over_limit_request_through_the_client_gets_the_413_page_and_stores_nothing(client, officer1, settings):
    """G4: the declared length alone decides; the view never runs."""
    settings.UPLOAD_MAX_BYTES = 1000
    settings.ZZ_POLICY = {
        **settings.ZZ_POLICY,
        "ARCHIVE_IMPORT_MAX_BYTES": 1000,
        "MONTHLY_REPORT_UPLOAD_MAX_BYTES": 1000,
    }
    application = ApplicationFactory(station=officer1.station)
    client.force_login(officer1)
    big = upload("申请书.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 2000))
    response = client.post(
        reverse("portal:application_material", args=[application.pk]), {"title": "申请书", "file": big}
    )
    assert response.status_code == 413 and "上传的文件过大" in response.content.decode()
    assert not ApplicationMaterial.objects.exists() and stored_files(settings) == []


# --- every upload path refuses an over-limit file on its form, storing nothing ------------------------------------


@pytest.fixture
def small_documents(settings):
    settings.UPLOAD_MAX_BYTES = LIMIT
    return upload("扫描件.pdf", pdf_bytes())


def _says_too_large(text: str) -> bool:
    return "“扫描件.pdf”大小为" in text and "超过上限400 字节" in text


def test_application_material_over_the_limit(client, officer1, small_documents, settings):
    """G4, A2: the portal's material upload."""
    application = ApplicationFactory(station=officer1.station)
    client.force_login(officer1)
    response = client.post(
        reverse("portal:application_material", args=[application.pk]),
        {"title": "申请书", "file": small_documents},
        follow=True,
    )
    assert _says_too_large(response.content.decode())
    assert not ApplicationMaterial.objects.exists() and stored_files(settings) == []


def test_quarterly_stamped_copy_over_the_limit(client, officer1, small_documents, settings, freeze):
    """G4, M6: the stamped copy of the quarterly analysis."""
    freeze("2026-10-05 10:00:00+08:00")
    authorize(officer1.station)
    analysis = report_services.quarterly_save_narrative(
        station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1
    )
    client.force_login(officer1)
    response = client.post(
        reverse("reporting:quarterly_stamped", args=[analysis.pk]), {"file": small_documents}, follow=True
    )
    assert _says_too_large(response.content.decode())
    assert not QuarterlyAnalysis.objects.get().stamped_file and stored_files(settings) == []


@pytest.fixture
def rectification(bureau, officer1):
    inspection = onsite.inspection_plan(station=officer1.station, by=bureau, planned_on=dt.date(2026, 6, 1))
    findings = {**FINDINGS, "records": ("nonconforms", "缺签名")}
    inspection = onsite.inspection_record(
        inspection=inspection,
        by=bureau,
        held_on=dt.date(2026, 6, 2),
        findings=findings,
        result="rectify",
        requirements="补签",
        deadline=dt.date(2026, 7, 2),
    )
    return inspection.rectification


def test_rectification_evidence_over_the_limit(client, officer1, rectification, small_documents, settings):
    """G4, I1: the station's rectification report with its evidence."""
    client.force_login(officer1)
    url = reverse("supervision:rectification_detail", args=[rectification.pk])
    response = client.post(url, {"answer": "已补签", "evidence": small_documents})
    assert response.status_code == 200 and _says_too_large(response.content.decode())
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.OPEN and not rectification.evidence
    assert stored_files(settings) == []


def test_complaint_result_over_the_limit(client, officer1, small_documents, settings, freeze):
    """G4, I5: the written result that closes a complaint."""
    freeze("2026-11-22 10:00:00+08:00")
    complaint = cases.complaint_file(
        station=officer1.station,
        by=officer1,
        received_on=dt.date(2026, 11, 2),
        complainant="李",
        subject="水表",
        description="x",
    )
    client.force_login(officer1)
    url = reverse("supervision:complaint_detail", args=[complaint.pk])
    response = client.post(url, {"handling": "已复检", "result_file": small_documents, "closed_on": "2026-11-22"})
    assert response.status_code == 200 and _says_too_large(response.content.decode())
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.OPEN and not complaint.result_file and stored_files(settings) == []


def test_violation_evidence_over_the_limit_in_the_admin(client, bureau, officer1, small_documents, settings):
    """G4, I8: staff's violation register takes evidence too, and its form says why it refused it."""
    client.force_login(bureau)
    data = {
        "station": officer1.station.pk,
        "kind": Violation.Kind.LATE_REPORTS,
        "found_on": "2026-06-01",
        "description": "迟报",
        "evidence": small_documents,
        "action": Violation.Action.CORRECTION_ORDER,
        "decided_on": "2026-06-02",
        "deadline": "2026-07-01",
    }
    response = client.post(reverse("admin:inspections_violation_add"), data)
    assert response.status_code == 200 and _says_too_large(response.content.decode())
    assert not Violation.objects.exists() and stored_files(settings) == []
    page = client.get(reverse("admin:inspections_violation_add")).content.decode()
    assert 'enctype="multipart/form-data"' in page  # without it the browser never sent the file at all


def test_monthly_report_workbook_over_the_default_limit(client, officer1, settings, freeze):
    """G4, M2: the monthly upload had no limit at all (a 26 MB file was stored); now 2 MB by default."""
    freeze("2026-11-02 10:00:00+08:00")
    authorize(officer1.station, items=make_items())
    client.force_login(officer1)
    big = upload("月报.xlsx", b"PK\x03\x04" + b"\x00" * (3 * 1024 * 1024))
    page = client.post(reverse("reporting:monthly_upload", args=[2026, 10]), {"file": big}).content.decode()
    assert "“月报.xlsx”大小为3.0 MB，超过上限2.0 MB" in page
    assert not MonthlyReport.objects.filter(status=MonthlyReport.Status.SUBMITTED).exists()


def test_archive_import_over_the_limit_is_refused_before_the_view_reads_it(client, officer1, settings):
    """G4, M1: the archive import checked its size only after reading the whole body; now the form checks first."""
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "ARCHIVE_IMPORT_MAX_BYTES": 1000}
    client.force_login(officer1)
    big = upload("档案.xlsx", b"PK\x03\x04" + b"\x00" * 5000)
    page = client.post(reverse("archive:import_create"), {"file": big}).content.decode()
    assert "“档案.xlsx”大小为4.9 KB，超过上限1000 字节" in page
    assert not ImportJob.objects.exists()


# --- replaced and deleted uploads leave no orphan files ----------------------------------------------------------


def test_a_replaced_stamped_copy_is_deleted_from_disk_after_the_transaction_commits(
    officer1, freeze, settings, django_capture_on_commit_callbacks
):
    """G4, M6: re-uploading replaces the stamped copy; the old file does not stay on disk forever."""
    freeze("2026-10-05 10:00:00+08:00")
    authorize(officer1.station)
    analysis = report_services.quarterly_save_narrative(
        station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = report_services.quarterly_upload_stamped(
            analysis=analysis, file=upload("第一次.pdf", pdf_bytes()), by=officer1
        )
    old_path = Path(first.stamped_file.path)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        second = report_services.quarterly_upload_stamped(
            analysis=first, file=upload("第二次.jpg", image_bytes("JPEG")), by=officer1
        )
    assert old_path.exists()  # nothing is deleted before the commit
    for callback in pending:
        callback()
    assert not old_path.exists() and stored_files(settings) == [Path(second.stamped_file.path)]
    assert second.stamped_file.name.endswith(".jpg")


def test_a_deleted_material_takes_its_file_with_it(officer1, settings, django_capture_on_commit_callbacks):
    """G4: deleting a row that holds an upload removes the file after commit."""
    from authorizations import services

    application = ApplicationFactory(station=officer1.station)
    material = services.application_add_material(
        application=application, by=officer1, title="申请书", file=upload("申请书.pdf", pdf_bytes())
    )
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        material.delete()
    assert stored_files(settings) == []


def test_an_image_bomb_is_not_kept_even_though_its_header_looked_fine(officer1, settings):
    """G4: a refused upload leaves no row and no file."""
    from authorizations import services
    from zzmetro.errors import DomainError

    settings.UPLOAD_IMAGE_MAX_PIXELS = 100
    application = ApplicationFactory(station=officer1.station)
    with pytest.raises(DomainError, match="像素数"):
        services.application_add_material(
            application=application, by=officer1, title="照片", file=upload("照片.png", image_bytes("PNG"))
        )
    assert not ApplicationMaterial.objects.exists() and stored_files(settings) == []
