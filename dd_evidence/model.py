"""The typed vocabulary every layer shares: findings, evidence, criterion results and the report.

Everything here is a frozen dataclass so a finding cannot change after a probe returned it, and every object
turns into plain JSON-able data through ``to_dict`` (the JSON schema in ``schema/report.schema.json`` describes
exactly these shapes).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Outcome(enum.StrEnum):
    """What a probe concluded about one subject. "Could not tell" is kept apart from "false"."""

    TRUE = "true"
    FALSE = "false"
    NOT_APPLICABLE = "not_applicable"
    NOT_AVAILABLE = "not_available"
    ERROR = "error"

    @property
    def decided(self) -> bool:
        """True when the outcome is a yes/no answer rather than a gap."""
        return self in (Outcome.TRUE, Outcome.FALSE)


class CriterionStatus(enum.StrEnum):
    """The answer a TOC criterion gets in the report."""

    MET = "met"
    NOT_MET = "not_met"
    PARTIAL = "partial"
    UNKNOWN = "unknown"
    MANUAL = "manual"


class Requirement(enum.StrEnum):
    """How a template lists a criterion at a level."""

    REQUIRED = "required"
    SUGGESTED = "suggested"


@dataclass(frozen=True)
class Evidence:
    """Something a reviewer can click or read: a permalink pinned to a sha (and lines) or an API URL."""

    url: str
    source: str
    retrieved_at: datetime | None = None
    excerpt: str | None = None
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "source": self.source,
            "retrieved_at": _iso(self.retrieved_at),
            "excerpt": self.excerpt,
            "label": self.label,
        }


@dataclass(frozen=True)
class Finding:
    """One judgement of one probe about one subject (an org, a repo, a file, a person...)."""

    probe: str
    subject: str
    outcome: Outcome
    message: str
    values: Mapping[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    # What the project should do about this finding, citing the file or subject it is about. Set on false findings
    # (what fixes them) and on true ones that still leave room to improve; None falls back to the probe's
    # remediation when a criterion's TODO is written.
    remedy: str | None = None

    def __hash__(self) -> int:
        # values is a mapping (unhashable); findings are still usable as dict keys and in sets.
        return hash((self.probe, self.subject, self.outcome, self.message))

    def to_dict(self) -> dict[str, Any]:
        return {
            "probe": self.probe,
            "subject": self.subject,
            "outcome": self.outcome.value,
            "message": self.message,
            "values": _jsonable(self.values),
            "evidence": [e.to_dict() for e in self.evidence],
            "remedy": self.remedy,
        }


@dataclass(frozen=True)
class ProbeSpec:
    """What a probe asks and why. ``id`` is phrased as a yes/no question (``governance.coc_has_reporting_contact``)."""

    id: str
    title: str
    motivation: str = ""
    sources: tuple[str, ...] = ("git",)
    remediation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "motivation": self.motivation,
            "sources": list(self.sources),
            "remediation": self.remediation,
        }


@dataclass(frozen=True)
class CriterionResult:
    """The status one criterion gets, why, the findings behind it and what the project should do.

    ``findings`` lists the findings that decided the status first (``decided_by``), then the supporting ones.
    ``todos`` are the remedies of the findings that keep the criterion from being met (each once); ``todo`` is
    them as one text. ``recommendations`` are the non-blocking improvements the other findings suggest.
    """

    criterion: str
    title: str
    section: str
    requirement: Requirement
    status: CriterionStatus
    rationale: str
    findings: tuple[Finding, ...] = ()
    todo: str | None = None
    look_at: str | None = None
    subitems: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    todos: tuple[str, ...] = ()
    decided_by: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "title": self.title,
            "section": self.section,
            "requirement": self.requirement.value,
            "status": self.status.value,
            "rationale": self.rationale,
            "todo": self.todo,
            "todos": list(self.todos),
            "look_at": self.look_at,
            "subitems": list(self.subitems),
            "recommendations": list(self.recommendations),
            "findings": [f"{f.probe}|{f.subject}" for f in self.findings],
            "decided_by": [f"{f.probe}|{f.subject}" for f in self.decided_by],
        }

    def _repr_html_(self) -> str:
        from dd_evidence.render.html_snippets import criterion_html

        return criterion_html(self)


@dataclass(frozen=True)
class RepoScan:
    """A repository as scanned: where it came from, its role in the project and the commit read."""

    owner: str
    name: str
    role: str
    url: str
    sha: str | None
    committed_at: datetime | None = None
    default_branch: str | None = None
    error: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "name": self.name,
            "role": self.role,
            "url": self.url,
            "sha": self.sha,
            "committed_at": _iso(self.committed_at),
            "default_branch": self.default_branch,
            "error": self.error,
        }


@dataclass(frozen=True)
class ProjectInfo:
    """The project as the report names it."""

    name: str
    display_name: str
    orgs: tuple[str, ...]
    maturity: str | None = None  # the CNCF level held at the scanned instant; None for a candidate
    homepage: str | None = None
    maturity_since: str | None = None  # the date that level was reached (YYYY-MM-DD), when known

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "orgs": list(self.orgs),
            "maturity": self.maturity,
            "homepage": self.homepage,
            "maturity_since": self.maturity_since,
        }


@dataclass(frozen=True)
class CatalogueInfo:
    """Which TOC template revision the criteria follow."""

    level: str
    revision: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "revision": self.revision, "source": self.source}


@dataclass(frozen=True)
class Report:
    """Everything one scan produced. Iterating a report yields its criterion results."""

    project: ProjectInfo
    level: str
    as_of: datetime | None
    generated_at: datetime
    tool_version: str
    catalogue: CatalogueInfo
    repos: tuple[RepoScan, ...]
    criteria: tuple[CriterionResult, ...]
    findings: tuple[Finding, ...]
    errors: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    requests: Mapping[str, int] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    # What a reader must know before trusting the report: a cache made from another origin, a damaged clone
    # cloned again, a stale cache used. Shown in the report's header and on stderr.
    warnings: tuple[str, ...] = ()
    # True when the machine ran out of a resource (open files, processes, memory, disk) mid-scan: some
    # findings are errors for that reason alone, and the CLI exits with its own code.
    incomplete: bool = False

    def __iter__(self) -> Iterator[CriterionResult]:
        return iter(self.criteria)

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result of one criterion by id; KeyError when the catalogue does not list it."""
        for result in self.criteria:
            if result.criterion == criterion_id:
                return result
        raise KeyError(criterion_id)

    def findings_of(self, probe_id: str) -> list[Finding]:
        """The findings one probe returned."""
        return [f for f in self.findings if f.probe == probe_id]

    def counts(self) -> dict[str, int]:
        """How many criteria got each status."""
        counts = {status.value: 0 for status in CriterionStatus}
        for result in self.criteria:
            counts[result.status.value] += 1
        return counts

    def to_frame(self) -> Any:
        """The criteria as a pandas DataFrame, one row per criterion in template order (needs pandas)."""
        pandas = _pandas()
        rows = [
            {
                "criterion": r.criterion,
                "section": r.section,
                "requirement": r.requirement.value,
                "status": r.status.value,
                "title": r.title,
                "rationale": r.rationale,
                "todo": r.todo,
                "findings": len(r.findings),
            }
            for r in self.criteria
        ]
        columns = ["criterion", "section", "requirement", "status", "title", "rationale", "todo", "findings"]
        return pandas.DataFrame(rows, columns=columns)

    def findings_frame(self) -> Any:
        """The findings as a pandas DataFrame, with the criteria each one informs (needs pandas)."""
        pandas = _pandas()
        informs: dict[tuple[str, str], list[str]] = {}
        for result in self.criteria:
            for finding in result.findings:
                informs.setdefault((finding.probe, finding.subject), []).append(result.criterion)
        rows = [
            {
                "probe": f.probe,
                "subject": f.subject,
                "outcome": f.outcome.value,
                "message": f.message,
                "evidence_url": f.evidence[0].url if f.evidence else None,
                "criteria": sorted(set(informs.get((f.probe, f.subject), []))),
            }
            for f in self.findings
        ]
        columns = ["probe", "subject", "outcome", "message", "evidence_url", "criteria"]
        return pandas.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        from dd_evidence.render.json_report import report_to_dict

        return report_to_dict(self)

    def to_json(self, indent: int | None = 2) -> str:
        from dd_evidence.render.json_report import render_json

        return render_json(self, indent=indent)

    def to_markdown(self) -> str:
        from dd_evidence.render.markdown import render_markdown

        return render_markdown(self)

    def _repr_html_(self) -> str:
        from dd_evidence.render.html_snippets import report_html

        return report_html(self)


def _pandas() -> Any:
    # pandas is an optional extra: the core library must import and scan without it.
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "Report.to_frame() and findings_frame() need pandas: pip install 'dd-evidence[notebook]'"
        ) from exc
    return pandas


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _jsonable(value: Any) -> Any:
    """Turn finding values into JSON data: tuples and sets become lists, datetimes ISO strings."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
