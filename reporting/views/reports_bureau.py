"""Bureau staff and managers: the month's status board, rates, the quarterly board and city-wide exports (M2, M6, M8)."""

import datetime as dt
import tempfile

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from reporting import exports
from reporting.deadlines import month_label, previous_month, year_in_range
from reporting.selectors import reports as selectors
from zzmetro.access import reader_required
from zzmetro.dates import beijing_today
from zzmetro.pagecache import kept_rendered
from zzmetro.responses import streaming_attachment


def _month_param(value: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        return default


def _int_param(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


@reader_required
@kept_rendered
def board(request):
    """The month's reports: every expected station with on time / late / overdue / reopened (M2, M8)."""
    today = beijing_today()
    period = _month_param(request.GET.get("month", ""), previous_month(today))
    status = request.GET.get("status", "")
    rows = selectors.month_board(period, as_of=today, status=status if status in selectors.STATUS_LABELS else "")
    context = {
        "period": period,
        "label": month_label(period),
        "rows": rows,
        "status": status,
        "today": today,
        "statuses": [(k, v) for k, v in selectors.STATUS_LABELS.items() if k != "not_expected"],
    }
    return render(request, "reporting/bureau_board.html", context)


@reader_required
@kept_rendered
def rates(request):
    """M8: reporting and on-time rates per station and city-wide, per month and year to date."""
    today = beijing_today()
    year = _int_param(request.GET.get("year"), today.year, 2000, today.year)
    table = selectors.reporting_rates(year, as_of=today)
    return render(
        request, "reporting/bureau_rates.html", {"table": table, "today": today, "year": year, "months": range(1, 13)}
    )


@reader_required
@kept_rendered
def quarterly_board(request):
    """M6: which stations have (not) uploaded the quarter's stamped analysis."""
    today = beijing_today()
    current = (today.month - 1) // 3 + 1
    last_year, last_quarter = (today.year, current - 1) if current > 1 else (today.year - 1, 4)
    year = _int_param(request.GET.get("year"), last_year, 2000, today.year)
    quarter = _int_param(request.GET.get("quarter"), last_quarter, 1, 4)
    rows = selectors.quarterly_board(year, quarter)
    context = {
        "rows": rows,
        "year": year,
        "quarter": quarter,
        "missing": sum(1 for r in rows if not (r.analysis and r.analysis.stamped_file)),
    }
    return render(request, "reporting/bureau_quarterly.html", context)


def _stream_lines(start: dt.date, end: dt.date, *, title: str, filename: str) -> StreamingHttpResponse:
    handle = tempfile.TemporaryFile()
    exports.write_city_lines(handle, start, end, title=title)
    handle.seek(0)

    def chunks():
        with handle:
            while block := handle.read(64 * 1024):
                yield block

    return streaming_attachment(chunks(), filename, content_type=exports.XLSX)


@reader_required
def export_month(request, year, month):
    """M2: the city-wide month, one row per station × item."""
    if not (1 <= month <= 12 and year_in_range(year)):
        raise Http404
    period = dt.date(year, month, 1)
    return _stream_lines(
        period, period, title=f"{month_label(period)}月报", filename=f"全市月报明细-{period:%Y-%m}.xlsx"
    )


@reader_required
def export_year(request, year):
    if not year_in_range(year):
        raise Http404
    return _stream_lines(
        dt.date(year, 1, 1), dt.date(year, 12, 1), title=f"{year}年月报", filename=f"全市月报明细-{year}年.xlsx"
    )
