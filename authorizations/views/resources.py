"""Station portal: the station's measurement standards and verifying personnel (DOMAIN R1, R2)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from authorizations.forms.resources import PersonForm, StandardForm
from authorizations.models import MeasurementStandard, Personnel
from authorizations.selectors.resources import item_capabilities, personnel_for, standards_for, warning_days
from authorizations.selectors.stations import officer_station
from authorizations.services import resources as services
from zzmetro.access import officer_required
from zzmetro.dates import beijing_today
from zzmetro.errors import DomainError
from zzmetro.pagecache import kept_rendered


@officer_required
@kept_rendered
def index(request):
    station = officer_station(request.user)
    today = beijing_today()
    context = {
        "station": station,
        "today": today,
        "warn_days": max(warning_days()),
        "standards": _with_validity(standards_for(request.user), today),
        "people": _with_validity(personnel_for(request.user), today),
    }
    context["capabilities"] = item_capabilities(
        station, today, standards=context["standards"], people=context["people"]
    )
    return render(request, "resources/index.html", context)


def _with_validity(resources, today):
    warn = max(warning_days())
    resources = list(resources)
    for resource in resources:
        resource.validity = resource.validity_on(today, warn_days=warn)
    return resources


KINDS = {
    "standard": (MeasurementStandard, StandardForm, services.standard_save, "计量标准"),
    "person": (Personnel, PersonForm, services.person_save, "检定人员"),
}


def _edit(request, kind: str, pk: int | None = None):
    model, form_class, save, label = KINDS[kind]
    instance = get_object_or_404(model.objects.for_user(request.user, action="change"), pk=pk) if pk else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        items = data.pop("items")
        try:
            save(station=officer_station(request.user), items=items, **{kind: instance}, **data)
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, f"{label}已保存。")
            return redirect("resources:index")
    return render(request, "resources/form.html", {"form": form, "label": label, "instance": instance})


@officer_required
def standard_create(request):
    return _edit(request, "standard")


@officer_required
def standard_edit(request, pk):
    return _edit(request, "standard", pk)


@officer_required
def person_create(request):
    return _edit(request, "person")


@officer_required
def person_edit(request, pk):
    return _edit(request, "person", pk)
