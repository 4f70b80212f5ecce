"""Thin Celery tasks for supervision: take plain arguments, call a service, retry on failure."""

from celery import shared_task

from inspections.services.sampling import compute_sampling_ratios
from zzmetro.dates import beijing_today


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def compute_sampling_ratios_task(year: int | None = None) -> int:
    """I3: the yearly ratio job (default: the current Beijing year). Re-running recomputes the same rows (upsert)."""
    return compute_sampling_ratios(year=year or beijing_today().year)
