"""The archive import in headless Chromium: template, a bad row, the error report, the fix, the instruments (M1)."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from authorizations.tests.factories import (
    CertificateFactory,
    MeasurementStandardFactory,
    PersonnelFactory,
    UserFactory,
    VerificationItemFactory,
)
from reporting.models import ImportJob, Instrument
from zzmetro.dates import beijing_today
from zzmetro.pytest_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(transactional_db):
    today = beijing_today()
    officer = UserFactory(username="officer1", last_name="王", first_name="信息员")
    meter = VerificationItemFactory(code="DN01", name="电能表")
    CertificateFactory(station=officer.station, issued_on=today - dt.timedelta(days=200), items=[meter])
    MeasurementStandardFactory(
        station=officer.station,
        name="电能表标准装置",
        certificate_number="豫量标001",
        valid_until=today + dt.timedelta(days=400),
        items=[meter],
    )
    PersonnelFactory(
        station=officer.station,
        name="李检定",
        certificate_number="豫计检001",
        valid_until=today + dt.timedelta(days=400),
        items=[meter],
    )
    return officer


def _fill(template: bytes, rows) -> bytes:
    book = load_workbook(io.BytesIO(template))
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(serial, verified_on, use="贸易结算"):
    return [
        "DN01",
        "新密市某商贸公司",
        "单相电子式电能表",
        "DDZY71",
        serial,
        "5(60)A",
        "2级",
        use,
        "青屏大街1号",
        12,
        verified_on,
        "合格",
        f"ZS-{serial}",
        "豫计检001",
        "豫量标001",
    ]


def _upload(page, data: bytes) -> None:
    page.locator("input[type=file]").set_input_files(
        {
            "name": "档案.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": data,
        }
    )
    page.get_by_role("button", name="上传并导入").click()


def test_officer_imports_a_template_with_one_bad_row_reads_the_report_fixes_it_and_finds_the_instruments(page, officer):
    """M1: the whole file is refused with row/column/reason, the report downloads, the fixed file imports."""
    day = beijing_today() - dt.timedelta(days=10)
    log_in(page, "officer1")
    page.goto("/portal/")
    page.locator(".topbar").get_by_role("link", name="强检器具档案").click()
    page.get_by_role("link", name="从Excel批量导入").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="导入模板（Excel）").click()
    template = open(download.value.path(), "rb").read()

    _upload(page, _fill(template, [_row("A-001", day), _row("A-002", day, use="自用")]))
    expect(page.locator("#import-status")).to_have_text("有错误，未导入")
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("3")
    expect(errors.first).to_contain_text("用途")
    expect(errors.first).to_contain_text("“自用”不是可选值（贸易结算、安全防护、医疗卫生、环境监测）")
    assert Instrument.objects.count() == 0
    with page.expect_download() as report:
        page.get_by_role("link", name="下载错误报告（Excel）").click()
    rows = list(load_workbook(io.BytesIO(open(report.value.path(), "rb").read())).active.iter_rows(values_only=True))
    assert rows[1] == (3, "用途", "“自用”不是可选值（贸易结算、安全防护、医疗卫生、环境监测）")

    _upload(page, _fill(template, [_row("A-001", day), _row("A-002", day, use="安全防护")]))
    expect(page.locator("#import-status")).to_have_text("已导入")
    expect(page.locator("#import-message")).to_have_text("已导入2条器具及检定记录。")
    page.get_by_role("link", name="返回档案").click()
    table = page.locator("table.archive")
    expect(table).to_contain_text("A-001")
    expect(table).to_contain_text("安全防护")
    page.get_by_role("link", name="A-002").click()
    expect(page.locator("h1")).to_contain_text("出厂编号 A-002")
    due = (
        (day.replace(year=day.year + 1) - dt.timedelta(days=1))
        if not (day.month == 2 and day.day == 29)
        else dt.date(day.year + 1, 2, 28)
    )
    expect(page.locator("table").first).to_contain_text(due.strftime("%Y-%m-%d"))


def test_import_page_polls_progress_until_the_job_finishes(page, officer):
    """M1: a large import runs as a task; the page shows progress and then the outcome without a manual reload."""
    job = ImportJob.objects.create(
        station=officer.station, created_by=officer, filename="大文件.xlsx", upload=b"", status="running", progress=40
    )
    log_in(page, "officer1")
    page.goto(f"/portal/archive/import/{job.pk}/")
    expect(page.locator("#import-percent")).to_have_text("40%")
    ImportJob.objects.filter(pk=job.pk).update(progress=70)
    expect(page.locator("#import-percent")).to_have_text("70%")
    ImportJob.objects.filter(pk=job.pk).update(status="done", progress=100, message="已导入5000条器具及检定记录。")
    expect(page.locator("#import-message")).to_have_text("已导入5000条器具及检定记录。")
    expect(page.locator("#import-progress")).to_have_count(0)
    assert re.search(r"/import/\d+/$", page.url)
