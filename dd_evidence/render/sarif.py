"""SARIF 2.1.0 for code scanning: one result per false/error finding whose evidence points at a file line.

A finding's evidence is a permalink ``https://<host>/<owner>/<repo>/blob/<sha>/<path>#L<start>[-L<end>]``; the
result's location is that path relative to its repository (``uriBaseId`` names the repository) with the line
region, and ``versionControlProvenance`` pins each scanned repository to the sha that was read. Rule metadata
(title, motivation, remediation) comes from the probe specs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec, Report, RepoScan

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/cncf/toc"
_PERMALINK = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)/blob/(?P<sha>[^/]+)/(?P<path>.+)$")
_LINES = re.compile(r"^L(?P<start>\d+)(?:-L?(?P<end>\d+))?$")
_LEVELS = {Outcome.FALSE: "warning", Outcome.ERROR: "error"}


@dataclass(frozen=True)
class FileLine:
    """Where a permalink points: repository, commit, path inside the repository and line range."""

    owner: str
    repo: str
    sha: str
    path: str
    start: int
    end: int


def parse_permalink(url: str) -> FileLine | None:
    """The file and lines of a ``.../blob/<sha>/<path>#Lx-Ly`` permalink; None for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    match = _PERMALINK.match(parts.path)
    lines = _LINES.match(parts.fragment or "")
    if parts.scheme not in ("http", "https") or not match or not lines:
        return None
    start = int(lines.group("start"))
    end = int(lines.group("end") or start)
    if start < 1 or end < start:
        return None
    return FileLine(
        owner=match.group("owner"),
        repo=match.group("repo"),
        sha=match.group("sha"),
        path=unquote(match.group("path")),
        start=start,
        end=end,
    )


def render_sarif(report: Report, specs: Mapping[str, ProbeSpec] | None = None) -> str:
    """The report as a SARIF 2.1.0 log (JSON text). ``specs`` defaults to the registered probes' specs."""
    specs = _probe_specs() if specs is None else specs
    repos = {(repo.owner.lower(), repo.name.lower()): repo for repo in report.repos if repo.sha}
    results: list[dict[str, Any]] = []
    used_rules: list[str] = []
    used_repos: dict[str, RepoScan] = {}
    for finding in report.findings:
        if finding.outcome not in _LEVELS:
            continue
        located = [(line, repo) for line, repo in _file_lines(finding.evidence, repos)]
        if not located:
            continue
        if finding.probe not in used_rules:
            used_rules.append(finding.probe)
        for _, repo in located:
            used_repos[_base_id(repo)] = repo
        results.append(_result(finding, located, used_rules.index(finding.probe)))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dd-evidence",
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(probe, specs.get(probe)) for probe in used_rules],
            }
        },
        "originalUriBaseIds": {
            base: {"uri": _repo_web_url(repo, report) + "/", "description": {"text": repo.full_name}}
            for base, repo in used_repos.items()
        },
        "versionControlProvenance": [
            {
                "repositoryUri": _repo_web_url(repo, report),
                "revisionId": repo.sha,
                **({"branch": repo.default_branch} if repo.default_branch else {}),
                "mappedTo": {"uriBaseId": base},
            }
            for base, repo in used_repos.items()
        ],
        "results": results,
        "properties": {
            "project": report.project.name,
            "level": report.level,
            "asOf": report.as_of.isoformat() if report.as_of else None,
            "catalogueRevision": report.catalogue.revision,
        },
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _file_lines(
    evidence: tuple[Evidence, ...], repos: Mapping[tuple[str, str], RepoScan]
) -> list[tuple[FileLine, RepoScan]]:
    located = []
    only = next(iter(repos.values())) if len(repos) == 1 else None
    for item in evidence:
        line = parse_permalink(item.url)
        if line is None and only is not None and only.sha:
            # A self-check without a forge remote cites paths relative to its one working copy.
            line = _relative_line(item.url, only)
        repo = repos.get((line.owner.lower(), line.repo.lower())) if line else None
        # Only lines in a repository this scan read, at the commit it read, can be shown against its code.
        if line is not None and repo is not None and line.sha == repo.sha:
            located.append((line, repo))
    return located


def _relative_line(url: str, repo: RepoScan) -> FileLine | None:
    parts = urlsplit(url)
    lines = _LINES.match(parts.fragment or "")
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/") or not lines:
        return None
    start = int(lines.group("start"))
    end = int(lines.group("end") or start)
    if start < 1 or end < start:
        return None
    return FileLine(repo.owner, repo.name, repo.sha or "", unquote(parts.path), start, end)


def _result(finding: Finding, located: list[tuple[FileLine, RepoScan]], rule_index: int) -> dict[str, Any]:
    locations = [_location(line, repo, index) for index, (line, repo) in enumerate(located)]
    result: dict[str, Any] = {
        "ruleId": finding.probe,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.outcome],
        "message": {"text": finding.message or finding.probe},
        "locations": locations[:1],
        "partialFingerprints": {"ddEvidence/v1": f"{finding.probe}|{finding.subject}"},
        "properties": {"subject": finding.subject, "outcome": finding.outcome.value},
    }
    if len(locations) > 1:
        result["relatedLocations"] = locations[1:]
    return result


def _location(line: FileLine, repo: RepoScan, index: int) -> dict[str, Any]:
    return {
        "id": index,
        "physicalLocation": {
            "artifactLocation": {"uri": line.path, "uriBaseId": _base_id(repo)},
            "region": {"startLine": line.start, "endLine": line.end},
        },
    }


def _rule(probe: str, spec: ProbeSpec | None) -> dict[str, Any]:
    rule: dict[str, Any] = {"id": probe, "name": probe}
    if spec is None:
        rule["shortDescription"] = {"text": probe}
        return rule
    rule["shortDescription"] = {"text": spec.title}
    if spec.motivation:
        rule["fullDescription"] = {"text": spec.motivation}
    if spec.remediation:
        rule["help"] = {"text": spec.remediation}
    rule["properties"] = {"sources": list(spec.sources)}
    return rule


def _base_id(repo: RepoScan) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", f"REPO_{repo.owner}_{repo.name}").upper()


def _repo_web_url(repo: RepoScan, report: Report) -> str:
    template = report.options.get("web_url") if isinstance(report.options, Mapping) else None
    if isinstance(template, str) and "{repo}" in template:
        return template.format(owner=repo.owner, repo=repo.name).rstrip("/")
    if isinstance(template, str) and template and "{" not in template:
        return template.rstrip("/")  # a self-check: the working copy's origin on its forge
    return repo.url.removesuffix(".git").rstrip("/")


def _probe_specs() -> dict[str, ProbeSpec]:
    from dd_evidence.registry import load_probes

    # A broken plugin must not stop the SARIF being written; its findings just get a bare rule.
    try:
        return {probe.spec.id: probe.spec for probe in load_probes().probes}
    except Exception:
        return {}


__all__ = ["FileLine", "parse_permalink", "render_sarif"]
