"""The licence register in the real pages: staff import a register, run the checks, mark a finding and download
Attachment 1 (DOMAIN L2–L4)."""

import datetime as dt
import importlib
import io

import openpyxl
import pytest
from django.apps import apps
from playwright.sync_api import expect

from authorizations.tests.factories import UserFactory
from authorizations.validators import make_credit_code
from inspections import licence_import as importer
from inspections.models import (
    EvaluationInstitution,
    InstrumentType,
    IssuingLevel,
    LicenceFinding,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)
from zzmetro.pytest_browser import accept_dialogs, log_in

pytestmark = pytest.mark.browser
D = dt.date
CODE = make_credit_code("91410100000000001")


def register_file(path) -> None:
    """Two licences of one maker: the first covered by its approval, the second's model approved by nobody."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f.header for f in importer.LICENCE_FIELDS])
    common = ["郑州甲电表有限公司", CODE, "郑州市高新区", "郑州市", "高新区", "电能表"]
    office = ["河南省质量技术监督局计量处", "省级", D(2024, 3, 1), D(2024, 3, 20), D(2027, 3, 19)]
    publicity = [D(2024, 3, 25), "网站", D(2024, 3, 26), None]
    sheet.append(["(豫)制00000001号", *common, "DDS666", "5(60)A", "2级", "2024F101-41", *office, *publicity])
    sheet.append(["(豫)制00000002号", *common, "DTS999", "5(60)A", "1级", "", *office, *publicity])
    book.save(path)


def key_catalogue() -> None:
    """The nine types the migration seeds: an earlier browser test's flush (TRUNCATE) may have taken them."""
    importlib.import_module("inspections.migrations.0006_licence_register").seed(apps, None)


def test_staff_import_a_register_run_the_checks_mark_a_finding_and_download_attachment_1(page, tmp_path):
    """L2, L3a, L4: an imported licence whose model no approval covers is found 超出型式批准范围; once staff
    confirm it, Attachment 1 answers 是否超范围许可 with 是."""
    key_catalogue()
    UserFactory(bureau=True, username="bureau")
    maker = Manufacturer.objects.create(name="郑州甲电表有限公司", credit_code=CODE, city="郑州市")
    PatternApproval.objects.create(
        number="2024F101-41",
        manufacturer=maker,
        instrument_type=InstrumentType.objects.get(code="electricity_meter"),
        model_names="DDS666",
        institution=EvaluationInstitution.objects.create(name="河南省计量科学研究院"),
        department="河南省质量技术监督局计量处",
        level=IssuingLevel.PROVINCE,
        approved_on=D(2024, 1, 10),
    )
    upload = tmp_path / "许可证登记簿.xlsx"
    register_file(upload)

    accept_dialogs(page)
    log_in(page, "bureau")
    page.goto("/admin/inspections/manufacturinglicence/")
    page.get_by_role("link", name="从Excel导入许可证").click()
    page.get_by_label("Excel文件（.xlsx，使用导入模板填写）").set_input_files(str(upload))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator(".messagelist")).to_contain_text("已导入制造计量器具许可证2个")
    assert ManufacturingLicence.objects.count() == 2

    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="核查所选许可证")
    page.get_by_role("button", name="执行").click()
    expect(page.locator(".messagelist")).to_contain_text("已核查2份许可证")
    finding = LicenceFinding.objects.get(rule=LicenceFinding.Rule.SCOPE_APPROVAL)
    assert finding.licence.number == "(豫)制00000002号"

    page.goto(f"/admin/inspections/licencefinding/{finding.pk}/change/")
    page.locator(".zz-actions").get_by_role("link", name="确认问题", exact=True).click()
    page.get_by_role("button", name="确认问题").last.click()
    expect(page.locator(".messagelist")).to_contain_text("已完成")
    finding.refresh_from_db()
    assert finding.status == LicenceFinding.Status.CONFIRMED

    page.goto("/admin/inspections/licencefinding/")
    page.get_by_role("link", name="专项核查文书").click()
    expect(page.locator("main")).to_contain_text("是否超范围许可")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载附件1 调查表（Excel）").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert sheet["A2"].value == "重点管理的计量器具型式批准和制造许可情况调查表"
    assert [cell.value for cell in sheet[6]][:2] == ["河南省", "是"]
