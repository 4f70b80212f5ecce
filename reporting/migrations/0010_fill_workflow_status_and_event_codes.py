"""Issue 9 (DOMAIN A12, M4, M6): existing rows join the kernel's workflow without losing anything.

- A quarterly analysis whose stamped copy was uploaded is "submitted"; one without it stays "pending".
- Every reporting event gets its codes back from the labels it stored: the state codes by reverse lookup of the
  state labels (unchanged since the first migration), the action code from the event's wording, and its subject
  (the plan or the monthly report) as a real reference. The labels, times, actors and notes stay as they were.

The event table is append-only by trigger: the guard is dropped for the fill and re-installed in this migration.
"""

from django.db import migrations

from zzmetro.appendonly import install_guard, remove_guard

TABLE = "reporting_reportingevent"

# Wording the services wrote → the move's code (the wording keeps a version number after these prefixes).
ACTIONS = [
    ("起草年度计划", "draft"),
    ("提出计划调整", "adjust"),
    ("提交年度计划", "submit"),
    ("退回年度计划", "return"),
    ("审核通过年度计划", "approve"),
    ("下达年度计划", "issue"),
    ("被调整版本替代", "supersede"),
    ("报送月报", "submit"),
    ("重新报送月报", "submit"),
    ("退回月报修改", "reopen"),
]


def action_code(label: str) -> str:
    return next((code for prefix, code in ACTIONS if label.startswith(prefix)), "")


def status_codes(model) -> dict[str, str]:
    return {str(label): value for value, label in model._meta.get_field("status").choices}


def fill(apps, schema_editor):
    QuarterlyAnalysis = apps.get_model("reporting", "QuarterlyAnalysis")
    QuarterlyAnalysis.objects.exclude(stamped_file="").update(status="submitted")

    ContentType = apps.get_model("contenttypes", "ContentType")
    ReportingEvent = apps.get_model("reporting", "ReportingEvent")
    AnnualPlan = apps.get_model("reporting", "AnnualPlan")
    MonthlyReport = apps.get_model("reporting", "MonthlyReport")
    plan_type = ContentType.objects.get_or_create(app_label="reporting", model="annualplan")[0]
    report_type = ContentType.objects.get_or_create(app_label="reporting", model="monthlyreport")[0]
    codes = {"plan": status_codes(AnnualPlan), "report": status_codes(MonthlyReport)}

    events = list(ReportingEvent.objects.all())
    for event in events:
        kind = "plan" if event.plan_id else "report" if event.report_id else ""
        if kind:
            event.subject_type = plan_type if kind == "plan" else report_type
            event.subject_id = event.plan_id or event.report_id
            event.from_status = codes[kind].get(event.from_state, "")
            event.to_status = codes[kind].get(event.to_state, "")
        event.action = action_code(event.action_label)
    remove_guard(schema_editor, TABLE)
    fields = ["subject_type", "subject_id", "from_status", "to_status", "action"]
    ReportingEvent.objects.bulk_update(events, fields, batch_size=1000)
    install_guard(schema_editor, TABLE)


def unfill(apps, schema_editor):
    """The new columns are dropped by the previous migration's reversal; only the quarterly status is reset."""
    QuarterlyAnalysis = apps.get_model("reporting", "QuarterlyAnalysis")
    QuarterlyAnalysis.objects.update(status="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0009_workflow_status_and_event_codes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(fill, unfill)]
