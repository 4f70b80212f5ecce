"""The one shape of an event (DOMAIN A12): every app's append-only event table is this plus its own columns.

`zzmetro.workflow.record` is the only writer. The state is kept twice on purpose: the codes (`from_status`,
`to_status`) for queries and the labels as users read them at the time (`from_state`, `to_state`), so a later
renaming of a state never rewrites history. `subject` is a real reference to the row the event is about.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from zzmetro.appendonly import AppendOnlyModel


class EventBase(AppendOnlyModel):
    action = models.CharField("事项代码", max_length=32, blank=True)
    action_label = models.CharField("事项", max_length=50)
    from_status = models.CharField("原状态代码", max_length=32, blank=True)
    to_status = models.CharField("新状态代码", max_length=32, blank=True)
    from_state = models.CharField("原状态", max_length=50, blank=True)
    to_state = models.CharField("新状态", max_length=50, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    document = models.CharField("文书", max_length=80, blank=True, help_text="本事项产生的文书及其编号")
    subject_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action_label}"
