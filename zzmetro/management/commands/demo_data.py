"""Load the embedded demo in one process: migrate, then each app's demo seeder (what `make demo` runs).

Each seeder stays in the app whose data it seeds; this only runs them in order, so Django (and the PDF library
it loads) starts once instead of five times.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

STEPS = (
    ("migrate", "建立数据库表", {"interactive": False, "verbosity": 0}),
    ("seed_demo", "单位、授权证书和账号", {}),
    ("seed_demo_archive", "计量标准、检定人员和强检器具档案", {}),
    ("seed_demo_reports", "年度计划和月度报表", {}),
    ("seed_demo_supervision", "监督检查、抽样和投诉", {}),
)


class Command(BaseCommand):
    help = "建立演示数据库并载入全部演示数据（可重复执行）"

    def handle(self, *args, **options):
        for number, (command, label, kwargs) in enumerate(STEPS, start=1):
            started = time.monotonic()
            self.stdout.write(f"[{number}/{len(STEPS)}] {label}……")
            call_command(command, stdout=self.stdout, **kwargs)
            self.stdout.write(f"      完成（{time.monotonic() - started:.1f} 秒）")
