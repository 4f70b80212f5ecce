"""What an officer meets entering a month (DOMAIN M2, M4, Q3): blank cells, every problem at once, nil months.

Issue 12: an untouched template was once accepted and locked as a report of zeros; an Excel upload named one
problem at a time and printed format errors twice.
"""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reporting import documents
from reporting.models import MonthlyReport
from reporting.services import reports as services
from reporting.services.reports import LineInput

from .factories import authorize, make_items, submit

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)
HEADERS = ["项目代码", "检定项目", "检定数量", "合格数量", "不合格数量", "首次检定加贴标志数量", "备注"]


@pytest.fixture
def items():
    return make_items("DN", 3)


@pytest.fixture
def station(officer1, items, freeze):
    freeze("2026-11-02 10:00:00+08:00")
    authorize(officer1.station, items=items)
    return officer1.station


@pytest.fixture
def officer(client, officer1, station):
    client.force_login(officer1)
    return client


def workbook(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template(items) -> bytes:
    return documents.monthly_template(OCTOBER, items)


def upload(client, data: bytes, **extra):
    return client.post(
        reverse("reporting:monthly_upload", args=[2026, 10]), {"file": SimpleUploadedFile("月报.xlsx", data), **extra}
    )


def text(response) -> str:
    return re.sub(r"<[^>]+>", "", response.content.decode())


def where(errors) -> list[tuple]:
    return [(e.row, e.item, e.column) for e in errors]


# --- blank cells (M2, Q3) -----------------------------------------------------------------------------------


def test_the_template_leaves_every_count_blank(items):
    """M2, Q3: the template names the items and leaves the counts to the officer: nothing reads as a zero."""
    rows = list(load_workbook(io.BytesIO(template(items))).active.iter_rows(min_row=2, values_only=True))
    assert [row[:2] for row in rows] == [(i.code, i.name) for i in items]
    assert all(value is None for row in rows for value in row[2:6])


def test_an_untouched_template_is_refused_naming_each_blank_cell_by_item_and_column(station, officer1, items):
    """M2, Q3: uploaded by mistake, the blank template is refused, every blank cell named; nothing is saved or locked."""
    with pytest.raises(services.LinesInvalid) as excinfo:
        services.monthly_submit_excel(
            station=station, period=OCTOBER, upload=SimpleUploadedFile("m.xlsx", template(items)), by=officer1
        )
    assert "所有数量都未填写" in excinfo.value.message
    assert len(excinfo.value.errors) == 4 * len(items)
    assert excinfo.value.errors[0] == services.CellError(2, "检定数量", services.BLANK, items[0].name)
    assert {(e.item, e.column) for e in excinfo.value.errors} == {
        (item.name, column)
        for item in items
        for column in ("检定数量", "合格数量", "不合格数量", "首次检定加贴标志数量")
    }
    assert not MonthlyReport.objects.filter(first_submitted_at__isnull=False).exists()


def test_the_online_form_starts_blank_and_a_blank_cell_is_named_and_marked(officer, station, items):
    """M2: no pre-filled zeros; a cell left blank is an error naming its item and column, and the cell is marked."""
    url = reverse("reporting:monthly_form", args=[2026, 10])
    page = officer.get(url).content.decode()
    assert 'value="0"' not in page
    data = {}
    for item in items:
        data.update(
            {
                f"verified_{item.pk}": "5",
                f"qualified_{item.pk}": "5",
                f"unqualified_{item.pk}": "0",
                f"first_time_sticker_{item.pk}": "1",
            }
        )
    data[f"unqualified_{items[1].pk}"] = ""
    response = officer.post(url, data)
    assert f"{items[1].name}「不合格数量」：未填写（本月未检定的项目请填0）" in text(response)
    marked = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', response.content.decode())
    assert len(marked) == 1 and f'name="unqualified_{items[1].pk}"' in marked[0]
    assert 'value="5"' in response.content.decode()  # what was typed stays typed
    assert not MonthlyReport.objects.filter(first_submitted_at__isnull=False).exists()


# --- every problem at once, once each (M2) ------------------------------------------------------------------


def three_problems(items) -> bytes:
    """Row 2 fine, row 3 does not add up, row 4 holds the text 十, row 5 is not an authorized item."""
    return workbook(
        [
            [items[0].code, "", 10, 9, 1, 2, ""],
            [items[1].code, "", 10, 8, 1, 0, ""],
            [items[2].code, "", "十", 10, 0, 0, ""],
            ["JY01", "燃油加油机", 3, 3, 0, 0, ""],
        ]
    )


def test_a_file_with_three_different_problems_names_all_three_once(station, officer1, items):
    """M2: a text 十 in row 4 no longer hides the sum error in row 3; each problem is named once, in row order."""
    with pytest.raises(services.LinesInvalid) as excinfo:
        services.monthly_submit_excel(
            station=station, period=OCTOBER, upload=SimpleUploadedFile("m.xlsx", three_problems(items)), by=officer1
        )
    assert [(e.row, e.column, e.message) for e in excinfo.value.errors] == [
        (3, "检定数量", "合格数量8 + 不合格数量1 = 9，不等于检定数量10"),
        (4, "检定数量", "“十”不是整数"),
        (5, "项目代码", "“JY01”不是本单位该月的授权检定项目，不能填报。"),
    ]
    assert where(excinfo.value.errors)[:2] == [(3, items[1].name, "检定数量"), (4, items[2].name, "检定数量")]


def test_the_upload_page_lists_each_problem_once_and_offers_the_error_workbook(officer, items):
    """M2: every problem on the page once, with row and column; the same list as a workbook to download."""
    page = text(upload(officer, three_problems(items)))
    for problem in ("第3行「检定数量」", "第4行「检定数量」", "“十”不是整数", "第5行「项目代码」"):
        assert page.count(problem) == 1, problem
    assert "上传的Excel有3处问题" in page
    download = officer.get(reverse("reporting:monthly_upload_errors", args=[2026, 10]))
    assert "filename*=UTF-8''" in download["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "项目", "列", "问题")
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (3, items[1].name, "检定数量"),
        (4, items[2].name, "检定数量"),
        (5, "JY01", "项目代码"),
    ]


def test_a_whole_file_problem_is_said_once(officer):
    """M2: a file that is not a workbook is named once, next to the file field, not again in the messages."""
    page = text(upload(officer, "项目代码,检定数量\nDN01,5\n".encode()))
    assert page.count("不是Excel工作簿") == 1


def test_the_online_form_names_every_problem_at_once(officer, station, items):
    """M2: text, a sum that does not add up and a blank cell come back together, each cell marked."""
    data = {}
    for item in items:
        data.update(
            {
                f"verified_{item.pk}": "4",
                f"qualified_{item.pk}": "4",
                f"unqualified_{item.pk}": "0",
                f"first_time_sticker_{item.pk}": "0",
            }
        )
    data.update(
        {f"verified_{items[0].pk}": "十", f"qualified_{items[1].pk}": "3", f"first_time_sticker_{items[2].pk}": ""}
    )
    response = officer.post(reverse("reporting:monthly_form", args=[2026, 10]), data)
    page = text(response)
    assert "有3处问题" in page
    assert f"{items[0].name}「检定数量」：“十”不是整数" in page
    assert f"{items[1].name}「检定数量」：合格数量3 + 不合格数量0 = 3，不等于检定数量4" in page
    assert f"{items[2].name}「首次检定加贴标志数量」：未填写" in page
    assert len(re.findall(r'aria-invalid="true"', response.content.decode())) == 3


def test_a_sum_error_names_only_numbers_the_officer_typed(station, officer1, items):
    """M2: with a cell blank, no sum is checked against a number nobody typed; the blank cell is named instead."""
    lines = [LineInput(n, item.code, 10, 9, 1, 0) for n, item in enumerate(items, start=1)]
    lines[0] = LineInput(1, items[0].code, 10, 9, None, 0)
    with pytest.raises(services.LinesInvalid) as excinfo:
        services.monthly_submit(station=station, period=OCTOBER, lines=lines, by=officer1)
    assert [(e.row, e.column, e.message) for e in excinfo.value.errors] == [(1, "不合格数量", services.BLANK)]


# --- a month of no verifications (Q3) -----------------------------------------------------------------------


def zeros(items):
    return [LineInput(n, item.code, 0, 0, 0, 0) for n, item in enumerate(items, start=1)]


def test_a_report_of_all_zeros_needs_the_nil_confirmation(station, officer1, items):
    """Q3: all zeros are refused until 本月无检定 is confirmed; confirmed, the report is submitted and says so."""
    with pytest.raises(services.NilNotConfirmed, match="本月无检定"):
        services.monthly_submit(station=station, period=OCTOBER, lines=zeros(items), by=officer1)
    assert not MonthlyReport.objects.filter(first_submitted_at__isnull=False).exists()
    report = services.monthly_submit(
        station=station, period=OCTOBER, lines=zeros(items), by=officer1, nil_confirmed=True
    )
    assert report.is_locked and "报送人确认本月无检定" in report.events.get().note


def test_the_nil_confirmation_with_verifications_claimed_is_refused(station, officer1, items):
    """Q3: the confirmation says nothing was verified; a report that claims verifications contradicts it."""
    lines = zeros(items)
    lines[0] = LineInput(1, items[0].code, 3, 3, 0, 0)
    with pytest.raises(services.NilNotConfirmed, match="取消勾选"):
        services.monthly_submit(station=station, period=OCTOBER, lines=lines, by=officer1, nil_confirmed=True)


def test_the_online_form_asks_for_the_nil_confirmation_then_submits(officer, items):
    """Q3: through the page: zeros alone are refused with the checkbox marked; ticked, the month is locked."""
    url = reverse("reporting:monthly_form", args=[2026, 10])
    data = {f"{key}_{item.pk}": "0" for item in items for key in services.COUNTS}
    response = officer.post(url, data)
    assert "请勾选“本月无检定”" in text(response)
    assert re.search(
        r'<input[^>]*name="nil_confirmed"[^>]*aria-invalid="true"|<input[^>]*aria-invalid="true"[^>]*name="nil_confirmed"',
        response.content.decode(),
    )
    response = officer.post(url, {**data, "nil_confirmed": "on"})
    assert response.status_code == 302 and MonthlyReport.objects.get().is_locked


def test_a_template_of_zeros_is_accepted_only_with_the_nil_confirmation(officer, items):
    """Q3: the Excel path asks for the same confirmation."""
    data = workbook([[item.code, "", 0, 0, 0, 0, ""] for item in items])
    assert "请勾选“本月无检定”" in text(upload(officer, data))
    assert upload(officer, data, nil_confirmed="on").status_code == 302
    assert MonthlyReport.objects.get().versions.get().source == "excel"


# --- a reopened report (M4) ---------------------------------------------------------------------------------


def test_a_reopened_report_keeps_its_earlier_figures_after_a_failed_upload(officer, station, officer1, bureau, items):
    """M4: the reopened form starts from the submitted figures, and still does after an upload is refused."""
    report = submit(station, OCTOBER, by=officer1, verified=17, unqualified=2)
    services.monthly_reopen(report=report, by=bureau, reason="核实不合格数量")
    form_page = officer.get(reverse("reporting:monthly_form", args=[2026, 10])).content.decode()
    assert form_page.count('value="17"') == len(items)
    after_upload = upload(officer, template(items)).content.decode()
    assert after_upload.count('value="17"') == len(items) and after_upload.count('value="15"') == len(items)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.REOPENED and report.versions.count() == 1
