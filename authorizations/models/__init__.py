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
from .users import Role, User

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
    "MeasurementStandard",
    "Personnel",
    "Role",
    "Station",
    "StationCapability",
    "Suspension",
    "TerminationRequest",
    "User",
    "VerificationItem",
]
