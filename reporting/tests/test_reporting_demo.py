"""The demo data (`seed_demo_reports`) is idempotent and leaves run_reminders someone to remind (M3, P2)."""
import io

import pytest
from django.core import mail
from django.core.management import call_command

from reporting.models import AnnualPlan, MonthlyReport, ReminderLog

pytestmark = pytest.mark.django_db


def test_demo_reports_are_idempotent_and_the_reminder_demo_has_stations_to_remind(freeze):
    freeze("2026-12-01 07:30:00+08:00")
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_reports", stdout=io.StringIO())
    plans, reports = AnnualPlan.objects.count(), MonthlyReport.objects.count()
    call_command("seed_demo_reports", stdout=io.StringIO())
    assert (AnnualPlan.objects.count(), MonthlyReport.objects.count()) == (plans, reports)
    assert set(AnnualPlan.objects.values_list("status", flat=True)) == {"draft", "submitted", "approved", "returned"}
    assert MonthlyReport.objects.filter(late_days__gt=0).exists() and MonthlyReport.objects.filter(status="reopened").exists()
    out = io.StringIO()
    call_command("run_reminders", "--date", "2026-12-01", stdout=out)
    monthly = ReminderLog.objects.filter(kind="monthly").count()
    assert monthly >= 3 and ReminderLog.objects.filter(kind="plan").exists()
    assert len(mail.outbox) == ReminderLog.objects.count()
    call_command("run_reminders", "--date", "2026-12-01", stdout=out)
    assert len(mail.outbox) == ReminderLog.objects.count()
