"""`manage.py backup` and `manage.py restore` round-trip the whole portal into a fresh PostgreSQL database (A12, G4).

Everything runs as an operator would: `manage.py` in a subprocess, with the two database roles of README "Database
roles" (the owner migrates, backs up and restores; the application role seeds and serves), against scratch databases
and roles created on the test PostgreSQL server and dropped afterwards.
"""

import contextlib
import gzip
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from zzmetro.tests.netpeers import free_port, silent_server

EVENT_TABLES = ["authorizations_lifecycleevent", "inspections_supervisionevent", "reporting_reportingevent"]
MEDIA = {
    "materials/2026/新密市供电公司 计量授权申请书.pdf": b"%PDF-1.7\n" + "申请书扫描件".encode() * 200 + b"\n%%EOF\n",
    "certificates/seal.png": bytes(range(256)) * 64,
    "reports/2026/11/月报（盖章）.xlsx": os.urandom(70_000),
}
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are pg_dump archives")


def server(dbname: str, user: str | None = None):
    """A connection to `dbname` on the test server, as the test's own (super)user unless `user` is given."""
    test = connection.settings_dict
    conn = psycopg2.connect(
        dbname=dbname,
        user=user or test["USER"],
        password=None if user else (test["PASSWORD"] or None),
        host=test["HOST"] or None,
        port=test["PORT"] or None,
    )
    conn.autocommit = True
    return conn


def url(user: str, dbname: str) -> str:
    test = connection.settings_dict
    return f"postgres://{user}@{test['HOST'] or '127.0.0.1'}:{test['PORT'] or 5432}/{dbname}"


def run(sql: str, dbname: str = "postgres", user: str | None = None):
    conn = server(dbname, user)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def row_counts(dbname: str) -> dict[str, int]:
    """Every base table of the database, from the catalog, with its row count."""
    tables = run(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        dbname,
    )
    conn = server(dbname)
    try:
        with conn.cursor() as cursor:
            counts = {}
            for (table,) in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
            return counts
    finally:
        conn.close()


def checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


class Site(SimpleNamespace):
    """One deployment: a database owned by the owner role, its MEDIA_ROOT, and `manage.py` pointed at both."""

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zzmetro.settings",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": url(self.app, self.db),
            "DATABASE_MIGRATE_URL": url(self.owner, self.db),
            "MEDIA_ROOT": str(self.media),
            "REDIS_URL": "",
            "CACHE_URL": "locmemcache://",
            "EMAIL_URL": "",
            "EMAIL_FILE_PATH": str(self.media.parent / "mail"),
        }
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """Roles and databases made for this module, dropped afterwards (they live outside the test database)."""
    tag = uuid.uuid4().hex[:8]
    owner, app = f"zz_bk_owner_{tag}", f"zz_bk_app_{tag}"
    run(f'CREATE ROLE "{owner}" LOGIN')
    run(f'CREATE ROLE "{app}" LOGIN')
    made = []

    def site(name: str) -> Site:
        db = f"zz_bk_{name}_{tag}"
        run(f'CREATE DATABASE "{db}" OWNER "{owner}"')
        made.append(db)
        run(f'ALTER SCHEMA public OWNER TO "{owner}"', db)
        media = tmp_path_factory.mktemp(name) / "media"
        return Site(db=db, owner=owner, app=app, media=media)

    yield SimpleNamespace(site=site, tmp=tmp_path_factory.mktemp("archives"))
    for db in made:
        run(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    for role in (app, owner):
        run(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture(scope="module")
def source(scratch):
    """A migrated portal with the demo's stations, events and accounts, and a few uploaded files; backed up once."""
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump archives")
    site = scratch.site("source")
    for command in (["migrate", "-v0"], ["seed_demo"]):
        done = site.manage(*command)
        assert done.returncode == 0, done.stderr
    for name, data in MEDIA.items():
        (site.media / name).parent.mkdir(parents=True, exist_ok=True)
        (site.media / name).write_bytes(data)
    done = site.manage("backup", str(scratch.tmp))
    assert done.returncode == 0, done.stderr
    site.archive = next(scratch.tmp.glob("zzmetro-*.tar"))
    site.backup_output = done.stdout
    return site


@postgresql_only
def test_backup_is_one_archive_with_the_dump_the_files_and_a_manifest_of_checksums(source):
    """The archive holds database.dump, every media file and a manifest naming the code and migration state."""
    with tarfile.open(source.archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
        dump = tar.extractfile("database.dump").read()
    assert names == {"manifest.json", "database.dump", *(f"media/{name}" for name in MEDIA)}
    assert manifest["files"]["database.dump"] == {"sha256": hashlib.sha256(dump).hexdigest(), "size": len(dump)}
    for name, data in MEDIA.items():
        assert manifest["files"][f"media/{name}"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "0001_initial" in manifest["migrations"]["authorizations"]
    assert manifest["code"].get("git_commit") or manifest["code"].get("version")
    assert manifest["tables"] == row_counts(source.db)
    assert oct(source.archive.stat().st_mode)[-3:] == "600"  # it holds password hashes
    assert "备份完成" in source.backup_output


@postgresql_only
def test_restore_into_an_empty_database_brings_back_every_row_every_file_and_the_event_guards(scratch, source):
    """A12: every table's row count and every file's checksum survive the round trip, and events stay append-only."""
    target = scratch.site("restored")
    assert target.manage("restore", "--check", str(source.archive)).returncode == 0

    done = target.manage("restore", str(source.archive))

    assert done.returncode == 0, done.stderr
    assert "恢复完成" in done.stdout and f"“{target.app}”授权" in done.stdout
    expected = row_counts(source.db)
    assert row_counts(target.db) == expected
    assert all(
        expected[table] > 0
        for table in ("authorizations_station", "authorizations_lifecycleevent", "authorizations_user")
    )
    assert checksums(target.media) == checksums(source.media) and len(checksums(target.media)) == len(MEDIA)
    for user in (target.owner, target.app):  # the owner meets the trigger; the app role is not even granted UPDATE
        with pytest.raises(psycopg2.Error, match="append-only|permission denied"):
            run("UPDATE authorizations_lifecycleevent SET note = '改写'", target.db, user)
    with pytest.raises(psycopg2.Error, match="append-only"):
        run("TRUNCATE authorizations_lifecycleevent", target.db, target.owner)
    assert (
        run("SELECT count(*) FROM authorizations_station", target.db, target.app)[0][0]
        == expected["authorizations_station"]
    )


@postgresql_only
def test_restore_refuses_a_database_that_already_holds_tables(source):
    """A restore never writes over a live database: it names the database and changes nothing."""
    before = row_counts(source.db)

    done = source.manage("restore", str(source.archive))

    assert done.returncode != 0
    assert f"数据库“{source.db}”不是空的" in done.stderr
    assert row_counts(source.db) == before


@postgresql_only
def test_restore_refuses_a_tampered_archive_before_touching_the_database(scratch, source):
    """G4: one changed byte in one uploaded file fails the checksum, and the empty database stays empty."""
    tampered = scratch.tmp / "tampered.tar"
    with tarfile.open(source.archive) as original, tarfile.open(tampered, "w") as copy:
        for member in original:
            data = original.extractfile(member).read()
            if member.name == "media/certificates/seal.png":
                data = b"X" + data[1:]
            copy.addfile(member, io.BytesIO(data))
    target = scratch.site("tampered")

    done = target.manage("restore", str(tampered))

    assert done.returncode != 0
    assert "“media/certificates/seal.png”的校验和与清单不符" in done.stderr
    assert run("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace", target.db)[0][0] == 0
    assert not target.media.exists() or not any(target.media.iterdir())


def test_backup_of_the_sqlite_demo_is_refused_in_plain_words(tmp_path):
    """The embedded demo's SQLite file is copied by hand; the command says so instead of failing obscurely."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "DATABASE_MIGRATE_URL": ""}
    done = subprocess.run(
        [sys.executable, "manage.py", "backup", str(tmp_path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "只支持 PostgreSQL" in done.stderr and "db.sqlite3" in done.stderr
    assert not list(tmp_path.glob("*.tar"))


def rewrite(source: Path, target: Path, *, drop=(), add=None, manifest=None, recount=True):
    """A copy of `source` without the members `drop`, with `add` (name → bytes); its manifest edited by `manifest`
    (a function) and, unless `recount` is off, listing the added members with their true checksums, so that only the
    change under test is wrong."""
    with tarfile.open(source) as original:
        members = [(m, original.extractfile(m).read()) for m in original if m.name not in drop]
    listed = json.loads(next((data for m, data in members if m.name == "manifest.json"), b"null"))
    for name, data in (add or {}).items():
        if recount and listed:
            listed["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        info = tarfile.TarInfo(name)
        info.size = len(data)
        members.insert(-1, (info, data))
    if manifest:
        listed = manifest(listed)
    with tarfile.open(target, "w", format=tarfile.GNU_FORMAT) as copy:
        for member, data in members:
            if member.name == "manifest.json":
                data = json.dumps(listed).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


def assert_untouched(site, outside: Path):
    """Nothing was written: no relation in the database, no file under MEDIA_ROOT, nothing beside the archive."""
    assert run("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace", site.db)[0][0] == 0
    assert not site.media.exists() or not any(site.media.rglob("*"))
    assert not list(outside.rglob("x*"))


def without_tables(manifest):
    del manifest["tables"]
    return manifest


def as_list(manifest):
    return [manifest]


HOSTILE = {
    # name: (how the archive is made from the good one, the words of the refusal)
    "traversal": (dict(add={"../../etc/x": b"root::0:0::/:/bin/sh\n"}), "路径“../../etc/x”不合法"),
    "absolute": (dict(add={"/etc/x": b"root::0:0::/:/bin/sh\n"}), "路径“/etc/x”不合法"),
    "traversal_in_media": (dict(add={"media/../../x": b"x"}), "路径“media/../../x”不合法"),
    "file_and_folder": (
        dict(add={"media/certificates/seal.png/x": b"x"}),
        "“media/certificates/seal.png”既是文件又是目录",
    ),
    "unlisted_member": (dict(add={"media/x.pdf": b"%PDF"}, recount=False), "“media/x.pdf”不在清单中"),
    "missing_manifest": (dict(drop={"manifest.json"}), "没有可读的 manifest.json"),
    "missing_member": (dict(drop={"media/certificates/seal.png"}), "缺少清单中的 1 个文件"),
    "manifest_without_row_counts": (dict(manifest=without_tables), "manifest.json 不完整或被改动（tables）"),
    "manifest_not_an_object": (dict(manifest=as_list), "备份格式“list”无法识别"),
}


@postgresql_only
@pytest.mark.parametrize("case", list(HOSTILE))
def test_restore_refuses_a_hostile_or_incomplete_archive_before_writing_anything(scratch, source, case, tmp_path):
    """G4, A12: names that climb out of MEDIA_ROOT (../../etc/x, /etc/x), a file that is also a folder, a member or a
    manifest entry too many or too few, a manifest without the row counts: refused with a message, nothing written."""
    how, words = HOSTILE[case]
    (tmp_path / "archive").mkdir()
    archive = rewrite(source.archive, tmp_path / "archive" / f"{case}.tar", **how)
    target = scratch.site(f"hostile_{case}")
    target.media = tmp_path / "root" / "srv" / "media"  # ../../x would land in tmp_path/root

    checked = target.manage("restore", "--check", str(archive))
    done = target.manage("restore", str(archive))

    for result in (checked, done):
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert words in result.stderr and "已拒绝恢复" in result.stderr
    assert_untouched(target, tmp_path / "root")


@postgresql_only
@pytest.mark.parametrize("cut", ["half", "gzip_half", "not_an_archive"])
def test_restore_refuses_a_truncated_or_foreign_file_in_plain_words(scratch, source, cut, tmp_path):
    """A12: a copy cut short (an interrupted rsync) or a file that is no archive at all is refused with one line that
    says so, not a traceback, and nothing is written."""
    data = source.archive.read_bytes()
    if cut == "half":
        archive, body = tmp_path / "cut.tar", data[: len(data) // 2]
    elif cut == "gzip_half":
        packed = gzip.compress(data)
        archive, body = tmp_path / "cut.tar.gz", packed[: len(packed) // 2]
    else:
        archive, body = tmp_path / "notes.tar", "这不是备份文件".encode() * 500
    archive.write_bytes(body)
    target = scratch.site(f"cut_{cut}")

    done = target.manage("restore", str(archive))

    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "已拒绝恢复" in done.stderr and ("不完整或已损坏" in done.stderr or "不是有效的备份文件" in done.stderr)
    assert_untouched(target, tmp_path / "nothing")


def backup_against(port: int, folder: Path, **popen) -> subprocess.Popen:
    """`manage.py backup folder` with the database on 127.0.0.1:`port` (closed or silent), connect timeout 2 s."""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/zzmetro",
        "DATABASE_MIGRATE_URL": "",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(folder.parent / "media"),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "backup", str(folder)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


@pytest.mark.parametrize("database", ["closed port", "silent server"])
def test_backup_of_an_unreachable_database_fails_in_seconds_and_leaves_nothing(database, tmp_path):
    """A12: a refused or silent PostgreSQL fails the nightly backup with a message and exit status 1, within the
    connect timeout, and leaves neither an archive nor a working folder behind."""
    folder = tmp_path / "backups"
    with contextlib.ExitStack() as stack:
        port = free_port() if database == "closed port" else stack.enter_context(silent_server())
        started = time.monotonic()
        process = backup_against(port, folder)
        out, err = process.communicate(timeout=60)
        elapsed = time.monotonic() - started
    assert process.returncode == 1 and "Traceback" not in err, err
    assert "无法连接数据库“zzmetro”" in err and "请确认 PostgreSQL 正在运行" in err
    assert elapsed < 30
    assert not folder.exists() or not any(folder.iterdir())


def test_a_backup_stopped_by_sigterm_leaves_no_half_written_archive(tmp_path):
    """A12: systemd or `timeout` stopping a backup (SIGTERM) removes its working folder and partial archive."""
    folder = tmp_path / "backups"
    with silent_server() as port:
        process = backup_against(port, folder)
        deadline = time.monotonic() + 30
        while not (folder.exists() and any(folder.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.05)  # the working folder appears before the database is asked
        assert any(folder.iterdir()), "the backup never started its working folder"
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert process.returncode != 0
    assert not any(folder.iterdir())


@postgresql_only
@pytest.mark.parametrize("content", ["a file", "a link to a folder elsewhere"])
def test_restore_refuses_a_media_root_that_is_not_empty(scratch, source, content, tmp_path):
    """G4: restored files go only into an empty MEDIA_ROOT; a file already there, or a link that would carry the
    restored files out of it (certificates → /etc), is refused before the database or any file is written."""
    target = scratch.site(f"media_{'file' if content == 'a file' else 'link'}")
    target.media.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if content == "a file":
        (target.media / "老文件.pdf").write_bytes(b"%PDF")
    else:
        (target.media / "certificates").symlink_to(elsewhere, target_is_directory=True)

    done = target.manage("restore", str(source.archive))

    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"上传文件目录“{target.media}”中已有文件或链接" in done.stderr
    assert run("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace", target.db)[0][0] == 0
    assert not any(elsewhere.iterdir())


def test_backup_into_a_folder_it_cannot_create_says_so(tmp_path):
    """A12: a target whose parent is a file (a mistyped path, a mount that is missing) is a message and exit status 1,
    not a traceback."""
    (tmp_path / "backups").write_text("not a folder")
    env = {**os.environ, "DATABASE_MIGRATE_URL": "", "REDIS_URL": ""}
    done = subprocess.run(
        [sys.executable, "manage.py", "backup", str(tmp_path / "backups" / "nightly")],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"无法在“{tmp_path / 'backups' / 'nightly'}”中写入备份" in done.stderr
