"""State changes of the authorization lifecycle: one keyword-only, atomic function per action (STYLE.md)."""

from .applications import (
    application_accept,
    application_add_material,
    application_record_preparation,
    application_refuse,
    application_request_assessment,
    application_submit,
    assessment_conclude,
    assessment_start,
    certificate_issue,
)
from .certificates import (
    certificate_lift_suspension,
    certificate_record_return,
    certificate_revoke,
    certificate_suspend,
    termination_approve,
    termination_reject,
    termination_report,
)

__all__ = [
    "application_accept",
    "application_add_material",
    "application_record_preparation",
    "application_refuse",
    "application_request_assessment",
    "application_submit",
    "assessment_conclude",
    "assessment_start",
    "certificate_issue",
    "certificate_lift_suspension",
    "certificate_record_return",
    "certificate_revoke",
    "certificate_suspend",
    "termination_approve",
    "termination_reject",
    "termination_report",
]
