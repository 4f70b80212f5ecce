"""The managers' compliance dashboard (监管看板), the station page, the panels' Excel exports and the printed
monthly supervision brief (月度监管简报). Managers and bureau staff only; officers never see another station.
"""

import json

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from authorizations.models import Station
from inspections import dashboard_panels as panels
from inspections.charts import svg_chart
from inspections.forms.dashboard import DashboardFilterForm
from inspections.selectors.dashboard import all_items, all_stations, compute
from inspections.selectors.station_page import station_page
from inspections.selectors.supervision import inspection_flag_day
from zzmetro.access import reader_required
from zzmetro.dates import beijing_today
from zzmetro.exports import Column, xlsx_response
from zzmetro.pagecache import kept_rendered
from zzmetro.pdf import render_pdf
from zzmetro.responses import pdf_response


def _context(request) -> dict:
    """Everything every panel shows, for the filter in the URL."""
    today = beijing_today()
    stations, items = all_stations(), all_items()
    form = DashboardFilterForm(request.GET, today=today, items=items, stations=stations)
    filters = form.filters()
    this, last = compute(filters, today=today, stations=stations)
    closed_month = this.as_of.replace(day=1)
    closed_month = (
        closed_month.replace(year=closed_month.year - 1, month=12)
        if closed_month.month == 1
        else closed_month.replace(month=closed_month.month - 1)
    )
    board_url = reverse("reporting:board") + f"?month={closed_month:%Y-%m}&status=overdue"
    tiles = panels.tiles(this, last, board_url=board_url)
    sort = request.GET.get("sort", "name")
    sort = sort if sort in panels.SORT_KEYS else "name"
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    rows = panels.league(this, sort=sort, direction=direction)
    links = panels.league_links(this)
    return {
        "today": today,
        "form": form,
        "filters": filters,
        "this": this,
        "last": last,
        "tiles": tiles,
        "charts": panels.charts(this, last, {i.pk: i for i in items}),
        "late": [r.station for r in this.rows.values() if r.late_now],
        "late_month": closed_month,
        "board_url": board_url,
        "league": [(r, links["station"].format(r.station.pk), panels.league_cells(links, r)) for r in rows],
        "measures": panels.LEAGUE,
        "flag_day": inspection_flag_day(filters.year),
        "inspection_flagged": this.day > inspection_flag_day(filters.year),
        "sort": sort,
        "direction": direction,
    }


@reader_required
@kept_rendered
def dashboard(request):
    context = _context(request)
    context["league_html"] = panels.league_html(context["league"])
    for chart in context["charts"]:
        chart["option_json"] = json.dumps(chart["option"], ensure_ascii=False)
        chart["links_json"] = json.dumps(chart["links"])
    return render(request, "inspections/dashboard/index.html", context)


@reader_required
@kept_rendered
def station(request, pk: int):
    """Everything about one station, for managers and bureau staff (an officer is refused like any reader)."""
    station = get_object_or_404(Station, pk=pk)
    return render(request, "inspections/dashboard/station.html", station_page(station, beijing_today()))


# --- exports ------------------------------------------------------------------------------------------------

PANELS = {
    "tiles": "指标",
    "rates": "月报报送率与及时率",
    "verifications": "各月检定情况",
    "items": "分项目检定情况",
    "plan": "分项目计划完成",
    "pass_rates": "各单位复核合格率",
    "stations": "各单位情况",
}


@reader_required
def export(request, panel: str):
    """Each panel as a workbook, for the filter in the URL (the same figures the page shows)."""
    if panel not in PANELS:
        raise Http404
    context = _context(request)
    label = context["filters"].label
    title = f"监管看板-{PANELS[panel]}-{label}"
    if panel == "tiles":
        columns = [
            Column("指标", lambda t: t.label, 24),
            Column(label, lambda t: t.value, 14),
            Column("上年同期", lambda t: t.previous, 14),
            Column("说明", lambda t: t.note, 20),
        ]
        return xlsx_response(columns, context["tiles"], title=PANELS[panel], filename=f"{title}.xlsx")
    if panel == "stations":
        rows = [r for r, _, _ in context["league"]]
        return xlsx_response(panels.league_columns(), rows, title=PANELS[panel], filename=f"{title}.xlsx")
    chart = next(c for c in context["charts"] if c["id"] == panel)
    series = chart["option"]["series"]
    columns = [Column("类别", lambda row: row[0], 24)] + [
        Column(s["name"], (lambda n: lambda row: row[n])(n), 14) for n, s in enumerate(series, start=1)
    ]
    categories = chart["option"]["xAxis"]["data"]
    rows = [(c, *(s["data"][i] for s in series)) for i, c in enumerate(categories)]
    return xlsx_response(columns, rows, title=PANELS[panel], filename=f"{title}.xlsx")


@reader_required
def brief(request):
    """月度监管简报: the same figures and charts as a Chinese PDF, charts drawn as SVG on the server."""
    context = _context(request)
    context["svgs"] = [(c["title"], svg_chart(c["option"])) for c in context["charts"]]
    context["league_rows"] = context["league"][:30]
    content = render_pdf("inspections/dashboard/brief.html", context)
    return pdf_response(content, f"月度监管简报-{context['filters'].label}.pdf")


urlpatterns = [
    path("stations/<int:pk>/", station, name="station"),
    path("export/<slug:panel>.xlsx", export, name="export"),
    path("brief.pdf", brief, name="brief"),
]
