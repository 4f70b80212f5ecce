from django.conf import settings
from django.db import models
from django.utils import timezone

from zzmetro.appendonly import AppendOnlyModel, AppendOnlyQuerySet


class LifecycleEvent(AppendOnlyModel):
    """Append-only record of a state change (DOMAIN A12). The database refuses UPDATE and DELETE too."""

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
    action = models.CharField("事项", max_length=32)
    action_label = models.CharField("事项名称", max_length=50)
    from_state = models.CharField("原状态", max_length=50, blank=True)
    to_state = models.CharField("新状态", max_length=50, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    document = models.CharField("文书", max_length=80, blank=True, help_text="本事项产生的文书及其编号")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "生命周期事件"
        verbose_name_plural = "生命周期事件（不可修改）"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action_label}"
