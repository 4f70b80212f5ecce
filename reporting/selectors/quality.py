"""Reads behind the data-quality flags (DOMAIN Q1–Q4): a station's history, the archive's monthly counts, the queue."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from reporting.deadlines import month_end
from reporting.models import MonthlyReport, MonthlyReportLine, QualityFlag, Verification

FOLLOW_UP = QualityFlag.Status.OPEN


def history(report: MonthlyReport, item_ids, *, months: int) -> dict[int, list[int]]:
    """Q1: per item, the verified counts of the station's `months` latest submitted months before the report's."""
    lines = (
        MonthlyReportLine.objects.filter(
            version__is_current=True,
            version__report__station_id=report.station_id,
            version__report__status=MonthlyReport.Status.SUBMITTED,
            version__report__period__lt=report.period,
            item_id__in=item_ids,
        )
        .order_by("-version__report__period")
        .values_list("item_id", "verified")
    )
    counts: dict[int, list[int]] = defaultdict(list)
    for item_id, verified in lines.iterator():
        if len(counts[item_id]) < months:
            counts[item_id].append(verified)
    return counts


def archive_counts(station_id: int, first: dt.date, last: dt.date) -> dict[tuple[dt.date, int], int]:
    """Q2, Q3: the archive's verifications of the station per (month, item) over the months `first`…`last`."""
    rows = (
        Verification.objects.filter(station_id=station_id, verified_on__range=(first, month_end(last)))
        .annotate(month=TruncMonth("verified_on"))
        .values_list("month", "item_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(month, item_id): n for month, item_id, n in rows}


def current_lines(report: MonthlyReport) -> list[MonthlyReportLine]:
    return list(
        MonthlyReportLine.objects.filter(version__report=report, version__is_current=True).select_related("item")
    )


def report_flags(report: MonthlyReport) -> QuerySet[QualityFlag]:
    """The flags shown on a report, to its station and to the bureau (Q4)."""
    return report.quality_flags.select_related("item").order_by("kind", "item__code")


def flags_to_follow_up() -> QuerySet[QualityFlag]:
    """Q4: flags nobody has marked explained or confirmed yet — the bureau's follow-up queue."""
    return QualityFlag.objects.filter(status=FOLLOW_UP)


def open_flag_counts(station_ids=None) -> dict[int, int]:
    """Open flags per station, for the dashboard and station pages."""
    flags = flags_to_follow_up()
    if station_ids is not None:
        flags = flags.filter(station_id__in=station_ids)
    return dict(flags.values_list("station_id").annotate(n=Count("id")).order_by())
