"""The facts layer's contract with the probes: probes ask the map, never keep file names, never import each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dd_evidence.facts.paths import path_roles

PACKAGE = Path(__file__).resolve().parents[2] / "dd_evidence"
PROBES = sorted(p for p in (PACKAGE / "probes").glob("*.py") if p.name not in ("__init__.py", "base.py"))


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_no_probe_module_imports_another_probe_module() -> None:
    offenders = {
        p.name: [m for m in _imports(p) if m.startswith("dd_evidence.probes.") and m != "dd_evidence.probes.base"]
        for p in PROBES
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_project_specific_document_names_in_code() -> None:
    pattern = re.compile(r"roles/|COMMUNITY_LADDER|COMMUNITY_MEMBERSHIP")
    files = [*PACKAGE.glob("*.py"), *(PACKAGE / "probes").glob("*.py"), *(PACKAGE / "facts").glob("*.py")]
    assert [f.name for f in files if pattern.search(f.read_text())] == []


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_probes_keep_no_lists_of_document_file_names() -> None:
    """A string in a probe that is itself the name of a governance document ("GOVERNANCE.md", "OWNERS") means the
    probe looks files up by name instead of asking the map."""
    file_like = re.compile(r"[A-Z][A-Z_-]+(?:\.\w+)?|[\w.-]+\.(?:md|markdown|rst|txt|adoc|ya?ml|csv)")
    named = {
        probe.name: sorted({s for s in _string_constants(probe) if file_like.fullmatch(s) and path_roles(s)})
        for probe in PROBES
    }
    assert {k: v for k, v in named.items() if v} == {}
