# Load the Celery app whenever Django starts so @shared_task binds to it.
from . import checks  # noqa: F401 - registers the kernel's deployment checks (zzmetro/checks.py)
from .celery import app as celery_app

__all__ = ("celery_app",)
