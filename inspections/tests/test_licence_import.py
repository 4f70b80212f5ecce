"""Import of an existing licence register from the Excel templates, and the exports of the admin's lists (L2, G4)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from authorizations.validators import make_credit_code
from inspections import licence_import as importer
from inspections.models import (
    EvaluationInstitution,
    LicenceEvent,
    LicenceFinding,
    LicenceVersion,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)

pytestmark = pytest.mark.django_db
D = dt.date
CODE_A = make_credit_code("91410100000000001")
CODE_B = make_credit_code("91410100000000002")


def workbook(kind: importer.Kind, rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f.header for f in kind.fields])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def approval_row(number="2016F101-41", code=CODE_A, name="郑州甲电表有限公司", models="DDS666、DTS666", **over):
    row = {
        "number": number, "name": name, "credit_code": code, "address": "郑州市高新区", "city": "郑州市",
        "county": "高新区", "instrument_type": "电能表", "model_names": models, "measuring_range": "5(60)A",
        "accuracy_class": "2级", "institution": "河南省计量科学研究院", "report_number": "PJ-1",
        "department": "河南省质量技术监督局计量处", "level": "省级", "approved_on": D(2016, 3, 1),
    }  # fmt: skip
    row.update(over)
    return [row[f.key] for f in importer.APPROVAL_FIELDS]


def licence_row(number="豫制00000001号", model="DDS666", code=CODE_A, name="郑州甲电表有限公司", **over):
    row = {
        "number": number, "name": name, "credit_code": code, "address": "郑州市高新区", "city": "郑州市",
        "county": "高新区", "instrument_type": "电能表", "model": model, "measuring_range": "5(60)A",
        "accuracy_class": "2级", "approvals": "2016F101-41", "department": "河南省质量技术监督局计量处",
        "level": "省级", "accepted_on": D(2016, 4, 1), "decided_on": D(2016, 4, 25), "valid_until": D(2019, 4, 24),
        "announced_on": D(2016, 5, 10), "announced_via": "网站", "filed_on": D(2016, 5, 20), "cancelled_on": None,
        "cancel_announced_on": None, "cancel_announced_via": None, "cancel_filed_on": None,
    }  # fmt: skip
    row.update(over)
    return [row[f.key] for f in importer.LICENCE_FIELDS]


@pytest.fixture
def institution():
    return EvaluationInstitution.objects.create(name="河南省计量科学研究院", province="河南省")


def import_approvals(bureau, rows):
    return importer.import_register(kind=importer.APPROVALS, data=workbook(importer.APPROVALS, rows), by=bureau)


def import_licences(bureau, rows):
    return importer.import_register(kind=importer.LICENCES, data=workbook(importer.LICENCES, rows), by=bureau)


def test_templates_carry_the_exact_headers_and_an_example_row():
    """L2: each template's first row is the import's columns, and its example row fills every one of them."""
    for kind in (importer.APPROVALS, importer.LICENCES):
        sheet = openpyxl.load_workbook(io.BytesIO(importer.template(kind))).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == [f.header for f in kind.fields]
        assert len(rows[1]) == len(kind.fields)


def test_a_register_is_imported_with_a_version_and_an_event_per_licence(bureau, institution):
    """L2, A12, L3: approvals first, then licences (one row per scope line); each licence is granted by the service
    and checked."""
    assert import_approvals(bureau, [approval_row()]).ok
    outcome = import_licences(
        bureau,
        [
            licence_row(),
            licence_row(model="DTS666"),
            licence_row(number="豫制00000002号", code=CODE_B, name="郑州乙电表有限公司", approvals="",
                        cancelled_on=D(2017, 6, 1)),
        ],
    )  # fmt: skip

    assert outcome.ok and outcome.created == 2 and outcome.manufacturers == 1
    first = ManufacturingLicence.objects.get(number="豫制00000001号")
    assert sorted(first.scope_lines.values_list("model", flat=True)) == ["DDS666", "DTS666"]
    assert list(first.approvals.values_list("number", flat=True)) == ["2016F101-41"]
    assert first.status == ManufacturingLicence.Status.GRANTED
    version = LicenceVersion.objects.get(licence=first)
    assert (version.announced_on, version.announced_via, version.filed_on) == (
        D(2016, 5, 10),
        "website",
        D(2016, 5, 20),
    )
    cancelled = ManufacturingLicence.objects.get(number="豫制00000002号")
    assert cancelled.status == ManufacturingLicence.Status.CANCELLED and cancelled.ended_on == D(2017, 6, 1)
    assert LicenceEvent.objects.filter(licence=first).count() == 1
    # Imported licences are checked at once: the second rests on no approval (L3a).
    assert outcome.findings == LicenceFinding.objects.count() > 0
    assert LicenceFinding.objects.filter(licence=cancelled, rule=LicenceFinding.Rule.SCOPE_APPROVAL).exists()
    assert LicenceEvent.objects.filter(licence=cancelled).count() == 2


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_saved(bureau, institution):
    """L2, G4: a file with problems on several rows saves nothing and names each problem's row and column."""
    outcome = import_licences(
        bureau,
        [
            licence_row(approvals="", decided_on=D(2016, 3, 1)),
            licence_row(model="DTS666", approvals="", department="郑州市质量技术监督局"),
            licence_row(number="豫制00000002号", code="91410100000000009X", approvals="", instrument_type="血压计"),
            licence_row(number="豫制00000003号", approvals="2099X", level="部级", announced_via=None),
        ],
    )

    found = {(e.row, e.column) for e in outcome.errors}
    assert (2, "许可决定日期") in found  # decided before it was accepted
    assert (3, "发证部门") in found  # a second line of the same licence disagrees
    assert (4, "统一社会信用代码") in found and (4, "计量器具类别") in found
    assert (5, "型式批准证书编号") in found and (5, "发证层级") in found and (5, "公告方式") in found
    assert [e.row for e in outcome.errors] == sorted(e.row for e in outcome.errors)
    assert not ManufacturingLicence.objects.exists() and not Manufacturer.objects.exists()


def test_a_licence_number_already_in_the_register_is_refused(bureau, institution):
    """L2: an import adds licences; one already registered is changed on its own page, not overwritten."""
    assert import_approvals(bureau, [approval_row()]).ok
    assert import_licences(bureau, [licence_row()]).ok
    outcome = import_licences(bureau, [licence_row()])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "许可证编号")]


def test_an_approval_of_another_maker_or_an_unknown_institution_is_refused(bureau, institution):
    """L2, L3a: a licence may rest only on its holder's own approvals; institutions must be registered first."""
    outcome = import_approvals(bureau, [approval_row(institution="某某检测所"), approval_row(number="2016F101-41")])
    assert {(e.row, e.column) for e in outcome.errors} == {(2, "型式评价机构"), (3, "证书编号")}
    assert not PatternApproval.objects.exists()

    assert import_approvals(bureau, [approval_row()]).ok
    outcome = import_licences(bureau, [licence_row(code=CODE_B, name="郑州乙电表有限公司")])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "型式批准证书编号")]
    assert "属于郑州甲电表有限公司" in outcome.errors[0].message


def test_a_formula_or_a_file_that_is_not_a_workbook_is_refused_whole(bureau):
    """G4: the hostile-file reader refuses a non-Excel file before anything is read."""
    with pytest.raises(importer.SpreadsheetError):
        importer.import_register(kind=importer.LICENCES, data=b"PK\x03\x04 not really", by=bureau)


def test_staff_import_from_the_page_and_see_every_error(admin_client_bureau, institution):
    """L2: the upload page lists the problems by row and column; a clean file lands on the admin's list."""
    url = reverse("licences:import", args=["approvals"])
    bad = workbook(importer.APPROVALS, [approval_row(level="部级")])
    response = admin_client_bureau.post(url, {"file": _upload(bad)})
    assert "第2行" in response.content.decode() and "批准层级" in response.content.decode()

    good = workbook(importer.APPROVALS, [approval_row()])
    response = admin_client_bureau.post(url, {"file": _upload(good)})
    assert response.status_code == 302 and PatternApproval.objects.count() == 1


def test_managers_and_officers_cannot_import(client, manager, officer1):
    """L2: the register is bureau staff's; managers read it and officers never see it."""
    for user in (manager, officer1):
        client.force_login(user)
        assert client.get(reverse("licences:import", args=["licences"])).status_code == 403
        assert client.get(reverse("licences:import_template", args=["licences"])).status_code == 403


def test_the_export_follows_the_admin_lists_filters(admin_client_bureau, bureau, institution):
    """L2: the export is the list as filtered in the admin (here by status), one row per licence."""
    assert import_approvals(bureau, [approval_row()]).ok
    assert import_licences(
        bureau, [licence_row(), licence_row(number="豫制00000002号", approvals="", cancelled_on=D(2017, 6, 1))]
    ).ok
    response = admin_client_bureau.get(reverse("licences:export"), {"status__exact": "cancelled"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "许可证编号" and [r[0] for r in rows[1:]] == ["豫制00000002号"]
    assert rows[1][10] == "已注销"


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("register.xlsx", content)
