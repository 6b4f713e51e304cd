"""dd-evidence: gathers the evidence for a CNCF TOC due-diligence review.

>>> from dd_evidence import scan
>>> report = scan("dragonfly", level="graduation")          # doctest: +SKIP
>>> report.criterion("gov-docs-discoverable").status         # doctest: +SKIP
"""

__version__ = "0.1.0"

from dd_evidence.model import (  # noqa: E402
    CriterionResult,
    CriterionStatus,
    Evidence,
    Finding,
    Outcome,
    ProbeSpec,
    Report,
)
from dd_evidence.probes.base import Probe  # noqa: E402
from dd_evidence.scan import scan  # noqa: E402

__all__ = [
    "CriterionResult",
    "CriterionStatus",
    "Evidence",
    "Finding",
    "Outcome",
    "Probe",
    "ProbeSpec",
    "Report",
    "__version__",
    "scan",
]
