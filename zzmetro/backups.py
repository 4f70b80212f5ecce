"""One-file backups of the portal: the database (`pg_dump -Fc`), the uploaded files and a manifest (DOMAIN A12).

An archive is a tar (optionally gzip'd) holding

    database.dump   pg_dump's custom format, taken as the tables' owner (it must read every table)
    media/…         every file under MEDIA_ROOT, under its relative path
    manifest.json   sha256 and size of each file above, when and from which code version, the applied
                    migrations and the row count of every table, counted in the very snapshot pg_dump read

`restore_archive` checks every checksum before it touches anything, refuses a database that holds any table and a
MEDIA_ROOT that holds any file, loads the dump in one transaction (its triggers, the append-only guards among them,
come back with it), writes the files and compares every table's row count with the manifest.
The commands `manage.py backup` and `manage.py restore` wrap these; README "Backups" has the schedule.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterator

import psycopg2
from psycopg2 import sql

FORMAT = "zzmetro-backup/1"
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
# Where Debian's postgresql-client-NN puts its binaries; the newest one reads every older server.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """Refused or failed; the message is for the operator (Chinese)."""


# ---- the database as libpq sees it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """Connection settings of one PostgreSQL database, taken from a Django settings dict."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Database":
        if "postgresql" not in settings_dict["ENGINE"]:
            raise BackupError(
                "备份与恢复只支持 PostgreSQL 数据库。演示用的 SQLite 数据库请在停止服务后直接复制 db.sqlite3 文件"
                "和 MEDIA_ROOT（默认 var/media）目录。"
            )
        options = tuple(
            sorted((k, str(v)) for k, v in (settings_dict.get("OPTIONS") or {}).items() if k in LIBPQ_OPTIONS)
        )
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
            options=options,
        )

    def connect(self):
        """A connection, or a BackupError naming the server when it refuses, is silent past the timeout, or rejects us."""
        params = {
            "dbname": self.name,
            "user": self.user or None,
            "password": self.password or None,
            "host": self.host or None,
            "port": self.port or None,
            "connect_timeout": DEFAULT_CONNECT_TIMEOUT,
            **dict(self.options),
        }
        try:
            return psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
        except psycopg2.Error as error:
            raise BackupError(
                f"无法连接数据库“{self.name}”（{self.host or 'localhost'}:{self.port or 5432}）："
                f"{str(error).strip() or type(error).__name__}。请确认 PostgreSQL 正在运行且 DATABASE_URL 正确。"
            ) from error

    def libpq_env(self) -> dict[str, str]:
        """The environment pg_dump / pg_restore connect with: the password never appears on a command line."""
        env = {
            **os.environ,
            "PGDATABASE": self.name,
            "PGAPPNAME": "zzmetro-backup",
            "PGCONNECT_TIMEOUT": str(DEFAULT_CONNECT_TIMEOUT),
        }
        for key, value in (
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGHOST", self.host),
            ("PGPORT", self.port),
        ):
            if value:
                env[key] = value
        env.update({LIBPQ_OPTIONS[k]: v for k, v in self.options})
        return env


LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    # settings.py sets it from DATABASE_CONNECT_TIMEOUT: a silent database host fails the backup in seconds, not never.
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
DEFAULT_CONNECT_TIMEOUT = 10


def pg_tool(name: str) -> Path:
    """The newest Debian postgresql-client binary `name`, else the one on PATH."""
    candidates = [Path(folder) / name for folder in glob.glob(PG_BIN_GLOB) if (Path(folder) / name).is_file()]
    candidates.sort(key=lambda tool: _major(tool.parent.parent.name))
    if candidates:
        return candidates[-1]
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client）。"
        )
    return Path(found)


def _major(version: str) -> int:
    match = re.match(r"(\d+)", version)
    return int(match.group(1)) if match else 0


def tool_major(tool: Path) -> int:
    """`pg_dump --version` prints e.g. "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"."""
    output = subprocess.run([str(tool), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\)\s*(\d+)", output)
    return int(match.group(1)) if match else 0


def check_client_version(tool: Path, connection) -> int:
    """A client older than the server may misread its catalog; refuse before starting."""
    server_major = connection.server_version // 10000
    client_major = tool_major(tool)
    if client_major < server_major:
        raise BackupError(
            f"{tool.name} 的版本（{client_major}）低于数据库服务器（{server_major}）：请安装 postgresql-client-{server_major} "
            "或更新版本。"
        )
    return server_major


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{what}失败：{done.stderr.strip() or done.stdout.strip()}")


# ---- what the catalog says ----------------------------------------------------------------------------------------

USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"


def table_row_counts(cursor) -> dict[str, int]:
    """Every ordinary and partitioned table outside the system schemas, with its exact row count."""
    cursor.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMAS} ORDER BY 1, 2"
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[table if schema == "public" else f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def user_relations(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {USER_SCHEMAS}"
    )
    return cursor.fetchone()[0]


def applied_migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


# ---- writing an archive -------------------------------------------------------------------------------------------


def code_version(base_dir: Path) -> dict:
    """The git commit the code was deployed from (and whether it had local changes), else ZZ_CODE_VERSION."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(base_dir), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        status = subprocess.run(
            ["git", "-C", str(base_dir), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        commit = None
    if commit is not None and commit.returncode == 0:
        return {"git_commit": commit.stdout.strip(), "local_changes": bool(status.stdout.strip())}
    return {"version": os.environ.get("ZZ_CODE_VERSION", "unknown")}


def archive_path(target: Path, now: dt.datetime) -> Path:
    """`target` itself when it names an archive, else a new time-stamped archive inside the folder `target`."""
    if target.name.endswith(ARCHIVE_SUFFIXES):
        return target
    return target / f"zzmetro-{now:%Y%m%d-%H%M%S}.tar"


class _HashingReader:
    """Reads exactly `size` bytes of a file into the tar, hashing what it hands over."""

    def __init__(self, handle: IO[bytes]):
        self.handle, self.sha256, self.read_bytes = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.read_bytes += len(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str) -> dict:
    info = tar.gettarinfo(str(source), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with source.open("rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.sha256.hexdigest(), "size": info.size}


def media_files(media_root: Path) -> Iterator[tuple[Path, str]]:
    """Every regular file under MEDIA_ROOT, with its archive name media/<relative path> (symlinks are not followed)."""
    if not media_root.is_dir():
        return
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for filename in sorted(files):
            path = Path(folder) / filename
            if path.is_file() and not path.is_symlink():
                yield path, MEDIA_PREFIX + path.relative_to(media_root).as_posix()


def create_archive(
    *, database: Database, media_root: Path, target: Path, base_dir: Path, now: dt.datetime
) -> tuple[Path, dict]:
    """Write one archive; it gets its final name only once complete. Returns its path and manifest."""
    path = archive_path(target, now)
    if path.exists():
        raise BackupError(f"备份文件“{path}”已存在，不会覆盖。")
    pg_dump = pg_tool("pg_dump")
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        work_dir = tempfile.TemporaryDirectory(prefix="zzmetro-backup-", dir=path.parent)
    except OSError as error:
        raise BackupError(f"无法在“{path.parent}”中写入备份：{error}。") from error
    with work_dir as work:
        dump = Path(work) / DUMP_NAME
        database_info = _dump(database, pg_dump, dump)
        mode = "w:gz" if path.name.endswith((".gz", ".tgz")) else "w"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds password hashes
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode=mode, format=tarfile.PAX_FORMAT) as tar:
                files = {DUMP_NAME: _add_file(tar, dump, DUMP_NAME)}
                for source, name in media_files(media_root):
                    files[name] = _add_file(tar, source, name)
                manifest = {
                    "format": FORMAT,
                    "created_at": now.isoformat(),
                    "code": code_version(base_dir),
                    "database": database_info["database"],
                    "migrations": database_info["migrations"],
                    "tables": database_info["tables"],
                    "files": files,
                }
                _add_bytes(tar, MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            os.replace(partial, path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(f"写入备份文件“{path}”失败：{error}。未留下不完整的备份文件。") from error
        except BaseException:  # a BackupError, Ctrl-C or SIGTERM (the command turns it into SystemExit)
            partial.unlink(missing_ok=True)
            raise
    return path, manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _dump(database: Database, pg_dump: Path, out: Path) -> dict:
    """pg_dump in a snapshot exported by our own transaction, so the row counts are exactly those of the dump."""
    connection = database.connect()
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            server_major = check_client_version(pg_dump, connection)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = table_row_counts(cursor)
            migrations = applied_migrations(cursor)
            _run(
                [str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={out}"],
                database.libpq_env(),
                "pg_dump 导出数据库",
            )
        connection.rollback()
    finally:
        connection.close()
    return {
        "database": {
            "vendor": "postgresql",
            "name": database.name,
            "server_major": server_major,
            "pg_dump_major": tool_major(pg_dump),
        },
        "tables": tables,
        "migrations": migrations,
    }


# ---- reading an archive -------------------------------------------------------------------------------------------


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(f"备份文件“{path}”不存在。")
    try:
        return tarfile.open(path, mode="r:*")
    except UNREADABLE as error:
        raise BackupError(
            f"“{path}”不是有效的备份文件（既不是 tar 也不是 tar.gz 归档，或已损坏），已拒绝恢复。"
        ) from error


def _safe_media_name(name: str) -> PurePosixPath:
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if not name.startswith(MEDIA_PREFIX) or relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"备份文件中的路径“{name}”不合法，已拒绝恢复。")
    return relative


UNREADABLE = (tarfile.TarError, EOFError, zlib.error, OSError)


def _unreadable(path: Path, error: Exception) -> BackupError:
    return BackupError(f"备份文件“{path}”不完整或已损坏，无法读取（{type(error).__name__}：{error}），已拒绝恢复。")


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST_NAME)
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as error:
        raise BackupError("备份文件中没有可读的 manifest.json，无法核对，已拒绝恢复。") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise BackupError(f"备份格式“{found}”无法识别（应为 {FORMAT}），已拒绝恢复。")
    _check_manifest(manifest)
    return manifest


def _check_manifest(manifest: dict) -> None:
    """Everything restore reads from the manifest has its shape, checked before anything is written: a manifest that
    lacks the row counts must not fail after the dump is loaded. Media names are safe and none is another's folder."""

    def refuse(what: str):
        raise BackupError(f"备份清单 manifest.json 不完整或被改动（{what}），已拒绝恢复。")

    if not isinstance(manifest.get("created_at"), str) or not isinstance(manifest.get("code"), dict):
        refuse("created_at、code")
    tables, migrations, files = manifest.get("tables"), manifest.get("migrations"), manifest.get("files")
    if not isinstance(tables, dict) or not all(
        isinstance(k, str) and type(v) is int and v >= 0 for k, v in tables.items()
    ):
        refuse("tables")
    if not isinstance(migrations, dict) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names) for names in migrations.values()
    ):
        refuse("migrations")
    if not isinstance(files, dict) or not all(
        isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
        and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
        and type(entry.get("size")) is int
        and entry["size"] >= 0
        for entry in files.values()
    ):
        refuse("files")
    media = {_safe_media_name(name) for name in files if name != DUMP_NAME}
    folders = {parent for relative in media for parent in relative.parents}
    clash = sorted(media & folders)
    if clash:
        raise BackupError(f"备份文件中的“{MEDIA_PREFIX}{clash[0]}”既是文件又是目录，已拒绝恢复。")


def verify_archive(path: Path) -> dict:
    """Check every file against the manifest: same set of names, sizes and sha256. Returns the manifest.

    A truncated or corrupt archive (tar or gzip cut short) is refused in the same words, not with a traceback."""
    try:
        return _verify(path)
    except UNREADABLE as error:
        raise _unreadable(path, error) from error


def _verify(path: Path) -> dict:
    with _open(path) as tar:
        manifest = read_manifest(tar)
        listed = manifest.get("files") or {}
        if DUMP_NAME not in listed:
            raise BackupError("备份文件的清单中没有数据库导出文件，已拒绝恢复。")
        seen = set()
        for member in tar:
            if member.name == MANIFEST_NAME:
                continue
            if member.name not in listed or not member.isfile():
                raise BackupError(f"备份文件中的“{member.name}”不在清单中，文件可能被改动，已拒绝恢复。")
            if member.name != DUMP_NAME:
                _safe_media_name(member.name)
            digest, size = _digest(tar.extractfile(member))
            expected = listed[member.name]
            if size != expected["size"] or digest != expected["sha256"]:
                raise BackupError(f"“{member.name}”的校验和与清单不符，备份文件已损坏或被改动，已拒绝恢复。")
            seen.add(member.name)
        missing = sorted(set(listed) - seen)
        if missing:
            raise BackupError(f"备份文件缺少清单中的 {len(missing)} 个文件（如“{missing[0]}”），已拒绝恢复。")
    return manifest


def _digest(handle: IO[bytes]) -> tuple[str, int]:
    sha256, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        sha256.update(chunk)
        size += len(chunk)
    return sha256.hexdigest(), size


@dataclass
class RestoreResult:
    manifest: dict
    tables: int
    rows: int
    files: int


def restore_archive(*, path: Path, database: Database, media_root: Path) -> RestoreResult:
    """Verify, then load into an empty database and an empty MEDIA_ROOT, then compare the row counts."""
    manifest = verify_archive(path)
    pg_restore = pg_tool("pg_restore")
    _refuse_non_empty(database, media_root, pg_restore)
    with tempfile.TemporaryDirectory(prefix="zzmetro-restore-") as work, _open(path) as tar:
        dump = Path(work) / DUMP_NAME
        _extract_checked(tar, DUMP_NAME, dump, manifest)
        # --no-owner/--no-privileges: the restoring owner owns everything; grant_app_role then grants the app role.
        _run(
            [
                str(pg_restore),
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database.name}",
                str(dump),
            ],
            database.libpq_env(),
            "pg_restore 载入数据库",
        )
        media = [name for name in manifest["files"] if name != DUMP_NAME]
        for name in media:
            _extract_checked(tar, name, media_root / _safe_media_name(name), manifest)
    tables = _compare_counts(database, manifest["tables"])
    return RestoreResult(manifest=manifest, tables=len(tables), rows=sum(tables.values()), files=len(media))


def _refuse_non_empty(database: Database, media_root: Path, pg_restore: Path) -> None:
    connection = database.connect()
    try:
        check_client_version(pg_restore, connection)
        with connection.cursor() as cursor:
            relations = user_relations(cursor)
    finally:
        connection.close()
    if relations:
        raise BackupError(
            f"数据库“{database.name}”不是空的（已有 {relations} 个表、视图或序列）。恢复只写入新建的空数据库："
            "请由数据库管理员新建一个空数据库（所有者为表的所有者角色），把 DATABASE_URL 指向它后再恢复。"
        )
    if _holds_anything(media_root):
        raise BackupError(
            f"上传文件目录“{media_root}”中已有文件或链接。恢复只写入空目录：请清空或改用新的 MEDIA_ROOT 后再恢复。"
        )


def _holds_anything(media_root: Path) -> bool:
    """Any file or symbolic link under MEDIA_ROOT (empty folders are fine). A link to a folder elsewhere would carry
    the restored files out of MEDIA_ROOT, so it counts even when nothing lies behind it."""
    if not media_root.is_dir():
        return False
    for folder, dirs, files in os.walk(media_root):
        if files or any((Path(folder) / d).is_symlink() for d in dirs):
            return True
    return False


def _extract_checked(tar: tarfile.TarFile, name: str, target: Path, manifest: dict) -> None:
    """Copy one member out, hashing again: the archive may not change between the check and the restore."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(tar.getmember(name))
    sha256 = hashlib.sha256()
    with target.open("xb") as out:
        while chunk := source.read(CHUNK):
            sha256.update(chunk)
            out.write(chunk)
    if sha256.hexdigest() != manifest["files"][name]["sha256"]:
        raise BackupError(f"恢复过程中“{name}”的校验和与清单不符，备份文件在恢复期间被改动。")


def _compare_counts(database: Database, expected: dict[str, int]) -> dict[str, int]:
    connection = database.connect()
    try:
        with connection.cursor() as cursor:
            actual = table_row_counts(cursor)
    finally:
        connection.close()
    differ = sorted(t for t in set(expected) | set(actual) if expected.get(t) != actual.get(t))
    if differ:
        detail = "、".join(
            f"{t}（备份 {expected.get(t, '无此表')}，恢复后 {actual.get(t, '无此表')}）" for t in differ[:5]
        )
        raise BackupError(f"恢复后的行数与备份清单不符：{detail}。")
    return actual
