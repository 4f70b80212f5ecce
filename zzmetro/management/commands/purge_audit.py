"""Delete security events older than the retention setting now (what Celery beat does daily at 03:00).

python manage.py purge_audit              # AUDIT_RETENTION_DAYS (default 180)
python manage.py purge_audit --days 365   # keep longer this time; fewer than 180 days are refused
"""

from django.core.management.base import BaseCommand, CommandError

from zzmetro.audit import AuditRetentionError, purge, retention_days


class Command(BaseCommand):
    help = "删除超过保存期限的安全审计记录（与每日 03:00 的定时任务相同；保存期限不得少于180天）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保存天数，默认取 AUDIT_RETENTION_DAYS")

    def handle(self, *args, days=None, **options):
        days = retention_days() if days is None else days
        try:
            removed = purge(days=days)
        except AuditRetentionError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已删除{removed}条{days}天以前的安全审计记录。")
