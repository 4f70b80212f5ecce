"""DOMAIN A12: the append-only supervision-event table also refuses TRUNCATE.
Row triggers do not fire on TRUNCATE, so a statement trigger does (see zzmetro/appendonly.py)."""
from django.db import migrations

from zzmetro.appendonly import install_truncate_guard, remove_truncate_guard

TABLE = "inspections_supervisionevent"


class Migration(migrations.Migration):
    dependencies = [("inspections", "0003_supervision_events")]
    operations = [
        migrations.RunPython(
            lambda apps, editor: install_truncate_guard(editor, TABLE),
            lambda apps, editor: remove_truncate_guard(editor, TABLE),
        )
    ]
