"""Authorizations' lines on the bureau's workbench (issue 11): applications to accept, assess or certify,
certificates due for renewal, seals and certificates not returned. Registered from AuthorizationsConfig.ready()."""

from dataclasses import replace

from django.conf import settings

from zzmetro.dates import add_months, beijing_today
from zzmetro.workbench import listed, register


def register_all() -> None:
    from authorizations.models import Application, Certificate
    from authorizations.selectors.certificates import revocation_returns_overdue

    S = Application.Status
    assessing = [S.ASSESSMENT_REQUESTED, S.ASSESSING]

    def expiring():
        today = beijing_today()
        horizon = add_months(today, settings.ZZ_POLICY["EXPIRY_WARNING_MONTHS"])
        return Certificate.objects.current_on(today).filter(expires_on__lte=horizon)

    entries = [
        listed(
            "authorizations.application",
            lambda: Application.objects.filter(status=S.SUBMITTED),
            lambda: {"status__exact": S.SUBMITTED},
            key="authorizations.to_accept",
            label="待受理的申请",
        ),
        listed(
            "authorizations.application",
            lambda: Application.objects.filter(status__in=assessing),
            lambda: {"status__in": ",".join(assessing)},
            key="authorizations.to_assess",
            label="待组织或录入考核的申请",
        ),
        listed(
            "authorizations.application",
            lambda: Application.objects.filter(status=S.PASSED),
            lambda: {"status__exact": S.PASSED},
            key="authorizations.to_certify",
            label="考核合格待发证的申请",
        ),
        listed(
            "authorizations.certificate",
            expiring,
            lambda: {"expiring": "soon"},
            key="authorizations.renewals_due",
            label=f"{settings.ZZ_POLICY['EXPIRY_WARNING_MONTHS']}个月内到期、应办理延续的证书",
        ),
        listed(
            "authorizations.certificate",
            lambda: revocation_returns_overdue(beijing_today()),
            lambda: {"return": "overdue"},
            key="authorizations.returns_overdue",
            label="撤销后逾期未交回印章或证书",
        ),
    ]
    for order, entry in enumerate(entries):
        register(replace(entry, group="授权", order=order))
