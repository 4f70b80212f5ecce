"""Supervision documents as Chinese A4 PDFs: rectification notice, correction notice, criticism notice (D1)."""

from authorizations.documents import ISSUING_AUTHORITY
from inspections.models import AnnualEvaluation, Rectification, Violation
from zzmetro.pdf import render_pdf


def rectification_notice_pdf(rectification: Rectification) -> bytes:
    """Rectification notice (整改通知书) after an on-site inspection (I1)."""
    inspection = rectification.inspection
    return _render(
        "rectification_notice", rectification=rectification, inspection=inspection, findings=inspection.findings.all()
    )


def violation_notice_pdf(violation: Violation) -> bytes:
    """Correction order or rectification notice from the violations register (I8); revocations use A11's decision."""
    if violation.action == Violation.Action.REVOCATION:
        raise ValueError("撤销授权的决定书请在证书页面下载“撤销计量授权决定书”。")
    return _render("violation_notice", violation=violation)


def criticism_notice_pdf(evaluation: AnnualEvaluation) -> bytes:
    """Notice of criticism (通报批评) for a station that failed its annual evaluation (I6)."""
    if evaluation.result != AnnualEvaluation.Result.FAIL or not evaluation.notice_number:
        raise ValueError(f"{evaluation.station.name}{evaluation.year}年度考核未判定为不合格，没有通报批评。")
    return _render("criticism_notice", evaluation=evaluation)


def _render(name: str, **context) -> bytes:
    return render_pdf(f"documents/{name}.html", {"authority": ISSUING_AUTHORITY, **context})
