"""Monthly reports (M2–M5, M8), quarterly analysis (M6) and major issues (M7)."""

import datetime as dt
import io
import re
from contextlib import closing

import pypdfium2 as pdfium
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from authorizations import services as lifecycle
from authorizations.tests.factories import StationFactory, VerificationItemFactory
from reporting import documents
from reporting.models import MajorIssueReport, MonthlyReport, MonthlyReportLine, MonthlyReportVersion, QuarterlyAnalysis
from reporting.selectors.reports import month_board, reporting_rates, year_to_date
from reporting.services import reports as services
from reporting.services.reports import LineInput
from zzmetro.errors import DomainError
from zzmetro.testing import image_bytes, pdf_bytes

from .factories import authorize, make_items, submit

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)
M = MonthlyReport.Status


def pdf_text(data: bytes) -> str:
    with closing(pdfium.PdfDocument(data)) as document:
        return re.sub(r"\s+", "", "".join(page.get_textpage().get_text_range() for page in document))


@pytest.fixture
def items():
    return make_items()


@pytest.fixture
def station(officer1, items, freeze):
    freeze("2026-11-02 10:00:00+08:00")
    authorize(officer1.station, items=items)
    return officer1.station


def errors_of(excinfo) -> list[str]:
    return [f"{e.row}|{e.column}|{e.message}" for e in excinfo.value.errors]


def test_submitting_locks_the_report_and_keeps_the_version(station, officer1, items):
    """M2, M4: one line per authorized item; submitting locks the report."""
    report = submit(station, OCTOBER, by=officer1)
    assert report.status == M.SUBMITTED and report.is_locked and report.due_on == dt.date(2026, 11, 3)
    assert MonthlyReportLine.objects.filter(version__report=report).count() == len(items)
    with pytest.raises(DomainError, match="已报送（已锁定）"):
        submit(station, OCTOBER, by=officer1)


def test_counts_that_do_not_add_up_are_refused_and_nothing_is_saved(station, officer1, items):
    """M2: qualified + unqualified = verified."""
    bad = [LineInput(1, items[0].code, 10, 8, 1, 0), LineInput(2, items[1].code, 5, 5, 0, 6)]
    with pytest.raises(services.LinesInvalid) as excinfo:
        services.monthly_submit(station=station, period=OCTOBER, lines=bad, by=officer1)
    assert errors_of(excinfo) == [
        "1|检定数量|合格数量8 + 不合格数量1 = 9，不等于检定数量10",
        "2|首次检定加贴标志数量|不能大于检定数量5",
    ]
    assert not MonthlyReport.objects.exists()


def test_negative_or_fractional_counts_are_refused(station, officer1, items):
    bad = [LineInput(1, items[0].code, -1, 0, 0, 0), LineInput(2, items[1].code, 1.5, 1, 0, 0)]
    with pytest.raises(services.LinesInvalid) as excinfo:
        services.monthly_submit(station=station, period=OCTOBER, lines=bad, by=officer1)
    assert "1|检定数量|应为不小于0的整数" in errors_of(excinfo) and "2|检定数量|应为不小于0的整数" in errors_of(excinfo)


def test_an_item_outside_the_authorization_is_refused_and_a_missing_one_named(station, officer1, items):
    """M5: a line outside the station's authorized items for that month is refused."""
    stranger = VerificationItemFactory(code="CZ01", name="出租汽车计价器")
    with pytest.raises(services.LinesInvalid) as excinfo:
        submit(station, OCTOBER, by=officer1, items=[items[0], stranger])
    messages = errors_of(excinfo)
    assert "2|项目代码|“CZ01”不是本单位该月的授权检定项目，不能填报。" in messages
    assert any("缺少授权检定项目：DN02" in m for m in messages)


def test_item_added_mid_month_is_asked_for_that_month(station, officer1, items):
    """A8, M5: an item joining the certificate on 20 October is part of October's report."""
    from authorizations.models import Certificate, CertificateItem

    certificate = Certificate.objects.get(station=station)
    water = VerificationItemFactory(code="SB01", name="水表")
    CertificateItem.objects.create(
        certificate=certificate, item=water, added_on=dt.date(2026, 10, 20), application=certificate.application
    )
    assert {i.code for i in services.month_authority(station, OCTOBER).items} == {"DN01", "DN02", "SB01"}
    assert {i.code for i in services.month_authority(station, dt.date(2026, 9, 1)).items} == {"DN01", "DN02"}


def test_verifications_claimed_in_a_month_of_suspension_are_flagged(station, officer1, bureau, freeze):
    """A10, M5: verifications claimed in a month with suspended days are flagged: all of September, part of August."""
    from authorizations.models import Certificate

    certificate = Certificate.objects.get(station=station)
    freeze("2026-08-20 10:00:00+08:00")
    lifecycle.certificate_suspend(
        certificate=certificate,
        by=bureau,
        starts_on=dt.date(2026, 8, 20),
        planned_end_on=dt.date(2026, 10, 31),
        reason="标准超期",
    )
    lifecycle.certificate_lift_suspension(certificate=certificate, by=bureau, lifted_on=dt.date(2026, 10, 1))
    freeze("2026-10-02 10:00:00+08:00")
    report = submit(station, dt.date(2026, 9, 1), by=officer1)
    assert report.flagged and "暂停授权或未获授权" in report.flag_note
    assert all(line.flagged for line in MonthlyReportLine.objects.filter(version__report=report))
    assert "全月" in report.flag_note
    # In force until the 19th: the report cannot say on which days it verified, so staff are asked to check.
    august = submit(station, dt.date(2026, 8, 1), by=officer1)
    assert august.flagged and "08月20日至08月31日中有12天暂停授权" in august.flag_note


def test_a_nil_report_in_a_month_of_suspension_is_not_flagged(station, officer1, bureau, freeze):
    """A10 decision: a station suspended all month is still expected; reporting zeros is correct.
    Q3: a report of all zeros is submitted only with the 本月无检定 confirmation (changed deliberately from the
    time when zeros went through unconfirmed)."""
    from authorizations.models import Certificate

    certificate = Certificate.objects.get(station=station)
    freeze("2026-08-31 10:00:00+08:00")
    lifecycle.certificate_suspend(
        certificate=certificate,
        by=bureau,
        starts_on=dt.date(2026, 8, 31),
        planned_end_on=dt.date(2026, 12, 31),
        reason="标准超期",
    )
    freeze("2026-10-02 10:00:00+08:00")
    report = submit(station, dt.date(2026, 9, 1), by=officer1, verified=0, unqualified=0, sticker=0, nil_confirmed=True)
    assert not report.flagged
    assert station.pk in {row.station.pk for row in month_board(dt.date(2026, 9, 1), as_of=dt.date(2026, 10, 2))}


def test_reopened_report_is_amended_and_every_version_kept_with_the_first_timeliness(
    station, officer1, bureau, freeze, django_capture_on_commit_callbacks
):
    """M4: the bureau reopens with a reason; resubmission is a new version; the first submission counts for M8."""
    report = submit(station, OCTOBER, by=officer1)
    with pytest.raises(DomainError, match="理由"):
        services.monthly_reopen(report=report, by=bureau, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.monthly_reopen(report=report, by=bureau, reason="不合格数量有误")
    assert report.status == M.REOPENED and "不合格数量有误" in mail.outbox[-1].body
    freeze("2026-11-10 10:00:00+08:00")
    report = submit(station, OCTOBER, by=officer1, verified=12, unqualified=2)
    versions = list(MonthlyReportVersion.objects.filter(report=report).order_by("number"))
    assert [(v.number, v.is_current, v.late_days) for v in versions] == [(1, False, 0), (2, True, 7)]
    assert report.late_days == 0 and report.timeliness == "按时"
    assert [line.verified for line in versions[0].lines.all()] == [10, 10]
    assert [line.verified for line in versions[1].lines.all()] == [12, 12]
    assert (
        reporting_rates(2026, as_of=dt.date(2026, 11, 10), station_ids=[station.pk]).stations[0].months[10] == "on_time"
    )


def test_rates_per_station_and_city_count_submitted_and_on_time_over_expected(officer1, officer2, freeze):
    """M8: reporting rate = submitted / expected, on-time rate = on time / expected."""
    freeze("2026-02-01 10:00:00+08:00")
    a, b = officer1.station, officer2.station
    authorize(a, valid_from=dt.date(2025, 6, 1))
    authorize(b, valid_from=dt.date(2026, 2, 10), items=make_items("SB", 1))
    StationFactory()  # never authorized: not in the table
    submit(a, dt.date(2026, 1, 1), by=officer1)  # on time (1 Feb ≤ 3 Feb)
    freeze("2026-03-05 10:00:00+08:00")
    submit(a, dt.date(2026, 2, 1), by=officer1)  # two days late
    table = reporting_rates(2026, as_of=dt.date(2026, 4, 10))
    rows = {row.name: row for row in table.stations}
    assert len(rows) == 2
    ra, rb = rows[a.name], rows[b.name]
    assert (ra.expected, ra.submitted, ra.on_time) == (3, 2, 1)  # Jan, Feb, Mar closed by 10 April
    assert (rb.expected, rb.submitted, rb.on_time) == (2, 0, 0)  # from February
    assert ra.reporting_pct == "66.7%" and ra.on_time_pct == "33.3%"
    assert (table.city.expected, table.city.submitted, table.city.on_time) == (5, 2, 1)
    assert table.city_months[4].expected == 0  # April not yet due


def test_rates_for_all_stations_take_four_queries(officer1, officer2, django_assert_max_num_queries, freeze):
    """M8 at scale: stations, certificates, suspensions, reports."""
    freeze("2026-11-10 10:00:00+08:00")
    for station in (officer1.station, officer2.station, StationFactory(), StationFactory()):
        authorize(station, items=[])
    with django_assert_max_num_queries(4):
        reporting_rates(2026, as_of=dt.date(2026, 11, 10))


def test_year_to_date_totals_are_shown_against_the_plan(station, officer1, bureau, items, freeze):
    """M2: the form shows year-to-date totals against the plan."""
    from reporting.services import plans

    freeze("2025-12-01 10:00:00+08:00")
    plan = plans.plan_save(station=station, year=2026, lines=[plans.PlanLineInput(items[0], 500)], by=officer1)
    plans.plan_approve(plan=plans.plan_submit(plan=plan, by=officer1), by=bureau)
    freeze("2026-11-02 10:00:00+08:00")
    submit(station, dt.date(2026, 8, 1), by=officer1, verified=10)
    submit(station, dt.date(2026, 9, 1), by=officer1, verified=20)
    totals = year_to_date(officer1, OCTOBER)
    assert totals[items[0].pk] == {"verified": 30, "planned": 500}
    assert totals[items[1].pk] == {"verified": 30, "planned": None}


def test_officer_submits_the_month_in_the_portal_and_sees_it_locked(station, client, officer1, items):
    client.force_login(officer1)
    url = reverse("reporting:monthly_form", args=[2026, 10])
    page = client.get(url).content.decode()
    assert "本年此前累计" in page and items[0].name in page
    data = {"notes": "正常"}
    for item in items:
        data.update(
            {
                f"verified_{item.pk}": 10,
                f"qualified_{item.pk}": 9,
                f"unqualified_{item.pk}": 1,
                f"first_time_sticker_{item.pk}": 2,
            }
        )
    response = client.post(url, data)
    report = MonthlyReport.objects.get()
    assert response["Location"] == reverse("reporting:monthly_detail", args=[report.pk])
    assert client.get(url)["Location"] == reverse("reporting:monthly_detail", args=[report.pk])


def test_portal_form_names_the_item_whose_counts_do_not_add_up(station, client, officer1, items):
    client.force_login(officer1)
    data = {}
    for item in items:
        data.update(
            {
                f"verified_{item.pk}": 10,
                f"qualified_{item.pk}": 9,
                f"unqualified_{item.pk}": 0,
                f"first_time_sticker_{item.pk}": 0,
            }
        )
    page = client.post(reverse("reporting:monthly_form", args=[2026, 10]), data).content.decode()
    assert f"{items[0].name}「检定数量」：合格数量9 + 不合格数量0 = 9，不等于检定数量10" in page
    assert not MonthlyReport.objects.exists()


def test_board_shows_on_time_late_overdue_and_reopened(officer1, officer2, bureau, freeze):
    """M2, M8: the bureau's month board and its status filter."""
    freeze("2026-10-01 10:00:00+08:00")
    stations = [officer1.station, officer2.station, StationFactory(), StationFactory()]
    for station in stations:
        authorize(station, items=make_items(f"I{station.pk}", 1))
    september = dt.date(2026, 9, 1)
    submit(stations[0], september, by=officer1)
    services.monthly_reopen(report=submit(stations[3], september), by=bureau, reason="核实")
    freeze("2026-10-06 10:00:00+08:00")
    submit(stations[1], september, by=officer2)
    board = {row.station.pk: row.status for row in month_board(september, as_of=dt.date(2026, 10, 6))}
    assert board == {
        stations[0].pk: "on_time",
        stations[1].pk: "late",
        stations[2].pk: "overdue",
        stations[3].pk: "reopened",
    }
    assert [r.station.pk for r in month_board(september, as_of=dt.date(2026, 10, 6), status="overdue")] == [
        stations[2].pk
    ]


def test_city_month_export_has_one_row_per_station_and_item(officer1, officer2, admin_client_bureau, freeze):
    """M2: city-wide month to Excel, one row per station × item."""
    freeze("2026-10-02 10:00:00+08:00")
    authorize(officer1.station, items=make_items("DN", 2))
    authorize(officer2.station, items=make_items("SB", 1))
    submit(officer1.station, dt.date(2026, 9, 1), by=officer1)
    submit(officer2.station, dt.date(2026, 9, 1), by=officer2, verified=7, unqualified=0)
    response = admin_client_bureau.get(reverse("reporting:export_month", args=[2026, 9]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位名称", "统一社会信用代码", "县（市、区）", "报告月份")
    assert len(rows) == 4 and {r[4] for r in rows[1:]} == {"DN01", "DN02", "SB01"}
    assert {r[12] for r in rows[1:]} == {"按时"}


def test_admin_filters_reports_by_status_in_few_queries(
    officer1, officer2, admin_client_bureau, bureau, freeze, django_assert_max_num_queries
):
    """M2, M4: the admin list by on time / late / overdue / reopened; the list does not grow queries per row."""
    freeze("2026-10-01 10:00:00+08:00")
    for officer in (officer1, officer2):
        authorize(officer.station, items=make_items(f"Q{officer.pk}", 1))
    services.reports_open_month(dt.date(2026, 9, 1))
    submit(officer1.station, dt.date(2026, 9, 1), by=officer1)
    freeze("2026-10-05 10:00:00+08:00")
    url = reverse("admin:reporting_monthlyreport_changelist")
    with django_assert_max_num_queries(12):
        page = admin_client_bureau.get(url, {"timeliness": "overdue"}).content.decode()
    assert officer2.station.name in page and officer1.station.name not in page
    assert officer1.station.name in admin_client_bureau.get(url, {"timeliness": "on_time"}).content.decode()


def test_quarterly_analysis_pdf_carries_the_quarters_figures_and_the_narrative(officer1, freeze):
    """M6, D1: generated from the quarter's monthly reports; the officer adds a narrative."""
    freeze("2026-10-02 10:00:00+08:00")
    station = officer1.station
    authorize(station, items=make_items("DN", 1))
    for month, verified in ((7, 100), (8, 120)):
        submit(station, dt.date(2026, month, 1), by=officer1, verified=verified, unqualified=2)
    analysis = services.quarterly_save_narrative(
        station=station, year=2026, quarter=3, narrative="本季度完成计划的85%。", by=officer1
    )
    assert analysis.due_on == dt.date(2026, 10, 3)
    text = pdf_text(documents.quarterly_analysis_pdf(analysis))
    for phrase in (
        station.name,
        "2026年第3季度强制检定统计分析",
        "220",
        "216",
        "本季度完成计划的85%",
        "2026年9月月报尚未报送",
    ):
        assert phrase in text, phrase


def test_quarter_not_yet_over_cannot_be_analysed(officer1, freeze):
    freeze("2026-09-30 10:00:00+08:00")
    authorize(officer1.station)
    with pytest.raises(DomainError, match="尚未结束"):
        services.quarterly_save_narrative(station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1)


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("stamped.pdf", pdf_bytes(), True),
        ("stamped.jpg", image_bytes("JPEG"), True),
        ("stamped.pdf", b"%PDF-1.7 scan", False),
        ("stamped.jpg", b"\xff\xd8\xff\xe0 jpeg", False),
        ("stamped.pdf", b"MZ\x90\x00 not a pdf", False),
        ("empty.pdf", b"", False),
    ],
)
def test_stamped_copy_is_checked_by_content(officer1, freeze, name, content, accepted):
    """M6: PDF or image, type checked by content, size-limited."""
    freeze("2026-10-05 10:00:00+08:00")
    authorize(officer1.station)
    analysis = services.quarterly_save_narrative(
        station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1
    )
    upload = SimpleUploadedFile(name, content)
    if accepted:
        analysis = services.quarterly_upload_stamped(analysis=analysis, file=upload, by=officer1)
        assert analysis.stamped_file and analysis.stamped_late_days == 2
    else:
        with pytest.raises(DomainError):
            services.quarterly_upload_stamped(analysis=analysis, file=upload, by=officer1)
        assert not QuarterlyAnalysis.objects.get().stamped_file


def test_each_stamped_copy_is_an_event_on_the_analysis_page(client, officer1, freeze):
    """M6, A12: the first upload submits the analysis, a later one replaces the copy; both are events the page lists."""
    freeze("2026-10-05 10:00:00+08:00")
    authorize(officer1.station)
    analysis = services.quarterly_save_narrative(
        station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1
    )
    assert analysis.status == QuarterlyAnalysis.Status.PENDING
    for name in ("first.pdf", "second.pdf"):
        analysis = services.quarterly_upload_stamped(
            analysis=analysis, file=SimpleUploadedFile(name, pdf_bytes()), by=officer1
        )
    assert analysis.status == QuarterlyAnalysis.Status.SUBMITTED
    client.force_login(officer1)
    page = client.get(reverse("reporting:quarterly_detail", args=[analysis.pk])).content.decode()
    assert "重新上传盖章件" in page and "待上传盖章件 → 已上传盖章件" in page and "逾期2天" in page


def test_stamped_copy_over_the_size_limit_is_refused(officer1, freeze, settings):
    settings.UPLOAD_MAX_BYTES = 100
    freeze("2026-10-05 10:00:00+08:00")
    authorize(officer1.station)
    analysis = services.quarterly_save_narrative(
        station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1
    )
    with pytest.raises(DomainError, match="超过上限"):
        services.quarterly_upload_stamped(
            analysis=analysis, file=SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 200), by=officer1
        )


def test_quarterly_board_shows_who_has_not_uploaded(officer1, officer2, client, manager, freeze):
    """M6: bureau staff (and managers) see which stations have not uploaded the stamped copy."""
    freeze("2026-10-05 10:00:00+08:00")
    authorize(officer1.station)
    authorize(officer2.station, items=make_items("SB", 1))
    analysis = services.quarterly_save_narrative(
        station=officer1.station, year=2026, quarter=3, narrative="x", by=officer1
    )
    services.quarterly_upload_stamped(analysis=analysis, file=SimpleUploadedFile("s.pdf", pdf_bytes()), by=officer1)
    client.force_login(manager)
    page = client.get(reverse("reporting:quarterly_board"), {"year": 2026, "quarter": 3}).content.decode()
    assert "未上传盖章件 <b>1</b> 家" in page


def test_major_issue_report_emails_bureau_staff_at_once(officer1, freeze, settings, django_capture_on_commit_callbacks):
    """M7: filed at any time; bureau staff are e-mailed at once."""
    settings.BUREAU_EMAIL = ["jlc@zz.example"]
    freeze("2026-07-15 16:20:00+08:00")
    authorize(officer1.station)
    with django_capture_on_commit_callbacks(execute=True):
        issue = services.major_issue_report(
            station=officer1.station,
            by=officer1,
            title="电能表批量误差超差",
            occurred_on=dt.date(2026, 7, 15),
            description="某小区300只电能表用户投诉计量不准",
            measures="已封存",
        )
    assert MajorIssueReport.objects.get() == issue
    message = mail.outbox[-1]
    assert message.to == ["jlc@zz.example"] and officer1.station.name in message.subject
    assert "2026年07月15日 16:20" in message.body and "某小区300只电能表" in message.body


def test_reporting_events_are_append_only_in_the_orm_and_in_sql(db):
    """A12, M4: every version's history stays as written: no update or delete, not even in SQL."""
    from django.db import connection, transaction

    from authorizations.tests.factories import StationFactory
    from reporting.models import ReportingEvent

    event = ReportingEvent.objects.create(station=StationFactory(), action_label="提交月报")
    with pytest.raises(Exception, match="报送记录不可修改"):
        event.save()
    with pytest.raises(Exception, match="报送记录不可删除"):
        ReportingEvent.objects.filter(pk=event.pk).delete()
    for statement in (
        "UPDATE reporting_reportingevent SET note = 'x' WHERE id = %s",
        "DELETE FROM reporting_reportingevent WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert ReportingEvent.objects.get(pk=event.pk).note == ""


def test_reopening_an_on_time_report_keeps_it_on_time_in_the_rates(station, officer1, bureau):
    """M8, M4: while a report is reopened it still counts as submitted on time (its first submission was)."""
    report = submit(station, OCTOBER, by=officer1)
    before = reporting_rates(2026, as_of=dt.date(2026, 11, 10), station_ids=[station.pk]).stations[0]
    services.monthly_reopen(report=report, by=bureau, reason="请核对不合格数量")
    after = reporting_rates(2026, as_of=dt.date(2026, 11, 10), station_ids=[station.pk]).stations[0]
    assert after.months[10] == "reopened"
    assert (after.on_time, after.submitted) == (before.on_time, before.submitted)
