from .applications import (
    Application,
    ApplicationMaterial,
    Assessment,
    AssessmentFinding,
    AssessmentMember,
)
from .certificates import Certificate, CertificateItem, DocumentSequence, Suspension, TerminationRequest
from .events import LifecycleEvent
from .resources import ExpiryWarning, MeasurementStandard, Personnel, StationCapability
from .stations import District, KeyInstrumentType, Station, VerificationItem
from .users import LoginLockout, PasswordHistory, Role, User

__all__ = [
    "Application",
    "ApplicationMaterial",
    "Assessment",
    "AssessmentFinding",
    "AssessmentMember",
    "Certificate",
    "CertificateItem",
    "District",
    "DocumentSequence",
    "ExpiryWarning",
    "KeyInstrumentType",
    "LifecycleEvent",
    "LoginLockout",
    "MeasurementStandard",
    "PasswordHistory",
    "Personnel",
    "Role",
    "Station",
    "StationCapability",
    "Suspension",
    "TerminationRequest",
    "User",
    "VerificationItem",
]
