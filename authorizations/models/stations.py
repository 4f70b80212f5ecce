from django.db import models
from simple_history.models import HistoricalRecords

from authorizations.fields import CreditCodeField
from zzmetro.querysets import StationOwnedQuerySet


class District(models.TextChoices):
    """Counties, county-level cities and districts of Zhengzhou."""

    ZHONGYUAN = "zhongyuan", "中原区"
    ERQI = "erqi", "二七区"
    GUANCHENG = "guancheng", "管城回族区"
    JINSHUI = "jinshui", "金水区"
    SHANGJIE = "shangjie", "上街区"
    HUIJI = "huiji", "惠济区"
    ZHENGDONG = "zhengdong", "郑东新区"
    JINGKAI = "jingkai", "经济技术开发区"
    GAOXIN = "gaoxin", "高新技术产业开发区"
    HANGKONGGANG = "hangkonggang", "航空港经济综合实验区"
    ZHONGMU = "zhongmu", "中牟县"
    GONGYI = "gongyi", "巩义市"
    XINGYANG = "xingyang", "荥阳市"
    XINMI = "xinmi", "新密市"
    XINZHENG = "xinzheng", "新郑市"
    DENGFENG = "dengfeng", "登封市"


class KeyInstrumentType(models.TextChoices):
    """The nine key-managed instrument types (DOMAIN L1, S2 一)."""

    ELECTRICITY_METER = "electricity_meter", "电能表"
    WATER_METER = "water_meter", "水表"
    GAS_METER = "gas_meter", "煤气表（燃气表）"
    WEIGHING = "weighing", "衡器（不含杆秤）"
    FUEL_DISPENSER = "fuel_dispenser", "加油机（含加油机税控装置）"
    TAXI_METER = "taxi_meter", "出租车计价器"
    HEAT_METER = "heat_meter", "热能表"
    DUST = "dust", "粉尘测量仪"
    METHANE = "methane", "甲烷测定器（瓦斯计）"


class VerificationItem(models.Model):
    """Verification item (检定项目) with the regulation (检定规程) it is verified by."""

    code = models.CharField("项目代码", max_length=16, unique=True)
    name = models.CharField("检定项目", max_length=100)
    regulation = models.CharField("检定规程", max_length=100, help_text="例如 JJG 596-2012《电子式交流电能表》")
    key_instrument_type = models.CharField(
        "重点管理计量器具类别", max_length=32, choices=KeyInstrumentType.choices, blank=True
    )
    is_active = models.BooleanField("可申请", default=True)

    class Meta:
        verbose_name = "检定项目"
        verbose_name_plural = "检定项目目录"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.regulation}）"


class StationQuerySet(StationOwnedQuerySet):
    """A station is its own owner: an officer sees only the station they belong to."""

    station_lookup = "pk"


class Station(models.Model):
    """Applicant or authorized station (申请单位 / 被授权单位): a legal entity (DOMAIN A1)."""

    name = models.CharField("单位名称", max_length=100)
    credit_code = CreditCodeField(
        "统一社会信用代码",
        unique=True,
        error_messages={"unique": "该统一社会信用代码已登记，同一法人单位只能登记一次。"},
    )
    address = models.CharField("地址", max_length=200)
    district = models.CharField("所在县（市、区）", max_length=32, choices=District.choices)
    industry = models.CharField("所属行业", max_length=50, help_text="例如 电力、供水、燃气、石化")
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    contact_person = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=32)
    email = models.EmailField("电子邮箱", blank=True, help_text="提醒邮件发往此邮箱及本单位计量信息员邮箱")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords(verbose_name="单位信息变更记录", verbose_name_plural="单位信息变更记录")

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位（申请单位/被授权单位）"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
