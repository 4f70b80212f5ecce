"""Kernel tasks: mail delivery from the outbox (thin; the rules live in zzmetro.outbox)."""
from celery import shared_task


@shared_task(name="zzmetro.deliver_outbox", ignore_result=True)
def deliver_outbox() -> dict:
    from zzmetro.outbox import deliver_due

    return deliver_due()
