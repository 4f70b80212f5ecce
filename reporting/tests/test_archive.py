"""The archive pages, export and import jobs (DOMAIN M1): officers keep theirs, bureau staff search all of it."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import ImportJob, Instrument, Verification
from reporting.services.archive import verification_add
from reporting.services.archive_import import archive_import

from .factories import HEADERS, row, workbook_bytes, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _seed(world, officer, count=3, **overrides):
    archive_import(
        station=officer.station, data=workbook_bytes([row(world, n, **overrides) for n in range(1, count + 1)])
    )


def _upload(client, data: bytes, name="档案.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("archive:import_create"), {"file": upload}, follow=True)


def _sheet_rows(response):
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_archive_list_searches_and_filters_with_a_constant_number_of_queries(
    client, world, officer1, django_assert_max_num_queries
):
    """M1: search by serial, name, user unit; filter by item, use, result and due; queries do not grow with rows."""
    _seed(world, officer1, 30)
    _seed(world, officer1, 1, serial_number="XYZ-1", use="安全防护", result="不合格")
    client.force_login(officer1)
    client.get(reverse("register:index"))  # a session's first page also records its start (G1 idle timeout)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("archive:index")).content.decode()
    assert page.count("SN0000") == 30 and "XYZ-1" in page
    assert "XYZ-1" in client.get(reverse("archive:index") + "?q=xyz").content.decode()
    assert "SN000001" not in client.get(reverse("archive:index") + "?q=xyz").content.decode()
    filtered = client.get(
        reverse("archive:index") + f"?use=safety&result=unqualified&item={world['meter'].pk}"
    ).content.decode()
    assert "XYZ-1" in filtered and "SN000002" not in filtered


@pytest.mark.parametrize(
    ("due", "expected"), [("overdue", ["SN000001"]), ("soon", ["SN000002"]), ("none", ["SN000003"])]
)
def test_due_filter_uses_the_next_due_date_at_the_beijing_date(client, world, officer1, due, expected):
    """M1: overdue = next due date before today; soon = within 30 days; none = unqualified (no due date)."""
    archive_import(
        station=officer1.station,
        data=workbook_bytes(
            [
                row(world, 1, cycle_months=3, verified_on=dt.date(2026, 3, 1)),  # due 2026-05-31
                row(world, 2, cycle_months=4, verified_on=dt.date(2026, 3, 1)),  # due 2026-06-30
                row(world, 3, result="不合格"),
            ]
        ),
    )
    client.force_login(officer1)
    page = client.get(reverse("archive:index") + f"?due={due}").content.decode()
    assert [s for s in ("SN000001", "SN000002", "SN000003") if s in page] == expected


def test_export_streams_the_filtered_view_and_neutralises_formula_text(client, world, officer1):
    """M1 + hostile values: the export follows the filters; text starting with + - is made inert."""
    _seed(world, officer1, 2)
    _seed(world, officer1, 1, serial_number="+861234", measuring_range="-40~85℃", use="环境监测")
    client.force_login(officer1)
    response = client.get(reverse("archive:export") + "?use=environment")
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet_rows(response)
    assert rows[0][:6] == ("检定单位", "检定项目", "使用单位", "器具名称", "型号规格", "出厂编号")
    assert len(rows) == 2
    assert rows[1][5] == "'+861234" and rows[1][6] == "'-40~85℃" and rows[1][8] == "环境监测"
    assert rows[1][11] == dt.datetime(2026, 3, 5) and rows[1][12] == "合格" and rows[1][13] == dt.datetime(2027, 3, 4)


def test_officer_adds_an_instrument_with_its_first_verification(client, world, officer1):
    """M1: the next due date comes from the cycle; verifier and standard are checked (R1)."""
    client.force_login(officer1)
    kit = world["a"]
    data = {
        "item": world["meter"].pk,
        "user_unit": "某商场",
        "name": "电子计价秤",
        "serial_number": "P-1",
        "use": "trade",
        "cycle_months": 12,
        "v-verified_on": "2026-06-01",
        "v-result": "qualified",
        "v-certificate_number": "ZS-1",
        "v-verifier": kit["person"].pk,
        "v-standard": kit["standard"].pk,
    }
    response = client.post(reverse("archive:instrument_create"), data)
    instrument = Instrument.objects.get(serial_number="P-1")
    assert response["Location"] == reverse("archive:instrument_detail", args=[instrument.pk])
    assert instrument.next_due_on == dt.date(2027, 5, 31)
    again = client.post(reverse("archive:instrument_create"), data)
    assert "该出厂编号已在本单位该检定项目的档案中。" in again.content.decode()
    future = client.post(
        reverse("archive:instrument_create"), data | {"serial_number": "P-2", "v-verified_on": "2026-07-01"}
    )
    assert (
        "检定日期不能晚于今天" in future.content.decode()
        and not Instrument.objects.filter(serial_number="P-2").exists()
    )


def test_unique_serial_number_per_station_and_item_is_a_database_constraint(world, officer1):
    """M1: the rule holds even for code that bypasses the services."""
    from django.db import IntegrityError, transaction

    _seed(world, officer1, 1)
    instrument = Instrument.objects.get()
    instrument.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        instrument.save()


def test_a_new_verification_updates_the_latest_result_and_an_older_one_does_not(world, officer1):
    """M1: the instrument row shows its latest verification."""
    _seed(world, officer1, 1)
    instrument, kit = Instrument.objects.get(), world["a"]
    verification_add(
        instrument=instrument,
        verified_on=dt.date(2026, 6, 10),
        result="unqualified",
        certificate_number="T-2",
        verifier=kit["person"],
        standard=kit["standard"],
    )
    verification_add(
        instrument=instrument,
        verified_on=dt.date(2025, 6, 10),
        result="qualified",
        certificate_number="T-0",
        verifier=kit["person"],
        standard=kit["standard"],
    )
    instrument.refresh_from_db()
    assert (instrument.last_verified_on, instrument.last_result, instrument.next_due_on) == (
        dt.date(2026, 6, 10),
        "unqualified",
        None,
    )
    assert Verification.objects.filter(instrument=instrument).count() == 3


def test_verification_page_post_refuses_an_expired_verifier_with_a_message(client, world, officer1):
    from authorizations.tests.factories import PersonnelFactory

    _seed(world, officer1, 1)
    instrument = Instrument.objects.get()
    old = PersonnelFactory(
        station=officer1.station, name="过期员", valid_until=dt.date(2026, 1, 1), items=[world["meter"]]
    )
    client.force_login(officer1)
    response = client.post(
        reverse("archive:verification_create", args=[instrument.pk]),
        {
            "v-verified_on": "2026-06-01",
            "v-result": "qualified",
            "v-certificate_number": "X",
            "v-verifier": old.pk,
            "v-standard": world["a"]["standard"].pk,
        },
        follow=True,
    )
    assert "检定日已过期" in response.content.decode() and instrument.verifications.count() == 1


def test_template_download_has_the_chinese_headers(client, officer1):
    client.force_login(officer1)
    response = client.get(reverse("archive:import_template"))
    headers = [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]]
    assert (
        headers[:5] == ["检定项目（代码或名称）", "使用单位", "器具名称", "型号规格", "出厂编号"] and "用途" in headers
    )


def test_import_with_a_bad_row_saves_nothing_and_offers_the_error_report(client, world, officer1):
    """M1: the job page lists row, column and reason; the report downloads as a workbook; nothing is saved."""
    client.force_login(officer1)
    response = _upload(client, workbook_bytes([row(world, 1), row(world, 2, verified_on="2026/13/01")]))
    page = response.content.decode()
    job = ImportJob.objects.get()
    assert job.status == "invalid" and "有错误，未导入" in page and "2026/13/01" in page
    assert Instrument.objects.count() == 0
    report = load_workbook(io.BytesIO(client.get(reverse("archive:import_errors", args=[job.pk])).content)).active
    assert list(report.iter_rows(values_only=True)) == [
        ("行号", "列", "问题"),
        (3, "检定日期", "“2026/13/01”不是有效日期，请填写如 2026-03-05 的日期"),
    ]
    status = client.get(reverse("archive:import_status", args=[job.pk])).json()
    assert status["finished"] and status["status"] == "invalid" and status["progress"] == 100


def test_good_import_through_the_page_saves_every_row(client, world, officer1):
    client.force_login(officer1)
    response = _upload(client, workbook_bytes([row(world, n) for n in range(1, 4)]))
    job = ImportJob.objects.get()
    assert job.status == "done" and job.rows_imported == 3 and "已导入3条器具及检定记录。" in response.content.decode()
    assert bytes(job.upload) == b""  # the file is not kept after the import
    assert Instrument.objects.filter(station=officer1.station).count() == 3


def _million_rows(world) -> bytes:
    from zzmetro.tests.test_spreadsheets import rewrite_sheet

    head = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS))
    parts = [
        f'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">{head}</row>'.encode()
    ]
    parts.extend(b'<row r="%d"><c r="E%d"><v>%d</v></c></row>' % (n, n, n) for n in range(2, 1_048_577))
    parts.append(b"</sheetData></worksheet>")
    return rewrite_sheet(workbook_bytes([row(world, 1)]), b"".join(parts), compresslevel=1)


def _hostile(case, world) -> bytes:
    from .test_archive_worker import _bomb

    return {
        "text file renamed .xlsx": lambda: b"serial,name\n1,2\n",
        "zip bomb": lambda: _bomb(workbook_bytes([row(world, 1)])),
        "1,048,576 rows": lambda: _million_rows(world),
        "formula": lambda: workbook_bytes([row(world, 1, user_unit="=1+1")], formulas=True),
        "merged header": lambda: workbook_bytes([row(world, 1)], edit=lambda sheet: sheet.merge_cells("A1:B1")),
    }[case]()


HOSTILE = {
    "text file renamed .xlsx": "上传的文件不是Excel工作簿",
    "zip bomb": "疑似压缩炸弹",
    "1,048,576 rows": "工作表超过100000行数据，请分批导入。",
    "formula": "工作表中含有公式",
    "merged header": "表头行不能有合并单元格",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_through_the_page_are_refused_with_a_clear_message_and_nothing_saved(
    client, world, officer1, case
):
    """Hostile files end to end: the job fails with the reader's message, no row is saved, the next import works."""
    message = HOSTILE[case]
    client.force_login(officer1)
    page = _upload(client, _hostile(case, world)).content.decode()
    job = ImportJob.objects.get()
    assert job.status == "failed" and message in job.message and message in page
    assert Instrument.objects.count() == 0
    _upload(client, workbook_bytes([row(world, 1)]))
    assert Instrument.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "column", "message"),
    [
        ('=HYPERLINK("http://evil.example","点我")', "使用单位", "内容以“=”开头，疑似公式，已拒绝"),
        ("2026年13月5日", "检定日期", "“2026年13月5日”不是有效日期"),
    ],
)
def test_hostile_values_through_the_page_are_named_in_the_error_report(client, world, officer1, value, column, message):
    """A typed =HYPERLINK(...) and a date typed as impossible text: refused per cell, nothing saved."""
    key = "user_unit" if column == "使用单位" else "verified_on"
    client.force_login(officer1)
    page = _upload(client, workbook_bytes([row(world, 1), row(world, 2, **{key: value})])).content.decode()
    job = ImportJob.objects.get()
    assert job.status == "invalid" and job.errors[0][:2] == [3, column] and message in job.errors[0][2]
    assert message in page and Instrument.objects.count() == 0


def test_non_xlsx_name_or_oversized_file_is_refused_before_queueing(client, officer1, settings):
    client.force_login(officer1)
    page = _upload(client, b"PK...", name="档案.xls").content.decode()
    assert "请上传 .xlsx 格式的Excel文件" in page and ImportJob.objects.count() == 0
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "ARCHIVE_IMPORT_MAX_BYTES": 10}
    assert "超过上限" in _upload(client, b"PK" + b"x" * 20).content.decode() and ImportJob.objects.count() == 0


def test_unexpected_error_marks_the_job_failed_and_the_worker_lives_on(world, officer1, monkeypatch):
    """Worker unharmed: any crash inside the import becomes a failed job with a message, not a stuck spinner."""
    from reporting.services import archive as services
    from reporting.tasks import archive_import_job

    job = services.import_job_create(
        station=officer1.station, by=officer1, filename="a.xlsx", data=workbook_bytes([row(world, 1)])
    )
    monkeypatch.setattr(services, "import_job_run", lambda **kw: 1 / 0)
    assert archive_import_job.delay(job.pk).get() == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "系统错误" in job.message and Instrument.objects.count() == 0


def test_a_finished_job_run_again_by_a_retry_does_nothing(world, officer1):
    from reporting.services.archive import import_job_create, import_job_run

    job = import_job_create(
        station=officer1.station, by=officer1, filename="a.xlsx", data=workbook_bytes([row(world, 1)])
    )
    assert import_job_run(job_id=job.pk) == "done"
    assert import_job_run(job_id=job.pk) == "skipped" and Instrument.objects.count() == 1


def test_bureau_searches_the_whole_archive_in_the_admin_with_filters(
    admin_client_bureau, world, officer1, officer2, django_assert_max_num_queries
):
    """M1: bureau staff filter by station, item, use, result and due; the list does not query per row."""
    _seed(world, officer1, 20)
    kit = world["b"]
    archive_import(
        station=officer2.station,
        data=workbook_bytes(
            [row(world, 99, verifier=kit["person"].name, standard=kit["standard"].name, use="医疗卫生")]
        ),
    )
    url = reverse("admin:reporting_instrument_changelist")
    with django_assert_max_num_queries(14):
        page = admin_client_bureau.get(url).content.decode()
    assert "SN000020" in page and "SN000099" in page and page.count("action-select") == 21
    filtered = admin_client_bureau.get(
        url + f"?station__id__exact={officer2.station.pk}&use__exact=medical&last_result__exact=qualified&due=soon"
    ).content.decode()
    assert "SN000099" not in filtered  # due 2027-03-04: not within 30 days
    filtered = admin_client_bureau.get(
        url + f"?station__id__exact={officer2.station.pk}&use__exact=medical&item__id__exact={world['meter'].pk}"
    ).content.decode()
    assert "SN000099" in filtered and "SN000001" not in filtered
    assert (
        admin_client_bureau.get(
            reverse("admin:reporting_verification_changelist") + "?result__exact=qualified"
        ).status_code
        == 200
    )


def test_admin_export_action_streams_the_selected_rows(admin_client_bureau, world, officer1):
    _seed(world, officer1, 3)
    ids = list(Instrument.objects.values_list("pk", flat=True))[:2]
    response = admin_client_bureau.post(
        reverse("admin:reporting_instrument_changelist"), {"action": "export_xlsx", "_selected_action": ids}
    )
    assert len(_sheet_rows(response)) == 3


def test_manager_reads_the_archive_in_the_admin_but_cannot_change_it(client, world, officer1, manager):
    _seed(world, officer1, 1)
    client.force_login(manager)
    instrument = Instrument.objects.get()
    assert client.get(reverse("admin:reporting_instrument_change", args=[instrument.pk])).status_code == 200
    assert (
        client.post(reverse("admin:reporting_instrument_change", args=[instrument.pk]), {"user_unit": "x"}).status_code
        == 403
    )


def test_year_of_verifications_is_read_through_the_station_date_index(world, officer1):
    """Issue 5 preparation: the plan for a station's verifications of a year uses (station, verified_on)."""
    from django.db import connection

    from reporting.selectors.archive import verifications_of_year

    _seed(world, officer1, 3)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = verifications_of_year(officer1.station, 2026).explain()
        cursor.execute("SET enable_seqscan = on")
    assert "verification_station" in plan
