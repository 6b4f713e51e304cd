"""The corpus runner (benchmarks/corpus.py) loaded as a module, so tests share its case schema and figures.

A plain module, not a conftest: ``from conftest import`` would be ambiguous beside tests/conftest.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
RATCHET = Path(__file__).resolve().parent / "agreement.json"


def load_runner() -> ModuleType:
    name = "dd_evidence_corpus_runner"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
