"""Issue 9: supervision rows get a state each table can check, and the supervision trail becomes an EventBase.

Inspections, sample draws and annual evaluations had no status: it is derived from what the services already
recorded (a held and concluded inspection is recorded; a notified draw is notified, one with every result in has
its results entered; an evaluation with a result is concluded).

SupervisionEvent named its subject by free text. The text stays, as `subject_label`; each existing row is linked to
its inspection, rectification, draw, complaint, evaluation or violation where that text (with the row's station
and date) determines exactly one, and otherwise keeps the text alone. Action codes and state codes are filled where
the wording determines them. The append-only guard is dropped for this and re-installed in the same migration, so
no row is lost or left unguarded (DOMAIN A12).
"""

import datetime as dt
import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zzmetro.appendonly import install_guard, remove_guard

TABLE = "inspections_supervisionevent"

# What each recorded step was called → its action code on the model's transition table.
ACTIONS = {
    "安排现场检查": "plan",
    "录入现场检查结果": "record",
    "下达整改通知书": "issue",
    "报送整改报告": "answer",
    "延长整改期限": "extend",
    "验收关闭": "close",
    "抽取样本": "draw",
    "录入复核结果": "enter_result",
    "告知复核结果": "notify",
    "登记用户投诉": "file",
    "报送投诉处理结果": "close",
    "诚信计量评定": "evaluate",
    "汇总年度考核指标": "prepare",
    "年度考核结论": "conclude",
    "责令改正": "register",
    "限期整改": "register",
    "责令改正并行政处罚": "register",
    "撤销计量授权": "register",
    "结案": "close",
}


def derive_statuses(apps, schema_editor):
    Inspection = apps.get_model("inspections", "Inspection")
    SampleDraw = apps.get_model("inspections", "SampleDraw")
    SampleItem = apps.get_model("inspections", "SampleItem")
    AnnualEvaluation = apps.get_model("inspections", "AnnualEvaluation")
    Inspection.objects.filter(held_on__isnull=False).exclude(result="").update(status="recorded")
    SampleDraw.objects.filter(notified_on__isnull=False).update(status="notified")
    pending = SampleItem.objects.filter(draw=models.OuterRef("pk"), result="pending")
    items = SampleItem.objects.filter(draw=models.OuterRef("pk"))
    SampleDraw.objects.filter(notified_on__isnull=True).filter(models.Exists(items)).exclude(
        models.Exists(pending)
    ).update(status="results_entered")
    AnnualEvaluation.objects.exclude(result="").update(status="concluded")


def _only(queryset):
    rows = list(queryset[:2])
    return rows[0] if len(rows) == 1 else None


def _subject(apps, event):
    """The one row the old text names (with the event's station), or None when it cannot be told."""
    get = apps.get_model
    text, station = event.subject_label, event.station_id
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})现场检查", text):
        day = dt.date(*map(int, m.groups()))
        rows = get("inspections", "Inspection").objects.filter(station_id=station)
        on = {"planned_on": day} if event.action_label == "安排现场检查" else {"held_on": day}
        return _only(rows.filter(**on))
    if m := re.fullmatch(r"整改通知书 (.+)", text):
        return _only(
            get("inspections", "Rectification").objects.filter(number=m[1], inspection__station_id=station)
        )
    if m := re.fullmatch(r"(\d{4})年复核检定抽样", text):
        return _only(get("inspections", "SampleDraw").objects.filter(station_id=station, plan__year=int(m[1])))
    if m := re.fullmatch(r"(\d{4})年复核检定样本 #(\d+)", text):
        item = _only(get("inspections", "SampleItem").objects.filter(pk=int(m[2]), draw__station_id=station))
        return item.draw if item else None
    if m := re.fullmatch(r"投诉：(.*)", text, flags=re.S):
        complaints = get("inspections", "Complaint").objects.filter(station_id=station)
        # The text was cut at 100 characters: a full one names the subject exactly, a cut one its beginning.
        lookup = {"subject__startswith": m[1]} if len(text) >= 100 else {"subject": m[1]}
        return _only(complaints.filter(**lookup))
    if text == "诚信计量示范单位":
        try:
            day = dt.date.fromisoformat(event.note.strip())
        except ValueError:
            return None
        model = get("inspections", "IntegrityEvaluation")
        codes = {str(label): code for code, label in model._meta.get_field("status").choices}
        rows = model.objects.filter(station_id=station, evaluated_on=day)
        return _only(rows.filter(status=codes[event.to_state]) if event.to_state in codes else rows)
    if m := re.fullmatch(r"违规处理 (.+)", text):
        return _only(get("inspections", "Violation").objects.filter(station_id=station, notice_number=m[1]))
    if m := re.fullmatch(r"(\d{4})年度考核", text):
        return _only(get("inspections", "AnnualEvaluation").objects.filter(station_id=station, year=int(m[1])))
    return None


def link_events(apps, schema_editor):
    Event = apps.get_model("inspections", "SupervisionEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    remove_guard(schema_editor, TABLE)
    for event in Event.objects.order_by("pk").iterator():
        fields = {"action": ACTIONS.get(event.action_label, "")}
        subject = _subject(apps, event)
        if subject is not None:
            meta = subject._meta
            kind, _ = ContentType.objects.get_or_create(app_label=meta.app_label, model=meta.model_name)
            codes = {str(label): code for code, label in meta.get_field("status").choices}
            fields.update(
                subject_type_id=kind.pk,
                subject_id=subject.pk,
                from_status=codes.get(event.from_state, ""),
                to_status=codes.get(event.to_state, ""),
            )
        Event.objects.filter(pk=event.pk).update(**fields)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks on the table before its triggers
    install_guard(schema_editor, TABLE)


def unlink_events(apps, schema_editor):
    """Backwards the columns simply go; the guard is left as it was."""


class Migration(migrations.Migration):
    dependencies = [
        ("authorizations", "0007_chinese_labels"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inspections", "0006_licence_register"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="supervisionevent", old_name="subject", new_name="subject_label"),
        migrations.AlterField(
            model_name="supervisionevent",
            name="subject_label",
            field=models.CharField(blank=True, max_length=100, verbose_name="对象"),
        ),
        migrations.AddField(
            model_name="annualevaluation",
            name="status",
            field=models.CharField(
                choices=[("prepared", "待录入考核结论"), ("concluded", "已有考核结论")],
                default="prepared",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="status",
            field=models.CharField(
                choices=[("planned", "待检查"), ("recorded", "已检查")],
                default="planned",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="sampledraw",
            name="status",
            field=models.CharField(
                choices=[("drawn", "已抽样，待复核"), ("results_entered", "复核结果已录入"), ("notified", "已告知单位")],
                default="drawn",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="supervisionevent",
            name="action",
            field=models.CharField(blank=True, max_length=32, verbose_name="事项代码"),
        ),
        migrations.AddField(
            model_name="supervisionevent",
            name="document",
            field=models.CharField(blank=True, help_text="本事项产生的文书及其编号", max_length=80, verbose_name="文书"),
        ),
        migrations.AddField(
            model_name="supervisionevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=32, verbose_name="原状态代码"),
        ),
        migrations.AddField(
            model_name="supervisionevent",
            name="to_status",
            field=models.CharField(blank=True, max_length=32, verbose_name="新状态代码"),
        ),
        migrations.AddField(
            model_name="supervisionevent",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="对象编号"),
        ),
        migrations.AddField(
            model_name="supervisionevent",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="对象类型",
            ),
        ),
        migrations.AddIndex(
            model_name="supervisionevent",
            index=models.Index(fields=["subject_type", "subject_id"], name="inspections_subject_4cc281_idx"),
        ),
        migrations.RunPython(derive_statuses, migrations.RunPython.noop),
        migrations.RunPython(link_events, unlink_events),
    ]
