"""Write one backup archive: the database (pg_dump -Fc), the uploaded files and a manifest with checksums.

    python manage.py backup                       # var/backups/zzmetro-<Beijing time>.tar
    python manage.py backup /srv/backups/         # a new time-stamped archive in that folder
    python manage.py backup /srv/backups/x.tar.gz # exactly this file, gzip'd

Connects as DATABASE_MIGRATE_URL's owner when set (pg_dump must read every table); README "Backups". A database that
refuses or stays silent fails in seconds with a message and exit status 1; a backup that fails or is stopped (Ctrl-C,
SIGTERM from systemd or `timeout`) leaves neither a half-written archive nor its working folder.
"""

import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from zzmetro import backups, dbroles
from zzmetro.dates import beijing_now


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个归档文件（含校验清单）"

    def add_arguments(self, parser):
        parser.add_argument(
            "target",
            nargs="?",
            default=str(settings.BASE_DIR / "var" / "backups"),
            help="备份文件（以 .tar 或 .tar.gz 结尾），或存放备份的目录（默认 var/backups/）",
        )

    def handle(self, *args, target, **options):
        signal.signal(signal.SIGTERM, _stop)
        dbroles.use_owner_role(DEFAULT_DB_ALIAS)
        try:
            database = backups.Database.from_settings(connections[DEFAULT_DB_ALIAS].settings_dict)
            path, manifest = backups.create_archive(
                database=database,
                media_root=Path(settings.MEDIA_ROOT),
                target=Path(target),
                base_dir=Path(settings.BASE_DIR),
                now=beijing_now(),
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        media = len(manifest["files"]) - 1
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"备份完成：{path}（{path.stat().st_size / 1024 / 1024:.1f} MB）；数据库 {len(manifest['tables'])} 个表共 {rows} 行，"
            f"上传文件 {media} 个；代码版本 {describe_code(manifest['code'])}。"
        )


def _stop(signum, frame):
    """SIGTERM unwinds like Ctrl-C, so the partial archive and the working folder are removed on the way out."""
    raise SystemExit(128 + signum)


def describe_code(code: dict) -> str:
    if "git_commit" in code:
        return code["git_commit"][:12] + ("（有未提交的改动）" if code["local_changes"] else "")
    return code.get("version", "unknown")
