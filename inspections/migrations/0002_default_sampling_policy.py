"""DOMAIN I3 decision: ≥98 % or no data → 10 %; 95–98 % → 15 %; below 95 % → 20 % (admin-editable rows)."""
from decimal import Decimal

from django.db import migrations

ROWS = (
    (Decimal("98"), Decimal("10"), True, "合格率不低于98%，或上年无监督检定数据"),
    (Decimal("95"), Decimal("15"), False, "合格率低于98%，适当提高抽样比例"),
    (Decimal("0"), Decimal("20"), False, "合格率低于95%"),
)


def create(apps, schema_editor):
    policy = apps.get_model("inspections", "SamplingPolicy")
    for low, ratio, no_data, note in ROWS:
        policy.objects.get_or_create(min_pass_rate=low, defaults={"ratio_percent": ratio, "used_without_data": no_data, "note": note})


def remove(apps, schema_editor):
    apps.get_model("inspections", "SamplingPolicy").objects.filter(min_pass_rate__in=[r[0] for r in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
