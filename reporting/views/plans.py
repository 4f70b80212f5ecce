"""Station portal: annual plans (P1). Officers reach plans only through AnnualPlan.objects.for_user."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from authorizations.selectors.stations import officer_station
from reporting.forms.plans import PlanForm, ReasonForm
from reporting.models import AnnualPlan
from reporting.services import plans as services
from zzmetro.access import officer_required
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.pagecache import kept_rendered


def _plan_queryset(user, action: str = "view"):
    return AnnualPlan.objects.for_user(user, action=action).select_related("station", "issuance", "previous")


@officer_required
def plan_edit(request, year):
    """Draft or revise the station's plan for `year` (this year or next) from its certificate's items."""
    if year not in (beijing_today().year, beijing_today().year + 1):
        raise Http404
    station = officer_station(request.user)  # the plan is drafted for the officer's own station
    plan = _plan_queryset(request.user, "change").filter(year=year, status__in=AnnualPlan.OPEN).first()
    if plan and not plan.is_editable:
        messages.info(request, f"计划当前状态为“{plan.get_status_display()}”，不能修改。")
        return redirect("reporting:plan_detail", pk=plan.pk)
    items = services.plannable_items(station)
    form = PlanForm(request.POST if request.method == "POST" else None, items=items, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_save(station=station, year=year, lines=form.lines(), by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "计划已保存（草稿）。核对无误后请提交。")
            return redirect("reporting:plan_detail", pk=plan.pk)
    context = {"form": form, "year": year, "plan": plan, "items": items, "today": beijing_today()}
    return render(request, "reporting/plan_form.html", context)


@officer_required
@kept_rendered
def plan_detail(request, pk):
    plan = get_object_or_404(_plan_queryset(request.user).prefetch_related("lines__item"), pk=pk)
    versions = _plan_queryset(request.user).filter(station=plan.station_id, year=plan.year).order_by("-version")
    context = {
        "plan": plan,
        "versions": versions,
        "adjust_form": ReasonForm(),
        "events": plan.events.select_related("by"),
        "today": beijing_today(),
    }
    return render(request, "reporting/plan_detail.html", context)


@officer_required
@require_POST
def plan_submit(request, pk):
    plan = get_object_or_404(_plan_queryset(request.user, "submit"), pk=pk)
    try:
        plan = services.plan_submit(plan=plan, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        late = f"（逾期{plan.late_days}天）" if plan.late_days else ""
        messages.success(request, f"{plan.year}年度计划已提交{late}，待市局审核。")
    return redirect("reporting:plan_detail", pk=pk)


@officer_required
@require_POST
def plan_adjust(request, pk):
    plan = get_object_or_404(_plan_queryset(request.user, "adjust"), pk=pk)
    form = ReasonForm(request.POST)
    try:
        adjusted = services.plan_adjust(plan=plan, by=request.user, reason=form.data.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reporting:plan_detail", pk=pk)
    messages.success(request, f"已建立第{adjusted.version}版调整计划，请修改后提交审核。")
    return redirect("reporting:plan_edit", year=adjusted.year)
