from django.db import models

from zzmetro.appendonly import AppendOnlyQuerySet
from zzmetro.events import EventBase


class LifecycleEvent(EventBase):
    """Append-only record of a step of the authorization lifecycle (DOMAIN A12): the kernel's event shape plus the
    station and the application or certificate it concerns. The database refuses UPDATE and DELETE too."""

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="events"
    )
    application = models.ForeignKey(
        "authorizations.Application",
        verbose_name="申请",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    certificate = models.ForeignKey(
        "authorizations.Certificate",
        verbose_name="证书",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(EventBase.Meta):
        verbose_name = "生命周期事件"
        verbose_name_plural = "生命周期事件（不可修改）"
