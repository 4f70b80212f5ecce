"""Celery application. Beat schedules live in code, in Beijing time (DOMAIN T1)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")

app = Celery("zzmetro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {}
