"""Monthly report through the real pages in headless Chromium (DOMAIN M2, M4, Actors)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from authorizations.tests.factories import UserFactory
from reporting.models import MonthlyReport
from reporting.services import plans as plan_services
from zzmetro.pytest_browser import accept_dialogs, log_in

from .factories import authorize, make_items

pytestmark = pytest.mark.browser


def _fill_month(page, items, verified, unqualified):
    for item in items:
        page.locator(f"input[name=verified_{item.pk}]").fill(str(verified))
        page.locator(f"input[name=qualified_{item.pk}]").fill(str(verified - unqualified))
        page.locator(f"input[name=unqualified_{item.pk}]").fill(str(unqualified))
        page.locator(f"input[name=first_time_sticker_{item.pk}]").fill("2")


def test_officer_submits_bureau_reopens_officer_resubmits_and_both_versions_show(page, new_page, freeze):
    """M2, M4: submitted → locked; reopened with a reason; amended and resubmitted; every version kept.
    Actors: officer2 reaches none of officer1's plans or reports (404)."""
    freeze("2026-11-03 23:45:00+08:00")
    officer1 = UserFactory(username="officer1", last_name="王", first_name="信息员")
    officer2 = UserFactory(username="officer2")
    UserFactory(bureau=True, username="bureau", last_name="刘", first_name="计量处")
    items = make_items()
    authorize(officer1.station, items=items)
    authorize(officer2.station, items=make_items("SB", 1))
    plan = plan_services.plan_save(
        station=officer1.station, year=2027, lines=[plan_services.PlanLineInput(items[0], 100)], by=officer1
    )
    accept_dialogs(page)

    # M2: officer1 fills October online and submits; the report is locked.
    log_in(page, "officer1")
    page.goto("/portal/reporting/")
    page.get_by_role("link", name="填报").first.click()
    expect(page.locator("h1")).to_have_text("2026年10月月度报表")
    _fill_month(page, items, 10, 1)
    page.get_by_role("button", name="报送月报").click()
    expect(page.locator(".messages")).to_contain_text("2026年10月月报已报送并锁定（按时）")
    expect(page.locator("#report-status")).to_have_text("已报送（已锁定）")
    expect(page.get_by_role("button", name="报送月报")).to_have_count(0)
    report_url = page.url

    # M4: bureau staff reopen it in the admin with a reason.
    staff = new_page()
    accept_dialogs(staff)
    log_in(staff, "bureau")
    staff.goto("/admin/reporting/monthlyreport/?timeliness=on_time")
    staff.get_by_role("link", name=officer1.station.name).click()
    staff.locator(".zz-actions").get_by_role("link", name="退回修改", exact=True).click()
    staff.get_by_label("理由").fill("电能表不合格数量与现场记录不符")
    staff.get_by_role("button", name="下一步：核对并确认").click()
    expect(staff.locator(".zz-confirm")).to_contain_text("电能表不合格数量与现场记录不符")
    staff.get_by_role("button", name="确认退回修改").click()
    expect(staff.locator(".messagelist")).to_contain_text("已完成：退回修改")

    # officer1 amends and resubmits; both versions are visible.
    page.goto(report_url)
    expect(page.locator("#report-status")).to_have_text("已退回修改")
    expect(page.locator("body")).to_contain_text("电能表不合格数量与现场记录不符")
    page.get_by_role("link", name="修改并重新报送").click()
    freeze("2026-11-04 00:05:00+08:00")  # within the 30 idle minutes a session allows (G1)
    _fill_month(page, items, 12, 2)
    page.get_by_role("button", name="报送月报").click()
    expect(page.locator("#report-status")).to_have_text("已报送（已锁定）")
    expect(page.locator("h2.version")).to_have_text(["第2版（当前）", "第1版"])
    expect(page.locator("body")).to_contain_text("本次报送晚于截止日1天")
    expect(page.locator(".badge").filter(has_text=re.compile("^按时$"))).to_have_count(1)

    # Bureau staff see both versions in the admin too.
    staff.reload()
    expect(staff.locator("#content")).to_contain_text("第2版（当前）")
    expect(staff.locator("#content")).to_contain_text("第1版")

    # Actors: officer2 reaches none of officer1's plans or reports.
    other = new_page()
    log_in(other, "officer2")
    report = MonthlyReport.objects.get()
    for url in (report_url, f"/portal/reporting/plans/{plan.pk}/"):
        response = other.goto(url)
        assert response.status == 404, url
    other.goto("/portal/reporting/")
    expect(other.locator("body")).not_to_contain_text(officer1.station.name)
    assert report.versions.count() == 2 and report.period == dt.date(2026, 10, 1)
