"""The application's database role can erase no event, and the owner cannot truncate one by accident (DOMAIN A12).

PostgreSQL only: a role made with `manage.py grant_app_role` connects to the test database on its own socket.
"""

import uuid

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from authorizations.tests.factories import ApplicationFactory
from zzmetro import pagecache
from zzmetro.appendonly import event_tables
from zzmetro.workflow import record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
]
EVENT_TABLES = ["authorizations_lifecycleevent", "inspections_supervisionevent", "reporting_reportingevent"]


def connect(user: str):
    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname=settings["NAME"],
        user=user,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] if user == settings["USER"] else None,
    )
    conn.autocommit = True
    return conn


def refused(conn, sql: str, params=()) -> str:
    """Run `sql`; return PostgreSQL's reason for refusing it (fails the test if it went through)."""
    with conn.cursor() as cursor:
        with pytest.raises(psycopg2.Error) as error:
            cursor.execute(sql, params)
    return error.value.pgerror or ""


def triggers(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgname <> %s",
            [table, pagecache.TRIGGER],  # every table also journals its changes for kept pages
        )
        names = [row[0] for row in cursor.fetchall()]
    assert f"zz_{table}_no_truncate" in names and len(names) == 2, names
    return names


@pytest.fixture
def app_role():
    """A login role that owns nothing, granted by the project's command; dropped afterwards (roles are cluster-wide)."""
    role = f"zz_app_test_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        call_command("grant_app_role", role, verbosity=0)
        conn = connect(role)
        yield conn
        conn.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def event():
    return record(ApplicationFactory(), action="test", label="测试", by=None, note="原始记录")


def test_every_event_table_is_known_to_the_grants():
    """A12: the grant command finds each append-only table by its model, so a new one is covered too."""
    assert set(EVENT_TABLES) <= set(event_tables())


def test_application_role_can_neither_truncate_alter_drop_triggers_update_nor_delete_events(app_role, event):
    """A12: the portal's own connection cannot erase history by any of the routes the owner has."""
    for table in EVENT_TABLES:
        assert "permission denied" in refused(app_role, f"TRUNCATE {table}")
        assert "must be owner" in refused(app_role, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        for trigger in triggers(table):
            assert "must be owner" in refused(app_role, f"DROP TRIGGER {trigger} ON {table}")
        assert "permission denied" in refused(app_role, f"UPDATE {table} SET note = 'rewritten'")
        assert "permission denied" in refused(app_role, f"DELETE FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM authorizations_lifecycleevent WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("原始记录",)


def test_application_role_records_events_and_writes_ordinary_tables(app_role, event):
    """A12: the same role inserts events and changes ordinary rows, so the portal works under it."""
    columns = "station_id, action, action_label, from_status, to_status, from_state, to_state, at, note, document"
    with app_role.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO authorizations_lifecycleevent ({columns}) SELECT {columns} FROM authorizations_lifecycleevent "
            "WHERE id = %s RETURNING id",
            [event.pk],
        )
        assert cursor.fetchone()[0] > event.pk
        cursor.execute(
            "UPDATE authorizations_station SET contact_phone = '0371-11111111' WHERE id = %s", [event.station_id]
        )
        cursor.execute(
            "INSERT INTO authorizations_verificationitem (code, name, regulation, key_instrument_type, is_active) "
            "VALUES ('ROLE1', '角色测试项目', 'JJG 1-2026', '', true) RETURNING id"
        )
        item_id = cursor.fetchone()[0]
        cursor.execute("DELETE FROM authorizations_verificationitem WHERE id = %s", [item_id])
        assert cursor.rowcount == 1
    assert "permission denied" in refused(app_role, "DELETE FROM django_migrations")


def test_application_role_journals_its_writes_and_folds_the_journal_but_cannot_drop_its_trigger(app_role, event):
    """Issue 13 Load: kept pages trust the change journal; the portal's own role writes it through each table's
    trigger and the nightly job folds it, but the role can neither drop nor disable a table's trigger."""
    journal = f"SELECT count(*) FROM {pagecache.JOURNAL} WHERE table_name = 'authorizations_station'"
    with app_role.cursor() as cursor:
        cursor.execute(journal)
        before = cursor.fetchone()[0]
        cursor.execute("UPDATE authorizations_station SET contact_phone = '0371-2' WHERE id = %s", [event.station_id])
        cursor.execute(journal)
        assert cursor.fetchone()[0] == before + 1
        cursor.execute("BEGIN")
        pagecache.compact_with(cursor)
        cursor.execute("COMMIT")
        cursor.execute(journal)
        assert cursor.fetchone()[0] == 1
    for statement in (
        f"DROP TRIGGER {pagecache.TRIGGER} ON authorizations_station",
        "ALTER TABLE authorizations_station DISABLE TRIGGER ALL",
    ):
        assert "must be owner" in refused(app_role, statement)


def test_owner_is_refused_truncate_by_the_statement_trigger(event):
    """A12: even the tables' owner gets an error for TRUNCATE, which row triggers never see."""
    owner = connect(connection.settings_dict["USER"])
    try:
        for table in EVENT_TABLES:
            assert "append-only" in refused(owner, f"TRUNCATE {table}")
        with owner.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authorizations_lifecycleevent")
            assert cursor.fetchone()[0] == 1
    finally:
        owner.close()


def test_grant_command_refuses_a_superuser_as_application_role():
    """A12: granting rights to a role that bypasses them would only look safe."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="超级用户或表的所有者"):
        call_command("grant_app_role", connection.settings_dict["USER"], verbosity=0)
