"""Supervision's lines on the bureau's workbench (issue 11): rectification reports to check, complaints open for
more than 30 days, licence findings of the special inspection to confirm (L3). Registered from
InspectionsConfig.ready()."""

import datetime as dt

from zzmetro.dates import beijing_today
from zzmetro.workbench import listed, register

COMPLAINT_DAYS = 30


def register_all() -> None:
    from inspections.models import Complaint, LicenceFinding, Rectification

    def complaints_received_before() -> dt.date:
        return beijing_today() - dt.timedelta(days=COMPLAINT_DAYS)

    register(
        listed(
            "inspections.rectification",
            lambda: Rectification.objects.filter(status=Rectification.Status.ANSWERED),
            lambda: {"status__exact": Rectification.Status.ANSWERED},
            key="inspections.rectifications_to_check",
            label="单位已报送、待核查的整改",
            group="监督",
            order=0,
        )
    )
    register(
        listed(
            "inspections.complaint",
            lambda: Complaint.objects.filter(
                status=Complaint.Status.OPEN, received_on__lt=complaints_received_before()
            ),
            lambda: {
                "status__exact": Complaint.Status.OPEN,
                "received_on__lt": complaints_received_before().isoformat(),
            },
            key="inspections.complaints_open_over_30_days",
            label=f"受理超过{COMPLAINT_DAYS}天仍在处理中的投诉",
            group="监督",
            order=1,
        )
    )
    register(
        listed(
            "inspections.licencefinding",
            lambda: LicenceFinding.objects.filter(status=LicenceFinding.Status.OPEN),
            lambda: {"status__exact": LicenceFinding.Status.OPEN},
            key="inspections.licence_findings_to_confirm",
            label="专项核查发现、待确认的许可证问题",
            group="监督",
            order=2,
        )
    )
