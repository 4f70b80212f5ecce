"""Public register (no login): who is authorized for what, who was revoked, is this certificate genuine (A5, A11, D2)."""

import re
import unicodedata

from django.core.paginator import Paginator
from django.shortcuts import render

from authorizations.forms.register import RegisterSearchForm
from authorizations.models import Certificate
from authorizations.selectors.certificates import register_certificates, revoked_certificates
from zzmetro.dates import beijing_today


def index(request):
    today = beijing_today()
    form = RegisterSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    certificates = register_certificates(
        today,
        search=filters.get("q", ""),
        district=filters.get("district", ""),
        item=filters["item"].pk if filters.get("item") else "",
    )
    page = Paginator(certificates, 20).get_page(request.GET.get("page"))
    rows = [(c, c.state_on(today)) for c in page]
    return render(request, "register/index.html", {"form": form, "page": page, "rows": rows, "today": today})


def revoked(request):
    page = Paginator(revoked_certificates(), 20).get_page(request.GET.get("page"))
    return render(request, "register/revoked.html", {"page": page})


# Dashes a phone keyboard or a Chinese input method gives for "-" (NFKC already turns the full-width one into "-").
DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70", "-"))
# What a number the bureau issues can look like (ZZJL-2026-0001); anything else is not echoed back on the page.
NUMBER_SHAPE = re.compile(r"[A-Z0-9-]{1,32}")


def normalize_certificate_number(typed: str) -> str:
    """The number as the register keeps it: half-width, upper case, no spaces, ASCII dashes.

    People type the number off a paper certificate on a phone: "zzjl-2026-0001", full-width "ＺＺＪＬ－２０２６",
    a Chinese dash or a space pasted along must all find the certificate. Control and format characters (a NUL in
    a hand-made link, a zero-width space) are dropped: no stored number holds one.
    """
    text = unicodedata.normalize("NFKC", typed).translate(DASHES)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")).upper()


def certificate(request, number):
    """The page a certificate's QR code points to: says plainly whether it is valid today (D2).

    An unknown number is what a forged certificate's QR code or a mistyped number leads to: the page says so in
    plain words and warns of forgery, with the 404 status a crawler or a checking script expects.
    """
    today = beijing_today()
    number = normalize_certificate_number(number)
    certificate = (
        Certificate.objects.select_related("station")
        .prefetch_related("certificate_items__item", "suspensions")
        .filter(number=number)
        .first()
    )
    if certificate is None:
        shown = number if NUMBER_SHAPE.fullmatch(number) else ""
        return render(request, "register/certificate_unknown.html", {"number": shown, "today": today}, status=404)
    state = certificate.state_on(today)
    context = {"certificate": certificate, "state": state, "valid": state == Certificate.State.IN_FORCE, "today": today}
    return render(request, "register/certificate.html", context)
