"""Demo plans and reports for the stations of `manage.py seed_demo` (idempotent), DOMAIN P1, M2–M8.

Next year's plans in several states, and monthly reports for the last six months: most on time, some late,
one reopened, and last month missing for a few stations so `run_reminders` has someone to remind.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from authorizations.demo_data import STATIONS
from authorizations.models import Role, Station, User
from reporting.deadlines import monthly_due_on
from reporting.models import AnnualPlan, MonthlyReport
from reporting.selectors.reports import month_authority
from reporting.services import plans, reports
from zzmetro.dates import BEIJING, add_months, beijing_today
from zzmetro.errors import DomainError

# station index in demo_data.STATIONS -> state of next year's plan
PLAN_STATES = {0: "draft", 2: "submitted", 3: "approved", 4: "returned", 5: "submitted", 6: "approved"}
LATE = {(3, 2), (5, 1), (8, 3)}  # (station index, months back) submitted two days late
MISSING_LAST_MONTH = {1, 4, 8}  # officer2's station among them: the 3rd-of-month job reminds them


class Command(BaseCommand):
    help = "载入演示用年度计划和月报（可重复执行；先运行 seed_demo）"

    def handle(self, *args, **options):
        today = beijing_today()
        self.bureau = User.objects.filter(role=Role.BUREAU).first()
        stations = {s.name: s for s in Station.objects.all()}
        made = {"plans": 0, "reports": 0}
        with transaction.atomic():
            for index, row in enumerate(STATIONS):
                station = stations.get(row[0])
                if station is None:
                    continue
                officer = station.officers.filter(is_active=True).first()
                made["plans"] += self._plan(index, station, officer, today)
                made["reports"] += self._reports(index, station, officer, today)
        self.stdout.write(
            self.style.SUCCESS(f"演示计划与报表已就绪：新建计划{made['plans']}份，月报{made['reports']}份。")
        )

    def _plan(self, index, station, officer, today) -> int:
        state, year = PLAN_STATES.get(index), today.year + 1
        if state is None or AnnualPlan.objects.filter(station=station, year=year).exists():
            return 0
        items = plans.plannable_items(station, today)
        if not items:
            return 0
        lines = [
            plans.PlanLineInput(item, 1200 + 150 * n + 37 * index, "辖区内供电、供水等用户单位")
            for n, item in enumerate(items)
        ]
        plan = plans.plan_save(station=station, year=year, lines=lines, by=officer)
        if state != "draft":
            plan = plans.plan_submit(plan=plan, by=officer, at=timezone.now() - dt.timedelta(days=3 + index))
        if state == "approved":
            plans.plan_approve(plan=plan, by=self.bureau, note="计划数量与上年执行情况相符")
        if state == "returned":
            plans.plan_return(
                plan=plan, by=self.bureau, reason="膜式燃气表计划数量明显低于上年实际检定量，请核实后修改"
            )
        return 1

    def _reports(self, index, station, officer, today) -> int:
        created = 0
        for back in range(6, 0, -1):
            period = add_months(today.replace(day=1), -back)
            if back == 1 and index in MISSING_LAST_MONTH:
                continue
            if MonthlyReport.objects.filter(station=station, period=period, first_submitted_at__isnull=False).exists():
                continue
            created += self._report(index, back, station, officer, period)
        return created

    def _report(self, index, back, station, officer, period) -> int:
        due = monthly_due_on(period)
        day = due + dt.timedelta(days=2) if (index, back) in LATE else due - dt.timedelta(days=1 + index % 2)
        at = dt.datetime.combine(day, dt.time(10, 30), tzinfo=BEIJING)
        if at > timezone.now():
            return 0
        month = month_authority(station, period)
        lines = [self._line(n, item, index, back) for n, item in enumerate(month.items, start=1)]
        try:
            nil = all(line.verified == 0 for line in lines)  # the suspended station confirms 本月无检定 (Q3)
            report = reports.monthly_submit(
                station=station, period=period, lines=lines, by=officer, at=at, nil_confirmed=nil
            )
        except DomainError:
            return 0  # not authorized that month
        if index == 0 and back == 2:
            reports.monthly_reopen(report=report, by=self.bureau, reason="电能表不合格数量与现场抽查记录不符，请核实")
        return 1

    @staticmethod
    def _line(n, item, index, back):
        verified = 80 + (n * 37 + index * 11 + back * 7) % 120 if index != 7 else 0  # 7: suspended, reports nothing
        unqualified = (n + index + back) % 4
        return reports.LineInput(
            n,
            item.code,
            verified,
            verified - unqualified if verified else 0,
            unqualified if verified else 0,
            verified // 3,
            "",
        )
