"""Thin Celery tasks of the authorizations app."""

from celery import shared_task

from authorizations.services.resources import send_expiry_warnings
from zzmetro.dates import beijing_today

__all__ = ["resource_expiry_warnings"]


@shared_task(
    name="authorizations.resource_expiry_warnings", autoretry_for=(Exception,), retry_backoff=True, max_retries=3
)
def resource_expiry_warnings() -> int:
    """Weekly R2 warnings; safe to retry: the sent-log's unique constraint drops repeats."""
    return send_expiry_warnings(day=beijing_today())
