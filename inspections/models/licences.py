"""The register of manufacturing licences and pattern approvals of key-managed instruments (DOMAIN L1–L3, S2).

The key-managed catalogue (重点管理的计量器具目录) is date-versioned: an entry lists an instrument type from a day
(and until a day), so a later catalogue replaces the 2016 one without rewriting the past (L1). Licences change state
only through inspections.services.licences (grant, change, cancel, revoke); each decision leaves a version with a
snapshot of the licence as decided, its own announcement and filing dates, and an event (A12, L5).
"""

import re

from django.db import models
from django.db.models import Q

from authorizations.fields import CreditCodeField
from zzmetro.appendonly import AppendOnlyQuerySet
from zzmetro.events import EventBase
from zzmetro.workflow import Move, Workflow

MODEL_SEPARATORS = re.compile(r"[,，、;；\n\r]+")


def split_models(text: str) -> list[str]:
    """The model designations (型号) written in one field, separated by commas, 、 or new lines."""
    return [part.strip() for part in MODEL_SEPARATORS.split(text or "") if part.strip()]


def model_key(designation: str) -> str:
    """A designation as compared: case and spaces do not make a different model ("DDS 666" is "dds666")."""
    return "".join(designation.split()).upper()


class IssuingLevel(models.TextChoices):
    """Level of the issuing department (发证层级), as Attachment 1 asks for it."""

    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class InstrumentType(models.Model):
    """An instrument type (计量器具类别); the nine key-managed ones carry authorizations.KeyInstrumentType codes."""

    code = models.SlugField("类别代码", max_length=32, unique=True)
    name = models.CharField("类别名称", max_length=50)

    class Meta:
        verbose_name = "计量器具类别"
        verbose_name_plural = "计量器具类别"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class KeyListEntry(models.Model):
    """One type on the key-managed catalogue (重点管理的计量器具目录) from `valid_from` to `valid_to` (L1)."""

    instrument_type = models.ForeignKey(
        InstrumentType, verbose_name="计量器具类别", on_delete=models.PROTECT, related_name="key_list_entries"
    )
    legal_name = models.CharField("目录中的名称", max_length=100)
    catalogue = models.CharField("目录", max_length=100, help_text="例如《首批重点管理的计量器具目录》")
    valid_from = models.DateField("列入日期", null=True, blank=True, help_text="留空表示早于本登记簿的全部记录即已列入")
    valid_to = models.DateField("移出日期", null=True, blank=True, help_text="留空表示仍在目录中")

    class Meta:
        verbose_name = "重点管理计量器具目录条目"
        verbose_name_plural = "重点管理计量器具目录"
        ordering = ["instrument_type__code", "valid_from"]
        constraints = [
            models.CheckConstraint(
                name="key_list_entry_ends_after_it_starts",
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
            )
        ]

    def __str__(self) -> str:
        since = f"{self.valid_from:%Y-%m-%d}起" if self.valid_from else ""
        until = f"至{self.valid_to:%Y-%m-%d}" if self.valid_to else "至今"
        return f"{self.legal_name}（{since}{until}）"

    def covers(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Manufacturer(models.Model):
    """A manufacturer (计量器具制造企业), a legal entity with its credit code (A1, L2). It never logs in."""

    name = models.CharField("企业名称", max_length=200)
    credit_code = CreditCodeField("统一社会信用代码", unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    province = models.CharField("省", max_length=20, default="河南省")
    city = models.CharField("市", max_length=20, blank=True)
    county = models.CharField("县（区）", max_length=20, blank=True)

    class Meta:
        verbose_name = "制造企业"
        verbose_name_plural = "制造企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EvaluationInstitution(models.Model):
    """A type-evaluation institution (型式评价机构); the types it was nationally authorized for are its grants (L2)."""

    name = models.CharField("机构名称", max_length=200, unique=True)
    province = models.CharField("所在省份", max_length=20, blank=True)

    class Meta:
        verbose_name = "型式评价机构"
        verbose_name_plural = "型式评价机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstitutionAuthorization(models.Model):
    """A national authorization of an institution to evaluate one instrument type, from a day (L3c)."""

    institution = models.ForeignKey(
        EvaluationInstitution, verbose_name="型式评价机构", on_delete=models.CASCADE, related_name="authorizations"
    )
    instrument_type = models.ForeignKey(InstrumentType, verbose_name="计量器具类别", on_delete=models.PROTECT)
    authorized_from = models.DateField("授权日期")
    authorized_to = models.DateField("授权截止日期", null=True, blank=True, help_text="留空表示仍然有效")
    document = models.CharField("授权文件", max_length=100, blank=True)

    class Meta:
        verbose_name = "型式评价授权"
        verbose_name_plural = "型式评价授权"
        ordering = ["institution__name", "instrument_type__code"]

    def __str__(self) -> str:
        return f"{self.institution} · {self.instrument_type}（{self.authorized_from:%Y-%m-%d}起）"

    def covers(self, day) -> bool:
        return self.authorized_from <= day and (self.authorized_to is None or day <= self.authorized_to)


class PatternApproval(models.Model):
    """A pattern approval certificate (型式批准证书) of one manufacturer for models of one type (L2)."""

    number = models.CharField("证书编号", max_length=50, unique=True)
    manufacturer = models.ForeignKey(
        Manufacturer, verbose_name="制造企业", on_delete=models.PROTECT, related_name="approvals"
    )
    instrument_type = models.ForeignKey(InstrumentType, verbose_name="计量器具类别", on_delete=models.PROTECT)
    model_names = models.TextField("型号", help_text="多个型号用逗号、顿号或换行分隔")
    measuring_range = models.CharField("测量范围", max_length=200, blank=True)
    accuracy_class = models.CharField("准确度等级", max_length=50, blank=True)
    institution = models.ForeignKey(
        EvaluationInstitution,
        verbose_name="型式评价机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals",
    )
    report_number = models.CharField("型式评价报告编号", max_length=50, blank=True)
    department = models.CharField("批准部门", max_length=100)
    level = models.CharField("批准层级", max_length=16, choices=IssuingLevel.choices)
    approved_on = models.DateField("批准日期")

    class Meta:
        verbose_name = "型式批准"
        verbose_name_plural = "型式批准"
        ordering = ["-approved_on", "number"]

    def __str__(self) -> str:
        return f"{self.number}（{self.instrument_type}）"

    @property
    def model_list(self) -> list[str]:
        return split_models(self.model_names)


class LicenceQuerySet(models.QuerySet):
    def current(self):
        """Licences not cancelled or revoked: the holders the public list shows as licensed (L5)."""
        return self.filter(status__in=[ManufacturingLicence.Status.GRANTED, ManufacturingLicence.Status.CHANGED])


class ManufacturingLicence(models.Model):
    """A manufacturing licence (制造计量器具许可证): holder, scope, issuing department and dates (L2).

    Its status changes only through the grant, change, cancel and revoke services; each leaves a version.
    """

    class Status(models.TextChoices):
        GRANTED = "granted", "已核准"
        CHANGED = "changed", "已变更"
        CANCELLED = "cancelled", "已注销"
        REVOKED = "revoked", "已撤销"

    number = models.CharField("许可证编号", max_length=50, unique=True)
    holder = models.ForeignKey(Manufacturer, verbose_name="持证企业", on_delete=models.PROTECT, related_name="licences")
    department = models.CharField("发证部门", max_length=100)
    level = models.CharField("发证层级", max_length=16, choices=IssuingLevel.choices)
    accepted_on = models.DateField("受理日期")
    decided_on = models.DateField("许可决定日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, blank=True, editable=False)
    ended_on = models.DateField("注销或撤销日期", null=True, blank=True, editable=False)
    approvals = models.ManyToManyField(
        PatternApproval, verbose_name="依据的型式批准", blank=True, related_name="licences"
    )

    objects = LicenceQuerySet.as_manager()

    workflow = Workflow(
        events="inspections.LicenceEvent",
        event_fields=lambda licence: {"licence": licence},
        moves=[
            Move("grant", "核准许可", source=[""], target=Status.GRANTED),
            Move("change", "变更许可", source=[Status.GRANTED, Status.CHANGED], target=Status.CHANGED),
            Move("cancel", "注销许可", source=[Status.GRANTED, Status.CHANGED], target=Status.CANCELLED),
            Move("revoke", "撤销许可", source=[Status.GRANTED, Status.CHANGED], target=Status.REVOKED),
        ],
    )

    class Meta:
        verbose_name = "制造计量器具许可证"
        verbose_name_plural = "制造计量器具许可证"
        ordering = ["-decided_on", "number"]
        indexes = [models.Index(fields=["status", "level"])]

    def __str__(self) -> str:
        return f"{self.number}（{self.holder}）" if self.holder_id else self.number

    def state_on(self, day) -> tuple[str, str, object]:
        """The licence's standing on `day` as the public reads it (L5): (code, label, date shown with it).

        Ended (cancelled or revoked) from its end date, expired after its validity, not yet in force before its
        decision; otherwise in force.
        """
        if self.ended_on and self.ended_on <= day:
            return "ended", self.get_status_display(), self.ended_on
        if self.decided_on > day:
            return "pending", "尚未生效", self.decided_on
        if self.valid_until and self.valid_until < day:
            return "expired", "已过期", self.valid_until
        return "in_force", "有效", None


class LicenceScopeLine(models.Model):
    """One line of a licence's scope (许可范围): instrument type × model × measuring range (L2, L3a)."""

    licence = models.ForeignKey(
        ManufacturingLicence, verbose_name="许可证", on_delete=models.CASCADE, related_name="scope_lines"
    )
    instrument_type = models.ForeignKey(InstrumentType, verbose_name="计量器具类别", on_delete=models.PROTECT)
    model = models.CharField("型号", max_length=100)
    measuring_range = models.CharField("测量范围", max_length=200, blank=True)
    accuracy_class = models.CharField("准确度等级", max_length=50, blank=True)
    # The decision that brought this line into the scope (a grant or a change); empty on lines recorded before this
    # was kept, which the checks read as the licence's first decision (L3a).
    decided_on = models.DateField("纳入许可范围的决定日期", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "许可范围"
        verbose_name_plural = "许可范围"
        ordering = ["licence", "id"]

    def __str__(self) -> str:
        return f"{self.instrument_type} {self.model} {self.measuring_range}".strip()


class ExcludedPeriod(models.Model):
    """A period not counted in the processing time (行政许可法 第四十五条): type evaluation, expert review, hearing (L3b)."""

    class Kind(models.TextChoices):
        TYPE_EVALUATION = "type_evaluation", "型式评价"
        EXPERT_REVIEW = "expert_review", "专家评审"
        TESTING = "testing", "检验检测"
        HEARING = "hearing", "听证"

    licence = models.ForeignKey(
        ManufacturingLicence, verbose_name="许可证", on_delete=models.CASCADE, related_name="excluded_periods"
    )
    kind = models.CharField("事项", max_length=32, choices=Kind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "不计入办理时限的期间"
        verbose_name_plural = "不计入办理时限的期间"
        ordering = ["licence", "starts_on"]
        constraints = [
            models.CheckConstraint(
                name="excluded_period_ends_after_it_starts", condition=Q(ends_on__gte=models.F("starts_on"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%Y-%m-%d}至{self.ends_on:%Y-%m-%d}"


class LicenceExtension(models.Model):
    """An approved extension of the decision time limit (行政许可法 第四十二条: ten more working days) (L3b)."""

    licence = models.ForeignKey(
        ManufacturingLicence, verbose_name="许可证", on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField("延长工作日数", default=10)
    approved_on = models.DateField("批准延长日期")
    approved_by = models.CharField("批准人", max_length=50)
    reason = models.CharField("延长理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "办理时限延长"
        verbose_name_plural = "办理时限延长"
        ordering = ["licence", "approved_on"]

    def __str__(self) -> str:
        return f"延长{self.days}个工作日（{self.approved_on:%Y-%m-%d}批准）"


class AnnouncedVia(models.TextChoices):
    """How a decision was announced (公告方式, S2 三(三): newspapers or websites)."""

    WEBSITE = "website", "网站"
    NEWSPAPER = "newspaper", "报纸"
    BOTH = "both", "报纸和网站"
    BULLETIN = "bulletin", "公告栏"
    OTHER = "other", "其他"


class LicenceVersion(models.Model):
    """One decision on a licence (grant, change, cancellation, revocation) with the licence as it then stood.

    The snapshot is written once by the service; only the announcement and the national filing, which follow the
    decision, are recorded on it later (L3d, L5).
    """

    class Kind(models.TextChoices):
        GRANT = "grant", "核准"
        CHANGE = "change", "变更"
        CANCEL = "cancel", "注销"
        REVOKE = "revoke", "撤销"

    licence = models.ForeignKey(
        ManufacturingLicence, verbose_name="许可证", on_delete=models.PROTECT, related_name="versions"
    )
    sequence = models.PositiveSmallIntegerField("版本")
    kind = models.CharField("决定类型", max_length=16, choices=Kind.choices)
    decided_on = models.DateField("决定日期")
    summary = models.TextField("决定内容", blank=True)
    snapshot = models.JSONField("许可证内容", default=dict, editable=False)
    announced_on = models.DateField("公告日期", null=True, blank=True)
    announced_via = models.CharField("公告方式", max_length=16, choices=AnnouncedVia.choices, blank=True)
    filed_on = models.DateField("报总局备案日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "许可证版本"
        verbose_name_plural = "许可证版本"
        ordering = ["licence", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["licence", "sequence"], name="one_licence_version_number")]

    def __str__(self) -> str:
        return f"{self.licence.number} 第{self.sequence}版（{self.get_kind_display()} {self.decided_on:%Y-%m-%d}）"


class LicenceCheckPolicy(models.Model):
    """The time limits of the special inspection's checks, in working days (L3b, L3d). One row, admin-editable."""

    decision_days = models.PositiveSmallIntegerField("许可决定时限（工作日）", default=20)
    announcement_days = models.PositiveSmallIntegerField("决定后公告时限（工作日）", default=20)
    filing_days = models.PositiveSmallIntegerField("决定后报总局备案时限（工作日）", default=20)

    class Meta:
        verbose_name = "许可核查时限"
        verbose_name_plural = "许可核查时限"

    def __str__(self) -> str:
        return f"决定{self.decision_days}个工作日，公告{self.announcement_days}个工作日，备案{self.filing_days}个工作日"

    @classmethod
    def current(cls) -> "LicenceCheckPolicy":
        return cls.objects.order_by("pk").first() or cls()


class LicenceFinding(models.Model):
    """A problem the special inspection found on one licence, naming its rule and numbers (L3).

    A check run replaces the open findings; staff confirm or explain each one, and those are kept.
    """

    class Rule(models.TextChoices):
        SCOPE_TYPE = "scope_type", "超范围许可"
        SCOPE_APPROVAL = "scope_approval", "超出型式批准范围"
        OVERDUE = "overdue", "超期办理"
        INSTITUTION = "institution", "型式评价机构未经授权"
        ANNOUNCEMENT = "announcement", "未及时公告"
        FILING = "filing", "未报总局备案"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        CONFIRMED = "confirmed", "已确认"
        EXPLAINED = "explained", "已说明"

    licence = models.ForeignKey(
        ManufacturingLicence, verbose_name="许可证", on_delete=models.CASCADE, related_name="findings"
    )
    rule = models.CharField("问题类型", max_length=32, choices=Rule.choices)
    key = models.CharField("问题标识", max_length=64, editable=False)
    message = models.TextField("问题说明")
    numbers = models.JSONField("数据", default=dict, blank=True)
    status = models.CharField("处理状态", max_length=16, choices=Status.choices, default=Status.OPEN, editable=False)
    found_at = models.DateTimeField("发现时间", auto_now_add=True)
    note = models.TextField("处理说明", blank=True, editable=False)

    workflow = Workflow(
        events="inspections.LicenceEvent",
        event_fields=lambda finding: {"licence": finding.licence, "finding": finding},
        moves=[
            Move("confirm", "确认问题", source=[Status.OPEN], target=Status.CONFIRMED),
            Move("explain", "说明情况", source=[Status.OPEN, Status.CONFIRMED], target=Status.EXPLAINED),
        ],
    )

    class Meta:
        verbose_name = "核查发现的问题"
        verbose_name_plural = "核查发现的问题"
        ordering = ["licence", "rule", "id"]
        constraints = [models.UniqueConstraint(fields=["licence", "key"], name="one_finding_per_licence_and_key")]
        indexes = [models.Index(fields=["status", "rule"])]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}：{self.message}"


class LicenceEvent(EventBase):
    """Append-only trail of the register: grants, changes, cancellations, check runs, findings handled (A12, L5)."""

    licence = models.ForeignKey(
        ManufacturingLicence,
        verbose_name="许可证",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    # Only confirmed or explained findings have events, and a check run deletes open ones only: no cascade needed.
    finding = models.ForeignKey(
        LicenceFinding,
        verbose_name="问题",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="events",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(EventBase.Meta):
        verbose_name = "许可核查记录"
        verbose_name_plural = "许可核查记录（不可修改）"
