"""Restore a backup archive into an EMPTY database and an empty MEDIA_ROOT, then re-grant the application role.

    python manage.py restore /srv/backups/zzmetro-20261203-020000.tar
    python manage.py restore --check /srv/backups/zzmetro-20261203-020000.tar   # only verify the checksums

Every checksum is verified before anything is written; a database holding any table is refused. Connects as
DATABASE_MIGRATE_URL's owner when set, and grants DATABASE_URL's role afterwards (as `manage.py migrate` does).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from zzmetro import backups, dbroles
from zzmetro.management.commands.backup import describe_code


class Command(BaseCommand):
    help = "从备份文件恢复数据库和上传文件（只写入空数据库和空目录；先核对全部校验和）"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="manage.py backup 生成的备份文件")
        parser.add_argument("--check", action="store_true", help="只核对备份文件的校验和，不恢复")

    def handle(self, *args, archive, check, **options):
        path = Path(archive)
        try:
            if check:
                manifest = backups.verify_archive(path)
                self.stdout.write(
                    f"备份文件完好：{len(manifest['files'])} 个文件的校验和均与清单一致（备份于 {manifest['created_at']}）。"
                )
                return
            app_role = dbroles.use_owner_role(DEFAULT_DB_ALIAS)
            connection = connections[DEFAULT_DB_ALIAS]
            result = backups.restore_archive(
                path=path,
                database=backups.Database.from_settings(connection.settings_dict),
                media_root=Path(settings.MEDIA_ROOT),
            )
            if app_role:
                dbroles.grant_app_role(connection, app_role)
        except (backups.BackupError, dbroles.RoleError) as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            f"恢复完成：{result.tables} 个表共 {result.rows} 行与备份清单一致，上传文件 {result.files} 个；"
            f"备份于 {manifest['created_at']}，代码版本 {describe_code(manifest['code'])}。"
        )
        if app_role:
            self.stdout.write(f"已为应用数据库角色“{app_role}”授权。")
        self._migration_notes(manifest["migrations"])

    def _migration_notes(self, archived: dict[str, list[str]]) -> None:
        """Say whether this code is older or newer than the backup's schema."""
        on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        applied = {(app, name) for app, names in archived.items() for name in names}
        unknown = sorted(applied - on_disk)
        pending = sorted(on_disk - applied)
        if unknown:
            self.stdout.write(
                self.style.WARNING(
                    f"注意：备份中有 {len(unknown)} 个本代码没有的数据库迁移（如 {unknown[0][0]}.{unknown[0][1]}），"
                    "备份来自更新的代码版本，请部署备份清单中的代码版本后再启动服务。"
                )
            )
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    f"注意：本代码有 {len(pending)} 个备份中未应用的数据库迁移，请运行 manage.py migrate 后再启动服务。"
                )
            )
