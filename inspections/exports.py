"""The sample list handed to the legal metrology institution (I2), with the shared column definition."""

from django.db.models import QuerySet

from inspections.models import SampleDraw, SampleItem
from zzmetro.exports import Column, xlsx_response

SAMPLE_COLUMNS = (
    Column("序号", lambda i: i.pk, 8),
    Column("被授权单位", lambda i: i.draw.station.name, 30),
    Column("使用单位", lambda i: i.verification.instrument.user_unit, 30),
    Column("器具名称", lambda i: i.verification.instrument.name, 16),
    Column("型号规格", lambda i: i.verification.instrument.model, 14),
    Column("出厂编号", lambda i: i.verification.instrument.serial_number, 18),
    Column("用途", lambda i: i.verification.get_use_display(), 10),
    Column("检定日期", lambda i: i.verification.verified_on, 12),
    Column("检定证书编号", lambda i: i.verification.certificate_number, 18),
    Column("安装使用地点", lambda i: i.verification.instrument.location, 24),
    Column("复核结果", lambda i: i.get_result_display(), 12),
)


def sample_items(draw: SampleDraw) -> QuerySet:
    return (
        SampleItem.objects.filter(draw=draw).select_related("draw__station", "verification__instrument").order_by("pk")
    )


def sample_list_response(draw: SampleDraw):
    title = f"{draw.plan.year}年复核检定样本-{draw.station.name}"
    return xlsx_response(list(SAMPLE_COLUMNS), sample_items(draw), title="复核检定样本", filename=f"{title}.xlsx")
