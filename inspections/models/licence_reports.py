"""What bureau staff write for the special inspection's documents (DOMAIN L4, L6).

The register and the findings answer part of Attachment 1 and the figures of the summary report; the rest —
online approval, reform measures, remarks, good practice, problems, suggestions — is written by staff and kept
here, so a document printed again next week reads the same.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_TITLE = "重点管理计量器具制造许可专项核查工作总结"
DEFAULT_RECIPIENT = "河南省质量技术监督局"
DEFAULT_UNIT = "郑州市质量技术监督局"
DEFAULT_PROVINCE = "河南省"


class LicenceInspectionReport(models.Model):
    """The special inspection's report (核查工作总结) and the staff's answers to Attachment 1 (L4, L6)."""

    year = models.PositiveIntegerField("核查年度", unique=True)
    title = models.CharField("标题", max_length=100, default=DEFAULT_TITLE)
    doc_number = models.CharField("文号", max_length=50, blank=True)
    recipient = models.CharField("主送单位", max_length=100, default=DEFAULT_RECIPIENT)
    signed_on = models.DateField("成文日期", null=True, blank=True)
    # Attachment 1: the staff's answers; a blank text column is filled from the register when printed.
    unit = models.CharField("报送单位", max_length=100, default=DEFAULT_UNIT)
    province = models.CharField("省份", max_length=20, default=DEFAULT_PROVINCE)
    online_approval = models.BooleanField("是否开展网上审批", null=True, blank=True)
    announcement = models.CharField(
        "制造许可核准、变更、注销公告的方式", max_length=200, blank=True, help_text="留空则按登记的公告方式填写。"
    )
    approval_issuers = models.CharField(
        "型式批准证书发证部门和层级", max_length=300, blank=True, help_text="留空则按登记的批准部门和层级填写。"
    )
    licence_issuers = models.CharField(
        "制造许可证发证部门和层级", max_length=300, blank=True, help_text="留空则按登记的发证部门和层级填写。"
    )
    reform = models.TextField("行政审批制度改革情况", blank=True)
    remarks = models.TextField("备注", blank=True, help_text="型式评价机构如非总局统一授权的机构，请在此说明原因。")
    # The summary report's free-text sections.
    basic_situation = models.TextField("基本情况（补充说明）", blank=True)
    good_practice = models.TextField("好的经验和做法", blank=True)
    problems = models.TextField("存在的问题（补充说明）", blank=True)
    suggestions = models.TextField("下一步工作意见和建议", blank=True)
    updated_at = models.DateTimeField("最后修改时间", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "专项核查工作总结"
        verbose_name_plural = "专项核查工作总结"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年{self.title}"


class LicenceSystemAdministrator(models.Model):
    """A system administrator of the national licence system (Attachment 2, S2 三(三))."""

    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("单位", max_length=100, default=DEFAULT_UNIT)
    title = models.CharField("职务", max_length=50, blank=True)
    office_phone = models.CharField("办公电话", max_length=30, blank=True)
    mobile = models.CharField("手机", max_length=30, blank=True)
    email = models.EmailField("E-mail", blank=True)

    class Meta:
        verbose_name = "许可证管理系统管理员"
        verbose_name_plural = "许可证管理系统管理员"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"
