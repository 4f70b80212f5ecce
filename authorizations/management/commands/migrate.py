"""`manage.py migrate` as the tables' owner when DATABASE_MIGRATE_URL is set, then grant the application role.

The portal itself connects as DATABASE_URL's role, which owns nothing (zzmetro/dbroles.py, README "Database roles").
Without DATABASE_MIGRATE_URL (the demo, the tests) this is Django's migrate unchanged.
"""

from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import connections

from zzmetro import dbroles


class Command(migrate.Command):
    def handle(self, *args, **options):
        app_role = dbroles.use_owner_role(options["database"])
        super().handle(*args, **options)
        if app_role and not options["plan"] and not options["check_unapplied"]:
            try:
                dbroles.grant_app_role(connections[options["database"]], app_role)
            except dbroles.RoleError as error:
                raise CommandError(str(error)) from error
            if options["verbosity"]:
                self.stdout.write(f"已为应用数据库角色“{app_role}”授权。")
