"""The month's Excel and form in headless Chromium (DOMAIN M2, Q3): what an officer sees when a file is wrong."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from authorizations.tests.factories import UserFactory
from reporting.models import MonthlyReport
from zzmetro.pytest_browser import accept_dialogs, log_in

from .factories import authorize, make_items

pytestmark = pytest.mark.browser
HEADERS = ["项目代码", "检定项目", "检定数量", "合格数量", "不合格数量", "首次检定加贴标志数量", "备注"]


@pytest.fixture
def month_page(page, freeze):
    """officer1 on the October form, with three authorized items."""
    freeze("2026-11-02 10:00:00+08:00")
    officer = UserFactory(username="officer1")
    items = make_items("DN", 3)
    authorize(officer.station, items=items)
    accept_dialogs(page)
    log_in(page, "officer1")
    page.goto("/portal/reporting/monthly/2026/10/")
    return page, items


def test_an_untouched_template_is_refused_and_nothing_is_locked(month_page, tmp_path):
    """M2, Q3: the template downloaded from the page and uploaded unfilled is refused, each blank cell named."""
    page, items = month_page
    with page.expect_download() as download:
        page.get_by_role("link", name="下载2026年10月月报模板（.xlsx）").click()
    path = tmp_path / "模板.xlsx"
    download.value.save_as(path)
    page.locator("#upload_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并报送").click()
    expect(page.locator(".messages")).to_contain_text("所有数量都未填写")
    expect(page.locator("#upload-errors li")).to_have_count(4 * len(items))
    expect(page.locator("#upload-errors")).to_contain_text(f"第2行「检定数量」（{items[0].name}）：未填写")
    expect(page.get_by_role("button", name="报送月报")).to_be_visible()
    assert not MonthlyReport.objects.filter(first_submitted_at__isnull=False).exists()


def test_a_file_with_three_different_errors_lists_all_three_once(month_page, tmp_path):
    """M2: a sum error in row 3, the text 十 in row 4 and an unknown item in row 5, all listed, each once."""
    page, items = month_page
    book = Workbook()
    for row in (
        HEADERS,
        [items[0].code, "", 10, 9, 1, 2, ""],
        [items[1].code, "", 10, 8, 1, 0, ""],
        [items[2].code, "", "十", 10, 0, 0, ""],
        ["JY01", "燃油加油机", 3, 3, 0, 0, ""],
    ):
        book.active.append(row)
    path = tmp_path / "月报.xlsx"
    book.save(path)
    page.locator("#upload_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并报送").click()
    problems = page.locator("#upload-errors li")
    expect(problems).to_have_text(
        [
            f"第3行「检定数量」（{items[1].name}）：合格数量8 + 不合格数量1 = 9，不等于检定数量10",
            f"第4行「检定数量」（{items[2].name}）：“十”不是整数",
            "第5行「项目代码」：“JY01”不是本单位该月的授权检定项目，不能填报。",
        ]
    )
    expect(page.locator(".messages")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告（Excel）").click()
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [3, 4, 5]
    assert not MonthlyReport.objects.filter(first_submitted_at__isnull=False).exists()


def test_the_online_form_marks_the_wrong_cells_and_asks_to_confirm_a_nil_month(month_page):
    """M2, Q3: a sum error marks its cell and names the typed numbers; a month of zeros asks for 本月无检定."""
    page, items = month_page
    for item in items:
        for key, value in (("verified", "0"), ("qualified", "0"), ("unqualified", "0"), ("first_time_sticker", "0")):
            page.locator(f"input[name={key}_{item.pk}]").fill(value)
    page.locator(f"input[name=qualified_{items[1].pk}]").fill("2")
    page.get_by_role("button", name="报送月报").click()
    expect(page.locator("#line-errors li")).to_have_text(
        [f"{items[1].name}「检定数量」：合格数量2 + 不合格数量0 = 2，不等于检定数量0"]
    )
    expect(page.locator(f"input[name=verified_{items[1].pk}]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"input[name=verified_{items[0].pk}]")).not_to_have_attribute("aria-invalid", "true")

    page.locator(f"input[name=qualified_{items[1].pk}]").fill("0")
    page.get_by_role("button", name="报送月报").click()
    expect(page.locator("#line-errors")).to_contain_text("请勾选“本月无检定”")
    page.locator("form").filter(has=page.get_by_role("button", name="报送月报")).get_by_label("本月无检定").check()
    page.get_by_role("button", name="报送月报").click()
    expect(page.locator("#report-status")).to_have_text("已报送（已锁定）")
