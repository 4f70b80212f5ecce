"""Annual plans: draft, submit by 10 December, review, issue the city's plan, adjust by new version (P1)."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from authorizations.models import Station, VerificationItem
from authorizations.selectors.certificates import station_current_certificate
from authorizations.services.common import next_number
from reporting.deadlines import days_late, plan_due_on
from reporting.models import AnnualPlan, AnnualPlanLine, CityPlanIssuance, ReminderLog
from zzmetro import outbox
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.workflow import can, ensure, record, transition

from .common import require_reason, station_notice

P = AnnualPlan.Status


@dataclass(frozen=True)
class PlanLineInput:
    item: VerificationItem
    planned_count: int
    user_units: str = ""


def plannable_items(station: Station, day: dt.date | None = None) -> list[VerificationItem]:
    """P1: a plan is drafted from the items of the station's current certificate."""
    certificate = station_current_certificate(station, day or beijing_today())
    if certificate is None:
        return []
    return [ci.item for ci in certificate.certificate_items.all()]


def _lock(plan: AnnualPlan) -> AnnualPlan:
    return AnnualPlan.objects.select_for_update().select_related("station").get(pk=plan.pk)


def _check_lines(station: Station, lines: list[PlanLineInput]) -> None:
    if not lines:
        raise DomainError("计划至少应包含一个检定项目。", field="lines")
    allowed = {item.pk for item in plannable_items(station)}
    outside = [line.item.name for line in lines if line.item.pk not in allowed]
    if outside:
        raise DomainError(f"以下项目不在本单位计量授权证书的授权项目内：{'、'.join(outside)}。", field="lines")
    if len({line.item.pk for line in lines}) != len(lines):
        raise DomainError("同一检定项目只能填写一行。", field="lines")
    if any(line.planned_count < 0 for line in lines):
        raise DomainError("计划检定数量应为不小于0的整数。", field="lines")


def _replace_lines(plan: AnnualPlan, lines: list[PlanLineInput]) -> None:
    plan.lines.all().delete()
    AnnualPlanLine.objects.bulk_create(
        AnnualPlanLine(plan=plan, item=line.item, planned_count=line.planned_count, user_units=line.user_units.strip())
        for line in lines
    )


@transaction.atomic
def plan_save(*, station: Station, year: int, lines: list[PlanLineInput], by) -> AnnualPlan:
    """Create or revise the station's open draft (or returned) plan for `year`."""
    _check_lines(station, lines)
    open_plan = (
        AnnualPlan.objects.select_for_update().filter(station=station, year=year, status__in=AnnualPlan.OPEN).first()
    )
    if open_plan is None:
        if AnnualPlan.objects.filter(station=station, year=year, status=P.ISSUED).exists():
            raise DomainError(f"{year}年度计划已下达并锁定；如需调整，请在计划页面提出调整（新版本）。")
        open_plan = AnnualPlan.objects.create(station=station, year=year, due_on=plan_due_on(year), created_by=by)
        record(open_plan, action="draft", label="起草年度计划", by=by, before="")
    elif not open_plan.is_editable:
        raise DomainError(f"{open_plan}当前状态为“{open_plan.get_status_display()}”，不能修改。")
    _replace_lines(open_plan, lines)
    return open_plan


@transaction.atomic
def plan_submit(*, plan: AnnualPlan, by, at: dt.datetime | None = None) -> AnnualPlan:
    """P1: submit; the first submission of version 1 is measured against 10 December (T1)."""
    plan = _lock(plan)
    ensure(plan, to=P.SUBMITTED)
    if not plan.lines.exists():
        raise DomainError("计划至少应包含一个检定项目。")
    at = at or timezone.now()
    if plan.first_submitted_at is None:
        plan.first_submitted_at = at
        plan.late_days = days_late(at, plan.due_on) if plan.due_on else 0
    plan.submitted_at, plan.return_reason = at, ""
    late = f"（逾期{plan.late_days}天）" if plan.late_days else ""
    transition(
        plan,
        to=P.SUBMITTED,
        by=by,
        label="提交年度计划",
        note=late,
        update_fields=["first_submitted_at", "late_days", "submitted_at", "return_reason"],
    )
    outbox.cancel(topic=ReminderLog.topic_for(ReminderLog.Kind.PLAN, plan.station_id, dt.date(plan.year, 1, 1)))  # P2
    return plan


@transaction.atomic
def plan_return(*, plan: AnnualPlan, by, reason: str) -> AnnualPlan:
    """P1: the bureau returns the plan for revision with a reason; the officer revises and resubmits."""
    reason = require_reason(reason, "退回计划")
    plan = _lock(plan)
    ensure(plan, to=P.RETURNED)
    plan.return_reason, plan.reviewed_by, plan.reviewed_at = reason, by, timezone.now()
    notice = station_notice(
        plan.station,
        subject=f"{plan.year}年度强检计划退回修改",
        path=reverse("reporting:plan_detail", args=[plan.pk]),
        body=f"贵单位报送的{plan.year}年度强制检定计划已退回修改，请修改后重新提交。退回理由：{reason}",
    )
    transition(
        plan,
        to=P.RETURNED,
        by=by,
        label="退回年度计划",
        note=reason,
        notices=[notice],
        update_fields=["return_reason", "reviewed_by", "reviewed_at"],
    )
    return plan


@transaction.atomic
def plan_approve(*, plan: AnnualPlan, by, note: str = "") -> AnnualPlan:
    plan = _lock(plan)
    ensure(plan, to=P.APPROVED)
    plan.reviewed_by, plan.reviewed_at = by, timezone.now()
    transition(
        plan, to=P.APPROVED, by=by, label="审核通过年度计划", note=note, update_fields=["reviewed_by", "reviewed_at"]
    )
    return plan


@transaction.atomic
def plan_adjust(*, plan: AnnualPlan, by, reason: str) -> AnnualPlan:
    """P1: an issued plan is locked; an adjustment is a new version (draft) with a reason."""
    reason = require_reason(reason, "调整计划")
    plan = _lock(plan)
    if not can(plan, P.SUPERSEDED):  # only an issued plan is replaced by an adjusted version
        raise DomainError(f"{plan}当前状态为“{plan.get_status_display()}”，只有已下达的计划需要以新版本调整。")
    if AnnualPlan.objects.filter(station=plan.station, year=plan.year, status__in=AnnualPlan.OPEN).exists():
        raise DomainError(f"{plan.year}年度计划已有一个办理中的调整版本。")
    version = AnnualPlan.objects.filter(station=plan.station, year=plan.year).aggregate(v=Max("version"))["v"] + 1
    adjusted = AnnualPlan.objects.create(
        station=plan.station, year=plan.year, version=version, previous=plan, adjustment_reason=reason, created_by=by
    )
    AnnualPlanLine.objects.bulk_create(
        AnnualPlanLine(
            plan=adjusted, item_id=line.item_id, planned_count=line.planned_count, user_units=line.user_units
        )
        for line in plan.lines.all()
    )
    record(adjusted, action="adjust", label=f"提出计划调整（第{version}版）", by=by, before="", note=reason)
    return adjusted


@transaction.atomic
def city_plan_issue(*, year: int, by, reason: str = "", issued_on: dt.date | None = None) -> CityPlanIssuance:
    """P1: issue (下达) every approved plan of `year` in one action; earlier versions they adjust are superseded."""
    approved = list(
        AnnualPlan.objects.select_for_update().filter(year=year, status=P.APPROVED).select_related("station")
    )
    if not approved:
        raise DomainError(f"{year}年度没有审核通过、待下达的计划。", field="year")
    version = (CityPlanIssuance.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1
    if version > 1:
        reason = require_reason(reason, "调整后重新下达年度计划")
    issued_on = issued_on or beijing_today()
    number = f"郑质监量计〔{issued_on.year}〕{next_number('plan_issuance', issued_on.year)}号"
    issuance = CityPlanIssuance.objects.create(
        year=year, version=version, number=number, issued_on=issued_on, issued_by=by, reason=reason
    )
    for plan in approved:
        _issue_one(plan, issuance, by)
    return issuance


def _issue_one(plan: AnnualPlan, issuance: CityPlanIssuance, by) -> None:
    if plan.previous_id:
        previous = AnnualPlan.objects.select_for_update().get(pk=plan.previous_id)
        note = f"第{plan.version}版随{issuance.number}下达"
        transition(previous, to=P.SUPERSEDED, by=by, label="被调整版本替代", note=note)
    ensure(plan, to=P.ISSUED)
    plan.issuance = issuance
    notice = station_notice(
        plan.station,
        subject=f"{plan.year}年度强制检定计划已下达",
        path=reverse("reporting:plan_detail", args=[plan.pk]),
        body=f"市局已以{issuance.number}下达{plan.year}年度强制检定计划，贵单位计划（第{plan.version}版）已锁定，请按计划组织实施。",
    )
    transition(
        plan,
        to=P.ISSUED,
        by=by,
        label="下达年度计划",
        note=issuance.number,
        documents=issuance.number,
        notices=[notice],
        update_fields=["issuance"],
    )
