"""Documents and workbooks of plans and reports: the plan issuance notice and its Excel (P1, D1), the
quarterly statistical analysis (M6, D1), the city-wide monthly lines (M2) and the monthly import template."""

import datetime as dt
import io

from django.db.models import Sum

from authorizations.models import District
from reporting.deadlines import month_label, quarter_months
from reporting.models import AnnualPlanLine, CityPlanIssuance, MonthlyReport, MonthlyReportLine, QuarterlyAnalysis
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


# --- city-wide monthly lines (M2): one row per station × item ----------------------------------------------

LINE_FIELDS = (
    "version__report__station__name",
    "version__report__station__credit_code",
    "version__report__station__district",
    "version__report__period",
    "item__code",
    "item__name",
    "verified",
    "qualified",
    "unqualified",
    "first_time_sticker",
    "notes",
    "flagged",
    "version__report__late_days",
    "version__report__status",
)


def _timeliness(row) -> str:
    late, status = row[12], row[13]
    text = "按时" if late == 0 else f"逾期{late}天"
    return text + ("（已退回修改）" if status == MonthlyReport.Status.REOPENED else "")


LINE_COLUMNS = [
    Column("单位名称", lambda r: r[0], 36),
    Column("统一社会信用代码", lambda r: r[1], 22),
    Column("县（市、区）", lambda r: DISTRICTS.get(r[2], ""), 14),
    Column("报告月份", lambda r: f"{r[3]:%Y-%m}", 10),
    Column("项目代码", lambda r: r[4], 10),
    Column("检定项目", lambda r: r[5], 24),
    Column("检定数量", lambda r: r[6], 10),
    Column("合格数量", lambda r: r[7], 10),
    Column("不合格数量", lambda r: r[8], 10),
    Column("首次检定加贴标志数量", lambda r: r[9], 12),
    Column("备注", lambda r: r[10], 24),
    Column("异常", lambda r: "是" if r[11] else "", 6),
    Column("报送情况", _timeliness, 14),
]


def line_rows(lines):
    """Lines (a MonthlyReportLine queryset) as export tuples, streamed."""
    return (
        lines.order_by("version__report__period", "version__report__station__name", "item__code")
        .values_list(*LINE_FIELDS)
        .iterator(chunk_size=5000)
    )


def city_lines(start: dt.date, end: dt.date):
    """Current-version lines of every station for the months start..end (first days), as tuples."""
    return line_rows(
        MonthlyReportLine.objects.filter(
            version__is_current=True, version__report__period__gte=start, version__report__period__lte=end
        )
    )


def write_city_lines(stream, start: dt.date, end: dt.date, *, title: str) -> None:
    write_xlsx(stream, LINE_COLUMNS, city_lines(start, end), title=title)


# --- the month's Excel template (M2) -----------------------------------------------------------------------


def monthly_template(period: dt.date, items) -> bytes:
    """The month's template: one row per authorized item, counts blank for the officer (M2, Q3: an untouched
    template must not read as a report of zeros)."""
    rows = [[item.code, item.name, None, None, None, None, None] for item in items]
    return template_workbook(MONTHLY_FIELDS, title=f"{month_label(period)}月报", example_rows=rows)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
