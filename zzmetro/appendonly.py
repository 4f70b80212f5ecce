"""Append-only records (DOMAIN A12): once written, an event can be neither changed nor deleted.

The ORM refuses here; a database trigger (installed by each app's migration with `append_only_sql`) refuses
raw SQL too, so not even a console session can rewrite history.
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


def install_guard(schema_editor, table: str) -> None:
    """Refuse UPDATE and DELETE on `table` inside the database (PostgreSQL and SQLite)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER zz_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION zz_refuse_event_change();"
        )
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER zz_{table}_no_{event.lower()} BEFORE {event} ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'lifecycle events are append-only (DOMAIN A12)'); END;"
            )


def remove_guard(schema_editor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{table}_append_only ON {table};")
    elif vendor == "sqlite":
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS zz_{table}_no_{event};")
