"""The public list of licensed manufacturers (DOMAIN L5) and the special inspection's documents with data (L4, L6)."""

import datetime as dt
import io

import openpyxl
import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from authorizations.validators import make_credit_code
from inspections.models import (
    InstrumentType,
    IssuingLevel,
    LicenceFinding,
    LicenceInspectionReport,
    Manufacturer,
)
from inspections.services import licences
from inspections.services.licences import Publicity, Scope

pytestmark = pytest.mark.django_db
D = dt.date


def holder(n: int, name: str) -> Manufacturer:
    return Manufacturer.objects.create(name=name, credit_code=make_credit_code(f"91410100{n:09d}"), city="郑州市")


def grant(company, number, *, type_code="electricity_meter", level=IssuingLevel.PROVINCE, model="DDS666",
          department="河南省质量技术监督局计量处"):  # fmt: skip
    return licences.licence_grant(
        number=number,
        holder=company,
        department=department,
        level=level,
        accepted_on=D(2024, 3, 1),
        decided_on=D(2024, 3, 20),
        scope=[Scope(InstrumentType.objects.get(code=type_code), model, "5(60)A")],
        publicity=Publicity(D(2024, 3, 25), "website", D(2024, 3, 26)),
        by=None,
    )


@pytest.fixture
def register():
    a, b, c = holder(1, "郑州甲电表有限公司"), holder(2, "开封乙水表有限公司"), holder(3, "洛阳丙衡器厂")
    first = grant(a, "(豫)制00000001号")
    grant(b, "(豫)制00000002号", type_code="water_meter", level=IssuingLevel.CITY, department="开封市质监局计量科")
    cancelled = grant(c, "(豫)制00000003号", type_code="weighing")
    licences.licence_cancel(licence=cancelled, decided_on=D(2025, 1, 6), reason="企业申请注销", by=None)
    return first, cancelled


def page_text(response) -> str:
    return response.content.decode()


def test_the_public_list_needs_no_login_and_marks_a_cancelled_licence_with_its_date(client, register):
    """L5: anyone sees the holders; a cancelled licence says so with its cancellation date."""
    response = client.get("/register/manufacturers/")
    text = page_text(response)
    assert response.status_code == 200
    assert "郑州甲电表有限公司" in text and "开封乙水表有限公司" in text
    assert "已注销" in text and "2025年1月6日" in text


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ({"q": "水表"}, "开封乙水表有限公司", "郑州甲电表有限公司"),
        ({"instrument_type": "weighing"}, "洛阳丙衡器厂", "开封乙水表有限公司"),
        ({"number": "00000001"}, "郑州甲电表有限公司", "洛阳丙衡器厂"),
    ],
)
def test_the_public_list_searches_by_name_type_and_number(client, register, query, shown, hidden):
    """L5: search by manufacturer name, instrument type and licence number."""
    text = page_text(client.get("/register/manufacturers/", query))
    assert shown in text and hidden not in text


def test_the_public_list_pages_with_a_bounded_number_of_queries(client, register, django_assert_max_num_queries):
    """L5: twenty licences a page, in a few queries however many there are."""
    for n in range(30):
        grant(holder(100 + n, f"新郑第{n:02d}电子有限公司"), f"(豫)制1{n:07d}号")
    with django_assert_max_num_queries(8):
        response = client.get("/register/manufacturers/")
    assert "共 33 条" in page_text(response)


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
        return text.replace("\r", "").replace("\n", "")  # lines wrap wherever the page ends them
    finally:
        document.close()


def flag(first, rule, status=LicenceFinding.Status.OPEN, key="k"):
    return LicenceFinding.objects.create(licence=first, rule=rule, key=key, message="用时25个工作日", status=status)


def test_attachment_1_answers_the_yes_no_questions_from_standing_findings(admin_client_bureau, register):
    """L4: open or confirmed findings answer 是否超范围许可 and the filing question; explained ones do not count;
    the announcement way and the issuers come from the register."""
    first, _ = register
    flag(first, LicenceFinding.Rule.SCOPE_APPROVAL, key="a")
    flag(first, LicenceFinding.Rule.FILING, status=LicenceFinding.Status.EXPLAINED, key="b")
    response = admin_client_bureau.get(reverse("licences:survey"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    row = [cell.value for cell in sheet[6]]
    assert row[:3] == ["河南省", "是", "是"]
    assert row[3] == "网站" and row[4] == "是" and row[5] is None
    assert "开封市质监局计量科（市级）" in row[7] and "河南省质量技术监督局计量处（省级）" in row[7]


def test_staff_answers_are_stored_and_written_into_attachment_1(admin_client_bureau, register):
    """L4: staff fill the questions the data cannot answer; the workbook carries their answers."""
    data = {
        "report-year": 2024, "report-title": "重点管理计量器具制造许可专项核查工作总结", "report-doc_number": "",
        "report-recipient": "河南省质量技术监督局", "report-unit": "郑州市质量技术监督局", "report-province": "河南省",
        "report-online_approval": "true", "report-reform": "推行并联审批", "report-good_practice": "建立台账",
        "admins-TOTAL_FORMS": 1, "admins-INITIAL_FORMS": 0, "admins-0-name": "张敏",
        "admins-0-unit": "郑州市质量技术监督局", "admins-0-email": "zm@example.cn",
    }  # fmt: skip
    response = admin_client_bureau.post(reverse("licences:documents"), data)
    assert response.status_code == 302
    report = LicenceInspectionReport.objects.get()
    assert report.online_approval is True and report.reform == "推行并联审批"
    sheet = openpyxl.load_workbook(io.BytesIO(admin_client_bureau.get(reverse("licences:survey")).content)).active
    assert [cell.value for cell in sheet[6]][5] == "是" and sheet["I6"].value == "推行并联审批"
    admins = openpyxl.load_workbook(
        io.BytesIO(admin_client_bureau.get(reverse("licences:administrators")).content)
    ).active
    assert [cell.value for cell in admins[4]][:2] == ["张敏", "郑州市质量技术监督局"]


def test_the_summary_pdf_counts_licences_by_type_and_level_and_findings_by_kind(admin_client_bureau, register):
    """L6, D1: the Chinese PDF states the counts, the findings by kind and the licences concerned."""
    first, _ = register
    flag(first, LicenceFinding.Rule.OVERDUE, key="a")
    flag(first, LicenceFinding.Rule.ANNOUNCEMENT, status=LicenceFinding.Status.CONFIRMED, key="b")
    flag(first, LicenceFinding.Rule.FILING, status=LicenceFinding.Status.EXPLAINED, key="c")
    LicenceInspectionReport.objects.create(year=2024, good_practice="建立许可证电子台账")
    text = pdf_text(admin_client_bureau.get(reverse("licences:summary")).content)
    assert "生产企业3家" in text and "制造计量器具许可证3张（其中有效2张、已注销或撤销1张）" in text
    assert "电能表 1 0 0 1" in text and "水表 0 1 0 1" in text
    assert "合计 2 1 0 3" in text
    assert "共发现问题2项，涉及许可证1张" in text
    assert "超期办理 1" in text and "未及时公告 1" in text and "未报总局备案 0" in text
    assert "(豫)制00000001号 郑州甲电表有限公司 超期办理；未及时公告" in text
    assert "建立许可证电子台账" in text


def test_managers_read_the_documents_but_cannot_change_them(client, manager, register):
    """L6: managers read everything and change nothing."""
    client.force_login(manager)
    assert client.get(reverse("licences:documents")).status_code == 200
    assert client.get(reverse("licences:summary")).status_code == 200
    response = client.post(reverse("licences:documents"), {"report-year": 2024})
    assert response.status_code == 403 and not LicenceInspectionReport.objects.exists()


def test_station_officers_see_none_of_the_bureau_pages(client, officer1):
    """L6: station officers see none of the licence register's bureau pages."""
    client.force_login(officer1)
    for name in ("documents", "survey", "administrators", "summary"):
        assert client.get(reverse(f"licences:{name}")).status_code == 403
