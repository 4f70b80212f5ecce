"""Monthly reports (M2–M5), quarterly analyses (M6) and major-issue reports (M7)."""

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from authorizations.authority import load_authorities, station_authority
from authorizations.models import Station
from reporting.deadlines import days_late, month_end, month_label, monthly_due_on, quarter_months, quarterly_due_on
from reporting.models import (
    MajorIssueReport,
    MonthlyReport,
    MonthlyReportLine,
    MonthlyReportVersion,
    QuarterlyAnalysis,
    ReminderLog,
)
from reporting.selectors.reports import MonthAuthority, month_authority, quarter_expected
from zzmetro import outbox
from zzmetro.dates import BEIJING, beijing_date, beijing_today
from zzmetro.errors import DomainError
from zzmetro.outbox import queue_mail
from zzmetro.spreadsheets import CellError, Field, SpreadsheetError, cleaner, read_rows
from zzmetro.uploads import check_size, monthly_report_max_bytes, validate_document
from zzmetro.workflow import ensure, transition

from . import quality
from .common import require_reason, station_notice

M = MonthlyReport.Status
COUNTS = ("verified", "qualified", "unqualified", "first_time_sticker")
HEADERS = {
    "item": "项目代码",
    "verified": "检定数量",
    "qualified": "合格数量",
    "unqualified": "不合格数量",
    "first_time_sticker": "首次检定加贴标志数量",
}


class LinesInvalid(DomainError):
    """Some lines break a rule; `errors` names each by row, item and column, once. Nothing was saved."""

    def __init__(self, errors: list[CellError], *, message: str = ""):
        super().__init__(message or f"月报有{len(errors)}处问题，未保存任何数据，请修改后重新提交。")
        self.errors = errors


class NilNotConfirmed(DomainError):
    """Q3: every count is zero but the officer has not confirmed 本月无检定. Nothing was saved."""


@dataclass(frozen=True)
class LineInput:
    """One line as typed in the form or read from Excel; `row` is the form line or the Excel row number.

    A count is None when its cell was left blank (or could not be read: the reader reported that already).
    """

    row: int
    item_code: str | None
    verified: int | None
    qualified: int | None
    unqualified: int | None
    first_time_sticker: int | None
    notes: str = ""


BLANK = "未填写（本月未检定的项目请填0）"
NOTES_MAX = 200


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _count_errors(line: LineInput, known: set) -> list[CellError]:
    """Blank or malformed counts, each named once: a cell the reader already refused is not named again."""
    errors = []
    for key in COUNTS:
        value = getattr(line, key)
        if (line.row, HEADERS[key]) in known or _is_count(value):
            continue
        errors.append(CellError(line.row, HEADERS[key], BLANK if value is None else "应为不小于0的整数"))
    return errors


def _sum_errors(line: LineInput) -> list[CellError]:
    """M2: qualified + unqualified = verified, first-time stickers ≤ verified; only between numbers typed."""
    errors = []
    verified, qualified, unqualified = line.verified, line.qualified, line.unqualified
    if all(_is_count(v) for v in (verified, qualified, unqualified)) and qualified + unqualified != verified:
        errors.append(
            CellError(
                line.row,
                HEADERS["verified"],
                f"合格数量{qualified} + 不合格数量{unqualified} = {qualified + unqualified}，不等于检定数量{verified}",
            )
        )
    if _is_count(verified) and _is_count(line.first_time_sticker) and line.first_time_sticker > verified:
        errors.append(CellError(line.row, HEADERS["first_time_sticker"], f"不能大于检定数量{verified}"))
    return errors


def _item_error(line: LineInput, items: dict, known: set, seen: dict) -> CellError | None:
    if (line.row, HEADERS["item"]) in known:
        return None
    if not line.item_code:
        return CellError(line.row, HEADERS["item"], "必填")
    if line.item_code not in items:
        return CellError(line.row, HEADERS["item"], f"“{line.item_code}”不是本单位该月的授权检定项目，不能填报。")
    if line.item_code in seen:
        return CellError(line.row, HEADERS["item"], f"“{line.item_code}”重复（已在第{seen[line.item_code]}行填报）")
    return None


def check_lines(lines: list[LineInput], month: MonthAuthority, *, known: list[CellError] = ()) -> list[CellError]:
    """M2, M5: one line per authorized item, whole numbers ≥ 0, qualified + unqualified = verified.

    Every problem is reported in one pass, once: `known` are the cells the reader (Excel or form) already
    refused; they are merged in and not named a second time. Errors carry the item their row reports.
    """
    items = {item.code: item for item in month.items}
    known_cells = {(e.row, e.column) for e in known}
    errors, seen = list(known), {}
    for line in lines:
        item_error = _item_error(line, items, known_cells, seen)
        errors += [item_error] if item_error else []
        errors += _count_errors(line, known_cells) + _sum_errors(line)
        if len(line.notes or "") > NOTES_MAX and (line.row, "备注") not in known_cells:
            errors.append(CellError(line.row, "备注", f"超过{NOTES_MAX}个字符"))
        if line.item_code:
            seen.setdefault(line.item_code, line.row)
    missing = [f"{item.code} {item.name}" for code, item in items.items() if code not in seen]
    if missing:
        errors.append(
            CellError(
                0, HEADERS["item"], f"缺少授权检定项目：{'、'.join(missing)}（每个授权项目一行，本月未检定请填0）"
            )
        )
    return _in_order(_named(errors, lines, items))


_COLUMN_ORDER = {header: n for n, header in enumerate([*HEADERS.values(), "备注"])}


def _named(errors: list[CellError], lines: list[LineInput], items: dict) -> list[CellError]:
    """Attach to each error the item its row reports: the authorized item's name, else the code as typed."""
    names = {
        line.row: (items[line.item_code].name if line.item_code in items else line.item_code or "") for line in lines
    }
    return [replace(e, item=e.item or names.get(e.row, "")) for e in errors]


def _in_order(errors: list[CellError]) -> list[CellError]:
    unique = list(dict.fromkeys(errors))
    return sorted(unique, key=lambda e: (e.row == 0, e.row, _COLUMN_ORDER.get(e.column, 99)))


def _all_blank(lines: list[LineInput]) -> bool:
    return bool(lines) and all(getattr(line, key) is None for line in lines for key in COUNTS)


def _refuse_invalid(lines: list[LineInput], month: MonthAuthority, known: list[CellError]) -> None:
    errors = check_lines(lines, month, known=known)
    if errors:
        untouched = (
            "所有数量都未填写，这像是未填写的模板：请逐项填写检定数量（本月未检定的项目填0）。"
            if _all_blank(lines)
            else ""
        )
        raise LinesInvalid(errors, message=untouched and f"{untouched}未保存任何数据。")


def _check_nil(lines: list[LineInput], nil_confirmed: bool) -> None:
    """Q3: a report of all zeros needs the explicit 本月无检定 confirmation; the confirmation needs all zeros."""
    nil = all(line.verified == 0 for line in lines)
    if nil and not nil_confirmed:
        raise NilNotConfirmed(
            "所有项目的检定数量均为0。如本月确实没有开展检定，请勾选“本月无检定”后再报送。", field="nil_confirmed"
        )
    if nil_confirmed and not nil:
        raise NilNotConfirmed(
            "已勾选“本月无检定”，但有项目填报了检定数量：请取消勾选，或核对数量。", field="nil_confirmed"
        )


def unreportable_reason(month: MonthAuthority, today: dt.date) -> str:
    """Why month M cannot be reported (yet), or "" (M5, M8)."""
    if today <= month_end(month.period):
        return f"{month_label(month.period)}尚未结束，该月月报自次月1日起报送。"
    if not month.expected:
        return f"本单位{month_label(month.period)}未获计量授权（证书未生效、已过期或已撤销），无需报送该月月报。"
    return ""


def _refuse_unreportable(month: MonthAuthority, today: dt.date) -> None:
    reason = unreportable_reason(month, today)
    if reason:
        raise DomainError(reason)


def _new_version(report: MonthlyReport, *, by, at, source: str, notes: str) -> MonthlyReportVersion:
    last = report.versions.order_by("-number").first()
    report.versions.filter(is_current=True).update(is_current=False)
    return MonthlyReportVersion.objects.create(
        report=report,
        number=(last.number + 1) if last else 1,
        submitted_at=at,
        submitted_by=by,
        late_days=days_late(at, report.due_on),
        source=source,
        notes=notes.strip(),
    )


def _flag(lines: list[LineInput], month: MonthAuthority) -> bool:
    """A10, M5: verifications claimed in a month with days the station could not verify on are flagged."""
    return bool(month.days_not_in_force) and any(line.verified for line in lines)


def _flag_note(month: MonthAuthority) -> str:
    if not month.in_force:
        return "该月全月暂停授权或未获授权，却申报了检定数量"
    gaps = month.days_not_in_force
    return f"该月{gaps[0]:%m月%d日}至{gaps[-1]:%m月%d日}中有{len(gaps)}天暂停授权或未获授权，请核实申报的检定是否发生在授权期间"


@transaction.atomic
def monthly_submit(
    *,
    station: Station,
    period: dt.date,
    lines: list[LineInput],
    by,
    source: str = "form",
    notes: str = "",
    nil_confirmed: bool = False,
    known: list[CellError] = (),
    at: dt.datetime | None = None,
) -> MonthlyReport:
    """M2–M5, Q3: validate everything, then save one locked version; timeliness comes from the first submission.

    `known` are cell problems the reader already found (they refuse the report with the rest, named once);
    a report of all zeros needs `nil_confirmed` (本月无检定).
    """
    at = at or timezone.now()
    month = month_authority(station, period)
    _refuse_unreportable(month, beijing_date(at))
    report, _ = MonthlyReport.objects.get_or_create(
        station=station, period=period, defaults={"due_on": monthly_due_on(period)}
    )
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    ensure(report, to=M.SUBMITTED)  # a locked report is refused before its lines are read
    _refuse_invalid(lines, month, list(known))  # the transaction rolls back: nothing saved
    _check_nil(lines, nil_confirmed)
    version = _new_version(report, by=by, at=at, source=source, notes=notes)
    flagged = _flag(lines, month)
    items = {item.code: item for item in month.items}
    MonthlyReportLine.objects.bulk_create(
        MonthlyReportLine(
            version=version,
            item=items[line.item_code],
            notes=line.notes.strip()[:200],
            flagged=flagged and line.verified > 0,
            **{key: getattr(line, key) for key in COUNTS},
        )
        for line in lines
    )
    if report.first_submitted_at is None:
        report.first_submitted_at, report.late_days = at, version.late_days
    report.submitted_at, report.flagged = at, flagged
    report.flag_note = _flag_note(month) if flagged else ""
    label = "报送月报" if version.number == 1 else f"重新报送月报（第{version.number}版）"
    note = (
        report.timeliness
        + ("；报送人确认本月无检定" if nil_confirmed else "")
        + ("；存在异常：" + report.flag_note if flagged else "")
    )
    transition(
        report,
        to=M.SUBMITTED,
        by=by,
        label=label,
        note=note,
        update_fields=["first_submitted_at", "late_days", "submitted_at", "flagged", "flag_note"],
    )
    quality.report_check(report=report)  # Q1–Q3: flags are raised, never a refusal (Q4)
    outbox.cancel(
        topic=ReminderLog.topic_for(ReminderLog.Kind.MONTHLY, station.pk, period)
    )  # M3: no reminder after submitting
    return report


MONTHLY_FIELDS = [
    Field("项目代码", "item_code", max_length=16, width=12),
    Field("检定项目", "item_name", required=False, width=24),
    # Counts are read as optional so that a blank cell is named by check_lines with its item, like the form's.
    Field("检定数量", "verified", kind="int", required=False, width=10),
    Field("合格数量", "qualified", kind="int", required=False, width=10),
    Field("不合格数量", "unqualified", kind="int", required=False, width=12),
    Field("首次检定加贴标志数量", "first_time_sticker", kind="int", required=False, width=20),
    Field("备注", "notes", required=False, max_length=NOTES_MAX, width=30),
]
_COUNT_CLEANERS = {spec.key: cleaner(spec) for spec in MONTHLY_FIELDS if spec.key in COUNTS}


def line_from_cells(row: int, item_code: str, cells: dict, notes: str = "") -> tuple[LineInput, list[CellError]]:
    """One form line from the text typed in its cells, read by the same rules as an Excel cell (M2)."""
    values, errors = {}, []
    for key in COUNTS:
        values[key], problem = _COUNT_CLEANERS[key](cells.get(key))
        if problem:
            errors.append(CellError(row, HEADERS[key], problem))
    return LineInput(row, item_code, **values, notes=(notes or "").strip()), errors


def lines_from_excel(upload) -> tuple[list[LineInput], list[CellError]]:
    """Read the month's template safely (zzmetro.spreadsheets): the lines, and the cells it could not read.

    A whole-file problem (not a workbook, wrong headers, formulas, hostile shapes) is a DomainError naming it.
    """
    try:
        check_size(upload, monthly_report_max_bytes())  # before anything reads it (DOMAIN G4)
    except ValidationError as error:
        raise DomainError(error.messages[0], field="file") from error
    try:
        parsed = list(read_rows(upload, MONTHLY_FIELDS, max_rows=500))
    except SpreadsheetError as error:
        raise DomainError(error.message, field="file") from error
    lines = [
        LineInput(
            row.row, row.values["item_code"], *(row.values[key] for key in COUNTS), notes=row.values["notes"] or ""
        )
        for row in parsed
    ]
    return lines, [error for row in parsed for error in row.errors]


def monthly_submit_excel(
    *,
    station: Station,
    period: dt.date,
    upload,
    by,
    nil_confirmed: bool = False,
    at: dt.datetime | None = None,
) -> MonthlyReport:
    """M2: the same validation as the form, every problem named by row and column, nothing saved unless all is valid."""
    lines, known = lines_from_excel(upload)
    return monthly_submit(
        station=station,
        period=period,
        lines=lines,
        known=known,
        by=by,
        source="excel",
        nil_confirmed=nil_confirmed,
        at=at,
    )


@transaction.atomic
def monthly_reopen(*, report: MonthlyReport, by, reason: str) -> MonthlyReport:
    """M4: bureau staff reopen a locked report with a reason; the officer amends and resubmits."""
    reason = require_reason(reason, "退回月报")
    report = MonthlyReport.objects.select_for_update().select_related("station").get(pk=report.pk)
    ensure(report, to=M.REOPENED)
    report.reopen_reason = reason
    period = report.period
    notice = station_notice(
        report.station,
        subject=f"{month_label(period)}月报退回修改",
        path=reverse("reporting:monthly_form", args=[period.year, period.month]),
        body=f"贵单位{month_label(period)}月报已被退回修改，请修改后重新报送。退回理由：{reason}",
    )
    transition(
        report,
        to=M.REOPENED,
        by=by,
        label="退回月报修改",
        note=reason,
        notices=[notice],
        update_fields=["reopen_reason"],
    )
    return report


def reports_open_month(period: dt.date) -> int:
    """Create the pending report rows of every station expected for `period` (idempotent; M8)."""
    span = (period, month_end(period))
    expected = [sid for sid, authority in load_authorities().items() if authority.current_in(span)]
    due_on = monthly_due_on(period)
    created = MonthlyReport.objects.bulk_create(
        [MonthlyReport(station_id=sid, period=period, due_on=due_on) for sid in expected], ignore_conflicts=True
    )
    return len(created)


# --- quarterly analysis (M6) -------------------------------------------------------------------------------


def quarter_unreportable_reason(station: Station, year: int, quarter: int, today: dt.date) -> str:
    """Why the quarter's analysis cannot be written (yet), or "" (M6, M8)."""
    if quarter not in (1, 2, 3, 4):
        return "季度应为1至4。"
    if today <= month_end(quarter_months(year, quarter)[-1]):
        return f"{year}年第{quarter}季度尚未结束，季度统计分析自季度结束后报送。"
    if not quarter_expected(station_authority(station.pk, with_items=False), year, quarter):
        return f"本单位{year}年第{quarter}季度未获计量授权，无需报送该季度统计分析。"
    return ""


def _quarter(station: Station, year: int, quarter: int, today: dt.date) -> QuarterlyAnalysis:
    reason = quarter_unreportable_reason(station, year, quarter, today)
    if reason:
        raise DomainError(reason)
    analysis, _ = QuarterlyAnalysis.objects.get_or_create(
        station=station, year=year, quarter=quarter, defaults={"due_on": quarterly_due_on(year, quarter)}
    )
    return analysis


@transaction.atomic
def quarterly_save_narrative(*, station: Station, year: int, quarter: int, narrative: str, by) -> QuarterlyAnalysis:
    """M6: the officer adds the narrative that the generated PDF carries."""
    analysis = _quarter(station, year, quarter, beijing_today())
    analysis.narrative = narrative.strip()
    analysis.save(update_fields=["narrative", "updated_at"])
    return analysis


@transaction.atomic
def quarterly_upload_stamped(
    *, analysis: QuarterlyAnalysis, file, by, at: dt.datetime | None = None
) -> QuarterlyAnalysis:
    """M6: the copy stamped with the station's seal — PDF or image, type checked by content, size-limited."""
    try:
        extension = validate_document(file)
    except ValidationError as error:
        raise DomainError(error.messages[0], field="file") from error
    at = at or timezone.now()
    analysis = QuarterlyAnalysis.objects.select_for_update().get(pk=analysis.pk)
    ensure(analysis, to=QuarterlyAnalysis.Status.SUBMITTED)
    analysis.stamped_file.save(f"stamped{extension}", file, save=False)
    analysis.stamped_uploaded_at, analysis.uploaded_by = at, by
    analysis.stamped_late_days = days_late(at, analysis.due_on)
    late = f"逾期{analysis.stamped_late_days}天" if analysis.stamped_late_days else "按时"
    transition(
        analysis,
        to=QuarterlyAnalysis.Status.SUBMITTED,
        by=by,
        note=late,
        update_fields=["stamped_file", "stamped_uploaded_at", "uploaded_by", "stamped_late_days", "updated_at"],
    )
    return analysis


# --- major issues (M7) -------------------------------------------------------------------------------------


@transaction.atomic
def major_issue_report(
    *, station: Station, by, title: str, occurred_on: dt.date, description: str, measures: str = ""
) -> MajorIssueReport:
    """M7: filed at any time; bureau staff are e-mailed at once (through the outbox, so never lost)."""
    if not title.strip() or not description.strip():
        raise DomainError("请填写标题和情况说明。", field="description")
    if occurred_on > beijing_today():
        raise DomainError("发生日期不能晚于今天。", field="occurred_on")
    issue = MajorIssueReport.objects.create(
        station=station,
        reported_by=by,
        title=title.strip(),
        occurred_on=occurred_on,
        description=description.strip(),
        measures=measures.strip(),
    )
    queue_mail(*major_issue_message(issue), settings.BUREAU_EMAIL)
    return issue


def major_issue_message(issue: MajorIssueReport) -> tuple[str, str]:
    """The subject and body of the e-mail that tells bureau staff about a major issue (M7)."""
    reporter = (issue.reported_by.get_full_name() or issue.reported_by.username) if issue.reported_by else ""
    body = (
        f"{issue.station.name}于{issue.reported_at.astimezone(BEIJING):%Y年%m月%d日 %H:%M}报告重大问题：\n\n"
        f"标题：{issue.title}\n发生日期：{issue.occurred_on:%Y年%m月%d日}\n报告人：{reporter}\n\n"
        f"情况说明：\n{issue.description}\n\n已采取的措施：\n{issue.measures or '（未填写）'}\n\n"
        f"查看：{settings.SITE_URL}/admin/reporting/majorissuereport/{issue.pk}/change/"
    )
    return f"【郑州计量授权】重大问题报告：{issue.station.name} {issue.title}", body
