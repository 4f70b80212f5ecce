"""DOMAIN A12: the append-only lifecycle-event table also refuses TRUNCATE.
Row triggers do not fire on TRUNCATE, so a statement trigger does (see zzmetro/appendonly.py).

State only, no SQL: the user manager makes `createsuperuser` a bureau account, and the credit code becomes a field
that normalises what is typed (A1).
"""
from django.db import migrations

import authorizations.fields
import authorizations.models.users
import authorizations.validators
from zzmetro.appendonly import install_truncate_guard, remove_truncate_guard

TABLE = "authorizations_lifecycleevent"
CREDIT_CODE = {
    "error_messages": {"unique": "该统一社会信用代码已登记，同一法人单位只能登记一次。"},
    "max_length": 18,
    "validators": [authorizations.validators.validate_credit_code],
    "verbose_name": "统一社会信用代码",
}


class Migration(migrations.Migration):
    dependencies = [("authorizations", "0004_station_resources")]
    operations = [
        migrations.RunPython(
            lambda apps, editor: install_truncate_guard(editor, TABLE),
            lambda apps, editor: remove_truncate_guard(editor, TABLE),
        ),
        migrations.AlterModelManagers(
            name="user",
            managers=[("objects", authorizations.models.users.UserManager())],
        ),
        migrations.AlterField(
            model_name="historicalstation",
            name="credit_code",
            field=authorizations.fields.CreditCodeField(db_index=True, **CREDIT_CODE),
        ),
        migrations.AlterField(
            model_name="station",
            name="credit_code",
            field=authorizations.fields.CreditCodeField(unique=True, **CREDIT_CODE),
        ),
    ]
