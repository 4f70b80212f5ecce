"""Refuse to serve a database the code is newer than: `make serve` and zzmetro-web.service run this before gunicorn.

    python manage.py check_migrated   # exit status 0: every migration on disk is applied; 1: says which are not

Django's own `migrate --check` exits 1 without a word (and with a traceback when the database is down); an operator
reading `make serve`'s output or `journalctl -u zzmetro-web` must see why the portal did not start, in Chinese and
English. The migration plan is the one /healthz/ready reports (zzmetro/health.py).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from zzmetro import health


class Command(BaseCommand):
    help = "检查数据库是否已执行全部迁移；有未执行的迁移或无法连接数据库时以状态 1 退出并说明原因（启动服务前运行）"
    requires_system_checks = []

    def handle(self, *args, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        name = connection.settings_dict["NAME"]
        try:
            connection.ensure_connection()
            problem = health.pending_migrations(connection)
        except DatabaseError as error:
            raise CommandError(
                f"拒绝启动：无法连接数据库“{name}”，请确认 PostgreSQL 正在运行且 DATABASE_URL 正确。\n"
                f"Refusing to start: database {name!r} unreachable: {str(error).strip() or type(error).__name__}"
            ) from error
        if problem:
            raise CommandError(
                f"拒绝启动：{problem.zh[:-1]}（以 DATABASE_MIGRATE_URL 的所有者运行），然后再启动服务。\n"
                f"Refusing to start: {problem.en}; run `manage.py migrate` (as DATABASE_MIGRATE_URL's owner) first."
            )
        self.stdout.write(f"数据库“{name}”已执行全部迁移。/ Every migration is applied.")
