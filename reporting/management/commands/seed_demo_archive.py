"""Demo resources and archive for officer1's station (新密市供电公司计量中心): run after seed_demo; idempotent.

Standards and personnel (one certificate expiring within 30 days, DOMAIN R2) and about 200 instruments with a
verification each (DOMAIN M1), recorded through the services so every rule holds.
"""

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from authorizations.demo_data import STATIONS
from authorizations.models import MeasurementStandard, Personnel, Station
from authorizations.selectors.certificates import station_current_certificate
from authorizations.services.resources import person_save, standard_save
from reporting.models import Instrument, InstrumentUse
from reporting.services.archive import instrument_create
from zzmetro.dates import beijing_today

INSTRUMENTS = 200
USER_UNITS = [
    "新密市青屏商贸有限公司",
    "新密市第一人民医院",
    "新密市自来水公司",
    "郑州煤电物资供销有限公司",
    "新密市城关镇农贸市场",
    "新密市环境监测站",
]
METERS = {
    "DN01": ("单相电子式电能表", "DDZY71", "5(60)A", "2级"),
    "DN02": ("测量用电流互感器", "LMZ-0.66", "50/5A", "0.2S级"),
    "DN03": ("测量用电压互感器", "JDZ-10", "10kV/100V", "0.2级"),
}


class Command(BaseCommand):
    help = "为新密市供电公司计量中心载入演示用计量标准、检定人员和强检器具档案（可重复执行）"

    def handle(self, *args, **options):
        station = Station.objects.filter(name=STATIONS[0][0]).first()
        today = beijing_today()
        certificate = station and station_current_certificate(station, today)
        if certificate is None:
            raise CommandError("请先运行 manage.py seed_demo。")
        items = {ci.item.code: ci.item for ci in certificate.certificate_items.all()}
        with transaction.atomic():
            standards, people = self._resources(station, list(items.values()), today)
            created = self._instruments(
                station, items, standards, people, max(certificate.valid_from, today - dt.timedelta(days=300)), today
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"强检器具档案演示数据已就绪：新建器具{created}台，共{Instrument.objects.filter(station=station).count()}台。"
            )
        )

    def _resources(self, station, items, today):
        standards = [
            self._standard(
                station, items, "电能表检定装置", "[2023]豫量标郑证字第0101号", today + dt.timedelta(days=700)
            ),
            self._standard(
                station, items, "互感器检定装置", "[2022]豫量标郑证字第0102号", today + dt.timedelta(days=80)
            ),
        ]
        people = [
            self._person(station, items, "赵明", "verifier", "豫计检字2021-0301", today + dt.timedelta(days=900)),
            self._person(station, items, "孙丽娟", "registered", "豫注计2020-0107", today + dt.timedelta(days=20)),
        ]
        return standards, people

    def _standard(self, station, items, name, number, valid_until):
        existing = MeasurementStandard.objects.filter(station=station, certificate_number=number).first()
        return existing or standard_save(
            station=station,
            items=items,
            name=name,
            certificate_number=number,
            issued_on=valid_until - dt.timedelta(days=4 * 365),
            valid_until=valid_until,
            filing_status=MeasurementStandard.Filing.FILED,
            filing_number=f"郑量备{number[-6:-1]}",
        )

    def _person(self, station, items, name, kind, number, valid_until):
        existing = Personnel.objects.filter(station=station, certificate_number=number).first()
        return existing or person_save(
            station=station,
            items=items,
            name=name,
            certificate_type=kind,
            certificate_number=number,
            valid_until=valid_until,
        )

    def _instruments(self, station, items, standards, people, first_day, today) -> int:
        rng, created = random.Random(20260101), 0
        codes = sorted(c for c in items if c in METERS) or sorted(items)
        span = max((today - first_day).days, 1)
        for n in range(1, INSTRUMENTS + 1):
            code = codes[n % len(codes)]
            serial = f"XM{2026}{n:05d}"
            if Instrument.objects.filter(station=station, item=items[code], serial_number=serial).exists():
                continue
            name, model, span_text, accuracy = METERS.get(code, (items[code].name, "", "", ""))
            day = first_day + dt.timedelta(days=rng.randrange(span))
            instrument_create(
                station=station,
                item=items[code],
                user_unit=rng.choice(USER_UNITS),
                name=name,
                model=model,
                serial_number=serial,
                measuring_range=span_text,
                accuracy_class=accuracy,
                use=rng.choice(
                    [InstrumentUse.TRADE] * 3 + [InstrumentUse.SAFETY, InstrumentUse.MEDICAL, InstrumentUse.ENVIRONMENT]
                ),
                location=f"新密市青屏大街{rng.randrange(1, 300)}号",
                cycle_months=rng.choice([6, 12, 24]),
                today=today,
                verification={
                    "verified_on": day,
                    "result": "qualified" if rng.random() > 0.03 else "unqualified",
                    "certificate_number": f"XMJD-{day:%Y}-{n:05d}",
                    "verifier": people[n % 2],
                    "standard": standards[n % 2],
                },
            )
            created += 1
        return created
