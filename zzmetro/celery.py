"""Celery application. Beat schedules live in code, in Beijing time (DOMAIN T1)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")

app = Celery("zzmetro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Beat entries, Beijing time (CELERY_TIMEZONE). Each area adds its own below its comment.
app.conf.beat_schedule = {
    # --- reporting reminders (DOMAIN M3, P2) ---
    # --- station resources expiry warnings (DOMAIN R2) ---
    # --- supervision sampling (DOMAIN I2, I3) ---
}
