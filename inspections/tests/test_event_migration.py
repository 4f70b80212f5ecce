"""The supervision trail carried over to the event base without loss (DOMAIN A12; issue 9).

Rows written before migration 0007 named their subject by text. The migration keeps every column and the text,
links the row to its subject where the text names exactly one, fills the codes it can tell, and leaves the table
append-only again.
"""

import datetime as dt

import pytest
from django.db import connection, transaction

from authorizations.tests.factories import StationFactory
from inspections.models import Inspection, Rectification, SampleDraw, SupervisionEvent
from zzmetro.testing import apps_at

BEFORE = ("inspections", "0006_licence_register")


@pytest.mark.django_db(transaction=True)
def test_old_supervision_events_keep_every_column_and_point_at_their_subject(bureau):
    """A12: after the migration each old event reads as before and, where its text names one row, refers to it."""
    station = StationFactory()
    with apps_at(BEFORE) as old:
        OldInspection = old.get_model("inspections", "Inspection")
        OldRectification = old.get_model("inspections", "Rectification")
        OldPlan = old.get_model("inspections", "SupervisionPlan")
        OldDraw = old.get_model("inspections", "SampleDraw")
        OldEvent = old.get_model("inspections", "SupervisionEvent")
        inspection = OldInspection.objects.create(
            station_id=station.pk, planned_on=dt.date(2026, 6, 1), held_on=dt.date(2026, 6, 2), result="rectify"
        )
        planned_only = OldInspection.objects.create(station_id=station.pk, planned_on=dt.date(2026, 9, 1))
        rectification = OldRectification.objects.create(
            inspection=inspection,
            number="郑质监量整〔2026〕7号",
            issued_on=dt.date(2026, 6, 2),
            requirements="补签",
            deadline=dt.date(2026, 7, 2),
            status="answered",
            answered_on=dt.date(2026, 6, 20),
        )
        plan = OldPlan.objects.create(year=2026, institution="郑州市计量科学研究院")
        draw = OldDraw.objects.create(
            plan=plan, station_id=station.pk, seed=1, size=0, population=0, trade_population=0, notified_on=None
        )
        rows = [
            ("2026-06-01现场检查", "安排现场检查", "", "待检查", "刘计量"),
            ("2026-06-02现场检查", "录入现场检查结果", "", "限期整改", "缺签名"),
            ("整改通知书 郑质监量整〔2026〕7号", "下达整改通知书", "", "待整改", "整改期限 2026-07-02：补签"),
            ("整改通知书 郑质监量整〔2026〕7号", "报送整改报告", "待整改", "已报送整改报告", "已补签"),
            ("2026年复核检定抽样", "抽取样本", "", "", "种子 1"),
            ("2025-03-03现场检查", "安排现场检查", "", "待检查", "早已删除的计划"),
        ]
        for subject, label, before, after, note in rows:
            OldEvent.objects.create(
                station_id=station.pk,
                subject=subject,
                action_label=label,
                from_state=before,
                to_state=after,
                note=note,
                by_id=bureau.pk,
            )
        stamps = list(OldEvent.objects.order_by("pk").values_list("pk", "at"))

    events = list(SupervisionEvent.objects.order_by("pk"))
    assert [(e.subject_label, e.action_label, e.from_state, e.to_state, e.note, e.by) for e in events] == [
        (*row, bureau) for row in rows
    ]
    assert [(e.pk, e.at) for e in events] == stamps
    assert [e.subject for e in events] == [
        Inspection.objects.get(pk=inspection.pk),
        Inspection.objects.get(pk=inspection.pk),
        Rectification.objects.get(pk=rectification.pk),
        Rectification.objects.get(pk=rectification.pk),
        SampleDraw.objects.get(pk=draw.pk),
        None,  # no row of that day: the text alone stays
    ]
    assert [e.action for e in events] == ["plan", "record", "issue", "answer", "draw", "plan"]
    assert [(e.from_status, e.to_status) for e in events[2:4]] == [("", "open"), ("open", "answered")]
    assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.RECORDED
    assert Inspection.objects.get(pk=planned_only.pk).status == Inspection.Status.PLANNED
    assert SampleDraw.objects.get(pk=draw.pk).status == SampleDraw.Status.DRAWN
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inspections_supervisionevent SET note = 'x' WHERE id = %s", [events[0].pk])
