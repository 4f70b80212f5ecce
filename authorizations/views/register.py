"""Public register (no login): who is authorized for what, who was revoked, is this certificate genuine (A5, A11, D2)."""
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from authorizations import selectors
from authorizations.forms import RegisterSearchForm
from authorizations.models import Certificate
from zzmetro.dates import beijing_today


def index(request):
    today = beijing_today()
    form = RegisterSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    certificates = selectors.register_certificates(
        today,
        search=filters.get("q", ""),
        district=filters.get("district", ""),
        item=filters["item"].pk if filters.get("item") else "",
    )
    page = Paginator(certificates, 20).get_page(request.GET.get("page"))
    rows = [(c, c.state_on(today)) for c in page]
    return render(request, "register/index.html", {"form": form, "page": page, "rows": rows, "today": today})


def revoked(request):
    page = Paginator(selectors.revoked_certificates(), 20).get_page(request.GET.get("page"))
    return render(request, "register/revoked.html", {"page": page})


def certificate(request, number):
    """The page a certificate's QR code points to: says plainly whether it is valid today (D2)."""
    today = beijing_today()
    certificate = get_object_or_404(
        Certificate.objects.select_related("station").prefetch_related("certificate_items__item", "suspensions"),
        number=number,
    )
    state = certificate.state_on(today)
    context = {"certificate": certificate, "state": state, "valid": state == Certificate.State.IN_FORCE, "today": today}
    return render(request, "register/certificate.html", context)
