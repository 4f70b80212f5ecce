"""Supervision in the real pages: staff record an inspection with a rectification notice; the officer answers; staff close (I1)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from authorizations.tests.factories import CertificateFactory, UserFactory
from inspections.models import Inspection, InspectionFinding, Rectification
from zzmetro.pytest_browser import accept_dialogs, log_in
from zzmetro.testing import pdf_bytes

pytestmark = pytest.mark.browser


def test_staff_record_an_inspection_the_officer_answers_the_notice_and_staff_close_it(page, new_page, tmp_path):
    """I1: findings per area → rectification notice with deadline → the station's report with evidence → closed."""
    officer = UserFactory(username="officer1", last_name="王", first_name="信息员")
    UserFactory(bureau=True, username="bureau")
    CertificateFactory(station=officer.station, issued_on=dt.date(2025, 1, 1))
    inspection = Inspection.objects.create(station=officer.station, planned_on=dt.date(2026, 6, 1), inspectors="刘、张")

    staff = page
    accept_dialogs(staff)
    log_in(staff, "bureau")
    staff.goto(f"/admin/inspections/inspection/{inspection.pk}/change/")
    staff.locator(".zz-actions").get_by_role("link", name="录入检查结果", exact=True).click()
    staff.get_by_label("检查日期").fill("2026-06-02")
    for area in InspectionFinding.Area:
        result = "不符合" if area == InspectionFinding.Area.RECORDS else "符合"
        staff.locator(f"select[name=result_{area.value}]").select_option(label=result)
    staff.locator("input[name=note_records]").fill("部分原始记录缺少核验人签名")
    staff.get_by_label("检查结论").select_option(label="限期整改")
    staff.get_by_label("整改要求（结论非合格时必填）").fill("补齐原始记录签名，并组织记录规范培训")
    staff.get_by_label("整改期限（结论非合格时必填）").fill("2026-07-02")
    staff.get_by_role("button", name="下一步：核对并确认").click()
    staff.get_by_role("button", name="确认录入检查结果").click()
    expect(staff.locator(".messagelist")).to_contain_text("已完成")
    rectification = Rectification.objects.get(inspection=inspection)

    officer_page = new_page()
    accept_dialogs(officer_page)
    log_in(officer_page, "officer1")
    officer_page.goto("/portal/supervision/")
    officer_page.get_by_role("link", name=rectification.number).click()
    expect(officer_page.locator("main")).to_contain_text("部分原始记录缺少核验人签名")
    expect(officer_page.locator("main")).to_contain_text("2026年7月2日")
    evidence = tmp_path / "签名补齐.pdf"
    evidence.write_bytes(pdf_bytes())
    officer_page.get_by_label("整改报告").fill("已补齐全部签名，并于6月20日完成培训。")
    officer_page.get_by_label("整改证明材料（PDF或图片，可选）").set_input_files(str(evidence))
    officer_page.get_by_role("button", name="报送整改报告").click()
    expect(officer_page.locator(".messages")).to_contain_text("整改报告已报送")
    expect(officer_page.locator("h1")).to_contain_text("已报送整改报告")

    staff.goto(f"/admin/inspections/rectification/{rectification.pk}/change/")
    expect(staff.locator("#content")).to_contain_text("已补齐全部签名")
    staff.locator(".zz-actions").get_by_role("link", name="验收关闭", exact=True).click()
    staff.get_by_label("验收意见").fill("整改到位，同意关闭")
    staff.get_by_role("button", name="确认验收关闭").click()
    expect(staff.locator(".messagelist")).to_contain_text("已完成")

    officer_page.reload()
    expect(officer_page.locator("h1")).to_contain_text("已关闭")
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.CLOSED and rectification.evidence.name.endswith(".pdf")
