"""Two PostgreSQL roles (DOMAIN A12, defence in depth): the owner changes the schema, the application only writes rows.

The append-only triggers stop UPDATE, DELETE and TRUNCATE, but a table's owner may disable or drop them. So the
portal connects as a role that owns nothing (DATABASE_URL): it may read and write ordinary tables, only read and
insert event rows, and never truncate, alter or drop anything. `manage.py migrate` connects as the owner
(DATABASE_MIGRATE_URL) and afterwards grants the application role its rights on the tables it just created.
"""

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from zzmetro.appendonly import event_tables

ROW_WRITES = "SELECT, INSERT, UPDATE, DELETE"


class RoleError(Exception):
    pass


def use_owner_role(alias: str = "default") -> str | None:
    """Reconnect `alias` as the owner from DATABASE_MIGRATE_URL; return the application role it replaced."""
    owner = settings.DATABASE_OWNER
    connection = connections[alias]
    if not owner or alias != "default" or connection.settings_dict["USER"] == owner["USER"]:
        return None
    app_role = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
    return app_role


def grant_statements(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """What the application role may do: row writes everywhere, only SELECT and INSERT on event tables."""
    quote = connection.ops.quote_name
    r, db = quote(role), quote(connection.settings_dict["NAME"])
    statements = [
        f"GRANT CONNECT ON DATABASE {db} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
        f"GRANT {ROW_WRITES} ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        # Tables a later migration creates are usable before this command runs again; their triggers still hold.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {ROW_WRITES} ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        f"REVOKE INSERT, UPDATE, DELETE ON {quote('django_migrations')} FROM {r}",
    ]
    statements += [f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {r}" for table in event_tables()]
    return statements


def check_app_role(connection: BaseDatabaseWrapper, role: str) -> None:
    """Refuse a role that would make the grants meaningless: a superuser, the current owner, or any owner."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise RoleError(f"数据库角色“{role}”不存在，请先由数据库管理员创建（CREATE ROLE … LOGIN PASSWORD …）。")
        if row[0] or row[1]:
            raise RoleError(f"数据库角色“{role}”是超级用户或表的所有者，不能作为应用角色。")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s AND c.relnamespace = 'public'::regnamespace",
            [role],
        )
        if cursor.fetchone()[0]:
            raise RoleError(f"数据库角色“{role}”拥有数据库对象，应用角色不得拥有任何表。")


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Run as the tables' owner after every migrate; returns the statements it ran."""
    if connection.vendor != "postgresql":
        raise RoleError("数据库角色授权只适用于 PostgreSQL。")
    check_app_role(connection, role)
    statements = grant_statements(connection, role)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
