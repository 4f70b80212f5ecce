"""DOMAIN A12: lifecycle events can be neither edited nor deleted, even by SQL, on PostgreSQL."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION zz_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'lifecycle events are append-only (DOMAIN A12)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER zz_lifecycle_event_append_only BEFORE UPDATE OR DELETE ON authorizations_lifecycleevent
    FOR EACH ROW EXECUTE FUNCTION zz_refuse_event_change();
"""
DROP = """
DROP TRIGGER IF EXISTS zz_lifecycle_event_append_only ON authorizations_lifecycleevent;
DROP FUNCTION IF EXISTS zz_refuse_event_change();
"""
SQLITE_CREATE = [
    "CREATE TRIGGER zz_event_no_update BEFORE UPDATE ON authorizations_lifecycleevent "
    "BEGIN SELECT RAISE(ABORT, 'lifecycle events are append-only (DOMAIN A12)'); END;",
    "CREATE TRIGGER zz_event_no_delete BEFORE DELETE ON authorizations_lifecycleevent "
    "BEGIN SELECT RAISE(ABORT, 'lifecycle events are append-only (DOMAIN A12)'); END;",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS zz_event_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS zz_event_no_delete")


class Migration(migrations.Migration):
    dependencies = [("authorizations", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
