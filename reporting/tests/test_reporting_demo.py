"""The demo data (`seed_demo_archive`, `seed_demo_reports`) is idempotent and leaves run_reminders someone to remind (M3, P2, R2)."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from authorizations.models import Personnel
from reporting.models import AnnualPlan, Instrument, MonthlyReport, ReminderLog

pytestmark = pytest.mark.django_db


def test_demo_reports_are_idempotent_and_the_reminder_demo_has_stations_to_remind(freeze):
    freeze("2026-12-01 07:30:00+08:00")
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_reports", stdout=io.StringIO())
    plans, reports = AnnualPlan.objects.count(), MonthlyReport.objects.count()
    call_command("seed_demo_reports", stdout=io.StringIO())
    assert (AnnualPlan.objects.count(), MonthlyReport.objects.count()) == (plans, reports)
    assert set(AnnualPlan.objects.values_list("status", flat=True)) == {"draft", "submitted", "approved", "returned"}
    assert (
        MonthlyReport.objects.filter(late_days__gt=0).exists()
        and MonthlyReport.objects.filter(status="reopened").exists()
    )
    out = io.StringIO()
    call_command("run_reminders", "--date", "2026-12-01", stdout=out)
    monthly = ReminderLog.objects.filter(kind="monthly").count()
    assert monthly >= 3 and ReminderLog.objects.filter(kind="plan").exists()
    assert len(mail.outbox) == ReminderLog.objects.count()
    call_command("run_reminders", "--date", "2026-12-01", stdout=out)
    assert len(mail.outbox) == ReminderLog.objects.count()


def test_seed_demo_archive_is_idempotent_and_gives_officer1_an_expiring_person(db, freeze):
    """Demo: standards, personnel (one within 30 days of expiry) and ~200 instruments; a second run adds nothing."""
    freeze("2026-06-15 09:00")
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_archive", verbosity=0)
    call_command("seed_demo_archive", verbosity=0)
    station = Instrument.objects.order_by().values_list("station__name", flat=True).distinct()
    assert list(station) == ["新密市供电公司计量中心"] and Instrument.objects.count() == 200
    assert Personnel.objects.filter(valid_until__lte=dt.date(2026, 7, 15)).count() == 1
