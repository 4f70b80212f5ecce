"""Station portal: monthly reports (M2–M5), quarterly analyses (M6), major issues (M7), own rates (M8).

Officers reach their objects only through `for_user`; another station's report is a 404.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from authorizations.selectors.stations import officer_station
from reporting import documents
from reporting.deadlines import month_label, monthly_due_on, quarter_months, quarterly_due_on, year_in_range
from reporting.forms.reports import NIL_LABEL, MajorIssueForm, MonthlyForm, NarrativeForm, StampedForm, UploadForm
from reporting.models import AnnualPlan, MajorIssueReport, MonthlyReport, QuarterlyAnalysis
from reporting.selectors import reports as selectors
from reporting.selectors.quality import report_flags
from reporting.services import reports as services
from zzmetro.access import officer_required
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.forms import errors_text
from zzmetro.pagecache import kept_rendered
from zzmetro.responses import attachment_response, pdf_response, stored_file_response
from zzmetro.spreadsheets import CellError, error_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(year: int, month: int) -> dt.date:
    if not (1 <= month <= 12 and year_in_range(year)):
        raise Http404
    return dt.date(year, month, 1)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return attachment_response(content, filename, content_type=XLSX)


@officer_required
@kept_rendered
def index(request):
    user, today = request.user, beijing_today()
    context = {
        "station": user.station,
        "today": today,
        "next_year": today.year + 1,
        "plans": AnnualPlan.objects.for_user(user).select_related("issuance").order_by("-year", "-version")[:10],
        "next_plan": selectors.plan_in_progress(user, today.year + 1),
        "months": selectors.open_months(user, as_of=today),
        "quarters": selectors.recent_quarters(user, as_of=today),
        "issues": MajorIssueReport.objects.for_user(user)[:5],
        "rates": selectors.reporting_rates(today.year, as_of=today, station_ids=[user.station_id]),
        "status_labels": selectors.STATUS_LABELS,
    }
    return render(request, "reporting/index.html", context)


# --- monthly report ----------------------------------------------------------------------------------------


def _own_report(user, period: dt.date, action: str = "view") -> MonthlyReport | None:
    return MonthlyReport.objects.for_user(user, action=action).filter(period=period).first()


def _monthly_context(request, period, form, *, upload_errors=(), upload_form=None):
    month = selectors.month_authority(officer_station(request.user), period)
    report = _own_report(request.user, period)
    ytd = selectors.year_to_date(request.user, period)
    rows = [(row, ytd.get(row[1].pk, {"verified": 0, "planned": None})) for row in form.rows()] if form else []
    problems = [(error, form.problem_anchor(error)) for error in form.problems] if form else []
    return {
        "period": period,
        "label": month_label(period),
        "month": month,
        "report": report,
        "form": form,
        "rows": rows,
        "problems": problems,
        "upload_errors": upload_errors,
        "upload_form": upload_form or UploadForm(),
        "due_on": monthly_due_on(period),
        "blocked": services.unreportable_reason(month, beijing_today()),
    }


def _earlier_lines(report) -> dict:
    """A reopened report's current figures, which the form starts from (M4); a new report starts blank."""
    return {line.item_id: line for line in selectors.current_lines(report)} if report else {}


def _refusal(error: DomainError) -> list[CellError]:
    """A refused submission as the list of problems the page shows, each once."""
    if isinstance(error, services.LinesInvalid):
        return error.errors
    if isinstance(error, services.NilNotConfirmed):
        return [CellError(0, NIL_LABEL, error.message)]
    return []


@officer_required
@kept_rendered
def monthly_form(request, year, month):
    """M2, Q3: one line per item authorized in the month; submitting locks the report (M4)."""
    period = _period(year, month)
    station = officer_station(request.user)  # the report is filed for the officer's station
    report = _own_report(request.user, period, "submit")
    if report and report.is_locked:
        return redirect("reporting:monthly_detail", pk=report.pk)
    month_items = selectors.month_authority(station, period).items
    form = MonthlyForm(
        request.POST if request.method == "POST" else None, items=month_items, initial_lines=_earlier_lines(report)
    )
    if request.method == "POST" and form.is_valid():
        lines, known = form.lines()
        try:
            report = services.monthly_submit(
                station=station,
                period=period,
                lines=lines,
                known=known,
                by=request.user,
                notes=form.cleaned_data["notes"],
                nil_confirmed=form.cleaned_data["nil_confirmed"],
            )
        except DomainError as error:
            form.mark(_refusal(error))
            messages.error(request, error.message)
        else:
            messages.success(request, f"{month_label(period)}月报已报送并锁定（{report.timeliness}）。")
            return redirect("reporting:monthly_detail", pk=report.pk)
    return render(request, "reporting/monthly_form.html", _monthly_context(request, period, form))


@officer_required
def monthly_template(request, year, month):
    """M2: the month's Excel template, one row per authorized item, counts blank."""
    period = _period(year, month)
    items = selectors.month_authority(officer_station(request.user), period).items
    return _xlsx(documents.monthly_template(period, items), f"月报模板-{period:%Y-%m}.xlsx")


UPLOAD_ERRORS = "monthly_upload_errors"


def _keep_upload_errors(request, period, errors: list[CellError]) -> None:
    """The last failed upload's problems, per month, for the error workbook (nothing of the file is kept)."""
    kept = request.session.get(UPLOAD_ERRORS, {})
    kept[f"{period:%Y-%m}"] = [[e.row, e.column, e.message, e.item] for e in errors]
    request.session[UPLOAD_ERRORS] = kept


@officer_required
@require_POST
def monthly_upload(request, year, month):
    """M2, Q3: the filled template; every problem named once by row, item and column; nothing saved unless all is valid."""
    period = _period(year, month)
    station = officer_station(request.user)  # the report is filed for the officer's station
    upload_form = UploadForm(request.POST, request.FILES)
    errors = []
    if upload_form.is_valid():
        try:
            report = services.monthly_submit_excel(
                station=station,
                period=period,
                upload=upload_form.cleaned_data["file"],
                by=request.user,
                nil_confirmed=upload_form.cleaned_data["nil_confirmed"],
            )
        except DomainError as error:
            errors = _refusal(error)
            if errors:
                messages.error(request, error.message)
            else:  # a whole-file problem: said once, next to the file field
                upload_form.add_error("file", error.message)
        else:
            messages.success(request, f"已从Excel导入{month_label(period)}月报并报送、锁定（{report.timeliness}）。")
            return redirect("reporting:monthly_detail", pk=report.pk)
    _keep_upload_errors(request, period, errors)
    report = _own_report(request.user, period, "submit")
    form = MonthlyForm(items=selectors.month_authority(station, period).items, initial_lines=_earlier_lines(report))
    context = _monthly_context(request, period, form, upload_errors=errors, upload_form=upload_form)
    return render(request, "reporting/monthly_form.html", context, status=200)


@officer_required
def monthly_upload_errors(request, year, month):
    """M2: the last failed upload's problems as a workbook (row, item, column, problem), like the archive import's."""
    period = _period(year, month)
    kept = request.session.get(UPLOAD_ERRORS, {}).get(f"{period:%Y-%m}")
    if not kept:
        raise Http404("没有可下载的错误报告。")
    errors = [CellError(row, column, message, item) for row, column, message, item in kept]
    return _xlsx(error_workbook(errors, title="月报错误报告"), f"月报错误报告-{period:%Y-%m}.xlsx")


@officer_required
@kept_rendered
def monthly_detail(request, pk):
    """M4: the report with every submitted version and its history."""
    report = get_object_or_404(MonthlyReport.objects.for_user(request.user).select_related("station"), pk=pk)
    context = {
        "report": report,
        "label": month_label(report.period),
        "versions": selectors.report_versions(report),
        "events": report.events.select_related("by"),
        "flags": report_flags(report),  # Q1–Q4: shown to the station too; they never block a submission
    }
    return render(request, "reporting/monthly_detail.html", context)


# --- quarterly analysis ------------------------------------------------------------------------------------


@officer_required
def quarterly_period(request, year, quarter):
    """M6: start (or continue) the quarter's analysis: the narrative the PDF carries."""
    if quarter not in (1, 2, 3, 4) or not year_in_range(year):
        raise Http404
    station = officer_station(request.user)  # the analysis is written for the officer's own station
    analysis = QuarterlyAnalysis.objects.for_user(request.user, action="change").filter(year=year, quarter=quarter)
    analysis = analysis.first()
    form = NarrativeForm(
        request.POST if request.method == "POST" else None,
        initial={"narrative": analysis.narrative if analysis else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            analysis = services.quarterly_save_narrative(
                station=station, year=year, quarter=quarter, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "分析说明已保存。请下载统计分析PDF，盖章后上传扫描件。")
            return redirect("reporting:quarterly_detail", pk=analysis.pk)
    if analysis and request.method == "GET":
        return redirect("reporting:quarterly_detail", pk=analysis.pk)
    context = {
        "form": form,
        "year": year,
        "quarter": quarter,
        "due_on": quarterly_due_on(year, quarter),
        "stats": selectors.quarter_statistics(station, year, quarter),
        "blocked": services.quarter_unreportable_reason(station, year, quarter, beijing_today()),
    }
    return render(request, "reporting/quarterly_form.html", context)


def _analysis(request, pk, action: str = "view") -> QuarterlyAnalysis:
    analyses = QuarterlyAnalysis.objects.for_user(request.user, action=action).select_related("station")
    return get_object_or_404(analyses, pk=pk)


@officer_required
@kept_rendered
def quarterly_detail(request, pk):
    analysis = _analysis(request, pk)
    context = {
        "analysis": analysis,
        "form": NarrativeForm(initial={"narrative": analysis.narrative}),
        "stamped_form": StampedForm(),
        "stats": selectors.quarter_statistics(analysis.station, analysis.year, analysis.quarter),
        "month_labels": [f"{m.month}月" for m in quarter_months(analysis.year, analysis.quarter)],
        "events": selectors.analysis_events(analysis),
    }
    return render(request, "reporting/quarterly_detail.html", context)


@officer_required
def quarterly_pdf(request, pk):
    analysis = _analysis(request, pk)
    return pdf_response(
        documents.quarterly_analysis_pdf(analysis), f"季度统计分析-{analysis.year}Q{analysis.quarter}.pdf"
    )


@officer_required
@require_POST
def quarterly_stamped(request, pk):
    """M6: upload the copy stamped with the station's seal (PDF or image, checked by content, size-limited)."""
    analysis = _analysis(request, pk, "upload")
    form = StampedForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, errors_text(form))  # names the file and the limit when it is too large
        return redirect("reporting:quarterly_detail", pk=pk)
    try:
        services.quarterly_upload_stamped(analysis=analysis, file=form.cleaned_data["file"], by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "盖章扫描件已上传。")
    return redirect("reporting:quarterly_detail", pk=pk)


@officer_required
def quarterly_stamped_file(request, pk):
    analysis = _analysis(request, pk)
    if not analysis.stamped_file:
        raise Http404("尚未上传盖章扫描件。")
    return stored_file_response(
        analysis.stamped_file, f"盖章件-{analysis.station.name}-{analysis.year}Q{analysis.quarter}"
    )


# --- major issues ------------------------------------------------------------------------------------------


@officer_required
def major_issue_create(request):
    """M7: report a major problem or matter of public concern at once; bureau staff are e-mailed."""
    form = MajorIssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.major_issue_report(
                station=officer_station(request.user), by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, "重大问题报告已提交，市局计量处已收到邮件通知。")
            return redirect("reporting:major_issue_detail", pk=issue.pk)
    return render(request, "reporting/major_issue_form.html", {"form": form})


@officer_required
@kept_rendered
def major_issue_detail(request, pk):
    issue = get_object_or_404(
        MajorIssueReport.objects.for_user(request.user).select_related("station", "reported_by"), pk=pk
    )
    return render(request, "reporting/major_issue_detail.html", {"issue": issue})
