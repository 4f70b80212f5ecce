"""Management-command twin of the weekly R2 task: `manage.py send_resource_warnings [--date 2026-05-04]`."""

import datetime as dt

from django.core.management.base import BaseCommand

from authorizations.services.resources import send_expiry_warnings
from zzmetro.dates import beijing_today


class Command(BaseCommand):
    help = "发送计量标准和检定人员证书到期提醒（90天、30天各一次）"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="按此日期计算（默认北京时间今天）")

    def handle(self, *args, date=None, **options):
        stations = send_expiry_warnings(day=date or beijing_today())
        self.stdout.write(self.style.SUCCESS(f"已向{stations}家单位发送到期提醒。"))
