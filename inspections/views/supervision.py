"""Supervision in the station portal: an officer sees only their own station's inspections, samples and cases."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from authorizations.selectors.stations import officer_station
from inspections import documents
from inspections.forms.supervision import ComplaintCloseForm, ComplaintForm, RectificationAnswerForm
from inspections.models import (
    AnnualEvaluation,
    Complaint,
    IntegrityEvaluation,
    Rectification,
    SampleDraw,
    SupervisionEvent,
    Violation,
)
from inspections.selectors import supervision as selectors
from inspections.services import cases, onsite, sampling
from zzmetro.access import officer_required
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.responses import document_response, pdf_response


def _action(request, verb: str) -> str:
    """What the request does to the row: reading it, or the service's verb for a submitted form."""
    return verb if request.method == "POST" else "view"


@officer_required
def index(request):
    user, today = request.user, beijing_today()
    context = {
        "today": today,
        "inspections": selectors.portal_inspections(user, today),
        "draws": selectors.draws_for(user),
        "complaints": [(c, c.age_on(today)) for c in Complaint.objects.for_user(user)[:50]],
        "evaluations": AnnualEvaluation.objects.for_user(user).exclude(result=""),
        "integrity": IntegrityEvaluation.objects.for_user(user).first(),
        "violations": Violation.objects.for_user(user),
        "events": SupervisionEvent.objects.for_user(user).select_related("by")[:20],
    }
    return render(request, "supervision/index.html", context)


@officer_required
def rectification_detail(request, pk):
    rectifications = Rectification.objects.for_user(request.user, action=_action(request, "answer"))
    rectification = get_object_or_404(rectifications.select_related("inspection"), pk=pk)
    form = RectificationAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            onsite.rectification_answer(
                rectification=rectification, by=request.user, answered_on=beijing_today(), **form.cleaned_data
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, "整改报告已报送，等待市局验收。")
            return redirect("supervision:rectification_detail", pk=pk)
    context = {
        "rectification": rectification,
        "form": form,
        "findings": rectification.inspection.findings.all(),
        "standing": selectors.rectification_standing(rectification, beijing_today()),
    }
    return render(request, "supervision/rectification_detail.html", context)


@officer_required
def rectification_document(request, pk):
    rectification = get_object_or_404(Rectification.objects.for_user(request.user), pk=pk)
    return pdf_response(documents.rectification_notice_pdf(rectification), f"整改通知书-{rectification.number}.pdf")


@officer_required
def draw_detail(request, pk):
    """I2: the station sees its sample only once the results have been notified."""
    draw = get_object_or_404(SampleDraw.objects.for_user(request.user).select_related("plan"), pk=pk)
    items = draw.items.select_related("verification__instrument")
    return render(
        request, "supervision/draw_detail.html", {"draw": draw, "items": items, "results": sampling.draw_results(draw)}
    )


@officer_required
def complaint_create(request):
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The complaint is filed for the officer's own station: no other station's row is reached here.
            complaint = cases.complaint_file(
                station=officer_station(request.user), by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, "投诉已登记，市局计量处已收到通知。处理完毕后请报送书面处理结果。")
            return redirect("supervision:complaint_detail", pk=complaint.pk)
    return render(request, "supervision/complaint_form.html", {"form": form})


@officer_required
def complaint_detail(request, pk):
    complaint = get_object_or_404(Complaint.objects.for_user(request.user, action=_action(request, "close")), pk=pk)
    form = ComplaintCloseForm(request.POST or None, request.FILES or None, initial={"closed_on": beijing_today()})
    if request.method == "POST" and form.is_valid():
        try:
            cases.complaint_close(complaint=complaint, by=request.user, **form.cleaned_data)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, "处理结果已报送。")
            return redirect("supervision:complaint_detail", pk=pk)
    return render(
        request,
        "supervision/complaint_detail.html",
        {"complaint": complaint, "form": form, "age": complaint.age_on(beijing_today())},
    )


@officer_required
def evaluation_document(request, pk):
    evaluation = get_object_or_404(AnnualEvaluation.objects.for_user(request.user), pk=pk)
    return document_response(documents.criticism_notice_pdf, evaluation)


@officer_required
def violation_document(request, pk):
    violation = get_object_or_404(Violation.objects.for_user(request.user), pk=pk)
    return document_response(documents.violation_notice_pdf, violation)
