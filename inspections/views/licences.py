"""The licence register's pages (DOMAIN L2, L4–L6): the public list of holders, and for the bureau the import,
the exports of the admin's filtered lists and the special inspection's documents.

Bureau staff reach the bureau pages from the licence list in the admin; managers read and download but never
change anything; station officers get none of them.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from inspections import documents_licences as documents
from inspections import exports
from inspections import licence_import as importer
from inspections.forms.licences import (
    AdministratorFormSet,
    LicenceImportForm,
    LicenceReportForm,
    ManufacturerSearchForm,
    disable,
)
from inspections.models import InstrumentType, LicenceFinding, LicenceSystemAdministrator, ManufacturingLicence
from inspections.selectors import licence_documents as selectors
from zzmetro.access import reader_required, role_required
from zzmetro.dates import beijing_today
from zzmetro.exports import xlsx_response
from zzmetro.responses import XLSX, attachment_response, pdf_response
from zzmetro.spreadsheets import SpreadsheetError

bureau_required = role_required(lambda user: user.is_bureau)


# ---------------------------------------------------------------- public


def manufacturer_register(request):
    """Who holds a manufacturing licence (L5): search by name, type and number; cancelled and expired ones with
    their date."""
    types = InstrumentType.objects.filter(key_list_entries__isnull=False).distinct().order_by("code")
    form = ManufacturerSearchForm(request.GET or None, type_choices=[(t.code, t.name) for t in types])
    filters = form.cleaned_data if form.is_valid() else {}
    today = beijing_today()
    licences = selectors.public_licences(
        name=filters.get("q", ""),
        type_code=filters.get("instrument_type", ""),
        number=filters.get("number", ""),
        today=today,
    )
    page = Paginator(licences, 20).get_page(request.GET.get("page"))
    for licence in page.object_list:  # its standing today, not as last decided (L5)
        licence.state, licence.state_label, licence.state_date = licence.state_on(today)
    return render(request, "inspections/licences/register.html", {"form": form, "page": page, "today": today})


# ---------------------------------------------------------------- import


def _kind(kind: str) -> importer.Kind:
    if kind not in importer.KINDS:
        raise Http404
    return importer.KINDS[kind]


@bureau_required
def import_template(request, kind):
    kind = _kind(kind)
    return attachment_response(importer.template(kind), f"{kind.label}导入模板.xlsx", content_type=XLSX)


@bureau_required
def register_import(request, kind):
    """Upload a filled template; everything is saved or nothing, and every problem is listed by row and column."""
    kind = _kind(kind)
    form = LicenceImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = importer.import_register(kind=kind, data=form.cleaned_data["file"].read(), by=request.user)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            if outcome.ok:
                messages.success(
                    request,
                    f"已导入{kind.label}{outcome.created}个（共{outcome.rows}行），新登记制造企业{outcome.manufacturers}家"
                    + (f"，核查发现问题{outcome.findings}项。" if kind is importer.LICENCES else "。"),
                )
                return redirect(_changelist(kind))
    context = {
        "kind": kind,
        "kinds": importer.KINDS.values(),
        "form": form,
        "outcome": outcome,
        "errors": outcome.errors[:500] if outcome else [],
        "changelist": _changelist(kind),
    }
    return render(request, "inspections/licences/import.html", context)


def _changelist(kind: importer.Kind) -> str:
    model = "patternapproval" if kind is importer.APPROVALS else "manufacturinglicence"
    try:
        return reverse(f"admin:inspections_{model}_changelist")
    except NoReverseMatch:  # the model is not in the admin
        return reverse("admin:index")


# ---------------------------------------------------------------- exports of the admin's lists


def _filtered(request, model):
    """The queryset the admin list shows for the same query string: filters, search and ordering (NetBox-style)."""
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_permission(request):
        raise Http404
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters as error:
        raise BadRequest("筛选条件无效，请回到列表重新筛选后导出。") from error
    return changelist.queryset


@reader_required
def licence_export(request):
    licences = exports.licence_rows(_filtered(request, ManufacturingLicence))
    name = f"制造计量器具许可证-{beijing_today():%Y%m%d}.xlsx"
    return xlsx_response(list(exports.LICENCE_COLUMNS), licences, title="制造计量器具许可证", filename=name)


@reader_required
def finding_export(request):
    findings = exports.finding_rows(_filtered(request, LicenceFinding))
    name = f"许可核查问题-{beijing_today():%Y%m%d}.xlsx"
    return xlsx_response(list(exports.FINDING_COLUMNS), findings, title="许可核查问题", filename=name)


# ---------------------------------------------------------------- the special inspection's documents


@reader_required
def inspection_documents(request):
    """Staff complete Attachment 1's open questions, Attachment 2 and the summary's free text; managers read."""
    report = selectors.current_report()
    writable = request.user.is_bureau
    data = request.POST if request.method == "POST" and writable else None
    form = LicenceReportForm(data, instance=report, prefix="report")
    administrators = AdministratorFormSet(data, queryset=LicenceSystemAdministrator.objects.all(), prefix="admins")
    if request.method == "POST" and not writable:
        raise PermissionDenied("您的账号只能查阅，不能修改。")
    if data is not None and form.is_valid() and administrators.is_valid():
        with transaction.atomic():
            report = form.save(commit=False)
            report.updated_at, report.updated_by = timezone.now(), request.user
            report.save()
            administrators.save()
        messages.success(request, "已保存。")
        return redirect("licences:documents")
    if not writable:
        disable(form)
        for subform in administrators.forms:
            disable(subform)
    context = {
        "report": report,
        "form": form,
        "administrators": administrators,
        "writable": writable,
        "survey": selectors.survey_row(report),
        "figures": selectors.summary_context(report)["figures"],
    }
    return render(request, "inspections/licences/documents.html", context)


@reader_required
def survey_download(request):
    report = selectors.current_report()
    content = documents.survey_workbook([selectors.survey_row(report)], unit=report.unit)
    return attachment_response(content, f"附件1-{documents.SURVEY_TITLE}.xlsx", content_type=XLSX)


@reader_required
def administrators_download(request):
    content = documents.administrators_workbook(selectors.administrator_rows())
    return attachment_response(content, f"附件2-{documents.ADMINISTRATORS_TITLE}.xlsx", content_type=XLSX)


@reader_required
def summary_download(request):
    report = selectors.current_report()
    return pdf_response(documents.summary_pdf(report), f"{report.year}年{report.title}.pdf")
