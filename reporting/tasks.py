"""Celery discovers tasks here; each area keeps its own module."""

from .tasks_archive import *  # noqa: F401,F403
from .tasks_reports import *  # noqa: F401,F403
