"""Deliver the mails waiting in the outbox now (what Celery beat does every minute).

python manage.py deliver_mail
"""

from django.core.management.base import BaseCommand

from zzmetro.outbox import deliver_due


class Command(BaseCommand):
    help = "立即发送邮件队列中到期的待发邮件（与定时任务每分钟所做的相同）"

    def handle(self, *args, **options):
        counts = deliver_due()
        self.stdout.write(
            f"已发送{counts['sent']}封；待重试{counts['retry']}封；多次失败转人工处理{counts['failed']}封。"
        )
