"""Reporting's lines on the bureau's workbench (issue 11): plans and reports to review, reports overdue, quarterly
analyses missing, data-quality flags to follow up, failed imports. Registered from ReportingConfig.ready()."""

from dataclasses import replace

from django.urls import reverse

from zzmetro.dates import beijing_today
from zzmetro.workbench import Entry, listed, register


def _last_closed_quarter(today) -> tuple[int, int]:
    """The quarter the bureau's quarterly board opens on: the one before today's."""
    current = (today.month - 1) // 3 + 1
    return (today.year, current - 1) if current > 1 else (today.year - 1, 4)


def _quarterly_missing() -> int:
    from reporting.selectors.reports import quarterly_board

    rows = quarterly_board(*_last_closed_quarter(beijing_today()))
    return sum(1 for row in rows if not (row.analysis and row.analysis.stamped_file))


def _quarterly_url() -> str:
    year, quarter = _last_closed_quarter(beijing_today())
    return f"{reverse('reporting:quarterly_board')}?year={year}&quarter={quarter}"


def register_all() -> None:
    from reporting.models import AnnualPlan, ImportJob, MonthlyReport, QualityFlag

    plan, report = AnnualPlan.Status.SUBMITTED, MonthlyReport.Status
    entries = [
        listed(
            "reporting.annualplan",
            lambda: AnnualPlan.objects.filter(status=plan),
            lambda: {"status__exact": plan},
            key="reporting.plans_to_review",
            label="待审核的年度计划",
        ),
        listed(
            "reporting.monthlyreport",
            lambda: MonthlyReport.objects.filter(status=report.SUBMITTED, flagged=True),
            lambda: {"status__exact": report.SUBMITTED, "flagged__exact": 1},
            key="reporting.reports_to_review",
            label="存在异常待审查的月报",
        ),
        listed(
            "reporting.monthlyreport",
            lambda: MonthlyReport.objects.filter(status=report.PENDING, due_on__lt=beijing_today()),
            lambda: {"timeliness": "overdue"},
            key="reporting.reports_overdue",
            label="逾期未报的月报",
        ),
        Entry(
            key="reporting.quarterly_missing",
            label="上一季度未上传盖章统计分析的单位",
            count=_quarterly_missing,
            url=_quarterly_url,
        ),
        listed(
            "reporting.qualityflag",
            lambda: QualityFlag.objects.filter(status=QualityFlag.Status.OPEN),
            lambda: {"status__exact": QualityFlag.Status.OPEN},
            key="reporting.flags_to_follow_up",
            label="待核实的数据质量提示",
        ),
        listed(
            "reporting.importjob",
            lambda: ImportJob.objects.filter(status=ImportJob.Status.FAILED),
            lambda: {"status__exact": ImportJob.Status.FAILED},
            key="reporting.failed_imports",
            label="失败的档案导入",
            group="系统",
            order=10,
        ),
    ]
    for order, entry in enumerate(entries):
        register(entry if entry.group else replace(entry, group="报表", order=order))
