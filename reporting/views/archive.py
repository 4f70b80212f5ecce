"""Station portal: the instrument archive (强检器具档案), its import and export (DOMAIN M1)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from authorizations.selectors.stations import officer_station
from reporting import exports
from reporting.forms.archive import ArchiveFilterForm, ImportForm, InstrumentForm, VerificationForm
from reporting.models import ImportJob, Instrument
from reporting.selectors import archive as selectors
from reporting.services import archive as services
from reporting.services.archive_import import FIELDS
from reporting.tasks import archive_import_job
from zzmetro.access import officer_required
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.exports import iter_xlsx, streaming_xlsx_response
from zzmetro.forms import errors_text
from zzmetro.jobs import dispatch
from zzmetro.pagecache import kept_rendered
from zzmetro.responses import attachment_response
from zzmetro.spreadsheets import CellError, error_workbook, template_workbook


def _filtered(request):
    form = ArchiveFilterForm(request.GET or None, station=officer_station(request.user))
    queryset = selectors.archive_search(
        Instrument.objects.for_user(request.user), form.filters(), today=beijing_today()
    )
    return form, queryset


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


@officer_required
@kept_rendered
def index(request):
    form, queryset = _filtered(request)
    page = Paginator(exports.archive_rows(queryset.order_by("-id")), 50).get_page(request.GET.get("page"))
    columns = exports.ARCHIVE_COLUMNS[1:]  # the station column is the officer's own station
    rows = [(row["id"], [_display(c.value(row)) for c in columns]) for row in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "headers": [c.header for c in columns],
        "link_index": [c.header for c in columns].index("出厂编号"),
        "query": request.GET.urlencode(),
        "jobs": selectors.station_import_jobs(request.user)[:5],
    }
    return render(request, "archive/index.html", context)


@officer_required
def export(request):
    """The filtered archive, streamed from a server-side cursor into the workbook as it is sent."""
    _, queryset = _filtered(request)
    rows = exports.archive_export_rows(queryset)
    chunks = iter_xlsx(exports.ARCHIVE_COLUMNS, rows, title="强检器具档案")
    return streaming_xlsx_response(chunks, filename=f"强检器具档案-{beijing_today():%Y%m%d}.xlsx")


@officer_required
def instrument_create(request):
    station = officer_station(request.user)
    form = InstrumentForm(request.POST or None, station=station)
    verification = VerificationForm(request.POST or None, station=station)
    if request.method == "POST" and form.is_valid() and verification.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            instrument = services.instrument_create(station=station, verification=verification.cleaned_data, **data)
        except DomainError as error:
            error.add_to(verification if error.field in verification.fields else form)
        else:
            messages.success(request, f"器具 {instrument} 已建档。")
            return redirect("archive:instrument_detail", pk=instrument.pk)
    return render(request, "archive/instrument_form.html", {"form": form, "verification": verification})


@officer_required
@kept_rendered
def instrument_detail(request, pk):
    instrument = get_object_or_404(Instrument.objects.for_user(request.user).select_related("item", "station"), pk=pk)
    station = instrument.station
    form = InstrumentForm(instance=instrument, station=station)
    context = {
        "instrument": instrument,
        "form": form,
        "verification": VerificationForm(station=station),
        "verifications": selectors.instrument_verifications(instrument),
    }
    return render(request, "archive/instrument_detail.html", context)


@officer_required
@require_POST
def instrument_edit(request, pk):
    instrument = get_object_or_404(Instrument.objects.for_user(request.user, action="change"), pk=pk)
    form = InstrumentForm(request.POST, instance=instrument, station=instrument.station)
    if form.is_valid():
        try:
            services.instrument_update(instrument=instrument, **form.cleaned_data)
            messages.success(request, "器具信息已保存。")
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, errors_text(form))
    return redirect("archive:instrument_detail", pk=pk)


@officer_required
@require_POST
def verification_create(request, pk):
    instrument = get_object_or_404(Instrument.objects.for_user(request.user, action="verify"), pk=pk)
    form = VerificationForm(request.POST, station=instrument.station)
    if form.is_valid():
        try:
            services.verification_add(instrument=instrument, **form.cleaned_data)
            messages.success(request, "检定记录已登记。")
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, errors_text(form))
    return redirect("archive:instrument_detail", pk=pk)


@officer_required
def import_template(request):
    content = template_workbook(FIELDS, title="强检器具档案导入模板")
    return attachment_response(content, "强检器具档案导入模板.xlsx", content_type=exports.XLSX)


@officer_required
def import_create(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                station=officer_station(request.user),
                by=request.user,
                filename=upload.name,
                data=upload.read(),
            )
        except DomainError as error:
            error.add_to(form)
        else:
            dispatch(archive_import_job, job.pk)  # committed first; if the broker is down the sweep queues it later
            return redirect("archive:import_detail", pk=job.pk)
    return render(request, "archive/import_form.html", {"form": form, "fields": FIELDS})


def _job(request, pk) -> ImportJob:
    return get_object_or_404(ImportJob.objects.for_user(request.user).defer("upload"), pk=pk)


@officer_required
@kept_rendered
def import_detail(request, pk):
    job = _job(request, pk)
    return render(request, "archive/import_detail.html", {"job": job, "errors": job.errors[:200], "form": ImportForm()})


@officer_required
def import_status(request, pk):
    services.import_jobs_stalled()  # the officer learns of a dead worker even when no beat is running
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "progress": job.progress,
            "finished": job.is_finished,
            "rows_total": job.rows_total,
            "rows_imported": job.rows_imported,
            "message": job.message,
            "url": reverse("archive:import_detail", args=[job.pk]),
        }
    )


@officer_required
def import_errors(request, pk):
    job = _job(request, pk)
    errors = [CellError(row, column, message) for row, column, message in job.errors]
    return attachment_response(
        error_workbook(errors, title="导入错误报告"), f"导入错误报告-{job.pk}.xlsx", content_type=exports.XLSX
    )
