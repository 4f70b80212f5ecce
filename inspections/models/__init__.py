from .cases import AnnualEvaluation, Complaint, IntegrityEvaluation, Violation
from .events import SupervisionEvent
from .onsite import Inspection, InspectionFinding, Rectification
from .sampling import SampleDraw, SampleItem, SamplingPolicy, SamplingRatio, SupervisionPlan

__all__ = [
    "AnnualEvaluation",
    "Complaint",
    "Inspection",
    "InspectionFinding",
    "IntegrityEvaluation",
    "Rectification",
    "SampleDraw",
    "SampleItem",
    "SamplingPolicy",
    "SamplingRatio",
    "SupervisionEvent",
    "SupervisionPlan",
    "Violation",
]
