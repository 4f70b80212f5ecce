"""Excel exports of inspections: the sample list handed to the legal metrology institution (I2) and the licence
register's lists (L2, L3), each with its one column definition."""

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


# ---------------------------------------------------------------- the licence register (L2, L3): the admin's lists


def _scope(licence) -> str:
    return "；".join(
        " ".join(part for part in (line.instrument_type.name, line.model, line.measuring_range) if part)
        for line in licence.scope_lines.all()
    )


LICENCE_COLUMNS = (
    Column("许可证编号", lambda lic: lic.number, 20),
    Column("持证企业", lambda lic: lic.holder.name, 30),
    Column("统一社会信用代码", lambda lic: lic.holder.credit_code, 22),
    Column("许可范围", _scope, 40),
    Column("依据的型式批准", lambda lic: "、".join(a.number for a in lic.approvals.all()), 22),
    Column("发证部门", lambda lic: lic.department, 24),
    Column("发证层级", lambda lic: lic.get_level_display(), 10),
    Column("受理日期", lambda lic: lic.accepted_on, 12),
    Column("许可决定日期", lambda lic: lic.decided_on, 12),
    Column("有效期至", lambda lic: lic.valid_until, 12),
    Column("状态", lambda lic: lic.get_status_display(), 10),
    Column("注销或撤销日期", lambda lic: lic.ended_on, 14),
)


def licence_rows(licences: QuerySet) -> QuerySet:
    return licences.select_related("holder").prefetch_related("scope_lines__instrument_type", "approvals")


FINDING_COLUMNS = (
    Column("许可证编号", lambda f: f.licence.number, 20),
    Column("持证企业", lambda f: f.licence.holder.name, 30),
    Column("问题类型", lambda f: f.get_rule_display(), 18),
    Column("问题说明", lambda f: f.message, 50),
    Column("处理状态", lambda f: f.get_status_display(), 10),
    Column("处理说明", lambda f: f.note, 30),
    Column("发现时间", lambda f: f.found_at, 16),
)


def finding_rows(findings: QuerySet) -> QuerySet:
    return findings.select_related("licence__holder")
