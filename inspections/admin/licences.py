"""The licence register in the admin (DOMAIN L2, L3, A12): bureau staff keep it, managers read it.

Catalogue, manufacturers, institutions and approvals are plain records. A licence is added by the grant service
and changes only through its buttons (change, cancel, revoke, announcement, excluded period, extension, check);
findings are marked confirmed or explained with theirs. Managers get no button and no form (zzmetro.admin_site).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from authorizations.admin.common import ReadOnlyInline
from inspections.models import (
    EvaluationInstitution,
    ExcludedPeriod,
    InstitutionAuthorization,
    InstrumentType,
    IssuingLevel,
    KeyListEntry,
    LicenceCheckPolicy,
    LicenceEvent,
    LicenceExtension,
    LicenceFinding,
    LicenceScopeLine,
    LicenceVersion,
    Manufacturer,
    ManufacturingLicence,
    PatternApproval,
)
from inspections.models.licences import AnnouncedVia
from inspections.selectors import licences as register
from inspections.services import licence_checks as checks
from inspections.services import licences
from inspections.services.licence_checks import run_checks
from inspections.services.licences import Publicity, Scope
from zzmetro.admin_site import EventAdmin
from zzmetro.admin_transitions import Transition, TransitionAdminMixin, form_view

Status = ManufacturingLicence.Status
DATE = forms.DateInput(attrs={"type": "date"})

# --- forms -----------------------------------------------------------------------------------------------------


def parse_scope(text: str) -> list[Scope]:
    """Scope lines typed one per line as "类别｜型号｜测量范围" (the type by its name or code)."""
    types = {t.name: t for t in InstrumentType.objects.all()} | {t.code: t for t in InstrumentType.objects.all()}
    scope = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace("｜", "|").split("|")]
        if len(parts) < 2 or parts[0] not in types or not parts[1]:
            raise forms.ValidationError(f"第{number}行应写作“类别|型号|测量范围”，类别须为已登记的计量器具类别。")
        scope.append(Scope(types[parts[0]], parts[1], parts[2] if len(parts) > 2 else ""))
    return scope


class ScopeField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value):
        value = super().clean(value)
        return parse_scope(value) if value else None


class PublicityForm(forms.Form):
    announced_on = forms.DateField(label="公告日期", required=False, widget=DATE)
    announced_via = forms.ChoiceField(label="公告方式", choices=[("", "—"), *AnnouncedVia.choices], required=False)
    filed_on = forms.DateField(label="报总局备案日期", required=False, widget=DATE)

    @staticmethod
    def take_publicity(data: dict) -> Publicity:
        """The publicity fields, taken out of the cleaned data the rest of which goes to the service."""
        return Publicity(data.pop("announced_on"), data.pop("announced_via"), data.pop("filed_on"))


class GrantForm(PublicityForm):
    number = forms.CharField(label="许可证编号", max_length=50)
    holder = forms.ModelChoiceField(label="持证企业", queryset=Manufacturer.objects.all())
    department = forms.CharField(label="发证部门", max_length=100)
    level = forms.ChoiceField(label="发证层级", choices=IssuingLevel.choices)
    accepted_on = forms.DateField(label="受理日期", widget=DATE)
    decided_on = forms.DateField(label="许可决定日期", widget=DATE)
    valid_until = forms.DateField(label="有效期至", required=False, widget=DATE)
    scope = ScopeField(label="许可范围", help_text="每行一项：类别|型号|测量范围，例如“电能表|DDS666|5(60)A”")
    approvals = forms.ModelMultipleChoiceField(
        label="依据的型式批准", queryset=PatternApproval.objects.select_related("instrument_type"), required=False
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["number", "holder", "department", "level", "accepted_on", "decided_on", "valid_until", "scope",
                   "approvals", "announced_on", "announced_via", "filed_on", "note"]  # fmt: skip


class ChangeForm(PublicityForm):
    decided_on = forms.DateField(label="变更决定日期", widget=DATE)
    summary = forms.CharField(label="变更内容", widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.CharField(label="发证部门（变更时填写）", max_length=100, required=False)
    valid_until = forms.DateField(label="有效期至（变更时填写）", required=False, widget=DATE)
    scope = ScopeField(label="变更后的许可范围（变更时填写）", required=False, help_text="每行一项：类别|型号|测量范围")

    field_order = ["decided_on", "summary", "department", "valid_until", "scope"]


class EndForm(PublicityForm):
    decided_on = forms.DateField(label="决定日期", widget=DATE)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["decided_on", "reason"]


class ExcludedPeriodForm(forms.Form):
    kind = forms.ChoiceField(label="事项", choices=ExcludedPeriod.Kind.choices)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ExtensionForm(forms.Form):
    approved_on = forms.DateField(label="批准延长日期", widget=DATE)
    approved_by = forms.CharField(label="批准人", max_length=50)
    days = forms.IntegerField(label="延长工作日数", min_value=1, max_value=10, initial=10)
    reason = forms.CharField(label="延长理由", max_length=200, required=False)


class EmptyForm(forms.Form):
    pass


class NoteForm(forms.Form):
    note = forms.CharField(label="处理说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExplainForm(forms.Form):
    note = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}))


# --- licence actions -------------------------------------------------------------------------------------------


def checked(run):
    """A save through the admin checks that licence at once, so its findings never lag behind (L3)."""

    def run_and_check(licence, user, **data):
        result = run(licence, user, **data)
        run_checks([licence], by=user)
        return result

    return run_and_check


def _change(licence, user, **data):
    publicity = PublicityForm.take_publicity(data)
    data["department"] = data["department"] or None  # left blank: unchanged
    return licences.licence_change(licence=licence, by=user, publicity=publicity, **data)


def _cancel(licence, user, **data):
    return licences.licence_cancel(licence=licence, by=user, publicity=PublicityForm.take_publicity(data), **data)


def _revoke(licence, user, **data):
    return licences.licence_revoke(licence=licence, by=user, publicity=PublicityForm.take_publicity(data), **data)


def _publicity(licence, user, **data):
    version = licence.versions.order_by("-sequence").first()
    return licences.version_record_publicity(version=version, publicity=PublicityForm.take_publicity(data), by=user)


def _check(licence, user):
    return run_checks([licence], by=user)


LICENCE_TRANSITIONS = (
    Transition("change", "变更许可", ChangeForm, checked(_change), to=Status.CHANGED),
    Transition(
        "publicity",
        "登记公告和备案",
        PublicityForm,
        checked(_publicity),
        available=lambda licence: True,
        success="已登记最近一次决定的公告和备案情况。",
    ),
    Transition(
        "exclude",
        "登记不计入时限的期间",
        ExcludedPeriodForm,
        checked(
            lambda licence, user, **data: licences.licence_record_excluded_period(licence=licence, by=user, **data)
        ),
        available=lambda licence: True,
    ),
    Transition(
        "extend",
        "登记延长办理时限",
        ExtensionForm,
        checked(lambda licence, user, **data: licences.licence_record_extension(licence=licence, by=user, **data)),
        available=lambda licence: not licence.extensions.exists(),
    ),
    Transition("check", "核查此许可证", EmptyForm, _check, available=lambda licence: True, success="核查已完成。"),
    Transition(
        "cancel",
        "注销许可",
        EndForm,
        checked(_cancel),
        to=Status.CANCELLED,
        destructive=True,
        confirm="注销后许可证不能恢复，公开名单将标注注销日期。",
    ),
    Transition(
        "revoke",
        "撤销许可",
        EndForm,
        checked(_revoke),
        to=Status.REVOKED,
        destructive=True,
        confirm="撤销后许可证不能恢复，公开名单将标注撤销日期。",
    ),
)


# --- filters ---------------------------------------------------------------------------------------------------


class InstrumentTypeFilter(admin.SimpleListFilter):
    title = "计量器具类别"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return [(str(t.pk), t.name) for t in InstrumentType.objects.order_by("code")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(scope_lines__instrument_type_id=self.value()).distinct()
        return queryset


class FindingFilter(admin.SimpleListFilter):
    """Licences by the problems found on them; explained findings do not count (L4)."""

    title = "核查问题"
    parameter_name = "finding"

    def lookups(self, request, model_admin):
        return [("any", "有问题"), ("none", "无问题"), *LicenceFinding.Rule.choices]

    def queryset(self, request, queryset):
        return register.by_finding(queryset, self.value()) if self.value() else queryset


# --- admins ----------------------------------------------------------------------------------------------------


@admin.register(InstrumentType)
class InstrumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)

    def get_exclude(self, request, obj=None):
        return ("code",) if obj is not None else ()  # the code is given once, when a type is added


@admin.register(KeyListEntry)
class KeyListEntryAdmin(admin.ModelAdmin):
    """L1: a later catalogue is entered as new entries from its day, and the old ones end the day before."""

    list_display = ("legal_name", "instrument_type", "catalogue", "valid_from", "valid_to")
    list_filter = ("catalogue",)
    search_fields = ("legal_name", "instrument_type__name")
    list_select_related = ("instrument_type",)

    # L3a reads the catalogue: the licences with a line of the type are checked again at once.
    def save_model(self, request, obj, form, change):
        old = KeyListEntry.objects.filter(pk=obj.pk).values_list("instrument_type_id", flat=True).first()
        super().save_model(request, obj, form, change)
        checks.recheck_for_types({obj.instrument_type_id, old} - {None}, by=request.user)

    def delete_model(self, request, obj):
        type_id = obj.instrument_type_id
        super().delete_model(request, obj)
        checks.recheck_for_types([type_id], by=request.user)

    def delete_queryset(self, request, queryset):
        type_ids = set(queryset.values_list("instrument_type_id", flat=True))
        super().delete_queryset(request, queryset)
        checks.recheck_for_types(type_ids, by=request.user)


@admin.register(Manufacturer)
class ManufacturerAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "city", "county", "licence_count")
    list_filter = ("city",)
    search_fields = ("name", "credit_code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(licence_total=Count("licences"))

    @admin.display(description="许可证数", ordering="licence_total")
    def licence_count(self, obj):
        return obj.licence_total


class InstitutionAuthorizationInline(admin.TabularInline):
    model = InstitutionAuthorization
    extra = 0
    fields = ("instrument_type", "authorized_from", "authorized_to", "document")


@admin.register(EvaluationInstitution)
class EvaluationInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "types")
    search_fields = ("name",)
    inlines = (InstitutionAuthorizationInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authorizations__instrument_type")

    def save_related(self, request, form, formsets, change):
        """L3c reads the authorizations: the licences resting on this institution's approvals are checked again."""
        super().save_related(request, form, formsets, change)
        checks.recheck_for_institutions([form.instance.pk], by=request.user)

    @admin.display(description="授权评价的器具类别")
    def types(self, obj):
        return "、".join(sorted({a.instrument_type.name for a in obj.authorizations.all()})) or "—"


@admin.register(PatternApproval)
class PatternApprovalAdmin(admin.ModelAdmin):
    list_display = ("number", "manufacturer", "instrument_type", "model_names", "institution", "level", "approved_on")
    list_filter = ("instrument_type", "level")
    search_fields = ("number", "manufacturer__name", "model_names")
    list_select_related = ("manufacturer", "instrument_type", "institution")
    date_hierarchy = "approved_on"

    def has_delete_permission(self, request, obj=None):
        return False  # a certificate on which licences rest; a wrong entry is corrected, not deleted

    def save_model(self, request, obj, form, change):
        """L3a/L3c read the approvals: the holder's licences (old and new holder) are checked again at once."""
        old = PatternApproval.objects.filter(pk=obj.pk).values_list("manufacturer_id", flat=True).first()
        super().save_model(request, obj, form, change)
        checks.recheck_for_approvals([obj], by=request.user, manufacturer_ids={old} - {None})


class ScopeLineInline(ReadOnlyInline):
    model = LicenceScopeLine
    fields = ("instrument_type", "model", "measuring_range", "accuracy_class")
    readonly_fields = fields


class ExcludedPeriodInline(ReadOnlyInline):
    model = ExcludedPeriod
    fields = ("kind", "starts_on", "ends_on", "note")
    readonly_fields = fields


class ExtensionInline(ReadOnlyInline):
    model = LicenceExtension
    fields = ("days", "approved_on", "approved_by", "reason")
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    """L2, L5: every decision with the licence as it then stood."""

    model = LicenceVersion
    fields = ("sequence", "kind", "decided_on", "summary", "announced_on", "announced_via", "filed_on", "content")
    readonly_fields = fields

    @admin.display(description="许可证内容")
    def content(self, obj):
        return snapshot_html(obj.snapshot)


class FindingInline(ReadOnlyInline):
    model = LicenceFinding
    fields = ("rule", "message", "status", "note")
    readonly_fields = fields
    show_change_link = True


def snapshot_html(snapshot: dict):
    """A version's snapshot as people read it (the stored JSON would show escaped characters)."""
    rows = []
    for label, value in snapshot.items():
        if label == "许可范围":
            value = "；".join(" ".join(v for v in line.values() if v) for line in value)
        elif isinstance(value, list):
            value = "、".join(value)
        rows.append((label, value or "—"))
    return format_html_join("", "<div>{}：{}</div>", rows)


@admin.register(ManufacturingLicence)
class ManufacturingLicenceAdmin(TransitionAdminMixin, admin.ModelAdmin):
    """L2: added through the grant service; changed only through its buttons, each writing an event."""

    transitions = LICENCE_TRANSITIONS
    list_display = ("number", "holder", "types", "level", "department", "decided_on", "status", "problems")
    list_filter = (InstrumentTypeFilter, "level", "status", FindingFilter)
    search_fields = ("number", "holder__name", "holder__credit_code", "scope_lines__model")
    list_select_related = ("holder",)
    date_hierarchy = "decided_on"
    actions = ("check_selected",)
    fields = ("number", "holder", "department", "level", "accepted_on", "decided_on", "valid_until", "status",
              "ended_on", "approval_list")  # fmt: skip
    readonly_fields = fields
    inlines = (ScopeLineInline, ExcludedPeriodInline, ExtensionInline, VersionInline, FindingInline)

    def get_queryset(self, request):
        licences = super().get_queryset(request).prefetch_related("scope_lines__instrument_type")
        return register.with_standing_count(licences)

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, True  # searching scope-line models joins several lines per licence

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="器具类别")
    def types(self, obj):
        return "、".join(sorted({line.instrument_type.name for line in obj.scope_lines.all()})) or "—"

    @admin.display(description="问题", ordering="standing_count")
    def problems(self, obj):
        if not obj.standing_count:
            return "—"
        url = reverse("admin:inspections_licencefinding_changelist") + f"?licence__id__exact={obj.pk}"
        return format_html('<a href="{}">{}项</a>', url, obj.standing_count)

    @admin.display(description="依据的型式批准")
    def approval_list(self, obj):
        return "、".join(a.number for a in obj.approvals.order_by("number")) or "—"

    @admin.action(description="核查所选许可证", permissions=["change"])
    def check_selected(self, request, queryset):
        counts = run_checks(list(queryset.order_by()), by=request.user)
        self.message_user(
            request,
            f"已核查{counts['licences']}份许可证：新发现问题{counts['found']}项，仍待处理{counts['unchanged']}项。",
            messages.SUCCESS,
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def grant(**data):
            publicity = PublicityForm.take_publicity(data)
            licence = licences.licence_grant(by=request.user, publicity=publicity, **data)
            run_checks([licence], by=request.user)
            return licence

        return form_view(
            self,
            request,
            form=GrantForm(request.POST or None),
            title="登记核准的制造计量器具许可证",
            success="许可证已登记。",
            done_url=reverse("admin:inspections_manufacturinglicence_changelist"),
            run=grant,
        )


FINDING_TRANSITIONS = (
    Transition(
        "confirm",
        "确认问题",
        NoteForm,
        lambda f, u, **data: licences.finding_confirm(finding=f, by=u, **data),
        to=LicenceFinding.Status.CONFIRMED,
    ),
    Transition(
        "explain",
        "说明情况",
        ExplainForm,
        lambda f, u, **data: licences.finding_explain(finding=f, by=u, **data),
        to=LicenceFinding.Status.EXPLAINED,
    ),
)


class FindingTypeFilter(InstrumentTypeFilter):
    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(licence__scope_lines__instrument_type_id=self.value()).distinct()
        return queryset


@admin.register(LicenceFinding)
class LicenceFindingAdmin(TransitionAdminMixin, admin.ModelAdmin):
    """L3: findings come from the check run; staff confirm or explain each with its button."""

    transitions = FINDING_TRANSITIONS
    list_display = ("licence", "holder", "rule", "message", "status", "found_at")
    list_filter = ("rule", "status", "licence__level", FindingTypeFilter)
    search_fields = ("licence__number", "licence__holder__name", "message")
    list_select_related = ("licence__holder",)
    fields = ("licence", "rule", "message", "status", "note", "found_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="持证企业")
    def holder(self, obj):
        return obj.licence.holder.name


@admin.register(LicenceEvent)
class LicenceEventAdmin(EventAdmin):
    list_display = ("at", "action_label", "licence", "from_state", "to_state", "by", "note")
    list_filter = ("action_label",)
    search_fields = ("licence__number", "note")
    list_select_related = ("licence", "by")


@admin.register(LicenceCheckPolicy)
class LicenceCheckPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__",)

    def has_add_permission(self, request):
        return not LicenceCheckPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        """L3b/L3d read the time limits: every licence is checked again with the new ones."""
        super().save_model(request, obj, form, change)
        checks.recheck_all(by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
