"""Subprojects: does the governance list them (all of them), and is each one's leadership, contribution,
status and the add/remove process documented?

Likely subprojects are repos with their own maintainer roster, repos a repository list calls a sub-project,
and repos the governance names in a "sub-projects, including ..." sentence. An inline sentence is a partial
list, not a missing one: the probe says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypedDict
from urllib.parse import urlparse

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, governance_documents, hit_doc, locate, project_map, project_readmes, subject
from dd_evidence.facts.people import subproject_rosters
from dd_evidence.mdsections import Section, sentences
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView

_LIST_HEADING = re.compile(r"\b(sub-?projects?|repositor(?:y|ies)|repos)\b", re.IGNORECASE)
_SUBPROJECT_WORD = re.compile(r"\bsub-?projects?\b", re.IGNORECASE)
# "organized into several sub-projects, including (but not limited to) a, b, and c."
_INLINE = re.compile(
    r"\bsub-?projects?\b[^.]{0,80}?\b(?:including(?:\s*\(but not limited to\))?|such as|namely|like)\s*:?\s*"
    r"([^.]+)",
    re.IGNORECASE,
)
_STATUS_WORDS = re.compile(
    r"\b(core|ecosystem|historical|active|inactive|archived|deprecated|incubating|sandbox|graduated|stable|"
    r"experimental|alpha|beta|maturity|status)\b",
    re.IGNORECASE,
)
_PROCESS_ACTION = re.compile(
    r"\b(add(?:ing|ed)?|new|creat\w*|establish\w*|propos\w*|archiv\w*|remov\w*|retir\w*|deprecat\w*|"
    r"donat\w*|sunset\w*)\b",
    re.IGNORECASE,
)
_PROCESS_OBJECT = re.compile(r"\b(sub-?projects?|repositor(?:y|ies))\b", re.IGNORECASE)
# The action must govern the subproject itself ("archive a subproject", "repositories are archived"), so
# "open a new issue in the relevant repository" does not count.
_PROCESS_SENTENCE = re.compile(
    r"\b(archiv\w*|remov\w*|retir\w*|sunset\w*|establish\w*|add\w*|creat\w*|donat\w*)\s+(?:(?:a|an|the|new|"
    r"inactive|obsolete)\s+)*(sub-?projects?|repositor(?:y|ies))\b|\b(sub-?projects?|repositor(?:y|ies))\s+"
    r"(?:(?:is|are|will|be|can|may|must|should|get|gets)\s+)*(archived|removed|retired|added|created|established)\b",
    re.IGNORECASE,
)
_CENTRAL_ROSTER = re.compile(r"\b(roles?|maintainers?|roster|owners)\b", re.IGNORECASE)
PROJECT_REPO_ROLES = ("main", "community", "org-profile", "website")


@dataclass
class RepoList:
    """A place that names repositories: a list file, a heading section or an inline sentence."""

    kind: str  # "file", "heading" or "inline"
    doc: ParsedDoc
    start: int
    end: int
    names: list[str] = field(default_factory=list)
    # repo name (lower) -> the line and text of the row/item naming it
    rows: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.doc.label}#L{self.start}"


def _named_repos(ctx: ScanContext, doc: ParsedDoc, start: int, end: int, scanned: set[str]) -> dict[str, tuple]:
    """Repos named between ``start`` and ``end``: links to ``github.com/<org>/<repo>`` and words that are the
    name of a scanned repo (``nydus``, ``client``)."""
    orgs = {o.lower() for o in ctx.project.orgs}
    found: dict[str, tuple[int, str]] = {}
    lines = doc.text.splitlines()
    for link in doc.document.links:
        if not start <= link.line <= end:
            continue
        parsed_url = urlparse(link.url)
        parts = [p for p in parsed_url.path.split("/") if p]
        if parsed_url.hostname in ("github.com", "www.github.com") and len(parts) == 2 and parts[0].lower() in orgs:
            found.setdefault(parts[1].lower(), (link.line, lines[link.line - 1].strip()))
    for number in range(start, min(end, len(lines)) + 1):
        line = lines[number - 1]
        for name in scanned:
            if re.search(rf"(?<![\w/.-]){re.escape(name)}(?![\w/-])", line, re.IGNORECASE) and _is_item(line):
                found.setdefault(name, (number, line.strip()))
    return found


def _is_item(line: str) -> bool:
    """Only list items and table rows name repos; prose mentioning "client" does not make a list."""
    stripped = line.lstrip()
    return stripped.startswith(("|", "-", "*", "+")) or bool(re.match(r"\d+[.)]\s", stripped))


def _governance_docs(ctx: ScanContext) -> list[ParsedDoc]:
    """The governance documents and the project's READMEs: where a list of subprojects is written."""
    return list(dict.fromkeys(governance_documents(ctx) + project_readmes(ctx)))


def repo_lists(ctx: ScanContext) -> list[RepoList]:
    """Every list of repositories in the project's documents, best (most repos named) first."""

    def build() -> list[RepoList]:
        scanned = {r.name.lower() for r in ctx.repos}
        found: list[RepoList] = []
        pmap = project_map(ctx)
        for hit in pmap.documents("subprojects"):
            if hit.is_stub or not hit.read:
                continue
            doc = pmap.parsed(hit)
            last = max(1, doc.text.count("\n") + 1)
            rows = _named_repos(ctx, doc, 1, last, scanned)
            found.append(RepoList("file", doc, 1, last, sorted(rows), rows))
        for doc in _governance_docs(ctx):
            if any(f.doc is doc for f in found):
                continue
            for section in doc.sections:
                if section.kind == "heading" and _LIST_HEADING.search(section.title):
                    rows = _named_repos(ctx, doc, section.start, section.end, scanned)
                    if len(rows) >= 2:
                        found.append(RepoList("heading", doc, section.start, section.end, sorted(rows), rows))
        return sorted(found, key=lambda f: (-len(f.names), f.kind != "file"))

    return ctx.memo("subprojects.repo_lists", build)


def inline_lists(ctx: ScanContext) -> list[RepoList]:
    """Sentences naming some subprojects ("organized into several sub-projects, including a, b and c")."""
    found = []
    for doc in _governance_docs(ctx):
        for sentence in sentences(doc.text):
            match = _INLINE.search(sentence.text)
            if not match:
                continue
            names = [
                re.sub(r"^(and|or)\s+", "", n.strip(" `*_[]()"), flags=re.IGNORECASE).strip(" `*_")
                for n in re.split(r",|\band\b", match.group(1))
            ]
            names = [n.lower() for n in names if n and len(n.split()) <= 3]
            if names:
                rows = {n: (sentence.line, sentence.text) for n in names}
                found.append(RepoList("inline", doc, sentence.line, sentence.line, names, rows))
    return found


def likely_subprojects(ctx: ScanContext) -> dict[str, list[str]]:
    """Repo name -> why it looks like a subproject (own roster, called a sub-project in a list, named inline)."""
    why: dict[str, list[str]] = {}
    project_repos = {r.name.lower() for r in ctx.repos if r.role in PROJECT_REPO_ROLES}
    for roster in subproject_rosters(ctx):
        why.setdefault(roster.repo.name.lower(), []).append(f"own roster {roster.label}")
    for listing in repo_lists(ctx):
        for name, (line, text) in listing.rows.items():
            if _SUBPROJECT_WORD.search(text):
                why.setdefault(name, []).append(f"called a sub-project in {listing.doc.label}#L{line}")
    scanned = {r.name.lower() for r in ctx.repos}
    for listing in inline_lists(ctx):
        for name in listing.names:
            if name in scanned:
                why.setdefault(name, []).append(f"named in {listing.where}")
    return {name: reasons for name, reasons in why.items() if name not in project_repos}


class SubprojectsListedValues(TypedDict, total=False):
    """``Finding.values`` of ``subprojects.listed``."""

    scanned_repos: list[str]
    likely_subprojects: dict[str, list[str]]
    kind: str
    list: str
    named: list[str]
    scanned_not_named: list[str]
    likely_not_named: list[str]


class SubprojectsListed(Probe):
    spec = ProbeSpec(
        id="subprojects.listed",
        title="Do the project's documents list its subprojects/repositories, including every likely subproject?",
        motivation="Graduation asks that all subprojects, if any, are listed.",
        remediation="Add a SUBPROJECTS.md or REPOSITORIES.md to the community repo listing every subproject.",
    )
    values_type = SubprojectsListedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        scanned = sorted(r.name.lower() for r in ctx.repos)
        likely = likely_subprojects(ctx)
        lists = [entry for entry in repo_lists(ctx) if entry.names]
        base: SubprojectsListedValues = {
            "scanned_repos": scanned,
            "likely_subprojects": {k: v for k, v in sorted(likely.items())},
        }
        if lists:
            best = lists[0]
            named = set(best.names)
            missing = sorted(name for name in likely if name not in named)
            values: SubprojectsListedValues = {
                **base,
                "kind": best.kind,
                "list": best.where,
                "named": best.names,
                "scanned_not_named": [n for n in scanned if n not in named],
                "likely_not_named": missing,
            }
            evidence = [best.doc.repo.evidence(best.doc.path, best.start, best.end)]
            if missing:
                message = f"{best.where} lists {len(named)} repositories but not {', '.join(missing)}"
                remedy = f"Add {', '.join(missing)} to the list in {best.where}, with each one's purpose and status."
                yield self.finding(subject(ctx), False, message, values, evidence, remedy=remedy)
            else:
                message = f"{best.where} lists {len(named)} repositories"
                yield self.finding(subject(ctx), True, message, values, evidence)
            return
        inline = inline_lists(ctx)
        if inline:
            first = inline[0]
            values = {
                **base,
                "kind": "inline",
                "list": first.where,
                "named": first.names,
                "scanned_not_named": [n for n in scanned if n not in first.names],
                "likely_not_named": sorted(n for n in likely if n not in first.names),
            }
            message = (
                f"only a partial inline list: {first.where} names {', '.join(first.names)} in a sentence; "
                "no complete subproject list (file or section)"
            )
            evidence = [first.doc.repo.evidence(first.doc.path, first.start, excerpt=first.rows[first.names[0]][1])]
            remedy = (
                f"Replace the sentence at {first.where} with a complete list of subprojects and repositories (for "
                "example SUBPROJECTS.md or REPOSITORIES.md in the community repo) giving each one's purpose and status."
            )
            yield self.finding(subject(ctx), False, message, values, evidence, remedy=remedy)
            return
        if len(ctx.repos) <= 1 and not likely:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "one repository and no sign of subprojects", base)
            return
        checked = ", ".join(d.label for d in _governance_docs(ctx)) or "no governance documents"
        yield self.finding(subject(ctx), False, f"no subproject or repository list in {checked}", base)


@dataclass(frozen=True)
class _Check:
    ok: bool
    how: str


_WHAT = {
    "leadership": "who leads it",
    "contribution": "how to contribute",
    "status": "its maturity status",
    "add_remove_process": "how subprojects are added and retired",
}


class SubprojectGovernanceDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``subprojects.governance_documented``."""

    why_subproject: list[str]
    leadership: str
    contribution: str
    status: str
    add_remove_process: str
    missing: list[str]


class SubprojectGovernanceDocumented(Probe):
    spec = ProbeSpec(
        id="subprojects.governance_documented",
        title="Is each subproject's leadership, contribution process and status documented, and the process for "
        "adding and removing subprojects?",
        motivation="Graduation asks projects with subprojects to document their leadership, contribution, "
        "maturity status and the add/remove process.",
        remediation="Document for each subproject its maintainers, how to contribute and its status, and write "
        "down how subprojects are added and archived.",
    )
    values_type = SubprojectGovernanceDocumentedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        likely = likely_subprojects(ctx)
        if not likely:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "no subprojects found")
            return
        process = self._process(ctx)
        for name, reasons in sorted(likely.items()):
            repo = ctx.repo(name)
            checks = {
                "leadership": self._leadership(ctx, name, repo),
                "contribution": self._contribution(ctx, repo),
                "status": self._status(ctx, name),
                "add_remove_process": process,
            }
            missing = [k for k, c in checks.items() if not c.ok]
            values: SubprojectGovernanceDocumentedValues = {
                "why_subproject": reasons,
                "leadership": checks["leadership"].how,
                "contribution": checks["contribution"].how,
                "status": checks["status"].how,
                "add_remove_process": checks["add_remove_process"].how,
                "missing": missing,
            }
            label = repo.full_name if repo else name
            readme = project_map(ctx).readme(repo) if repo else None
            evidence = [readme.repo.evidence(readme.path, 1)] if readme else []
            if missing:
                # The same text for every subproject missing the same things, so the TODO lists them once.
                what = [_WHAT[m] for m in missing]
                listed = ", ".join(what[:-1]) + " and " + what[-1] if len(what) > 1 else what[0]
                remedy = f"Document for each subproject {listed}."
                yield self.finding(label, False, f"subproject {name}: not documented: {', '.join(missing)}", values,
                                   evidence, remedy=remedy)  # fmt: skip
            else:
                yield self.finding(label, True, f"subproject {name}: leadership, contribution, status and "
                                   "add/remove process documented", values, evidence)  # fmt: skip

    @staticmethod
    def _leadership(ctx: ScanContext, name: str, repo: RepoView | None) -> _Check:
        for roster in subproject_rosters(ctx):
            if roster.repo.name.lower() == name:
                return _Check(True, f"own roster {roster.label}")
        for hit in locate(ctx, "maintainers"):
            doc = hit_doc(ctx, hit)
            for section in doc.sections:
                if re.search(rf"\b{re.escape(name)}\b", section.title, re.IGNORECASE):
                    return _Check(True, f"roster section {doc.label}#L{section.start}: {section.title}")
        for doc in _governance_docs(ctx) + [entry.doc for entry in repo_lists(ctx)]:
            for sentence in sentences(doc.text):
                if (
                    _SUBPROJECT_WORD.search(sentence.text)
                    and _CENTRAL_ROSTER.search(sentence.text)
                    and re.search(r"\b(central|uniform|same|listed|updated)\b", sentence.text, re.IGNORECASE)
                ):
                    return _Check(True, f"central roster applies: {doc.label}#L{sentence.line}")
        return _Check(False, "no roster of its own, no roster section naming it")

    @staticmethod
    def _contribution(ctx: ScanContext, repo: RepoView | None) -> _Check:
        if repo is not None:
            own = project_map(ctx).health_file(repo, "contributing")
            if own is not None:
                return _Check(True, own[0].label + (" (org default)" if own[1] else ""))
        shared = [
            h for h in locate(ctx, "contributing") if h.repo.role in ("community", "org-profile") and not h.is_stub
        ]
        if shared:
            return _Check(True, f"project-wide {shared[0].label}")
        return _Check(False, "no CONTRIBUTING in the repo or the community repo")

    @staticmethod
    def _status(ctx: ScanContext, name: str) -> _Check:
        for listing in repo_lists(ctx):
            if name not in listing.rows:
                continue
            line, text = listing.rows[name]
            if _STATUS_WORDS.search(text):
                return _Check(True, f"{listing.doc.label}#L{line}")
            heading = _heading_above(listing.doc.sections, line)
            if heading and _STATUS_WORDS.search(heading.title):
                return _Check(True, f"{listing.doc.label}#L{heading.start}: {heading.title}")
        return _Check(False, "no status or maturity stated for it")

    @staticmethod
    def _process(ctx: ScanContext) -> _Check:
        # Dedicated list files (SUBPROJECTS.md) first: that is where projects write the process down.
        docs = [entry.doc for entry in repo_lists(ctx)] + _governance_docs(ctx)
        for doc in list(dict.fromkeys(docs)):
            for section in doc.sections:
                if _PROCESS_ACTION.search(section.title) and (
                    _PROCESS_OBJECT.search(section.title) or _PROCESS_OBJECT.search(doc.path)
                ):
                    return _Check(True, f"{doc.label}#L{section.start}: {section.title}")
            for sentence in sentences(doc.text):
                if _PROCESS_SENTENCE.search(sentence.text):
                    return _Check(True, f"{doc.label}#L{sentence.line}")
        return _Check(False, "no process for adding or archiving subprojects")


def _heading_above(all_sections: Iterable[Section], line: int) -> Section | None:
    above = [s for s in all_sections if s.kind == "heading" and s.start <= line]
    return max(above, key=lambda s: s.start) if above else None
