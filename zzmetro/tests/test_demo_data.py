"""`manage.py demo_data` (what `make demo` runs): the whole demo in one process, and again without duplicates."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_demo_data_loads_every_apps_demo_once_however_often_it_runs(settings):
    """A1–A11, M2, I1: twelve stations with their archive, reports and supervision; a second run adds nothing."""
    from authorizations.models import Station
    from inspections.models import Inspection
    from reporting.models import Instrument, MonthlyReport

    settings.DEBUG = True  # as `make demo` runs it: the demo accounts keep their published password
    counts = []
    for _ in range(2):
        out = io.StringIO()
        call_command("demo_data", stdout=out)
        counts.append(
            (
                Station.objects.count(),
                Instrument.objects.count(),
                MonthlyReport.objects.count(),
                Inspection.objects.count(),
            )
        )
        assert "[5/5]" in out.getvalue()
    assert counts[0] == counts[1] and counts[0][0] == 12 and all(counts[0])
