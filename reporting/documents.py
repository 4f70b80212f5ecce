"""Documents of plans and reports: the plan issuance notice and its Excel (P1, D1), the quarterly statistical
analysis (M6, D1) and the monthly import template (M2). Lists exported as workbooks live in reporting/exports.py."""

import datetime as dt
import io

from django.db.models import Sum

from authorizations.models import District
from reporting.deadlines import month_label, quarter_months
from reporting.models import AnnualPlanLine, CityPlanIssuance, QuarterlyAnalysis
from reporting.selectors.reports import quarter_statistics
from reporting.services.reports import MONTHLY_FIELDS
from zzmetro.exports import Column, write_xlsx
from zzmetro.pdf import render_pdf
from zzmetro.spreadsheets import template_workbook

ISSUING_AUTHORITY = "郑州市质量技术监督局"
DISTRICTS = dict(District.choices)


# --- annual plan issuance (P1) -----------------------------------------------------------------------------


def issuance_lines(issuance: CityPlanIssuance):
    """Every line of the city's plan as issued: the plans of this and earlier issuances still in force."""
    return (
        AnnualPlanLine.objects.filter(plan__year=issuance.year, plan__issuance__version__lte=issuance.version)
        .exclude(plan__issuance__isnull=True)
        .exclude(plan__adjusted_by__issuance__version__lte=issuance.version)
        .select_related("plan__station", "item", "plan__issuance")
        .order_by("plan__station__name", "item__code")
    )


PLAN_COLUMNS = [
    Column("单位名称", lambda line: line.plan.station.name, 36),
    Column("统一社会信用代码", lambda line: line.plan.station.credit_code, 22),
    Column("县（市、区）", lambda line: DISTRICTS.get(line.plan.station.district, ""), 14),
    Column("项目代码", lambda line: line.item.code, 10),
    Column("检定项目", lambda line: line.item.name, 24),
    Column("检定规程", lambda line: line.item.regulation, 36),
    Column("计划检定数量（台件）", lambda line: line.planned_count, 14),
    Column("使用单位", lambda line: line.user_units.replace("\n", "、"), 40),
    Column("计划版本", lambda line: line.plan.version, 8),
    Column("下达文号", lambda line: line.plan.issuance.number, 24),
]


def plan_issuance_xlsx(issuance: CityPlanIssuance) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(
        buffer, PLAN_COLUMNS, issuance_lines(issuance).iterator(chunk_size=2000), title=f"{issuance.year}年度强检计划"
    )
    return buffer.getvalue()


def plan_issuance_pdf(issuance: CityPlanIssuance) -> bytes:
    """The notice issuing the city's annual plan (年度强制检定计划下达通知), totals per station and per item."""
    lines = issuance_lines(issuance)
    stations: dict[int, dict] = {}
    for line in lines:
        row = stations.setdefault(
            line.plan.station_id, {"station": line.plan.station, "items": [], "total": 0, "version": line.plan.version}
        )
        row["items"].append(f"{line.item.name}{line.planned_count}")
        row["total"] += line.planned_count
    by_item = lines.values("item__code", "item__name").annotate(total=Sum("planned_count")).order_by("item__code")
    context = {
        "issuance": issuance,
        "stations": list(stations.values()),
        "by_item": list(by_item),
        "grand_total": sum(s["total"] for s in stations.values()),
    }
    return render_pdf("documents/plan_issuance.html", {"authority": ISSUING_AUTHORITY, **context})


# --- quarterly statistical analysis (M6) -------------------------------------------------------------------


def quarterly_analysis_pdf(analysis: QuarterlyAnalysis) -> bytes:
    statistics = quarter_statistics(analysis.station, analysis.year, analysis.quarter)
    context = {
        "analysis": analysis,
        "station": analysis.station,
        "stats": statistics,
        "month_labels": [f"{m.month}月" for m in quarter_months(analysis.year, analysis.quarter)],
        "missing_labels": [month_label(m) for m in statistics.missing],
    }
    return render_pdf("documents/quarterly_analysis.html", {"authority": ISSUING_AUTHORITY, **context})


# --- the month's Excel template (M2) -----------------------------------------------------------------------


def monthly_template(period: dt.date, items) -> bytes:
    """The month's template: one row per authorized item, counts blank for the officer (M2, Q3: an untouched
    template must not read as a report of zeros)."""
    rows = [[item.code, item.name, None, None, None, None, None] for item in items]
    return template_workbook(MONTHLY_FIELDS, title=f"{month_label(period)}月报", example_rows=rows)
