"""The month by Excel (M2, M5): same validation as the form, errors by row and column, nothing saved unless all valid."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reporting.models import MonthlyReport
from reporting.services import reports as services
from zzmetro.errors import DomainError

from .factories import authorize, make_items

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)
HEADERS = ["项目代码", "检定项目", "检定数量", "合格数量", "不合格数量", "首次检定加贴标志数量", "备注"]


@pytest.fixture
def items():
    return make_items()


@pytest.fixture
def station(officer1, items, freeze):
    freeze("2026-11-02 10:00:00+08:00")
    authorize(officer1.station, items=items)
    return officer1.station


def workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    if headers:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(station, officer, data: bytes, name="月报.xlsx"):
    return services.monthly_submit_excel(
        station=station, period=OCTOBER, upload=SimpleUploadedFile(name, data), by=officer
    )


def test_the_months_template_lists_every_authorized_item_and_imports_as_filled(station, officer1, client, items):
    """M2: download the month's template, fill it, upload it: the report is submitted and locked."""
    client.force_login(officer1)
    response = client.get(reverse("reporting:monthly_template", args=[2026, 10]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and [r[0] for r in rows[1:]] == [i.code for i in items]
    for row in book.active.iter_rows(min_row=2):
        row[2].value, row[3].value, row[4].value, row[5].value = 20, 19, 1, 4
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        reverse("reporting:monthly_upload", args=[2026, 10]), {"file": SimpleUploadedFile("m.xlsx", buffer.getvalue())}
    )
    report = MonthlyReport.objects.get()
    assert response["Location"] == reverse("reporting:monthly_detail", args=[report.pk])
    assert report.is_locked and report.versions.get().source == "excel"


def _refused(station, officer, data, name="月报.xlsx"):
    with pytest.raises(DomainError) as excinfo:
        upload(station, officer, data, name)
    assert not MonthlyReport.objects.exists()
    return excinfo.value


def test_counts_that_do_not_add_up_are_named_by_row_and_column(station, officer1, items):
    error = _refused(station, officer1, workbook([["DN01", "", 10, 8, 1, 0, ""], ["DN02", "", 5, 5, 0, 1, ""]]))
    assert [(e.row, e.column) for e in error.errors] == [(2, "检定数量")]
    assert "合格数量8 + 不合格数量1 = 9，不等于检定数量10" in error.errors[0].message


def test_an_item_the_station_is_not_authorized_for_is_refused(station, officer1, items):
    """M5."""
    error = _refused(
        station,
        officer1,
        workbook([["DN01", "", 1, 1, 0, 0, ""], ["DN02", "", 1, 1, 0, 0, ""], ["JY01", "燃油加油机", 3, 3, 0, 0, ""]]),
    )
    assert [(e.row, e.column) for e in error.errors] == [(4, "项目代码")]
    assert "“JY01”不是本单位该月的授权检定项目" in error.errors[0].message


def test_a_text_file_renamed_xlsx_is_refused(station, officer1):
    error = _refused(station, officer1, "项目代码,检定数量\nDN01,5\n".encode(), name="月报.xlsx")
    assert "不是Excel工作簿" in error.message


def test_a_workbook_with_formulas_is_refused(station, officer1):
    error = _refused(station, officer1, workbook([["DN01", "", "=D2+E2", 8, 1, 0, ""], ["DN02", "", 1, 1, 0, 0, ""]]))
    assert "公式" in error.message


def test_wrong_headers_are_refused_naming_the_expected_ones(station, officer1):
    error = _refused(station, officer1, workbook([["DN01", 5]], headers=["项目", "数量"]))
    assert "表头与模板不一致" in error.message and "检定数量" in error.message


def test_an_empty_sheet_is_refused(station, officer1):
    error = _refused(station, officer1, workbook([], headers=None))
    assert "工作表是空的" in error.message


def test_a_negative_count_is_named_by_row_and_column(station, officer1):
    error = _refused(station, officer1, workbook([["DN01", "", -1, 0, 0, 0, ""], ["DN02", "", 1, 1, 0, 0, ""]]))
    assert [(e.row, e.column) for e in error.errors] == [(2, "检定数量")]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(station, officer1):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<x>" + b" " * (30 * 1024 * 1024) + b"</x>")
    error = _refused(station, officer1, buffer.getvalue())
    assert "过大" in error.message or "压缩炸弹" in error.message


def test_upload_page_lists_each_problem_with_its_row_and_column(station, officer1, client):
    client.force_login(officer1)
    data = workbook([["DN01", "", 10, 8, 1, 0, ""], ["XX01", "", 1, 1, 0, 0, ""]])
    page = client.post(
        reverse("reporting:monthly_upload", args=[2026, 10]), {"file": SimpleUploadedFile("m.xlsx", data)}
    ).content.decode()
    assert "第2行「检定数量」" in page and "第3行「项目代码」" in page and "缺少授权检定项目：DN02" in page
    assert not MonthlyReport.objects.exists()
