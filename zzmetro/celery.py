"""Celery application. Beat schedules live in code, in Beijing time (DOMAIN T1)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")

app = Celery("zzmetro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Beat entries, Beijing time (CELERY_TIMEZONE). Each area adds its own below its comment.
app.conf.beat_schedule = {
    # --- reporting reminders (DOMAIN M3, P2) ---
    # Days must match reporting.services.reminders.MONTHLY_DAYS / PLAN_DAYS (a test checks they do).
    "reporting-monthly-reminders": {
        "task": "reporting.monthly_reminders",
        "schedule": crontab(minute=0, hour=8, day_of_month="1,3,4"),
    },
    "reporting-plan-reminders": {
        "task": "reporting.plan_reminders",
        "schedule": crontab(minute=0, hour=8, day_of_month="1,8,11", month_of_year="12"),
    },
    # --- the mail outbox: deliver what waits (a broker or mail-server outage delays mail, never loses it) ---
    "outbox-deliver": {"task": "zzmetro.deliver_outbox", "schedule": 60.0},
    # --- health: beat's heartbeat, which /healthz/ready checks for freshness (zzmetro/health.py) ---
    "beat-heartbeat": {"task": "zzmetro.beat_heartbeat", "schedule": 60.0},
    # --- archive imports: fail those whose worker died, queue those uploaded while the broker was down ---
    "reporting-archive-import-sweep": {"task": "reporting.archive_import_sweep", "schedule": 60.0},
    # --- station resources expiry warnings (DOMAIN R2) ---
    "resource-expiry-warnings": {
        "task": "authorizations.resource_expiry_warnings",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    # --- supervision sampling (DOMAIN I2, I3) ---
    # Mid-January: last year's re-verification results are in and this year's plans are issued.
    "sampling-ratios-yearly": {
        "task": "inspections.tasks.compute_sampling_ratios_task",
        "schedule": crontab(month_of_year=1, day_of_month=15, hour=2, minute=0),
    },
    # --- security audit log (DOMAIN G2): delete rows older than AUDIT_RETENTION_DAYS (never fewer than 180) ---
    "audit-purge-daily": {"task": "zzmetro.purge_audit", "schedule": crontab(minute=0, hour=3)},
    # --- kept pages: fold the tables' change journal (zzmetro/pagecache.py); each kept page renders afresh once ---
    "page-journal-compact": {"task": "zzmetro.compact_page_journal", "schedule": crontab(minute=30, hour=3)},
}
