"""Public register (no login): who is authorized for what, who was revoked, is this certificate genuine (A5, A11, D2).

The register's lists and the check page are the portal's busiest pages: what they show, the same for every visitor,
is kept rendered (zzmetro/pagecache.py) until any row of the tables they read changes, so a revocation, a suspension
or a renamed station shows at once; the frame around it (menu, messages) is rendered for each visitor.
"""

import re
import unicodedata

from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string

from authorizations.forms.register import RegisterSearchForm
from authorizations.models import Certificate, CertificateItem, Station, Suspension, VerificationItem
from authorizations.selectors.certificates import register_certificates, revoked_certificates
from zzmetro import pagecache
from zzmetro.dates import beijing_today

# Every table the list and the check page read (the search form's items too): a change to any of their rows renders
# the pages afresh.
REGISTER_TABLES = (Certificate, CertificateItem, Suspension, Station, VerificationItem)


def index(request):
    today = beijing_today()

    def render_list():
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
        context = {"form": form, "page": page, "rows": rows, "today": today}
        return render_to_string("register/index_body.html", context, request)

    # The list depends on the day (each certificate's state on it) and the query (search, filters, page).
    vary = (today.isoformat(), request.GET.urlencode())
    body = pagecache.cached_fragment("register-index", models=REGISTER_TABLES, vary=vary, render=render_list)
    return render(request, "register/index.html", {"body": body})


def revoked(request):
    def render_list():
        page = Paginator(revoked_certificates(), 20).get_page(request.GET.get("page"))
        return render_to_string("register/revoked_body.html", {"page": page}, request)

    body = pagecache.cached_fragment(
        "register-revoked", models=REGISTER_TABLES, vary=(request.GET.urlencode(),), render=render_list
    )
    return render(request, "register/revoked.html", {"body": body})


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

    def render_check():
        certificate = (
            Certificate.objects.select_related("station")
            .prefetch_related("certificate_items__item", "suspensions")
            .filter(number=number)
            .first()
        )
        if certificate is None:
            raise Certificate.DoesNotExist  # not kept: the 404 below is rendered on each request
        state = certificate.state_on(today)
        valid = state == Certificate.State.IN_FORCE
        context = {"certificate": certificate, "state": state, "valid": valid, "today": today}
        return render_to_string("register/certificate_body.html", context, request)

    try:
        body = pagecache.cached_fragment(
            "register-certificate", models=REGISTER_TABLES, vary=(today.isoformat(), number), render=render_check
        )
    except Certificate.DoesNotExist:
        shown = number if NUMBER_SHAPE.fullmatch(number) else ""
        return render(request, "register/certificate_unknown.html", {"number": shown, "today": today}, status=404)
    return render(request, "register/certificate.html", {"body": body, "number": number})
