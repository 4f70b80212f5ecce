"""Data-quality flags (数据质量提示) on monthly reports: raised, re-checked and followed up (DOMAIN Q1–Q4).

The checks run when a report is submitted (`report_check`) and again when the archive changes (`archive_changed`);
they never refuse anything (Q4). A re-check keeps every decision staff made: an explained or confirmed flag stays
as marked; an open flag whose condition no longer holds is cleared, and raised again if it returns.
"""

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction

from reporting.models import MonthlyReport, QualityFlag
from reporting.selectors import quality as selectors
from zzmetro.errors import DomainError
from zzmetro.workflow import record, transition

K = QualityFlag.Kind
S = QualityFlag.Status


def policy(name: str):
    return settings.ZZ_POLICY[name]


@dataclass(frozen=True)
class Finding:
    """What a check found on one report: the flag it calls for, before it is stored."""

    kind: str
    item_id: int | None
    reported: int
    reference: int
    detail: str
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def key(self) -> tuple[str, int | None]:
        return self.kind, self.item_id


# --- the three checks -------------------------------------------------------------------------------------


def outlier_range(counts: list[int]) -> tuple[Decimal, Decimal, Decimal] | None:
    """Q1: (median, low, high) = median ± k·MAD of the history, MAD floored; None with too little history."""
    if len(counts) < policy("QUALITY_OUTLIER_MIN_MONTHS"):
        return None
    median = Decimal(statistics.median(counts))
    mad = max(Decimal(statistics.median(abs(Decimal(c) - median) for c in counts)), policy("QUALITY_MAD_FLOOR"))
    spread = policy("QUALITY_OUTLIER_K") * mad
    return median, median - spread, median + spread


def _outliers(report: MonthlyReport, lines) -> list[Finding]:
    past = selectors.history(report, [line.item_id for line in lines], months=policy("QUALITY_OUTLIER_WINDOW"))
    found = []
    for line in lines:
        bounds = outlier_range(past.get(line.item_id, []))
        if bounds is None or bounds[1] <= line.verified <= bounds[2]:
            continue
        median, low, high = bounds
        found.append(
            Finding(
                K.OUTLIER,
                line.item_id,
                line.verified,
                _whole(median),
                f"检定数量{line.verified}，本单位该项目此前{len(past[line.item_id])}个月的中位数为{_text(median)}，"
                f"合理范围{_text(max(low, Decimal(0)))}～{_text(high)}",
                low,
                high,
            )
        )
    return found


def archive_tolerance(archived: int) -> Decimal:
    """Q2: a report may differ from the archive by at most max(2, 5 % of the archive's count)."""
    return max(
        Decimal(policy("QUALITY_ARCHIVE_TOLERANCE")), Decimal(archived) * policy("QUALITY_ARCHIVE_PERCENT") / 100
    )


def _archive_differences(report: MonthlyReport, lines, archive: dict) -> list[Finding]:
    found = []
    for line in lines:
        archived = archive.get((report.period, line.item_id), 0)
        if abs(line.verified - archived) <= archive_tolerance(archived):
            continue
        found.append(
            Finding(
                K.ARCHIVE,
                line.item_id,
                line.verified,
                archived,
                f"月报检定数量{line.verified}，档案中该月检定记录{archived}条，相差{abs(line.verified - archived)}",
            )
        )
    return found


def _nil_with_archive(report: MonthlyReport, lines, archive: dict) -> list[Finding]:
    """Q3: a report of all zeros while the archive holds verifications of that month."""
    if not lines or any(line.verified for line in lines):
        return []
    archived = sum(n for (month, _), n in archive.items() if month == report.period)
    if not archived:
        return []
    return [Finding(K.NIL, None, 0, archived, f"月报确认本月无检定，档案中该月却有检定记录{archived}条")]


def findings(report: MonthlyReport, *, archive: dict | None = None) -> list[Finding]:
    """Every flag the report's current version calls for (Q1–Q3)."""
    lines = selectors.current_lines(report)
    if archive is None:
        archive = selectors.archive_counts(report.station_id, report.period, report.period)
    return [
        *_outliers(report, lines),
        *_archive_differences(report, lines, archive),
        *_nil_with_archive(report, lines, archive),
    ]


def _whole(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- storing what was found --------------------------------------------------------------------------------


@transaction.atomic
def report_check(*, report: MonthlyReport, archive: dict | None = None) -> list[QualityFlag]:
    """Q1–Q4: raise, refresh, clear or raise again the report's flags; returns the flags open for follow-up."""
    existing = {
        (f.kind, f.item_id): f for f in QualityFlag.objects.select_for_update().filter(report=report).order_by("pk")
    }
    for finding in findings(report, archive=archive):
        flag = existing.pop(finding.key, None)
        if flag is None:
            _raise(report, finding)
        elif flag.status in (S.OPEN, S.CLEARED):
            _refresh(flag, finding)
    for flag in existing.values():
        if flag.status == S.OPEN:
            transition(flag, to=S.CLEARED, by=None, note="重新核对后已不符合提示条件", update_fields=["checked_at"])
    return list(QualityFlag.objects.filter(report=report, status=S.OPEN))


def _figures(finding: Finding) -> dict:
    return {
        "reported": finding.reported,
        "reference": finding.reference,
        "low": None if finding.low is None else _whole(finding.low),
        "high": None if finding.high is None else _whole(finding.high),
        "detail": finding.detail[:300],
    }


def _raise(report: MonthlyReport, finding: Finding) -> QualityFlag:
    flag = QualityFlag.objects.create(
        report=report,
        station_id=report.station_id,
        period=report.period,
        item_id=finding.item_id,
        kind=finding.kind,
        **_figures(finding),
    )
    record(flag, action="raise", label="发现数据质量提示", by=None, note=flag.detail)
    return flag


def _refresh(flag: QualityFlag, finding: Finding) -> None:
    figures = _figures(finding)
    for name, value in figures.items():
        setattr(flag, name, value)
    if flag.status == S.CLEARED:
        transition(flag, to=S.OPEN, by=None, note=flag.detail, update_fields=[*figures, "checked_at"])
    else:
        flag.save(update_fields=[*figures, "checked_at"])


def archive_changed(*, station_id: int, months: list[dt.date] | None = None) -> int:
    """Q2, Q3: the archive of a station changed in `months` (every month when None): re-check its submitted reports.

    Returns how many reports were checked. One grouped read of the archive serves them all.
    """
    reports = MonthlyReport.objects.filter(station_id=station_id, status=MonthlyReport.Status.SUBMITTED)
    if months is not None:
        reports = reports.filter(period__in={m.replace(day=1) for m in months})
    reports = list(reports.order_by("period"))
    if not reports:
        return 0
    archive = selectors.archive_counts(station_id, reports[0].period, reports[-1].period)
    for report in reports:
        report_check(report=report, archive=archive)
    return len(reports)


# --- the bureau's follow-up (Q4) ----------------------------------------------------------------------------


@transaction.atomic
def flag_explain(*, flag: QualityFlag, by, note: str) -> QualityFlag:
    """Q4: staff accept the station's explanation of a flag; the note says what it was."""
    if not (note or "").strip():
        raise DomainError("请写明说明内容。", field="note")
    flag = QualityFlag.objects.select_for_update().get(pk=flag.pk)
    transition(flag, to=S.EXPLAINED, by=by, note=note.strip())
    return flag


@transaction.atomic
def flag_confirm(*, flag: QualityFlag, by, note: str = "") -> QualityFlag:
    """Q4: staff confirm the flag points to a real problem (a violation, I8, is opened from the station's case)."""
    flag = QualityFlag.objects.select_for_update().get(pk=flag.pk)
    transition(flag, to=S.CONFIRMED, by=by, note=(note or "").strip())
    return flag
