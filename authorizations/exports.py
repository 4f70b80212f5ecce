"""Excel column definitions of the authorizations app: one per list, shared by its admin export (STYLE.md)."""

from zzmetro.dates import beijing_today
from zzmetro.exports import Column


def _state_today(certificate) -> str:
    return certificate.state_on(beijing_today()).label


STATION_COLUMNS = (
    Column("单位名称", lambda s: s.name, 36),
    Column("统一社会信用代码", lambda s: s.credit_code, 22),
    Column("县（市、区）", lambda s: s.get_district_display(), 14),
    Column("所属行业", lambda s: s.industry),
    Column("地址", lambda s: s.address, 40),
    Column("联系人", lambda s: s.contact_person),
    Column("联系电话", lambda s: s.contact_phone),
    Column("电子邮箱", lambda s: s.email, 24),
)

CERTIFICATE_COLUMNS = (
    Column("证书编号", lambda c: c.number, 16),
    Column("被授权单位", lambda c: c.station.name, 36),
    Column("统一社会信用代码", lambda c: c.station.credit_code, 22),
    Column("县（市、区）", lambda c: c.station.get_district_display(), 14),
    Column("授权检定项目", lambda c: "、".join(ci.item.name for ci in c.certificate_items.all()), 50),
    Column("检定区域", lambda c: c.area, 24),
    Column("发证日期", lambda c: c.issued_on, 12),
    Column("有效期起", lambda c: c.valid_from, 12),
    Column("有效期至", lambda c: c.expires_on, 12),
    Column("今日状态", _state_today, 10),
    Column("撤销日期", lambda c: c.revoked_on, 12),
)
