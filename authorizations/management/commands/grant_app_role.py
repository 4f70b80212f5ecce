"""Grant the application's database role its rights: run as the tables' owner after every migrate (DOMAIN A12)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from zzmetro import dbroles


class Command(BaseCommand):
    help = "为应用数据库角色授权（以表的所有者身份运行；事件表只可查询和新增）"

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用连接数据库所用的角色（DATABASE_URL 中的用户名）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--sql", action="store_true", help="只打印 SQL 语句，不执行")

    def handle(self, *args, role, database, sql, **options):
        dbroles.use_owner_role(database)
        connection = connections[database]
        try:
            if sql:
                statements = dbroles.grant_statements(connection, role)
            else:
                statements = dbroles.grant_app_role(connection, role)
        except dbroles.RoleError as error:
            raise CommandError(str(error)) from error
        if sql:
            self.stdout.write(";\n".join(statements) + ";")
        elif options["verbosity"]:
            self.stdout.write(f"已为数据库角色“{role}”授权（{len(statements)} 条语句）。")
