"""Documents of the authorization lifecycle as Chinese A4 PDFs (DOMAIN D1, D2).

Each function returns PDF bytes, or raises ValueError (message in Chinese, shown to the user) when the document
does not exist yet, e.g. an acceptance notice for an application that was never accepted.
"""

import segno
from django.conf import settings
from django.urls import reverse

from authorizations.models import Application, Certificate
from zzmetro.dates import add_years
from zzmetro.pdf import render_pdf

ISSUING_AUTHORITY = "郑州市质量技术监督局"


def acceptance_notice_pdf(application: Application) -> bytes:
    """Acceptance notice (受理申请通知书): items and area accepted, the four conditions to prepare (A2, A3)."""
    if not (application.acceptance_number and application.accepted_on):
        raise ValueError(f"申请{application.number}尚未受理，没有受理申请通知书。")
    return _render("acceptance_notice", application=application, items=application.items.all())


def refusal_decision_pdf(application: Application) -> bytes:
    """Refusal decision (不予受理决定书): the reason; the application is returned (A2)."""
    if not (application.refusal_number and application.refused_on):
        raise ValueError(f"申请{application.number}没有不予受理决定。")
    return _render("refusal_decision", application=application)


def certificate_pdf(certificate: Certificate) -> bytes:
    """Authorization certificate (计量授权证书) with a QR code to its public register page (A5, A6, A8, D2)."""
    url = certificate_register_url(certificate)
    items = certificate.certificate_items.select_related("item")
    return _render("certificate", certificate=certificate, items=items, register_url=url, qr_code=_qr_code(url))


def revocation_decision_pdf(certificate: Certificate) -> bytes:
    """Revocation decision (撤销计量授权决定书): return duty with its due date, ban on re-applying (A11)."""
    if not (certificate.revocation_number and certificate.revoked_on):
        raise ValueError(f"证书{certificate.number}未被撤销，没有撤销计量授权决定书。")
    ban_years = settings.ZZ_POLICY["REVOCATION_BAN_YEARS"]
    return _render(
        "revocation_decision",
        certificate=certificate,
        return_days=settings.ZZ_POLICY["REVOCATION_RETURN_DAYS"],
        ban_years=ban_years,
        reapply_from=add_years(certificate.revoked_on, ban_years),
    )


def certificate_register_url(certificate: Certificate) -> str:
    """Absolute address of the certificate's public register page, where anyone checks it is genuine (D2)."""
    return settings.SITE_URL + reverse("register:certificate", args=[certificate.number])


def _qr_code(url: str) -> str:
    # SVG keeps the modules sharp at any print resolution; level M survives a crease or a stain.
    return segno.make(url, error="m", micro=False).svg_data_uri(border=4)


def _render(name: str, **context) -> bytes:
    return render_pdf(f"documents/{name}.html", {"authority": ISSUING_AUTHORITY, **context})
