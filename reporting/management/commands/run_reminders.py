"""Run the reminder jobs in-process for a given Beijing date (no broker needed), DOMAIN M3, P2.

    python manage.py run_reminders --date 2026-12-03

On a job day (1st, 3rd, 4th of a month; 1, 8, 11 December) it reminds exactly the stations that have not
submitted. Running it twice sends nothing twice; mails the server did not take wait in the outbox and are retried.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reporting.services.reminders import run_job
from zzmetro.dates import beijing_today

LABELS = {"monthly": "月报催报（每月1日、3日、4日）", "plan": "年度计划催报（12月1日、8日、11日）"}


class Command(BaseCommand):
    help = "按指定日期（北京时间）执行月报和年度计划催报任务（不需要消息队列）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="作为当天的日期，YYYY-MM-DD；默认今天（北京时间）")
        parser.add_argument("--kind", choices=list(LABELS), help="只执行一类提醒")

    def handle(self, *args, date=None, kind=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else beijing_today()
        except ValueError as error:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from error
        for name in [kind] if kind else list(LABELS):
            result = run_job(kind=name, day=day)
            if not result["pending"]:
                self.stdout.write(f"{day} {LABELS[name]}：无需发送")
                continue
            self.stdout.write(
                f"{day} {LABELS[name]}：待发送{result['pending']}封，已发送{result['sent']}封，邮件服务器暂不可达、排队待发{result['failed']}封（恢复后自动补发）"
            )
