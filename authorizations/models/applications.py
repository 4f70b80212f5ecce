from django.conf import settings
from django.db import models
from django.db.models import Q

from zzmetro.querysets import StationOwnedQuerySet
from zzmetro.workflow import Move, Workflow

from .stations import Station


class Application(models.Model):
    """Authorization application (计量授权申请书), DOMAIN A2–A4, A7, A8.

    A first application, a renewal (延续) and a new-items application (新增项目) share one review and
    assessment path; what the pass produces differs (see services.certificate_issue).
    """

    class Kind(models.TextChoices):
        NEW = "new", "首次申请"
        RENEWAL = "renewal", "延续申请"
        NEW_ITEMS = "new_items", "新增项目申请"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交，待受理"
        ACCEPTED = "accepted", "已受理，筹建中"
        REFUSED = "refused", "不予受理"
        ASSESSMENT_REQUESTED = "assessment_requested", "已申请考核"
        ASSESSING = "assessing", "考核中"
        PASSED = "passed", "考核合格，待发证"
        FAILED = "failed", "考核不合格"
        CERTIFIED = "certified", "已发证"

    number = models.CharField("申请编号", max_length=32, unique=True)
    station = models.ForeignKey(Station, verbose_name="申请单位", on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField("申请类型", max_length=16, choices=Kind.choices, default=Kind.NEW)
    items = models.ManyToManyField("authorizations.VerificationItem", verbose_name="申请检定项目", related_name="+")
    area = models.CharField("检定区域", max_length=200)
    description = models.TextField("申请说明", blank=True)
    certificate = models.ForeignKey(
        "authorizations.Certificate",
        verbose_name="所涉证书",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        help_text="延续申请和新增项目申请所针对的现有证书",
    )
    status = models.CharField("状态", max_length=32, choices=Status.choices, default=Status.SUBMITTED)
    submitted_on = models.DateField("申请日期")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # A7: a renewal filed after the deadline is reviewed but marked late.
    renewal_deadline = models.DateField("延续申请截止日", null=True, blank=True)
    late_days = models.PositiveIntegerField("逾期天数", default=0)
    # A2 review outcome.
    acceptance_number = models.CharField("受理通知书编号", max_length=40, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    refusal_number = models.CharField("不予受理决定书编号", max_length=40, blank=True)
    refused_on = models.DateField("不予受理日期", null=True, blank=True)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    # A3 preparation (筹建): the four conditions of S1 二(五).
    prep_standards = models.TextField("计量标准、检测装置和配套设施", blank=True)
    prep_environment = models.TextField("工作环境", blank=True)
    prep_personnel = models.TextField("检定人员（经考核合格）", blank=True)
    prep_management = models.TextField("工作制度和管理制度", blank=True)
    assessment_requested_on = models.DateField("申请考核日期", null=True, blank=True)

    objects = StationOwnedQuerySet.as_manager()

    # A2–A5, A12: the only legal moves; a pass and a fail are both "录入考核结论".
    workflow = Workflow(
        events="authorizations.LifecycleEvent",
        event_fields=lambda a: {"station": a.station, "application": a, "certificate": a.certificate},
        moves=[
            Move("submit", "提交申请", source=[""], target=Status.SUBMITTED),
            Move("accept", "受理", source=[Status.SUBMITTED], target=Status.ACCEPTED),
            Move("refuse", "不予受理", source=[Status.SUBMITTED], target=Status.REFUSED),
            Move("request_assessment", "提出考核申请", source=[Status.ACCEPTED], target=Status.ASSESSMENT_REQUESTED),
            Move("assessment_start", "组建考核组", source=[Status.ASSESSMENT_REQUESTED], target=Status.ASSESSING),
            Move("assessment_conclude", "录入考核结论", source=[Status.ASSESSING], target=Status.PASSED),
            Move("assessment_conclude", "录入考核结论", source=[Status.ASSESSING], target=Status.FAILED),
            Move("certificate_issue", "颁发证书", source=[Status.PASSED], target=Status.CERTIFIED),
        ],
    )

    PREPARATION_FIELDS = ("prep_standards", "prep_environment", "prep_personnel", "prep_management")

    class Meta:
        verbose_name = "授权申请"
        verbose_name_plural = "授权申请"
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="renewal_and_new_items_name_a_certificate",
                condition=Q(kind="new") | Q(certificate__isnull=False),
                violation_error_message="延续申请和新增项目申请必须指明所涉证书。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.station.name}（{self.get_kind_display()}）"

    @property
    def is_late(self) -> bool:
        return self.late_days > 0

    @property
    def missing_conditions(self) -> list[str]:
        """Verbose names of the A3 conditions not yet recorded."""
        return [
            self._meta.get_field(name).verbose_name
            for name in self.PREPARATION_FIELDS
            if not getattr(self, name).strip()
        ]


def material_path(instance, filename: str) -> str:
    return f"applications/{instance.application.station_id}/{instance.application_id}/{filename}"


class ApplicationMaterial(models.Model):
    """A document attached to an application (申请材料): PDF or image, checked by content."""

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField("材料名称", max_length=100)
    file = models.FileField("文件", upload_to=material_path)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.title


class Assessment(models.Model):
    """On-site assessment (现场考核) per JJF(豫)1002 by the assessment team (考核组), DOMAIN A4."""

    class Conclusion(models.TextChoices):
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"

    application = models.OneToOneField(
        Application, verbose_name="申请", on_delete=models.PROTECT, related_name="assessment"
    )
    planned_on = models.DateField("计划考核日期")
    held_on = models.DateField("现场考核日期", null=True, blank=True)
    conclusion = models.CharField("考核结论", max_length=8, choices=Conclusion.choices, blank=True)
    summary = models.TextField("考核意见", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "现场考核"
        verbose_name_plural = "现场考核"
        ordering = ["-planned_on"]

    def __str__(self) -> str:
        return f"{self.application.number} 现场考核"

    @property
    def leader(self):
        return next((m for m in self.members.all() if m.role == AssessmentMember.Role.LEADER), None)


class AssessmentMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", "组长"
        EXPERT = "expert", "技术专家"

    assessment = models.ForeignKey(
        Assessment, verbose_name="现场考核", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("职责", max_length=8, choices=Role.choices)
    organization = models.CharField("工作单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "考核组成员"
        verbose_name_plural = "考核组成员"
        # The leader first, then the experts in the order they were named.
        ordering = [models.Case(models.When(role="leader", then=0), default=1), "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment"], condition=Q(role="leader"), name="one_leader_per_assessment")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class AssessmentFinding(models.Model):
    """Finding per assessment criterion of S1 三(二)."""

    class Criterion(models.TextChoices):
        STANDARDS = "standards", "计量标准"
        ENVIRONMENT = "environment", "环境条件"
        PERSONNEL = "personnel", "检定人员"
        MANAGEMENT = "management", "管理制度"
        QUALITY_SYSTEM = "quality_system", "计量检测体系和质量体系运行"
        CAPABILITY = "capability", "检定能力验证"
        IMPARTIALITY = "impartiality", "检定工作的公正性和符合性"

    class Result(models.TextChoices):
        CONFORMS = "conforms", "符合"
        MINOR = "minor", "基本符合"
        NONCONFORMS = "nonconforms", "不符合"

    assessment = models.ForeignKey(
        Assessment, verbose_name="现场考核", on_delete=models.CASCADE, related_name="findings"
    )
    criterion = models.CharField("考核内容", max_length=20, choices=Criterion.choices)
    result = models.CharField("考核结果", max_length=16, choices=Result.choices)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "考核项结果"
        verbose_name_plural = "考核项结果"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="one_finding_per_criterion")]

    def __str__(self) -> str:
        return f"{self.get_criterion_display()}：{self.get_result_display()}"
