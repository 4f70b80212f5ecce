"""Append-only records (DOMAIN A12): once written, an event can be neither changed nor deleted.

The ORM refuses here; database triggers (installed by each app's migration with `install_guard`) refuse raw
UPDATE, DELETE and TRUNCATE too. On PostgreSQL the application connects as a role that owns nothing and may only
read and insert event rows (zzmetro/dbroles.py), so it can neither disable nor drop those triggers.
"""

from django.db import models

from zzmetro.querysets import StationOwnedQuerySet


class ImmutableRecordError(Exception):
    pass


def _refuse(model, verb: str):
    raise ImmutableRecordError(f"{model._meta.verbose_name}不可{verb}。")


class AppendOnlyQuerySet(StationOwnedQuerySet):
    def update(self, **kwargs):
        _refuse(self.model, "修改")

    def delete(self):
        _refuse(self.model, "删除")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            _refuse(type(self), "修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse(type(self), "删除")


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION zz_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'lifecycle events are append-only (DOMAIN A12)';
END;
$$ LANGUAGE plpgsql;
"""

# Row triggers do not fire on TRUNCATE, so a statement trigger refuses it. Only a role holding TRUNCATE on the
# table (its owner; the application role never gets it, see zzmetro/dbroles.py) can reach this guard, and the owner
# could disable triggers anyway: the opt-in setting only lets the test suite's flush empty the database.
PG_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION zz_refuse_event_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('zzmetro.allow_event_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'lifecycle events are append-only (DOMAIN A12): TRUNCATE of % refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
ALLOW_TRUNCATE_SQL = "SET zzmetro.allow_event_truncate = 'on'"


def install_guard(schema_editor, table: str) -> None:
    """Refuse UPDATE, DELETE and TRUNCATE on `table` inside the database (PostgreSQL and SQLite)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER zz_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION zz_refuse_event_change();"
        )
        install_truncate_guard(schema_editor, table)
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER zz_{table}_no_{event.lower()} BEFORE {event} ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'lifecycle events are append-only (DOMAIN A12)'); END;"
            )


def install_truncate_guard(schema_editor, table: str) -> None:
    """Refuse TRUNCATE on `table` (PostgreSQL; SQLite has no TRUNCATE). Idempotent, for tables guarded earlier."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_TRUNCATE_FUNCTION, params=None)  # its RAISE holds a literal %
    schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{table}_no_truncate ON {table};")
    schema_editor.execute(
        f"CREATE TRIGGER zz_{table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION zz_refuse_event_truncate();"
    )


def remove_truncate_guard(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{table}_no_truncate ON {table};")


def remove_guard(schema_editor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{table}_append_only ON {table};")
        remove_truncate_guard(schema_editor, table)
    elif vendor == "sqlite":
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{table}_no_{event};")


def event_tables() -> list[str]:
    """Every append-only table of the installed apps: the application role may only read and insert there."""
    from django.apps import apps

    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel))
