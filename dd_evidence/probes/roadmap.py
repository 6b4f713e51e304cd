"""Roadmap: does it say how items are added, removed and decided, and is the release it calls current the
project's newest stable release?"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts import Doc, ParsedDoc, ProjectMap, documents, governance_documents, project_map, subject
from dd_evidence.mdsections import sentences
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents
from dd_evidence.repoview import GitRepoView

_ROADMAP_WORD = re.compile(r"\broad-?maps?\b", re.IGNORECASE)
# How an item gets onto (or off) the roadmap, and who decides: a process needs a decision and a way in or out.
_PROPOSE = re.compile(
    r"\b(propos\w*|suggest\w*|submit\w*|pull requests?|PRs?|(?:open|file|create|raise)\w*\s+(?:an?\s+)?(?:new\s+)?"
    r"(?:issues?|proposals?|requests?|discussions?))\b",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"\b(add(?:s|ed|ing)?|remov\w*|chang\w*|updat\w*|modif\w*|amend\w*|revis\w*|adjust\w*|reprioriti[sz]\w*)\b",
    re.IGNORECASE,
)
_DECISION = re.compile(
    r"\b(decid\w*|decision\w*|vot(?:e|es|ed|ing)|approv\w*|consensus|agree\w*|accept\w*|reject\w*|majority)\b",
    re.IGNORECASE,
)
# Titles of the sections of a roadmap document that describe how it is run rather than what is on it.
_PROCESS_TITLE = re.compile(r"process|chang|updat|propos|contribut|how|maintain|criteria|remov|add|review", re.I)
# "The current Dragonfly release is v2.3", "Current version: 1.4.0", "current stable release is 3.1".
_CURRENT = re.compile(
    r"\bcurrent\b[^.\n]{0,40}?\b(?:release|version)\b[^\n]{0,20}?\bv?(\d+)\.(\d+)(?:\.(\d+))?", re.IGNORECASE
)
_STABLE_TAG = re.compile(r"^(?:[\w-]+/)?v?(\d+)\.(\d+)\.(\d+)$")


def _roadmaps(ctx: ScanContext) -> list[ParsedDoc]:
    return documents(ctx, "roadmap")


def current_roadmaps(ctx: ScanContext) -> list[ParsedDoc]:
    """The project's roadmap: the roadmap documents of the most authoritative repository that has one, at their
    shallowest folder (yearly or archived roadmaps further down are history), plus roadmap-process documents."""
    pmap = project_map(ctx)
    hits = [d for d in pmap.documents("roadmap") if not d.is_stub]
    # A page that only says where the roadmaps are ("each sub-project keeps its own ROADMAP.md") is not one.
    substantial = [d for d in hits if not _pointer_only(pmap, d)]
    hits = substantial or hits
    if hits:
        repo = hits[0].repo
        depth = min(d.depth for d in hits if d.repo is repo)
        hits = [d for d in hits if d.repo is repo and d.depth == depth]
        # Quarterly pages beside an index: the index is the roadmap, the others its history.
        index = [d for d in hits if d.path.rsplit("/", 1)[-1].lower().split(".")[0] in ("index", "_index", "readme")]
        hits = index or hits
    hits += [d for d in pmap.documents("roadmap_process") if not d.is_stub and d not in hits]
    return [pmap.parsed(d) for d in hits]


def _pointer_only(pmap: ProjectMap, doc: Doc) -> bool:
    """A short roadmap page without sections of its own: it says where the roadmap is, it is not the roadmap."""
    text = pmap.text(doc.repo, doc.path)
    lines = [line for line in text.splitlines() if line.strip() and not set(line.strip()) <= set("=-#")]
    return len(lines) <= POINTER_MAX_LINES and len(pmap.parsed(doc).document.headings) <= 1


# A roadmap page this short (non-empty lines) with no sections only points at the roadmaps.
POINTER_MAX_LINES = 6


@dataclass(frozen=True)
class _Unit:
    """A part of a document that may describe the roadmap process: a section, or a whole short document."""

    doc: ParsedDoc
    start: int
    title: str
    text: str


def _units(doc: ParsedDoc, roadmap_doc: bool) -> list[_Unit]:
    """Sections about the roadmap: in a governance text, those titled after the roadmap; in a roadmap document,
    every section (the document is about the roadmap), or the whole text when it has no sections."""
    headings = [s for s in doc.sections if s.kind == "heading" and s.level >= 2]
    if roadmap_doc:
        if not headings:
            return [_Unit(doc, 1, "", doc.text)]
        return [_Unit(doc, s.start, s.title, s.text) for s in headings]
    return [_Unit(doc, s.start, s.title, s.text) for s in headings if _ROADMAP_WORD.search(s.title)]


def _process_line(unit: _Unit) -> tuple[int, str] | None:
    """The line of ``unit`` that says how roadmap items are decided. A section titled after the roadmap or its
    process needs a decision and a way in or out of the roadmap anywhere in its text (the line cited is the
    decision); elsewhere one sentence must say both, and name the roadmap or its items."""
    about = bool(_ROADMAP_WORD.search(unit.title) or _PROCESS_TITLE.search(unit.title))
    # In a section about the roadmap's process, discussing or reviewing a change in a meeting is its decision step.
    decides = re.compile(_DECISION.pattern + r"|\b(discuss\w*|review\w*|merg\w*)\b", re.IGNORECASE)
    if about and decides.search(unit.text) and (_PROPOSE.search(unit.text) or _CHANGE.search(unit.text)):
        decision = next((x for x in sentences(unit.text, unit.start) if decides.search(x.text)), None)
        if decision is not None:
            return decision.line, decision.text
    for sentence in sentences(unit.text, unit.start):
        text = sentence.text
        if not _DECISION.search(text) or not (_PROPOSE.search(text) or _CHANGE.search(text)):
            continue
        if about or _ROADMAP_WORD.search(text) or re.search(r"\broadmap items?\b|\bitems?\b", text, re.I):
            return sentence.line, text
    return None


class RoadmapChangeProcessDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``roadmap.change_process_documented``."""

    checked: list[str]
    found: list[str]


class RoadmapChangeProcessDocumented(Probe):
    spec = ProbeSpec(
        id="roadmap.change_process_documented",
        title="Does the roadmap (or the governance) say how roadmap items are proposed, decided and removed?",
        motivation="Graduation asks projects to document how the roadmap changes and who decides. A roadmap that "
        "only points to a project board or milestones is not a process.",
        remediation="Add a section to ROADMAP.md on how items are proposed, approved, reprioritised and removed.",
    )
    values_type = RoadmapChangeProcessDocumentedValues

    @reads_documents("roadmap", "roadmap_process", "governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        roadmaps = current_roadmaps(ctx)
        if not roadmaps:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "no roadmap document to describe a process for")
            return
        governance = [d for d in governance_documents(ctx) if d not in roadmaps]
        units = [u for d in roadmaps for u in _units(d, True)] + [u for d in governance for u in _units(d, False)]
        hits = [(u, found) for u in units if (found := _process_line(u)) is not None]
        checked = [d.label for d in roadmaps + governance]
        values: RoadmapChangeProcessDocumentedValues = {
            "checked": checked,
            "found": [f"{u.doc.label}#L{line}: {text[:160]}" for u, (line, text) in hits],
        }
        if hits:
            unit, (line, text) = hits[0]
            yield self.finding(
                subject(ctx),
                True,
                f"{unit.doc.label} line {line} says how roadmap items are decided",
                values,
                [u.doc.repo.evidence(u.doc.path, n, excerpt=t[:160]) for u, (n, t) in hits[:5]],
            )
        else:
            yield self.finding(
                subject(ctx),
                False,
                f"no wording on deciding, proposing or removing roadmap items in {', '.join(checked)}",
                values,
                [d.repo.evidence(d.path) for d in roadmaps[:3]],
                remedy=f"Add a section to {roadmaps[0].label} on how roadmap items are proposed, decided, "
                "reprioritised and removed, and who approves the changes.",
            )


@dataclass(frozen=True)
class NamedRelease:
    doc: ParsedDoc
    line: int
    version: tuple[int, int]
    text: str


def named_current_release(docs: list[ParsedDoc]) -> NamedRelease | None:
    """The first "current release is vX.Y" statement in the roadmap documents."""
    for doc in docs:
        for number, line in enumerate(doc.text.splitlines(), start=1):
            match = _CURRENT.search(line)
            if match:
                version = (int(match.group(1)), int(match.group(2)))
                return NamedRelease(doc, number, version, match.group(0))
    return None


def newest_stable(tag_names_dates: Iterable[tuple[str, datetime]], as_of: datetime) -> tuple[str, int, int] | None:
    """The newest stable semver tag (no pre-release suffix) made by ``as_of``: (name, major, minor)."""
    best: tuple[tuple[int, int, int], str] | None = None
    for name, date in tag_names_dates:
        match = _STABLE_TAG.match(name)
        if not match or _aware(date) > _aware(as_of):
            continue
        key = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if best is None or key > best[0]:
            best = (key, name)
    return (best[1], best[0][0], best[0][1]) if best else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class RoadmapIsCurrentValues(TypedDict, total=False):
    """``Finding.values`` of ``roadmap.is_current``."""

    roadmap_current: str
    newest_stable_tag: str
    newest_stable_minor: str


class RoadmapIsCurrent(Probe):
    spec = ProbeSpec(
        id="roadmap.is_current",
        title="Is the release the roadmap calls current the project's newest stable minor release?",
        motivation="A roadmap that still calls an old release current has not been kept up to date.",
        remediation="Update ROADMAP.md to the current release and the plans for the next one.",
    )
    values_type = RoadmapIsCurrentValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        roadmaps = _roadmaps(ctx)
        named = named_current_release(roadmaps)
        if named is None:
            why = "the roadmap names no current release" if roadmaps else "no roadmap document"
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, why)
            return
        main = ctx.main_repo
        newest = newest_stable(((t.name, t.date) for t in main.tags()), ctx.as_of) if main else None
        evidence = [named.doc.repo.evidence(named.doc.path, named.line, excerpt=named.text)]
        said = f"{named.version[0]}.{named.version[1]}"
        if newest is None:
            yield self.finding(
                subject(ctx),
                Outcome.NOT_AVAILABLE,
                f"the roadmap calls {said} current, but the main repository has no stable release tag to compare",
                {"roadmap_current": said},
                evidence,
            )
            return
        tag, major, minor = newest
        current = named.version >= (major, minor)
        verdict = "matches" if current else "is older than"
        yield self.finding(
            subject(ctx),
            current,
            f"{named.doc.label} calls {said} current, which {verdict} the newest stable tag {tag}",
            {"roadmap_current": said, "newest_stable_tag": tag, "newest_stable_minor": f"{major}.{minor}"},
            evidence,
            remedy=None
            if current
            else f"Update {named.doc.label} (line {named.line} calls {said} current) to the newest release {tag} and "
            "the plans after it.",
        )


# A roadmap nobody touched for this long no longer describes the project's plans.
ROADMAP_STALE_DAYS = 365


class RoadmapRecentlyUpdatedValues(TypedDict, total=False):
    """``Finding.values`` of ``roadmap.recently_updated``."""

    documents: list[str]
    last_updated: str | None
    last_commit: str | None
    age_days: int | None
    limit_days: int


class RoadmapRecentlyUpdated(Probe):
    spec = ProbeSpec(
        id="roadmap.recently_updated",
        title="Has the project's roadmap been updated in the last 12 months?",
        motivation="A roadmap last edited years ago (a '2023 roadmap' read in late 2024) is not the project's plan.",
        remediation="Review the roadmap at least yearly: mark what shipped, drop what was abandoned, add what is next.",
    )
    values_type = RoadmapRecentlyUpdatedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        roadmaps = current_roadmaps(ctx)
        if not roadmaps:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "no roadmap document")
            return
        newest: tuple[datetime, str, ParsedDoc] | None = None
        read = False
        for doc in roadmaps:
            if not isinstance(doc.repo, GitRepoView) or doc.repo.sha is None:
                continue
            try:
                commits = doc.repo.log(paths=[doc.path])
            except SourceUnavailable:
                continue
            read = True
            if commits and (newest is None or _aware(commits[0].committed_at) > newest[0]):
                newest = (_aware(commits[0].committed_at), commits[0].sha, doc)
        labels = [d.label for d in roadmaps]
        if not read or newest is None:
            yield self.not_available(subject(ctx), f"no git history of {', '.join(labels)} could be read")
            return
        when, sha, doc = newest
        age = (_aware(ctx.as_of) - when).days
        values: RoadmapRecentlyUpdatedValues = {
            "documents": labels,
            "last_updated": when.isoformat(),
            "last_commit": sha,
            "age_days": age,
            "limit_days": ROADMAP_STALE_DAYS,
        }
        evidence = [Evidence(url=f"{doc.repo.web_url}/commit/{sha}", source="git", label=f"{doc.label}@{sha[:7]}")]
        verdict = "within" if age <= ROADMAP_STALE_DAYS else "more than"
        message = f"{doc.label} was last changed on {when.date()}, {age} days before the scan ({verdict} 12 months)"
        yield self.finding(subject(ctx), age <= ROADMAP_STALE_DAYS, message, values, evidence)
