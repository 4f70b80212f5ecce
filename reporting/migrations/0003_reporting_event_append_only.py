"""DOMAIN A12/M4: reporting events can be neither edited nor deleted, even by SQL."""
from django.db import migrations

from zzmetro.appendonly import install_guard, remove_guard

TABLE = "reporting_reportingevent"


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_verification_resources_without_db_constraint")]
    operations = [
        migrations.RunPython(lambda apps, editor: install_guard(editor, TABLE), lambda apps, editor: remove_guard(editor, TABLE))
    ]
