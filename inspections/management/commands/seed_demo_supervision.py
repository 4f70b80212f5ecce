"""Demo supervision data on top of seed_demo (and seed_demo_archive when present). Idempotent."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from authorizations.demo_data import STATIONS
from authorizations.models import Station, User
from inspections.demo_licences import seed_licence_register
from inspections.models import Inspection, InspectionFinding, IntegrityEvaluation, SampleDraw, SupervisionPlan
from inspections.services import cases, onsite, sampling
from zzmetro.dates import beijing_today

CONFORM = {a.value: ("conforms", "") for a in InspectionFinding.Area}


class Command(BaseCommand):
    help = "载入监督检查演示数据（可重复执行）"

    def handle(self, *args, **options):
        seed_licence_register(self.stdout)  # the S2 register stands apart from the stations' supervision
        if Inspection.objects.exists():
            self.stdout.write("监督检查演示数据已存在。")
            return
        today = beijing_today()
        bureau = User.objects.get(username="bureau")
        stations = [Station.objects.get(name=row[0]) for row in STATIONS]
        with transaction.atomic():
            self._integrity(stations[:3])
            self._inspections(stations, bureau, today)
            self._complaints(stations, today)
            self._sampling(stations[0], bureau, today)
        self.stdout.write(self.style.SUCCESS("监督检查演示数据已就绪。"))

    def _integrity(self, named):
        """S1 四(十二): the three named stations completed the integrity evaluation in 2015."""
        for station in named:
            cases.integrity_record(
                station=station,
                by=None,
                status=IntegrityEvaluation.Status.DEMONSTRATION,
                evaluated_on=dt.date(2015, 9, 25),
            )

    def _inspections(self, stations, bureau, today):
        year = today.year
        for index, station in enumerate(stations[:7]):
            inspection = onsite.inspection_plan(
                station=station, by=bureau, planned_on=dt.date(year, 3 + index, 10), inspectors="刘计量、张检查"
            )
            if index == 1:  # 荥阳: rectification answered, waiting for acceptance
                findings = {**CONFORM, "records": ("nonconforms", "部分原始记录缺少核验人签名")}
                inspection = onsite.inspection_record(
                    inspection=inspection,
                    by=bureau,
                    held_on=dt.date(year, 4, 12),
                    findings=findings,
                    result="rectify",
                    requirements="补齐原始记录签名，组织记录规范培训",
                    deadline=dt.date(year, 5, 31),
                )
                onsite.rectification_answer(
                    rectification=inspection.rectification,
                    by=None,
                    answer="已补齐签名并完成培训。",
                    answered_on=dt.date(year, 5, 20),
                )
            elif index == 4:  # overdue rectification
                findings = {**CONFORM, "traceability": ("nonconforms", "燃气表检定装置超期未溯源")}
                onsite.inspection_record(
                    inspection=inspection,
                    by=bureau,
                    held_on=dt.date(year, 7, 10),
                    findings=findings,
                    result="rectify",
                    requirements="将检定装置送上级计量技术机构溯源",
                    deadline=dt.date(year, 9, 30),
                )
            else:
                onsite.inspection_record(
                    inspection=inspection,
                    by=bureau,
                    held_on=dt.date(year, 3 + index, 12),
                    findings=CONFORM,
                    result="pass",
                )

    def _complaints(self, stations, today):
        cases.complaint_file(
            station=stations[0],
            by=None,
            received_on=today - dt.timedelta(days=40),
            complainant="王先生",
            contact="138****0001",
            subject="居民电能表计量偏快",
            description="用户反映家中电能表计量偏快，要求复检。",
        )
        cases.complaint_file(
            station=stations[3],
            by=None,
            received_on=today - dt.timedelta(days=8),
            complainant="李女士",
            subject="水表走字异常",
            description="用户反映夜间无用水时水表仍走字。",
        )

    def _sampling(self, station, bureau, today):
        from reporting.models import Verification

        year = today.year
        plan, _ = SupervisionPlan.objects.get_or_create(year=year, defaults={"institution": "郑州市计量科学研究院"})
        if (
            not Verification.objects.filter(station=station, verified_on__year=year).exists()
            or SampleDraw.objects.filter(plan=plan, station=station).exists()
        ):
            return
        sampling.compute_sampling_ratios(year=year)
        from inspections.models import SamplingRatio

        SamplingRatio.objects.filter(year=year, station=station, sample_size=0).update(sample_size=5, plan_total=50)
        draw = sampling.sample_draw(plan=plan, station=station, by=bureau, seed=20261122)
        for n, item in enumerate(draw.items.all()):
            sampling.sample_record_result(
                item=item, by=bureau, result="unqualified" if n == 0 else "qualified", recorded_on=today
            )
        sampling.sample_notify(draw=draw, by=bureau, notified_on=today)
