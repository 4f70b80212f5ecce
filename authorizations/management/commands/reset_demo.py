"""Wipe the embedded demo's data: its SQLite database, uploaded files and the mail folder (`make demo-reset`).

`make demo-reset` runs this and then loads the demo again; `make demo` alone would do the same on its next start. The
virtualenv and the prepared PDF fonts are kept, so a reset takes seconds. Refused outside the demo (DEBUG off) and on
any database but a SQLite file: this must never be the command that empties a production PostgreSQL.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


class Command(BaseCommand):
    help = "清除演示数据（SQLite 数据库、上传文件、邮件目录），不动虚拟环境和字体；之后 make demo 重新载入。"

    def add_arguments(self, parser):
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive", help="不询问确认")

    def handle(self, *args, interactive: bool = True, **options):
        database = _demo_database()
        targets = [database, *_sqlite_companions(database), *_folders()]
        if interactive:
            listed = "\n".join(f"  {path}" for path in targets)
            answer = input(f"将删除以下演示数据：\n{listed}\n输入 yes 确认：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未删除任何内容。")
        connections.close_all()
        for path in targets:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        self.stdout.write(self.style.SUCCESS("演示数据已清除。运行 make demo（或 make demo-reset）重新载入。"))


def _demo_database() -> Path:
    if not settings.DEBUG:
        raise CommandError("本命令只用于演示环境（DEBUG=1），以免误删正式数据。")
    config = settings.DATABASES["default"]
    name = str(config["NAME"])
    if config["ENGINE"] != "django.db.backends.sqlite3" or name in ("", ":memory:") or name.startswith("file:"):
        raise CommandError(f"演示数据库应为 SQLite 文件，当前为 {config['ENGINE']}：{name}。未删除任何内容。")
    return Path(name)


def _sqlite_companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-journal", "-wal", "-shm")]


def _folders() -> list[Path]:
    folders = [Path(settings.MEDIA_ROOT)]
    if getattr(settings, "EMAIL_FILE_PATH", None):
        folders.append(Path(settings.EMAIL_FILE_PATH))
    return folders
