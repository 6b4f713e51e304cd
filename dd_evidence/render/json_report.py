"""The report as JSON: one document with a stable shape, described by ``schema/report.schema.json``.

Findings appear once, in the top-level ``findings`` array; each criterion refers to the findings behind it by
their index in that array, so a consumer can follow a criterion to its evidence without matching strings.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import PurePath
from typing import Any

from dd_evidence.model import CriterionResult, CriterionStatus, Finding, Report, Requirement

SCHEMA_VERSION = "1.1"
"""Bumped on any change to the JSON shape: minor for added fields, major for removed or changed ones."""

TOOL_NAME = "dd-evidence"
SCHEMA_RESOURCE = "schema/report.schema.json"


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-able data, keys in a fixed order."""
    findings, index_of = _finding_index(report)
    # Criteria first: a finding a criterion holds but the report does not list is appended to ``findings``.
    criteria = [_criterion_dict(result, index_of) for result in report.criteria]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "project": report.project.to_dict(),
        "level": report.level,
        "as_of": _iso(report.as_of),
        "generated_at": _iso(report.generated_at),
        "catalogue": report.catalogue.to_dict(),
        "repos": [repo.to_dict() for repo in report.repos],
        "summary": summary(report),
        "criteria": criteria,
        "findings": [_plain(finding.to_dict()) for finding in findings],
        "errors": list(report.errors),
        "timings": {str(k): float(v) for k, v in report.timings.items()},
        "requests": {str(k): int(v) for k, v in report.requests.items()},
        "options": _plain(report.options),
        "warnings": list(report.warnings),
        "incomplete": report.incomplete,
    }


def render_json(report: Report, indent: int | None = 2) -> str:
    """The report as a JSON text (UTF-8 characters kept as they are), ending with a newline."""
    return json.dumps(report_to_dict(report), indent=indent, ensure_ascii=False) + "\n"


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document ``render_json`` writes."""
    text = resources.files("dd_evidence").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def summary(report: Report) -> dict[str, Any]:
    """Status counts overall and per section (template order), and the required criteria still open."""
    sections: dict[str, dict[str, int]] = {}
    for result in report.criteria:
        counts = sections.setdefault(result.section, _zero_counts())
        counts[result.status.value] += 1
    required = [r for r in report.criteria if r.requirement is Requirement.REQUIRED]
    return {
        "total": len(report.criteria),
        "counts": report.counts(),
        "sections": sections,
        "required_not_met": [
            r.criterion for r in required if r.status in (CriterionStatus.NOT_MET, CriterionStatus.PARTIAL)
        ],
        "required_unknown": [r.criterion for r in required if r.status is CriterionStatus.UNKNOWN],
    }


def _zero_counts() -> dict[str, int]:
    return {status.value: 0 for status in CriterionStatus}


def _criterion_dict(result: CriterionResult, index_of: _FindingIndex) -> dict[str, Any]:
    data = result.to_dict()
    data["findings"] = [index_of.get(finding) for finding in result.findings]
    data["decided_by"] = [index_of.get(finding) for finding in result.decided_by]
    return data


class _FindingIndex:
    """Finds a finding's position: by identity first, then by equality (a criterion may hold an equal copy)."""

    def __init__(self, findings: list[Finding]):
        self._findings = findings
        self._by_id: dict[int, int] = {}
        self._by_value: dict[Finding, int] = {}
        for position, finding in enumerate(findings):
            self._add(position, finding)

    def _add(self, position: int, finding: Finding) -> None:
        self._by_id.setdefault(id(finding), position)
        self._by_value.setdefault(finding, position)

    def get(self, finding: Finding) -> int:
        """The index of ``finding``; a finding the report does not list is appended so the index resolves."""
        position = self._by_id.get(id(finding))
        if position is None:
            position = self._by_value.get(finding)
        if position is None:
            position = len(self._findings)
            self._findings.append(finding)
            self._add(position, finding)
        return position


def _finding_index(report: Report) -> tuple[list[Finding], _FindingIndex]:
    findings = list(report.findings)
    return findings, _FindingIndex(findings)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value: Any) -> Any:
    """Options as JSON data: mappings, sequences and scalars kept; paths, times and enums as strings."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
