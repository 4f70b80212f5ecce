"""The real pages in headless Chromium: an officer, bureau staff and the public, each in their own browser."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from authorizations.models import Application, Certificate, District, LifecycleEvent
from authorizations.tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    StationFactory,
    UserFactory,
    VerificationItemFactory,
)
from zzmetro.dates import beijing_today
from zzmetro.pytest_browser import accept_dialogs, log_in

pytestmark = pytest.mark.browser

PREPARATION = {
    "计量标准、检测装置和配套设施": "电能表检定装置 0.05级，已取得计量标准考核证书",
    "工作环境": "检定室温度20±2℃，相对湿度≤75%",
    "检定人员（经考核合格）": "检定员3名，均持计量检定员证",
    "工作制度和管理制度": "质量手册及程序文件已发布实施",
}


def _items():
    return (
        VerificationItemFactory(code="DN01", name="电能表", regulation="JJG 596-2012《电子式交流电能表》"),
        VerificationItemFactory(code="SB01", name="水表", regulation="JJG 162-2019《饮用冷水水表》"),
        VerificationItemFactory(code="HQ02", name="数字指示秤", regulation="JJG 539-2016《数字指示秤》"),
    )


def _open_in_admin(page, number: str) -> None:
    page.goto("/admin/")
    page.get_by_role("link", name="授权申请", exact=True).first.click()
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.locator("#content")).to_contain_text(number)


def _run_admin_button(page, label: str, fill=None) -> None:
    """Click a lifecycle button in the action bar, fill its form and land back on the change page; an irreversible
    step is confirmed on the page the server shows once it has checked the form."""
    page.locator(".zz-actions").get_by_role("link", name=label, exact=True).click()
    expect(page.locator("h1")).to_contain_text(label)
    if fill:
        fill(page)
    next_step = page.get_by_role("button", name="下一步：核对并确认")
    if next_step.count():
        next_step.click()
        expect(page.locator(".zz-confirm")).to_contain_text(f"系统已核对，可以{label}")
    page.get_by_role("button", name=f"确认{label}").click()
    expect(page.locator(".messagelist")).to_contain_text(re.compile(r"已受理|已完成"))


def test_officer_files_application_and_public_register_shows_certificate_after_bureau_issues_it(page, new_page):
    """A2–A5, A12: application → acceptance → preparation → assessment → certificate → public register."""
    officer = UserFactory(username="officer1", last_name="王", first_name="信息员")
    UserFactory(bureau=True, username="bureau", last_name="刘", first_name="计量处")
    station = officer.station
    _items()
    officer_dialogs = accept_dialogs(page)

    # A2: the officer files an application for two items and an area.
    log_in(page, "officer1")
    page.goto("/portal/")
    expect(page.get_by_text("本单位目前没有有效的计量授权证书")).to_be_visible()
    page.get_by_role("link", name="提交计量授权申请").click()
    page.get_by_role("checkbox", name=re.compile("^电能表")).check()
    page.get_by_role("checkbox", name=re.compile("^水表")).check()
    page.get_by_label("检定区域").fill("郑州市金水区行政区域内")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"首次申请已提交，申请编号ZZSQ-\d{4}-\d{4}"))
    number = re.search(r"ZZSQ-\d{4}-\d{4}", page.locator("h1").inner_text()).group()
    expect(page.locator(".badge").first).to_have_text("已提交，待受理")
    application_url = page.url

    # A2: bureau staff accept it in the admin.
    staff = new_page()
    staff_dialogs = accept_dialogs(staff)
    log_in(staff, "bureau")
    _open_in_admin(staff, number)
    expect(staff.locator("#content")).to_contain_text("已提交，待受理")
    _run_admin_button(staff, "受理", lambda p: p.get_by_label("说明").fill("材料齐全，予以受理"))
    expect(staff.locator(".messagelist")).to_contain_text("已受理，受理申请通知书已生成。")
    expect(staff.locator("#content")).to_contain_text("已受理，筹建中")
    expect(staff.locator("#content")).to_contain_text(re.compile(r"郑质监量受〔\d{4}〕1号"))

    # A3: the officer records the four conditions, then asks for the assessment.
    page.goto(application_url)
    expect(page.locator(".badge").first).to_have_text("已受理，筹建中")
    for label, text in PREPARATION.items():
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="保存筹建情况").click()
    expect(page.locator(".messages")).to_contain_text("筹建情况已保存。")
    expect(page.get_by_text("尚缺：")).to_have_count(0)
    page.get_by_role("button", name="提出考核申请").click()
    expect(page.locator(".messages")).to_contain_text("考核申请已提交")
    expect(page.locator(".badge").first).to_have_text("已申请考核")
    assert officer_dialogs == ["确认提交首次申请？提交后由市局审查。", "确认筹建工作已全面完成，向市局提出考核申请？"]

    # A4: the bureau forms the team, records a finding per criterion and the conclusion.
    today = beijing_today()
    _open_in_admin(staff, number)

    def team(p):
        p.get_by_label("计划考核日期").fill(f"{today + dt.timedelta(days=7):%Y-%m-%d}")
        p.get_by_label("考核组组长").fill("赵国强")
        p.get_by_label("技术专家").fill("钱学文\n孙立平")
        p.get_by_label("专家所在单位").fill("郑州市计量科学研究院")

    _run_admin_button(staff, "组建考核组", team)
    for member in ("赵国强（组长）", "钱学文", "孙立平"):
        expect(staff.locator("#content")).to_contain_text(member)

    def results(p):
        p.get_by_label("现场考核日期").fill(f"{today:%Y-%m-%d}")
        criteria = p.locator("select[name^='result_']")
        expect(criteria).to_have_count(7)
        for select in criteria.all():
            select.select_option(label="符合")
        p.locator("select[name='conclusion']").select_option(label="合格")
        p.get_by_label("考核意见").fill("符合JJF（豫）1002要求，同意授权")

    _run_admin_button(staff, "录入考核结果", results)
    expect(staff.locator("#content")).to_contain_text("考核合格，待发证")
    expect(staff.locator("#content")).to_contain_text("结论：合格")

    # A5: the certificate is issued with its special seal.
    _run_admin_button(staff, "颁发证书", lambda p: p.get_by_label("计量授权检定专用章编号").fill("郑计授章-0001"))
    expect(staff.locator("#content")).to_contain_text("已发证")
    expect(staff.locator(".zz-actions").get_by_role("link", name="颁发证书")).to_have_count(0)
    assert (
        staff_dialogs == []
    )  # irreversible steps are confirmed on a page after the server's checks, not in a prompt before them

    # A5: anyone finds the station in the public register and checks that the certificate is valid today.
    public = new_page()
    public.goto("/register/")
    row = public.locator("tbody tr", has_text=station.name)
    expect(row).to_contain_text("电能表、水表")
    expect(row).to_contain_text("郑州市金水区行政区域内")
    certificate_number = row.get_by_role("link", name=re.compile(r"ZZJL-\d{4}-\d{4}")).inner_text()
    row.get_by_role("link", name=certificate_number).click()
    expect(public).to_have_url(re.compile(rf"/register/certificates/{certificate_number}/$"))
    verdict = public.locator(".verdict")
    expect(verdict).to_have_text(f"证书 {certificate_number} 今日（{today.year}年{today.month}月{today.day}日）有效。")
    expect(public.locator("table")).to_contain_text(station.name)
    expect(public.locator("table")).to_contain_text(station.credit_code)

    certificate = Certificate.objects.get(number=certificate_number)
    assert certificate.station == station
    assert certificate.seal_number == "郑计授章-0001"
    assert certificate.expires_on == Certificate.expiry_for(today)
    assert sorted(certificate.items.values_list("name", flat=True)) == ["水表", "电能表"]
    events = LifecycleEvent.objects.filter(application__number=number).order_by("at", "id")
    assert [(e.action, e.by.username) for e in events] == [
        ("submit", "officer1"),
        ("accept", "bureau"),
        ("prepare", "officer1"),
        ("request_assessment", "officer1"),
        ("assessment_start", "bureau"),
        ("assessment_conclude", "bureau"),
        ("certificate_issue", "bureau"),
    ]


def test_officer_cannot_request_assessment_before_all_four_conditions_are_recorded(page):
    """A3, A12: the request is refused, the page names the missing conditions, and the status stays."""
    officer = UserFactory(username="officer1")
    application = ApplicationFactory(
        accepted=True,
        station=officer.station,
        prep_standards="电能表检定装置 0.05级",
        prep_personnel="检定员3名，均持证",
    )
    dialogs = accept_dialogs(page)
    log_in(page, "officer1")
    page.goto(f"/portal/applications/{application.pk}/")
    expect(page.get_by_text("尚缺：工作环境、工作制度和管理制度")).to_be_visible()

    page.get_by_role("button", name="提出考核申请").click()

    expect(page.locator(".messages .msg-error")).to_have_text(
        "筹建工作尚未全面完成，还缺少：工作环境、工作制度和管理制度。四项条件全部填写后才能申请考核。"
    )
    expect(page.locator(".badge").first).to_have_text("已受理，筹建中")
    assert dialogs == ["确认筹建工作已全面完成，向市局提出考核申请？"]
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert not LifecycleEvent.objects.filter(application=application).exists()


def test_bureau_issuing_a_certificate_for_an_application_not_yet_assessed_is_refused_naming_its_state(page):
    """A12: a crafted URL for an illegal step shows the refusal naming the current state; nothing changes."""
    UserFactory(bureau=True, username="bureau")
    application = ApplicationFactory(station=StationFactory(name="郑州燃气计量检定站"))
    dialogs = accept_dialogs(page)
    log_in(page, "bureau")
    _open_in_admin(page, application.number)
    expect(page.locator(".zz-actions").get_by_role("link", name="颁发证书")).to_have_count(0)

    page.goto(f"/admin/authorizations/application/{application.pk}/do/issue-certificate/")

    # The server checks the move before it shows a form, so nobody fills one in or confirms a step that cannot run.
    expect(page.locator(".errornote").last).to_have_text("授权申请当前状态为“已提交，待受理”，不能颁发证书。")
    expect(page.get_by_label("计量授权检定专用章编号")).to_have_count(0)
    assert dialogs == []
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Certificate.objects.exists()


def test_public_register_filters_by_district_and_keyword_and_revoked_list_shows_revoked_station(page):
    """A5, A11: the register lists live certificates by district and keyword; a revoked one moves to the revoked list."""
    meter, water, scale = _items()
    issued = beijing_today() - dt.timedelta(days=30)
    CertificateFactory(
        number="ZZJL-T-0001",
        station=StationFactory(name="新密市电力计量检定站", district=District.XINMI),
        issued_on=issued,
        items=[meter],
    )
    CertificateFactory(
        number="ZZJL-T-0002",
        station=StationFactory(name="郑州自来水计量检定站", district=District.JINSHUI),
        issued_on=issued,
        items=[water],
    )
    CertificateFactory(
        number="ZZJL-T-0003",
        station=StationFactory(name="巩义市衡器检定所", district=District.GONGYI),
        issued_on=issued,
        items=[scale],
        revoked=True,
        revoked_on=beijing_today() - dt.timedelta(days=10),
        revocation_number="郑质监量撤〔2026〕1号",
    )
    rows = page.locator("tbody tr")

    page.goto("/register/")
    expect(rows).to_have_count(2)
    expect(page.locator("tbody")).not_to_contain_text("巩义市衡器检定所")

    page.get_by_label("县（市、区）").select_option(label="新密市")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("新密市电力计量检定站")

    page.get_by_label("县（市、区）").select_option(label="全部")
    page.get_by_label("关键词").fill("水表")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("郑州自来水计量检定站")

    page.get_by_label("关键词").fill("不存在的单位")
    page.get_by_role("button", name="查询").click()
    expect(rows.first).to_have_text("没有符合条件的授权单位")

    page.get_by_role("link", name="撤销授权名单").click()
    expect(page.locator("h1")).to_have_text("被撤销计量授权的机构名单")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("巩义市衡器检定所")
    expect(rows.first).to_contain_text("郑质监量撤〔2026〕1号")
    expect(rows.first).to_contain_text("监督检查不合格且整改后仍达不到要求")
