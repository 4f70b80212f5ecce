"""DOMAIN A12: the append-only reporting-event table also refuses TRUNCATE.
Row triggers do not fire on TRUNCATE, so a statement trigger does (see zzmetro/appendonly.py)."""
from django.db import migrations

from zzmetro.appendonly import install_truncate_guard, remove_truncate_guard

TABLE = "reporting_reportingevent"


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_importjob_heartbeat")]
    operations = [
        migrations.RunPython(
            lambda apps, editor: install_truncate_guard(editor, TABLE),
            lambda apps, editor: remove_truncate_guard(editor, TABLE),
        )
    ]
