"""dd-evidence: gathers the evidence for a CNCF TOC due-diligence review.

>>> from dd_evidence import scan
>>> report = scan("dragonfly", level="graduation")          # doctest: +SKIP
>>> report.criterion("gov-docs-discoverable").status         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dd_evidence.model import CriterionResult, CriterionStatus, Evidence, Finding, Outcome, ProbeSpec, Report
    from dd_evidence.probes.base import Probe
    from dd_evidence.scan import scan

# The public names, imported when first asked for (PEP 562): importing one module of the package (the Markdown
# parser in a parsing worker, say) does not load the scanner, the probes and their dependencies.
_LAZY = {
    "CriterionResult": "dd_evidence.model",
    "CriterionStatus": "dd_evidence.model",
    "Evidence": "dd_evidence.model",
    "Finding": "dd_evidence.model",
    "Outcome": "dd_evidence.model",
    "ProbeSpec": "dd_evidence.model",
    "Report": "dd_evidence.model",
    "Probe": "dd_evidence.probes.base",
    "scan": "dd_evidence.scan",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dd_evidence' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # Importing the submodule ``dd_evidence.scan`` binds it under the name of the function it exports; the
        # package's ``scan`` stays the function, as ``from dd_evidence import scan`` promises.
        if name == "scan" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
