"""The 诊改 workflow's data, one module per stage; everything is re-exported here.

The app label stays ``review``, so migrations do not move. Migrations name the upload paths
(``review.models._material_upload_to``…), which is why those are re-exported too.
"""

from review.models.rechecks import (
    Cycle,
    CycleKind,
    Material,
    MaterialKind,
    PanelAssignment,
    PanelChange,
    Recheck,
    RecheckDateChange,
    RecheckGroupObjectPermission,
    RecheckUserObjectPermission,
    _material_upload_to,
)
from review.models.scoring import (
    ConsolidatedFinding,
    Consolidation,
    Finding,
)
from review.models.self_diagnosis import (
    DocumentKind,
    EditConflict,
    ElementEntry,
    ImplementationRules,
    PanelMember,
    Reopening,
    ReportStatus,
    SchoolPoint,
    SelfDiagnosis,
    _implementation_rules_upload_to,
)
from review.models.verdicts import (
    Evidence,
    NotDiagnosedProposal,
    Reapplication,
    Rectification,
    RectificationItem,
    Sanction,
    SanctionEntry,
    SanctionMeasure,
    VerdictRecord,
    _evidence_upload_to,
    _verdict_pdf_upload_to,
)

__all__ = [
    "DocumentKind",
    "EditConflict",
    "ElementEntry",
    "ImplementationRules",
    "PanelMember",
    "Reopening",
    "ReportStatus",
    "SchoolPoint",
    "SelfDiagnosis",
    "_implementation_rules_upload_to",
    "Cycle",
    "CycleKind",
    "Material",
    "MaterialKind",
    "PanelAssignment",
    "PanelChange",
    "Recheck",
    "RecheckDateChange",
    "RecheckGroupObjectPermission",
    "RecheckUserObjectPermission",
    "_material_upload_to",
    "ConsolidatedFinding",
    "Consolidation",
    "Finding",
    "Evidence",
    "NotDiagnosedProposal",
    "Reapplication",
    "Rectification",
    "RectificationItem",
    "Sanction",
    "SanctionEntry",
    "SanctionMeasure",
    "VerdictRecord",
    "_evidence_upload_to",
    "_verdict_pdf_upload_to",
]
