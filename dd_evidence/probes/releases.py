"""Release process: is there a release document, and does it cover each of the five graduation sub-items?

The document is found by fuzzy name in any repo (``RELEASE.md``, ``RELEASES.md``, ``docs/release.md`` ...).
Each sub-item is a keyword checklist over the document's headings and text; a sub-item is true only when every
part it names is there (tagging needs stable, pre-release and security; support needs a window and platforms).
Whether the text is adequate stays a reviewer's call; the finding lists what was and was not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, hit_doc, real_documents, subject
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents

_NUMBER = r"(?:\d+|one|two|three|four|six|nine|twelve|eighteen)"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class SubItem:
    """One graduation sub-item: its verbatim template text and the parts that must all be present."""

    key: str
    text: str
    parts: tuple[tuple[str, re.Pattern[str]], ...]


SUBITEMS: tuple[SubItem, ...] = (
    SubItem(
        "expectations",
        "Release expectations (scheduled or based on feature implementation)",
        (
            (
                "cadence",
                _rx(
                    rf"\bcadence\b|\bschedul\w*|\bevery\s+{_NUMBER}?\s*(weeks?|months?|years?)\b|\b(monthly|quarterly|"
                    rf"annual(ly)?|yearly)\b|\brelease\s+(cycle|train|timeline)s?\b|\b{_NUMBER}[- ](week|month)\b|"
                    r"\bwhen\s+(the\s+)?features?\s+(are|is)\s+(ready|complete)|\bfeature[- ]based\b|\btime[- ]based\b"
                ),
            ),
        ),
    ),
    SubItem(
        "tagging",
        "Tagging as stable, unstable, and security related releases",
        (
            ("stable", _rx(r"\bstable\b|\bgeneral(ly)?\s+availab\w*|\bGA\b")),
            (
                "unstable",
                _rx(
                    r"\bpre-?releases?\b|\brelease\s+candidates?\b|-rc\b|\brc\d*\b|\balpha\b|\bbeta\b|"
                    r"\bunstable\b|\bnightly\b|\bedge\b"
                ),
            ),
            (
                "security",
                _rx(
                    r"\bsecurity\s+(releases?|patch\w*|fix\w*|updates?|advisor\w*)|\bCVEs?\b|"
                    r"\bvulnerabilit\w+\s+(fix\w*|releases?)"
                ),
            ),
        ),
    ),
    SubItem(
        "branches",
        "Information on branch and tag strategies",
        (
            ("branch", _rx(r"\bbranch(es|ing)?\b")),
            ("tag", _rx(r"\btag(s|ged|ging)?\b")),
        ),
    ),
    SubItem(
        "support",
        "Branch and platform support and length of support",
        (
            (
                "support window",
                _rx(
                    rf"\b(support\w*|maint\w*)\b[^.\n]{{0,80}}\b{_NUMBER}\s+(weeks?|months?|years?)\b|"
                    rf"\b{_NUMBER}\s+(weeks?|months?|years?)\b[^.\n]{{0,80}}\b(support\w*|maint\w*)|"
                    r"\bend[- ]of[- ]life\b|\bEOL\b|\bLTS\b|\blong[- ]term\s+support\b|"
                    rf"\blast\s+{_NUMBER}\s+(minor\s+)?(releases|versions)\b"
                ),
            ),
            (
                "platforms",
                _rx(
                    r"\bplatforms?\b|\barchitectures?\b|\b(amd64|arm64|x86_64|aarch64|s390x|ppc64le)\b|"
                    r"\boperating\s+systems?\b|\b(linux|windows|macos|darwin)\b"
                ),
            ),
        ),
    ),
    SubItem(
        "artifacts",
        "Artifacts included in the release.",
        (
            (
                "artifact kinds",
                _rx(
                    r"\bbinar(y|ies)\b|\b(container|docker|oci)\s+images?\b|\bimages?\b|\bhelm\s+charts?\b|"
                    r"\bcharts?\b|\btarballs?\b|\bchecksums?\b|\bSBOMs?\b|\bsignatures?\b|\.deb\b|\.rpm\b"
                ),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class PartHit:
    name: str
    doc: ParsedDoc
    line: int


def check(docs: list[ParsedDoc], item: SubItem) -> tuple[list[PartHit], list[str]]:
    """Which parts of ``item`` the documents cover (first line each), and which they miss."""
    covered: list[PartHit] = []
    missing: list[str] = []
    for name, pattern in item.parts:
        hit = next(
            (
                PartHit(name, doc, number)
                for doc in docs
                for number, line in enumerate(doc.text.splitlines(), start=1)
                if pattern.search(line)
            ),
            None,
        )
        if hit:
            covered.append(hit)
        else:
            missing.append(name)
    return covered, missing


def release_documents(ctx: ScanContext) -> list[ParsedDoc]:
    """The release documents of the most authoritative repo that has one (a subproject's own file is not
    mixed in with the project's)."""
    hits = [h for h in real_documents(ctx, "release_process") if not h.is_stub]
    # A maintainers' runbook (how to cut a release) stands in only when there is no release process document.
    hits = hits or [h for h in real_documents(ctx, "release_procedure") if not h.is_stub]
    if not hits:
        return []
    first_repo = hits[0].repo.full_name
    return [hit_doc(ctx, h) for h in hits if h.repo.full_name == first_repo]


# What to write down for each part a release document misses (the remedy names the document and the parts).
_PART_TEXT = {
    "cadence": "when releases happen (a schedule, or when features are ready)",
    "stable": "how stable releases are tagged",
    "unstable": "how pre-releases (alpha, beta, rc) are tagged",
    "security": "how security releases are tagged and announced",
    "branch": "the branching strategy",
    "tag": "how tags are named",
    "support window": "how long each release branch is supported",
    "platforms": "which platforms (operating systems, architectures) are supported",
    "artifact kinds": "the artifacts each release ships (binaries, container images, charts, checksums, SBOMs)",
}
_MISSING_TEXT = {
    "expectations": "when releases happen",
    "tagging": "how stable, pre-release and security releases are tagged",
    "branches": "the branch and tag strategy",
    "support": "which branches and platforms are supported and for how long",
    "artifacts": "the artifacts each release ships",
}


class ReleaseProcessDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``releases.process_documented``."""

    subitem: str
    documents: list[str]
    covered: list[str]
    missing: list[str]


class ReleaseProcessDocumented(Probe):
    spec = ProbeSpec(
        id="releases.process_documented",
        title="Does the release document cover each graduation sub-item (cadence, tagging, branches, support, "
        "artifacts)?",
        motivation="Graduation asks for a RELEASES.md or equivalent defining five specific points.",
        remediation="Extend the release document with the missing points the finding lists.",
    )
    values_type = ReleaseProcessDocumentedValues

    @reads_documents("release_process", "release_procedure")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = release_documents(ctx)
        labels = [d.label for d in docs]
        for item in SUBITEMS:
            subject_ = f"release-process: {item.key}"
            values: ReleaseProcessDocumentedValues = {"subitem": item.text, "documents": labels}
            if not docs:
                values["covered"], values["missing"] = [], [name for name, _ in item.parts]
                yield self.finding(
                    subject_,
                    False,
                    f"no release process document found in {subject(ctx)}",
                    values,
                    remedy=f"Write a RELEASES.md (or equivalent) that states {_MISSING_TEXT[item.key]}.",
                )
                continue
            covered, missing = check(docs, item)
            values["covered"], values["missing"] = [p.name for p in covered], missing
            evidence = [_evidence(p) for p in covered]
            if missing:
                found = f"; found {', '.join(p.name for p in covered)}" if covered else ""
                message = f"{', '.join(labels)} does not cover {', '.join(missing)}{found}"
                yield self.finding(
                    subject_,
                    False,
                    message,
                    values,
                    evidence or [docs[0].repo.evidence(docs[0].path)],
                    remedy=f"Add to {labels[0]} {' and '.join(_PART_TEXT.get(m, m) for m in missing)}.",
                )
            else:
                where = ", ".join(f"{p.name} (line {p.line})" for p in covered)
                yield self.finding(subject_, True, f"{labels[0]} covers {where}", values, evidence)


def _evidence(part: PartHit) -> Evidence:
    return part.doc.repo.evidence(part.doc.path, part.line, excerpt=part.name)
