"""Lists exported as Excel: one column definition per list, shared by its HTML table and its workbook (M1, M2).

Exports stream from a server-side cursor (`iterator()`) into openpyxl's write-only mode (zzmetro.exports), so a
city-wide year or a million-row archive keeps memory flat.
"""

import datetime as dt

from django.db.models import QuerySet

from authorizations.models import District
from reporting.models import InstrumentUse, MonthlyReport, MonthlyReportLine, VerificationResult
from zzmetro.exports import Column, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DISTRICTS = dict(District.choices)


# --- the instrument archive (M1) ---------------------------------------------------------------------------

USE_LABELS = dict(InstrumentUse.choices)
RESULT_LABELS = dict(VerificationResult.choices)

# One column definition for the archive page, its Excel export and the admin export (rows are .values() dicts).
ARCHIVE_FIELDS = (
    "id",
    "station__name",
    "item__code",
    "item__name",
    "user_unit",
    "name",
    "model",
    "serial_number",
    "measuring_range",
    "accuracy_class",
    "use",
    "location",
    "cycle_months",
    "last_verified_on",
    "last_result",
    "next_due_on",
)
ARCHIVE_COLUMNS = [
    Column("检定单位", lambda r: r["station__name"], 28),
    Column("检定项目", lambda r: f"{r['item__code']} {r['item__name']}", 18),
    Column("使用单位", lambda r: r["user_unit"], 28),
    Column("器具名称", lambda r: r["name"], 16),
    Column("型号规格", lambda r: r["model"], 14),
    Column("出厂编号", lambda r: r["serial_number"], 18),
    Column("测量范围", lambda r: r["measuring_range"], 14),
    Column("准确度等级", lambda r: r["accuracy_class"], 10),
    Column("用途", lambda r: USE_LABELS.get(r["use"], r["use"]), 10),
    Column("安装使用地点", lambda r: r["location"], 24),
    Column("检定周期（月）", lambda r: r["cycle_months"], 10),
    Column("最近检定日期", lambda r: r["last_verified_on"], 12),
    Column("检定结果", lambda r: RESULT_LABELS.get(r["last_result"], ""), 8),
    Column("下次检定日期", lambda r: r["next_due_on"], 12),
]


def archive_rows(queryset: QuerySet) -> QuerySet:
    return queryset.values(*ARCHIVE_FIELDS)


def archive_export_rows(queryset: QuerySet):
    """Stream the filtered archive from a server-side cursor: flat memory for a million rows."""
    return archive_rows(queryset.order_by("id")).iterator(chunk_size=5000)


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
