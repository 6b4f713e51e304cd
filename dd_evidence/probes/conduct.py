"""Code of Conduct: does the project adopt the CNCF Code of Conduct, say whom to tell about a violation, and
link its Code of Conduct from the documents contributors read?"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, documents, hit_doc, locate, readmes, subject
from dd_evidence.markdown import Link
from dd_evidence.mdsections import Contact, contacts, section_at
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe

# The CNCF Code of Conduct lives in cncf/foundation (on any branch) and is mirrored on cncf.io.
_CNCF_COC_URL = re.compile(
    r"github\.com/cncf/foundation/(?:blob|tree)/[^/]+/code-of-conduct(?:\.md)?|cncf\.io/conduct", re.IGNORECASE
)
# The file moved from master to main; GitHub redirects, but the old path is worth a note.
_OLD_CNCF_PATH = re.compile(r"github\.com/cncf/foundation/blob/master/code-of-conduct", re.IGNORECASE)
_CNCF_COC_TEXT = re.compile(r"\bCNCF\b(?:\s+Community)?\s+Code\s+of\s+Conduct", re.IGNORECASE)
# A link to a Code of Conduct file, the project's own or the CNCF's.
_COC_LINK = re.compile(r"code[-_ ]?of[-_ ]?conduct|/conduct\b", re.IGNORECASE)


def _coc_docs(ctx: ScanContext) -> list[ParsedDoc]:
    """Every Code of Conduct file, real ones first; stubs are kept because a stub may name a contact too."""
    return [hit_doc(ctx, hit) for hit in locate(ctx, "code_of_conduct")]


def _links_coc(link: Link) -> bool:
    # An in-page anchor (``#code-of-conduct``) points at a heading of the same file, not at the CoC.
    return not link.image and not link.url.startswith("#") and bool(_COC_LINK.search(link.url))


def _adoption_line(doc: ParsedDoc) -> int | None:
    for link in doc.document.links:
        if _CNCF_COC_URL.search(link.url):
            return link.line
    for number, line in enumerate(doc.text.splitlines(), start=1):
        if _CNCF_COC_TEXT.search(line):
            return number
    return None


class CocAdoptsCncf(Probe):
    spec = ProbeSpec(
        id="conduct.coc_adopts_cncf",
        title="Does the project's Code of Conduct adopt or link the CNCF Code of Conduct?",
        motivation="CNCF projects adopt the CNCF Code of Conduct.",
        remediation="State in CODE_OF_CONDUCT.md that the project follows the CNCF Code of Conduct and link it.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = _coc_docs(ctx)
        if not docs:
            yield self.finding(subject(ctx), False, "no Code of Conduct file in any scanned repository")
            return
        adopting = [(doc, line) for doc in docs if (line := _adoption_line(doc)) is not None]
        checked = [d.label for d in docs]
        if adopting:
            doc, line = adopting[0]
            yield self.finding(
                subject(ctx),
                True,
                f"{doc.label} adopts the CNCF Code of Conduct (line {line})",
                {"adopting": [d.label for d, _ in adopting], "checked": checked},
                [d.repo.evidence(d.path, n) for d, n in adopting[:5]],
            )
        else:
            yield self.finding(
                subject(ctx),
                False,
                f"none of {', '.join(checked)} adopts or links the CNCF Code of Conduct",
                {"adopting": [], "checked": checked},
                [d.repo.evidence(d.path) for d in docs[:5]],
            )


def _linking_sections(doc: ParsedDoc) -> list[tuple[int, int]]:
    """The line ranges of the sections of ``doc`` that link to a Code of Conduct."""
    ranges = []
    for link in doc.document.links:
        if _links_coc(link):
            section = section_at(doc.sections, link.line)
            span = (section.start, section.end) if section else (link.line, link.line)
            if section and section.level == 1:
                # Under the title heading: only the text up to the first sub-heading belongs to the link.
                following = [s.start for s in doc.sections if s.start > section.start]
                span = (section.start, min([section.end, *(f - 1 for f in following)]))
            if span not in ranges:
                ranges.append(span)
    return ranges


def _contacts_in(doc: ParsedDoc, start: int, end: int) -> list[Contact]:
    lines = doc.text.splitlines()[start - 1 : end]
    return contacts("\n".join(lines), start)


class CocHasReportingContact(Probe):
    spec = ProbeSpec(
        id="conduct.coc_has_reporting_contact",
        title="Does the Code of Conduct (or the section linking it) name a contact for reporting violations?",
        motivation="People who witness a violation must know whom to tell: an e-mail address or a form.",
        remediation="Add a reporting e-mail address or form to CODE_OF_CONDUCT.md (the CNCF's or the project's).",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        coc = _coc_docs(ctx)
        linking_docs = documents(ctx, "governance", "contributing", "contributor_ladder")
        linking_docs += readmes(ctx, "main", "community")
        places: list[tuple[ParsedDoc, int, int]] = [(d, 1, max(1, d.document.line_count)) for d in coc]
        for doc in linking_docs:
            places += [(doc, start, end) for start, end in _linking_sections(doc)]
        if not places:
            yield self.finding(subject(ctx), False, "no Code of Conduct file, and no document links one")
            return
        old = sorted({d.label for d in [*coc, *linking_docs] for link in d.document.links if _old(link)})
        checked = [f"{d.label}#L{s}-L{e}" for d, s, e in places]
        found = [(d, c) for d, s, e in places for c in _contacts_in(d, s, e)]
        values = {"checked": checked, "old_cncf_path": old, "contacts": [f"{c.kind}:{c.value}" for _, c in found]}
        if found:
            doc, contact = found[0]
            yield self.finding(
                subject(ctx),
                True,
                f"{doc.label} line {contact.line} gives a reporting contact ({contact.value})",
                values,
                [d.repo.evidence(d.path, c.line) for d, c in found[:5]],
            )
            return
        yield self.finding(
            subject(ctx),
            False,
            f"no e-mail address, mailto link or form in the Code of Conduct or the sections linking it "
            f"({len(places)} place(s) checked)",
            values,
            _place_evidence(places),
        )


def _old(link: Link) -> bool:
    return bool(_OLD_CNCF_PATH.search(link.url))


def _place_evidence(places: list[tuple[ParsedDoc, int, int]]) -> list[Evidence]:
    return [d.repo.evidence(d.path, s, e) for d, s, e in places[:6]]


class CocCrosslinked(Probe):
    spec = ProbeSpec(
        id="conduct.coc_crosslinked",
        title="Do GOVERNANCE and CONTRIBUTING (and the READMEs) link to the Code of Conduct?",
        motivation="Contributors should meet the Code of Conduct wherever they start reading.",
        remediation="Link CODE_OF_CONDUCT.md from GOVERNANCE.md, CONTRIBUTING.md and the README.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        groups = {
            "governance": documents(ctx, "governance"),
            "contributing": documents(ctx, "contributing"),
            "readme": readmes(ctx, "main", "community"),
        }
        linking: list[str] = []
        not_linking: list[str] = []
        evidence: list[Evidence] = []
        linked_groups = set()
        for group, docs in groups.items():
            for doc in docs:
                line = next((link.line for link in doc.document.links if _links_coc(link)), None)
                if line is None:
                    not_linking.append(doc.label)
                    continue
                linking.append(doc.label)
                linked_groups.add(group)
                evidence.append(doc.repo.evidence(doc.path, line))
        values = {"linking": linking, "not_linking": not_linking, "groups_linking": sorted(linked_groups)}
        both = {"governance", "contributing"} <= linked_groups
        missing = [g for g in ("governance", "contributing") if g not in linked_groups]
        if both:
            message = f"the Code of Conduct is linked from {', '.join(linking)}"
        else:
            absent = [g for g in missing if not groups[g]]
            note = f" (no {' or '.join(absent)} document found)" if absent else ""
            message = f"no link to the Code of Conduct from any {' or '.join(missing)} document{note}"
        yield self.finding(subject(ctx), both, message, values, evidence[:6])
