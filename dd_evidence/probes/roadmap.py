"""Roadmap: does it say how items are added, removed and decided, and is the release it calls current the
project's newest stable release?"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from dd_evidence.context import ScanContext
from dd_evidence.facts import GOVERNANCE_ROLES, ParsedDoc, documents, subject
from dd_evidence.mdsections import sentences
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe

_ROADMAP_ITEM = re.compile(r"\b(roadmap|milestones?|roadmap\s+items?)\b", re.IGNORECASE)
_DECISION = re.compile(
    r"\b(decid\w*|decision\w*|vot(e|es|ed|ing)|approv\w*|consensus|propos\w*|remov\w*|prioriti[sz]\w*|"
    r"accept\w*|reject\w*|agree\w*)\b",
    re.IGNORECASE,
)
# "The current Dragonfly release is v2.3", "Current version: 1.4.0", "current stable release is 3.1".
_CURRENT = re.compile(
    r"\bcurrent\b[^.\n]{0,40}?\b(?:release|version)\b[^\n]{0,20}?\bv?(\d+)\.(\d+)(?:\.(\d+))?", re.IGNORECASE
)
_STABLE_TAG = re.compile(r"^(?:[\w-]+/)?v?(\d+)\.(\d+)\.(\d+)$")


def _roadmaps(ctx: ScanContext) -> list[ParsedDoc]:
    return documents(ctx, "roadmap")


class RoadmapChangeProcessDocumented(Probe):
    spec = ProbeSpec(
        id="roadmap.change_process_documented",
        title="Does the roadmap (or the governance) say how roadmap items are proposed, decided and removed?",
        motivation="Graduation asks projects to document how the roadmap changes and who decides.",
        remediation="Add a section to ROADMAP.md on how items are proposed, approved, reprioritised and removed.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        roadmaps = _roadmaps(ctx)
        if not roadmaps:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "no roadmap document to describe a process for")
            return
        docs = roadmaps + documents(ctx, *GOVERNANCE_ROLES)
        hits = [
            (doc, s)
            for doc in docs
            for s in sentences(doc.text)
            if _ROADMAP_ITEM.search(s.text) and _DECISION.search(s.text)
        ]
        checked = [d.label for d in docs]
        values = {"checked": checked, "found": [f"{d.label}#L{s.line}: {s.text[:160]}" for d, s in hits]}
        if hits:
            doc, sentence = hits[0]
            yield self.finding(
                subject(ctx),
                True,
                f"{doc.label} line {sentence.line} says how roadmap items are decided",
                values,
                [d.repo.evidence(d.path, s.line, excerpt=s.text[:160]) for d, s in hits[:5]],
            )
        else:
            yield self.finding(
                subject(ctx),
                False,
                f"no wording on deciding, proposing or removing roadmap items in {', '.join(checked)}",
                values,
                [d.repo.evidence(d.path) for d in roadmaps[:3]],
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


class RoadmapIsCurrent(Probe):
    spec = ProbeSpec(
        id="roadmap.is_current",
        title="Is the release the roadmap calls current the project's newest stable minor release?",
        motivation="A roadmap that still calls an old release current has not been kept up to date.",
        remediation="Update ROADMAP.md to the current release and the plans for the next one.",
    )

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
        )
