"""The reporting trail carried over to the event base without loss (DOMAIN A12, M4, M6; issue 9).

Rows written before migrations 0009/0010 stored only the labels users read. The migration keeps every column,
points each row at its plan or report, fills the state codes by reverse lookup of the stored labels and the action
code from the wording, derives the quarterly analyses' status from their stamped copy, and leaves the table
append-only again.
"""

import datetime as dt

import pytest
from django.db import connection, transaction

from authorizations.tests.factories import StationFactory
from reporting.models import AnnualPlan, MonthlyReport, QuarterlyAnalysis, ReportingEvent
from zzmetro.testing import apps_at

BEFORE = ("reporting", "0008_quality_flags")


@pytest.mark.django_db(transaction=True)
def test_old_reporting_events_keep_every_column_and_gain_codes_and_subject(bureau):
    """A12, M4: after the migration each old event reads as before, refers to its plan or report, and has codes."""
    station = StationFactory()
    with apps_at(BEFORE) as old:
        OldPlan = old.get_model("reporting", "AnnualPlan")
        OldReport = old.get_model("reporting", "MonthlyReport")
        OldAnalysis = old.get_model("reporting", "QuarterlyAnalysis")
        OldEvent = old.get_model("reporting", "ReportingEvent")
        plan = OldPlan.objects.create(station_id=station.pk, year=2027, status="approved")
        report = OldReport.objects.create(
            station_id=station.pk, period=dt.date(2026, 9, 1), due_on=dt.date(2026, 10, 3), status="reopened"
        )
        stamped = OldAnalysis.objects.create(
            station_id=station.pk, year=2026, quarter=2, due_on=dt.date(2026, 7, 3), stamped_file="quarterly/1/a.pdf"
        )
        unstamped = OldAnalysis.objects.create(station_id=station.pk, year=2026, quarter=3, due_on=dt.date(2026, 10, 3))
        rows = [
            ("plan", "起草年度计划", "", "草稿", ""),
            ("plan", "提交年度计划", "草稿", "已提交，待审核", "（逾期2天）"),
            ("plan", "审核通过年度计划", "已提交，待审核", "审核通过，待下达", "数量合理"),
            ("report", "报送月报", "待报送", "已报送（已锁定）", "按时"),
            ("report", "退回月报修改", "已报送（已锁定）", "已退回修改", "数量有误"),
        ]
        for kind, label, before, after, note in rows:
            OldEvent.objects.create(
                station_id=station.pk,
                plan_id=plan.pk if kind == "plan" else None,
                report_id=report.pk if kind == "report" else None,
                action_label=label,
                from_state=before,
                to_state=after,
                note=note,
                by_id=bureau.pk,
            )
        stamps = list(OldEvent.objects.order_by("pk").values_list("pk", "at"))

    events = list(ReportingEvent.objects.order_by("pk"))
    assert [(e.action_label, e.from_state, e.to_state, e.note, e.by) for e in events] == [
        (*row[1:], bureau) for row in rows
    ]
    assert [(e.pk, e.at) for e in events] == stamps
    plan, report = AnnualPlan.objects.get(pk=plan.pk), MonthlyReport.objects.get(pk=report.pk)
    assert [e.subject for e in events] == [plan, plan, plan, report, report]
    assert [(e.plan, e.report) for e in events] == [(plan, None)] * 3 + [(None, report)] * 2
    assert [e.action for e in events] == ["draft", "submit", "approve", "submit", "reopen"]
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("pending", "submitted"),
        ("submitted", "reopened"),
    ]
    assert QuarterlyAnalysis.objects.get(pk=stamped.pk).status == QuarterlyAnalysis.Status.SUBMITTED
    assert QuarterlyAnalysis.objects.get(pk=unstamped.pk).status == QuarterlyAnalysis.Status.PENDING
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reporting_reportingevent SET note = 'x' WHERE id = %s", [events[0].pk])
