"""An archive import re-checks the station's submitted reports against the archive (Q2, Q3)."""

import datetime as dt

import pytest

from reporting.models import QualityFlag
from reporting.services.archive import import_job_create, import_job_run
from reporting.services.reports import LineInput, monthly_submit

from .factories import row, workbook_bytes, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


def test_an_import_raises_the_flags_its_months_call_for_and_clears_the_others(world, officer1, settings):
    """Q2, Q3: a nil March report is flagged once the import brings March verifications; a February report of 2
    that the archive now supports exactly loses its open difference flag."""
    settings.ZZ_POLICY = {**settings.ZZ_POLICY, "GO_LIVE": None}
    station = officer1.station
    nil = monthly_submit(
        station=station, period=MARCH, lines=[LineInput(1, "DN01", 0, 0, 0, 0)], by=officer1, nil_confirmed=True
    )
    february = monthly_submit(
        station=station, period=dt.date(2026, 2, 1), lines=[LineInput(1, "DN01", 5, 5, 0, 0)], by=officer1
    )
    assert february.quality_flags.get().kind == QualityFlag.Kind.ARCHIVE  # 5 reported, none archived
    rows = [row(world, 1), *(row(world, n, verified_on=dt.date(2026, 2, n)) for n in range(2, 7))]
    job = import_job_create(station=station, by=officer1, filename="档案.xlsx", data=workbook_bytes(rows))
    assert import_job_run(job_id=job.pk) == "done"
    assert nil.quality_flags.get(kind=QualityFlag.Kind.NIL).reference == 1
    assert february.quality_flags.get().status == QualityFlag.Status.CLEARED
