"""Reads that carry the supervision rules: who lacks an inspection, what is overdue, evaluation figures (I1–I8)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from authorizations.models import Station
from authorizations.selectors.certificates import stations_authorized_in
from inspections.models import Complaint, Inspection, Rectification, SampleDraw, SampleItem, SamplingRatio
from inspections.services.sampling import pass_rate
from zzmetro.dates import beijing_today


def inspection_flag_day(year: int) -> dt.date:
    month, day = settings.ZZ_POLICY["INSPECTION_FLAG_MONTH_DAY"]
    return dt.date(year, month, day)


def stations_without_inspection(year: int, *, today: dt.date) -> QuerySet:
    """I1: authorized stations with no on-site inspection held this year so far; flagged once 30 November has passed."""
    held = Inspection.objects.filter(station=OuterRef("pk"), held_on__year=year, held_on__lte=today)
    return stations_authorized_in(year).exclude(Exists(held)).order_by("name")


def inspection_flagged(year: int, *, today: dt.date) -> QuerySet:
    if today <= inspection_flag_day(year):
        return Station.objects.none()
    deadline = inspection_flag_day(year)
    held = Inspection.objects.filter(station=OuterRef("pk"), held_on__year=year, held_on__lte=deadline)
    return stations_authorized_in(year).exclude(Exists(held)).order_by("name")


def rectifications_overdue(today: dt.date) -> QuerySet:
    """I1: notices past their deadline that the station has not answered."""
    return Rectification.objects.overdue_on(today).select_related("inspection__station").order_by("deadline")


def rectifications_awaiting_review() -> QuerySet:
    """I1: reports the stations have filed and bureau staff have not yet accepted, oldest first."""
    return (
        Rectification.objects.awaiting_review()
        .select_related("inspection__station")
        .order_by("answered_on", "deadline")
    )


@dataclass(frozen=True)
class Standing:
    """Where a rectification stands, said as who is waiting for whom (I1)."""

    text: str
    tone: str  # ok | warn | bad: the badge colour
    station_to_act: bool  # the station owes its report: the page offers the form


def rectification_standing(rectification: Rectification, today: dt.date) -> Standing:
    r, status = rectification, Rectification.Status
    if r.status == status.CLOSED:
        return Standing(f"市局已于{r.closed_on:%Y年%m月%d日}验收关闭", "ok", False)
    if r.status == status.ANSWERED:
        late = (r.answered_on - r.deadline).days if r.answered_on and r.answered_on > r.deadline else 0
        when = f"本单位已于{r.answered_on:%Y年%m月%d日}报送整改报告" + (f"（晚于期限{late}天）" if late else "（按期）")
        return Standing(f"{when}，等待市局验收", "warn" if late else "ok", False)
    if r.is_overdue_on(today):
        return Standing(f"已逾期{(today - r.deadline).days}天：市局等待本单位报送整改报告", "bad", True)
    left = (r.deadline - today).days
    return Standing(
        f"等待本单位整改：请于{r.deadline:%Y年%m月%d日}前报送整改报告（{f'还剩{left}天' if left else '今天截止'}）",
        "warn",
        True,
    )


def portal_inspections(user, today: dt.date) -> list[tuple[Inspection, Standing | None]]:
    """The officer's inspections, newest first, each with where its rectification stands (I1)."""
    inspections = Inspection.objects.for_user(user).select_related("rectification").prefetch_related("findings")[:20]
    return [
        (i, rectification_standing(i.rectification, today) if hasattr(i, "rectification") else None)
        for i in inspections
    ]


def open_complaints(today: dt.date) -> list[tuple[Complaint, int]]:
    """I5: open complaints with their age in days, oldest first."""
    complaints = (
        Complaint.objects.filter(status=Complaint.Status.OPEN).select_related("station").order_by("received_on")
    )
    return [(c, c.age_on(today)) for c in complaints]


def station_sample_pass_rate(station: Station, year: int):
    counts = (
        SampleItem.objects.filter(draw__station=station, draw__plan__year=year)
        .exclude(result=SampleItem.Result.PENDING)
        .aggregate(tested=Count("id"), passed=Count("id", filter=Q(result=SampleItem.Result.QUALIFIED)))
    )
    return pass_rate(counts["passed"], counts["tested"])


def evaluation_metrics(station: Station, year: int) -> dict:
    """I6: what the portal already knows about the station's year, as strings fit to show and store."""
    from reporting.models import AnnualPlan, AnnualPlanLine, MonthlyReportLine
    from reporting.selectors.reports import reporting_rates

    today = beijing_today()
    as_of = min(dt.date(year + 1, 1, 31), today)
    rates = reporting_rates(year, as_of=as_of, station_ids=[station.pk])
    row = rates.stations[0] if rates.stations else None
    planned = (
        AnnualPlanLine.objects.filter(
            plan__station=station, plan__year=year, plan__status=AnnualPlan.Status.ISSUED
        ).aggregate(total=Sum("planned_count"))["total"]
        or 0
    )
    verified = (
        MonthlyReportLine.objects.filter(
            version__report__station=station, version__report__period__year=year, version__is_current=True
        ).aggregate(total=Sum("verified"))["total"]
        or 0
    )
    inspection = (
        Inspection.objects.filter(station=station, held_on__year=year).exclude(result="").order_by("-held_on").first()
    )
    rate = station_sample_pass_rate(station, year)
    return {
        "on_time_rate": row.on_time_pct if row else "—",
        "reporting_rate": row.reporting_pct if row else "—",
        "plan_total": planned,
        "verified_total": verified,
        "plan_completion": f"{verified * 100 / planned:.1f}%" if planned else "—",
        "sample_pass_rate": "—" if rate is None else f"{rate:.2f}%",
        "inspection_result": inspection.get_result_display() if inspection else "本年度尚无现场检查",
        "open_complaints": Complaint.objects.filter(station=station, status=Complaint.Status.OPEN).count(),
    }


def station_ratios(year: int) -> QuerySet:
    return SamplingRatio.objects.filter(year=year).select_related("station").order_by("station__name")


def draws_for(user) -> QuerySet:
    return (
        SampleDraw.objects.for_user(user)
        .select_related("plan", "station")
        .annotate(
            pending=Count("items", filter=Q(items__result=SampleItem.Result.PENDING)),
            passed=Count("items", filter=Q(items__result=SampleItem.Result.QUALIFIED)),
            tested=Count("items", filter=~Q(items__result=SampleItem.Result.PENDING)),
        )
    )
