from django.conf import settings
from django.db import models
from django.utils import timezone

from zzmetro.appendonly import AppendOnlyModel, AppendOnlyQuerySet


class SupervisionEvent(AppendOnlyModel):
    """Append-only record of every supervision step: who, when, what, from and to (DOMAIN A12 applied to I1–I8)."""

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="supervision_events"
    )
    subject = models.CharField("对象", max_length=100)
    action_label = models.CharField("事项", max_length=50)
    from_state = models.CharField("原状态", max_length=50, blank=True)
    to_state = models.CharField("新状态", max_length=50, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField("说明", blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "监督检查记录"
        verbose_name_plural = "监督检查记录（不可修改）"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.subject} {self.action_label}"
