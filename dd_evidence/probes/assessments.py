"""Security assessments and audits: self- and joint assessments, third-party audits, SECURITY-INSIGHTS.yml.

Two places answer: the project's own trees (an assessment or audit report checked in, a README linking one)
and the CNCF's records (the TOC / TAG Security assessment folders and the landscape's audit list, bundled as
``data/security-assessments.json``). The trees are read first because they cite a pinned commit; the CNCF
records are the fallback and cite the canonical web location.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypedDict

import yaml

from dd_evidence import yamlio
from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts import subject as project_subject
from dd_evidence.facts.audits import audits_in_trees, project_names, security_insights_paths, skipped_path
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import IndexProbe, Probe
from dd_evidence.repoview import RepoView
from dd_evidence.sources.assessments import AssessmentsIndex


class _AssessmentExists(IndexProbe):
    """Shared logic of the self- and joint-assessment probes."""

    kind: str = ""
    noun: str = ""
    file_pattern: re.Pattern[str] = re.compile("$^")

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = project_subject(ctx)
        in_trees = [
            (repo, path)
            for repo in ctx.repos
            for path in repo.files
            if self.file_pattern.search(path.rsplit("/", 1)[-1]) and not skipped_path(path)
        ]
        if in_trees:
            labels = [f"{repo.name}/{path}" for repo, path in in_trees]
            yield self.finding(
                subject,
                True,
                f"{self.noun} found in the project's repositories: {', '.join(labels[:3])}",
                {"files": labels, "source": "repositories"},
                [repo.evidence(path) for repo, path in in_trees[:5]],
            )
            return
        try:
            index = self.index()
        except SourceUnavailable as exc:
            yield self.not_available(subject, f"no {self.noun} in the project's trees, and {exc.reason}")
            return
        entry = index.assessment_for(project_names(ctx))
        origin = _index_origin(index)
        if entry is not None and self.kind in entry.kinds:
            urls = entry.urls(self.kind)
            yield self.finding(
                subject,
                True,
                f"{self.noun} listed for {entry.landscape_name or entry.project_dir} in the CNCF's TOC / TAG "
                f"Security assessments (not in the project's own repositories)",
                {"source": "cncf", "project_dir": entry.project_dir, "kinds": list(entry.kinds), "urls": urls},
                [Evidence(url=u, source="cncf-assessments", label=u.split("/blob/main/", 1)[-1]) for u in urls[:4]],
            )
            return
        listed = f" (listed with {', '.join(entry.kinds)})" if entry is not None else ""
        yield self.finding(
            subject,
            False,
            f"no {self.noun} in the project's repositories nor in the CNCF's assessments list{listed}",
            {"source": "cncf", "index": origin, "names_tried": project_names(ctx)},
        )


def _index_origin(index: AssessmentsIndex) -> str:
    source = index.generated_from
    return str(source.get("file") or source.get("url") or "bundled index")


class SelfAssessmentExistsValues(TypedDict, total=False):
    """``Finding.values`` of ``security.self_assessment_exists``."""

    files: list[str]
    source: str
    project_dir: str
    kinds: list[str]
    urls: list[str]
    index: str
    names_tried: list[str]


class SelfAssessmentExists(_AssessmentExists):
    kind, noun = "self", "security self-assessment"
    file_pattern = re.compile(r"self[-_ ]?assessment", re.IGNORECASE)
    spec = ProbeSpec(
        id="security.self_assessment_exists",
        title="Has the project completed a security self-assessment?",
        motivation=(
            "Incubation and graduation ask for a TAG Security self-assessment. It lives in cncf/toc "
            "(projects/<project>/security-assessment/) or, for older ones, cncf/tag-security; a copy in the "
            "project's own repositories is found first because it cites a pinned commit."
        ),
        sources=("git", "cncf"),
        remediation="Complete the self-assessment and submit it to cncf/toc: projects/<project>/security-assessment/.",
    )
    values_type = SelfAssessmentExistsValues


class JointAssessmentExistsValues(TypedDict, total=False):
    """``Finding.values`` of ``security.joint_assessment_exists``."""

    source: str
    index: str
    names_tried: list[str]
    project_dir: str
    kinds: list[str]
    urls: list[str]


class JointAssessmentExists(_AssessmentExists):
    kind, noun = "joint", "joint security assessment"
    file_pattern = re.compile(r"joint[-_ ]?(?:security[-_ ]?)?(?:assessment|review)", re.IGNORECASE)
    spec = ProbeSpec(
        id="security.joint_assessment_exists",
        title="Has the project had a joint security assessment with TAG Security?",
        motivation="A joint assessment by TAG Security and the project is suggested for graduation.",
        sources=("git", "cncf"),
        remediation="Request a joint assessment from TAG Security and Compliance.",
    )
    values_type = JointAssessmentExistsValues


class ThirdPartyAuditExistsValues(TypedDict, total=False):
    """``Finding.values`` of ``security.third_party_audit_exists``."""

    files: list[str]
    readme_links: list[dict[str, Any]]
    landscape_audits: list[dict[str, str]]


class ThirdPartyAuditExists(IndexProbe):
    spec = ProbeSpec(
        id="security.third_party_audit_exists",
        title="Has a third-party security audit of the project been published?",
        motivation=(
            "Graduation expects a third-party security audit. Evidence is a report checked into a repo (a pdf "
            "under a security folder, a file named as an audit or security report), a README link whose text, "
            "target, paragraph or section names an audit or a known audit firm, or the landscape's audit list."
        ),
        sources=("git", "cncf"),
        remediation="Commission an audit (OSTIF arranges them for CNCF projects) and publish the report in the repo.",
    )
    values_type = ThirdPartyAuditExistsValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = project_subject(ctx)
        files, links = audits_in_trees(ctx)
        try:
            audits = self.index().audits_for(project_names(ctx))
            index_note = None
        except SourceUnavailable as exc:
            audits, index_note = [], exc.reason
        values: ThirdPartyAuditExistsValues = {
            "files": [f"{repo.name}/{path}" for repo, path in files],
            "readme_links": [
                {"repo": repo.name, "readme": readme, "line": line, "url": url, "text": text}
                for repo, readme, line, url, text, _ in links
            ],
            "landscape_audits": [a.to_dict() for a in audits],
        }
        evidence = [repo.evidence(path) for repo, path in files[:4]]
        evidence += [repo.evidence(readme, line, excerpt=excerpt) for repo, readme, line, _, _, excerpt in links[:4]]
        evidence += [
            Evidence(url=a.url, source="cncf-landscape", label=f"{a.vendor} {a.type} audit, {a.date}") for a in audits
        ]
        parts = []
        if files:
            parts.append(f"report file(s) {', '.join(values['files'][:3])}")
        if links:
            parts.append(f"{len(links)} README link(s)")
        if audits:
            parts.append(f"{len(audits)} audit(s) in the CNCF landscape")
        if parts:
            yield self.finding(subject, True, "third-party audit evidence: " + "; ".join(parts), values, evidence)
        elif index_note is not None:
            yield self.not_available(subject, f"no audit report in the project's trees, and {index_note}")
        else:
            yield self.finding(
                subject,
                False,
                "no audit report in the repositories, no README link to one, no audit in the CNCF landscape",
                values,
            )


class InsightsFileValidValues(TypedDict, total=False):
    """``Finding.values`` of ``security.insights_file_valid``."""

    valid_yaml: bool
    error: str
    line: int
    schema_version: str | None


class InsightsFileValid(Probe):
    spec = ProbeSpec(
        id="security.insights_file_valid",
        title="Does every SECURITY-INSIGHTS.yml the project publishes parse as YAML and declare its schema version?",
        motivation=(
            "SECURITY-INSIGHTS.yml is machine-read (by CLOMonitor, OpenSSF tools); a file that does not parse "
            "misinforms every consumer. Only YAML validity and the declared header.schema-version are checked, "
            "not the full schema."
        ),
        remediation="Fix the YAML (comments need '#') and declare header.schema-version; validate it in CI.",
    )
    values_type = InsightsFileValidValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        with_insights = [r for r in ctx.repos if security_insights_paths(r)]
        yield from self.per_repo(
            with_insights, lambda repo: [self._judge(repo, p) for p in security_insights_paths(repo)]
        )
        if not with_insights:
            yield self.finding(
                project_subject(ctx), Outcome.NOT_APPLICABLE, "no SECURITY-INSIGHTS.yml in any repository"
            )

    def _judge(self, repo: RepoView, path: str) -> Finding:
        subject = f"{repo.full_name}/{path}"
        text = repo.read(path)
        if text is None:
            return self.not_available(subject, f"{repo.name}/{path} could not be read (binary or too large)")
        try:
            data = yamlio.safe_load(text, name=f"{repo.name}/{path}")
        except yamlio.YAMLRefused as exc:
            return self.not_available(subject, exc.reason)
        except yaml.YAMLError as exc:
            line, problem = _yaml_problem(exc)
            # "expected '<document start>'" means the parser met stray text before the first key (typically a
            # comment line missing its '#'): the cause sits at the top, so cite from line 1 to where it gave up.
            first = 1 if line and "document start" in problem else line
            hint = "; text before the first key (a comment missing '#'?)" if first == 1 and line != 1 else ""
            return self.finding(
                subject,
                False,
                f"{repo.name}/{path} is not valid YAML: {problem}" + (f" (line {line})" if line else "") + hint,
                {"valid_yaml": False, "error": problem, "line": line},
                [repo.evidence(path, first, line, excerpt=_line(text, first))] if line else [repo.evidence(path)],
                remedy=f"Make {repo.name}/{path} valid YAML"
                + (f" (line {first} needs a '#' if it is a comment)" if hint else f" ({problem})")
                + ", declare header.schema-version, and validate the file in CI.",
            )
        header = data.get("header") if isinstance(data, dict) else None
        version = header.get("schema-version") if isinstance(header, dict) else None
        if version is None:
            return self.finding(
                subject,
                False,
                f"{repo.name}/{path} parses but declares no header.schema-version",
                {"valid_yaml": True, "schema_version": None},
                [repo.evidence(path)],
                remedy=f"Declare header.schema-version in {repo.name}/{path}.",
            )
        return self.finding(
            subject,
            True,
            f"{repo.name}/{path} parses and declares schema version {version}",
            {"valid_yaml": True, "schema_version": str(version)},
            [repo.evidence(path, _key_line(text, "schema-version"))],
        )


def _yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The parser's one-line complaint and the 1-based line it points at."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        return (mark.line + 1 if mark else None), ", but ".join(parts) or str(exc).splitlines()[0]
    return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _line(text: str, line: int | None) -> str | None:
    lines = text.splitlines()
    return lines[line - 1][:200] if line and 0 < line <= len(lines) else None


def _key_line(text: str, key: str) -> int | None:
    return next((n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith(f"{key}:")), None)
