from django.db import models
from django.utils import timezone

from zzmetro.appendonly import AppendOnlyQuerySet
from zzmetro.events import EventBase


class SupervisionEvent(EventBase):
    """Append-only record of every supervision step: who, when, what, from and to (DOMAIN A12 applied to I1–I8).

    `subject` (from EventBase) points at the inspection, rectification, draw, complaint, evaluation or violation;
    `subject_label` names it as users read it, and is all that older rows whose subject could not be told have.
    """

    station = models.ForeignKey(
        "authorizations.Station", verbose_name="单位", on_delete=models.PROTECT, related_name="supervision_events"
    )
    subject_label = models.CharField("对象", max_length=100, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(EventBase.Meta):
        verbose_name = "监督检查记录"
        verbose_name_plural = "监督检查记录（不可修改）"

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.subject_label} {self.action_label}"
