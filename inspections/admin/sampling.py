from django.contrib import admin, messages
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from authorizations.admin.common import ReadOnlyInline
from inspections.exports import sample_list_response
from inspections.forms.supervision import NotifyForm, SampleResultsForm
from inspections.models import SampleDraw, SampleItem, SamplingPolicy, SamplingRatio, SupervisionPlan
from inspections.services import sampling
from zzmetro.admin_transitions import Transition, TransitionAdminMixin, form_view


@admin.register(SamplingPolicy)
class SamplingPolicyAdmin(admin.ModelAdmin):
    """I3 policy rows, editable by staff; the ratio job reads them."""

    list_display = ("min_pass_rate", "ratio_percent", "used_without_data", "note")


@admin.register(SupervisionPlan)
class SupervisionPlanAdmin(admin.ModelAdmin):
    list_display = ("year", "institution", "draw_count")
    actions = ("compute_ratios", "draw_samples")

    @admin.display(description="已抽样单位数")
    def draw_count(self, obj):
        return obj.draws.count()

    @admin.action(description="计算所选年度各单位的抽样比例", permissions=["change"])
    def compute_ratios(self, request, queryset):
        for plan in queryset:  # a few queries for any number of stations: no broker needed, staff see it at once
            sampling.compute_sampling_ratios(year=plan.year)
        self.message_user(request, "抽样比例已计算完成；结果见“抽样比例计算结果”。", messages.SUCCESS)

    @admin.action(description="为所选年度所有应抽样单位抽取样本", permissions=["change"])
    def draw_samples(self, request, queryset):
        drawn = 0
        for plan in queryset:
            ratios = SamplingRatio.objects.filter(year=plan.year, sample_size__gt=0).exclude(
                station__sample_draws__plan=plan
            )
            for ratio in ratios.select_related("station"):
                sampling.sample_draw(plan=plan, station=ratio.station, by=request.user)
                drawn += 1
        self.message_user(request, f"已为{drawn}家单位抽取样本。", messages.SUCCESS)


@admin.register(SamplingRatio)
class SamplingRatioAdmin(admin.ModelAdmin):
    """The job's result with the numbers it came from, so staff can explain each ratio (I2, I3)."""

    list_display = (
        "year",
        "station",
        "previous_tested",
        "previous_passed",
        "previous_pass_rate",
        "policy",
        "ratio_percent",
        "plan_total",
        "sample_size",
        "computed_at",
    )
    list_filter = ("year", "ratio_percent")
    search_fields = ("station__name",)
    list_select_related = ("station",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SampleItemInline(ReadOnlyInline):
    model = SampleItem
    fields = ("instrument", "use", "verified_on", "result", "recorded_on", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verification__instrument")

    @admin.display(description="器具")
    def instrument(self, obj):
        instrument = obj.verification.instrument
        return f"{instrument.name} {instrument.serial_number}（{instrument.user_unit}）"

    @admin.display(description="用途")
    def use(self, obj):
        return obj.verification.get_use_display()

    @admin.display(description="检定日期")
    def verified_on(self, obj):
        return obj.verification.verified_on


def _record_results(draw, user, *, recorded_on, **fields):
    for name, result in fields.items():
        item = draw.items.get(pk=int(name.removeprefix("item_")))
        if result != SampleItem.Result.PENDING and result != item.result:
            sampling.sample_record_result(item=item, by=user, result=result, recorded_on=recorded_on)


SAMPLE_TRANSITIONS = (
    Transition(
        "notify",
        "告知单位复核结果",
        NotifyForm,
        lambda d, u, **data: sampling.sample_notify(draw=d, by=u, **data),
        confirm="告知后复核结果不能再修改，单位将收到邮件并可在门户查看。",
        to=SampleDraw.Status.NOTIFIED,
    ),
)


@admin.register(SampleDraw)
class SampleDrawAdmin(TransitionAdminMixin, admin.ModelAdmin):
    transitions = SAMPLE_TRANSITIONS
    list_display = (
        "plan",
        "station",
        "status",
        "size",
        "population",
        "trade_population",
        "seed",
        "drawn_at",
        "notified_on",
    )
    list_filter = ("plan__year", "status", "notified_on")
    search_fields = ("station__name",)
    list_select_related = ("plan", "station")
    readonly_fields = (
        "plan",
        "station",
        "seed",
        "size",
        "population",
        "trade_population",
        "drawn_at",
        "drawn_by",
        "status",
        "notified_on",
        "results",
    )
    inlines = (SampleItemInline,)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="复核结果")
    def results(self, obj):
        r = sampling.draw_results(obj)
        rate = "—" if r["pass_rate"] is None else f"{r['pass_rate']:.2f}%"
        return f"共{r['total']}台件：待复核{r['pending']}，合格{r['passed']}，不合格{r['failed'] - r['refused']}，拒不配合{r['refused']}；合格率{rate}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["document_links"] = [
            ("录入复核结果", reverse("admin:inspections_sampledraw_results", args=[object_id])),
            ("导出样本清单Excel", reverse("admin:inspections_sampledraw_export", args=[object_id])),
        ]
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/results/",
                self.admin_site.admin_view(self.results_view),
                name="inspections_sampledraw_results",
            ),
            path(
                "<int:pk>/export.xlsx",
                self.admin_site.admin_view(self.export_view),
                name="inspections_sampledraw_export",
            ),
        ] + super().get_urls()

    def results_view(self, request, pk):
        from django.core.exceptions import PermissionDenied

        draw = get_object_or_404(SampleDraw, pk=pk)
        if not self.has_change_permission(request, draw):
            raise PermissionDenied
        items = list(draw.items.select_related("verification__instrument"))
        form = SampleResultsForm(request.POST or None, items=items)
        done = reverse("admin:inspections_sampledraw_change", args=[pk])
        return form_view(
            self,
            request,
            form=form,
            title=f"录入复核结果：{draw}",
            done_url=done,
            success="复核结果已保存。",
            run=lambda **data: _record_results(draw, request.user, **data),
        )

    def export_view(self, request, pk):
        draw = get_object_or_404(SampleDraw.objects.select_related("plan", "station"), pk=pk)
        return sample_list_response(draw)
