"""Station portal: an information officer sees and changes only their own station (DOMAIN Actors)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from authorizations import documents, services
from authorizations.forms.applications import ApplicationForm, MaterialForm, PreparationForm
from authorizations.forms.certificates import TerminationForm
from authorizations.models import Application, Certificate
from authorizations.selectors.applications import open_applications
from authorizations.selectors.certificates import current_certificate_for, renewal_deadline
from authorizations.selectors.events import station_events
from authorizations.selectors.stations import officer_station
from zzmetro.access import officer_required
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.forms import errors_text
from zzmetro.pagecache import kept_rendered
from zzmetro.responses import document_response, stored_file_response


@officer_required
@kept_rendered
def index(request):
    station = officer_station(request.user)
    today = beijing_today()
    certificate = current_certificate_for(request.user, today)
    context = {
        "station": station,
        "today": today,
        "certificate": certificate,
        "state": certificate.state_on(today) if certificate else None,
        "renewal_deadline": renewal_deadline(certificate) if certificate else None,
        "open_applications": open_applications(request.user),
        "events": station_events(request.user)[:10],
    }
    return render(request, "portal/index.html", context)


@officer_required
@kept_rendered
def application_list(request):
    applications = Application.objects.for_user(request.user).prefetch_related("items")
    status = request.GET.get("status", "")
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    page = Paginator(applications, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/application_list.html",
        {"page": page, "statuses": Application.Status.choices, "status": status},
    )


@officer_required
def application_create(request):
    kind = request.GET.get("kind", Application.Kind.NEW)
    if kind not in Application.Kind.values:
        raise Http404
    station = officer_station(request.user)
    certificate = None
    if kind != Application.Kind.NEW:
        certificate = current_certificate_for(request.user, beijing_today(), action="change")
    form = ApplicationForm(request.POST or None, kind=kind, certificate=certificate)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                station=station, by=request.user, kind=kind, certificate=certificate, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, f"{application.get_kind_display()}已提交，申请编号{application.number}。")
            return redirect("portal:application_detail", pk=application.pk)
    context = {"form": form, "kind": Application.Kind(kind), "certificate": certificate}
    return render(request, "portal/application_form.html", context)


@officer_required
@kept_rendered
def application_detail(request, pk):
    application = get_object_or_404(
        Application.objects.for_user(request.user).prefetch_related("items", "materials"), pk=pk
    )
    context = {
        "application": application,
        "material_form": MaterialForm(),
        "preparation_form": PreparationForm(instance=application),
        "events": application.events.select_related("by"),
        "assessment": getattr(application, "assessment", None),
    }
    return render(request, "portal/application_detail.html", context)


@officer_required
@require_POST
def application_material(request, pk):
    application = get_object_or_404(Application.objects.for_user(request.user, action="change"), pk=pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.application_add_material(application=application, by=request.user, **form.cleaned_data)
            messages.success(request, "材料已上传。")
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, errors_text(form))
    return redirect("portal:application_detail", pk=pk)


@officer_required
@require_POST
def application_preparation(request, pk):
    application = get_object_or_404(Application.objects.for_user(request.user, action="change"), pk=pk)
    form = PreparationForm(request.POST, instance=application)
    if form.is_valid():
        try:
            services.application_record_preparation(application=application, by=request.user, **form.cleaned_data)
            messages.success(request, "筹建情况已保存。")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("portal:application_detail", pk=pk)


@officer_required
@require_POST
def application_request_assessment(request, pk):
    application = get_object_or_404(Application.objects.for_user(request.user, action="change"), pk=pk)
    try:
        services.application_request_assessment(application=application, by=request.user)
        messages.success(request, "考核申请已提交，市局将适时组织现场考核。")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("portal:application_detail", pk=pk)


@officer_required
def application_material_download(request, pk, material):
    """The officer's own uploaded material; another station's is a 404 like a missing one."""
    application = get_object_or_404(Application.objects.for_user(request.user), pk=pk)
    return stored_file_response(get_object_or_404(application.materials, pk=material).file)


APPLICATION_DOCUMENTS = {
    "acceptance": (documents.acceptance_notice_pdf, "受理申请通知书"),
    "refusal": (documents.refusal_decision_pdf, "不予受理决定书"),
}


@officer_required
def application_document(request, pk, kind):
    application = get_object_or_404(Application.objects.for_user(request.user), pk=pk)
    if kind not in APPLICATION_DOCUMENTS:
        raise Http404
    render_document, title = APPLICATION_DOCUMENTS[kind]
    return document_response(render_document, application, f"{title}-{application.number}.pdf")


@officer_required
@kept_rendered
def certificate_detail(request, pk):
    certificate = get_object_or_404(
        Certificate.objects.for_user(request.user).prefetch_related(
            "certificate_items__item", "suspensions", "terminations"
        ),
        pk=pk,
    )
    today = beijing_today()
    context = {
        "certificate": certificate,
        "state": certificate.state_on(today),
        "renewal_deadline": renewal_deadline(certificate),
        "events": certificate.events.select_related("by"),
    }
    return render(request, "portal/certificate_detail.html", context)


@officer_required
def certificate_document(request, pk, kind):
    certificate = get_object_or_404(Certificate.objects.for_user(request.user), pk=pk)
    renderers = {
        "certificate": (documents.certificate_pdf, "计量授权证书"),
        "revocation": (documents.revocation_decision_pdf, "撤销决定书"),
    }
    if kind not in renderers:
        raise Http404
    render_document, title = renderers[kind]
    return document_response(render_document, certificate, f"{title}-{certificate.number}.pdf")


@officer_required
def termination_create(request):
    certificate = current_certificate_for(request.user, beijing_today(), action="change")
    if certificate is None:
        messages.error(request, "本单位没有有效的计量授权证书，无需报告终止。")
        return redirect("portal:index")
    form = TerminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.termination_report(certificate=certificate, by=request.user, **form.cleaned_data)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, "终止授权报告已提交，待市局批准。批准前请继续履行授权检定和报送义务。")
            return redirect("portal:certificate_detail", pk=certificate.pk)
    return render(request, "portal/termination_form.html", {"form": form, "certificate": certificate})


@officer_required
@kept_rendered
def event_list(request):
    page = Paginator(station_events(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "portal/event_list.html", {"page": page})
