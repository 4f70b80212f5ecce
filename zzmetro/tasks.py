"""Kernel tasks: mail delivery from the outbox (thin; the rules live in zzmetro.outbox), beat's heartbeat."""

from celery import shared_task


@shared_task(name="zzmetro.deliver_outbox", ignore_result=True)
def deliver_outbox() -> dict:
    from zzmetro.outbox import deliver_due

    return deliver_due()


@shared_task(name="zzmetro.purge_audit", ignore_result=True)
def purge_audit() -> int:
    """Daily: delete security events older than the retention setting (DOMAIN G2); a setting under 180 days fails."""
    from zzmetro.audit import purge

    return purge()


@shared_task(name="zzmetro.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> float:
    """Every minute from beat: proves beat and a worker are alive to /healthz/ready."""
    from zzmetro.health import record_heartbeat

    return record_heartbeat()


@shared_task(name="zzmetro.compact_page_journal", ignore_result=True)
def compact_page_journal() -> int:
    """Nightly: fold the change journal of kept pages into one row per table (zzmetro/pagecache.py)."""
    from zzmetro.pagecache import compact_journal

    return compact_journal()
