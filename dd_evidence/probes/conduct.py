"""Code of Conduct: does the project adopt the CNCF Code of Conduct, say whom to tell about a violation, and
link its Code of Conduct from the documents contributors read?"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, documents, hit_doc, locate, project_map, project_readmes, readmes, subject
from dd_evidence.facts.links import file_in
from dd_evidence.markdown import Link
from dd_evidence.mdsections import Contact, contacts, section_at
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents

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


def _coc_places(ctx: ScanContext) -> list[tuple[ParsedDoc, int, int]]:
    """(document, first line, last line) of every Code of Conduct: the files, or when a project has none, the
    "Code of Conduct" sections of its other documents (a governance that adopts the CNCF code in a section)."""
    docs = _coc_docs(ctx)
    if docs:
        return [(d, 1, max(1, d.document.line_count)) for d in docs]
    return [(doc, s.start, s.end) for doc, s in project_map(ctx).sections("code_of_conduct")]


def _links_coc(link: Link) -> bool:
    # An in-page anchor (``#code-of-conduct``) points at a heading of the same file, not at the CoC.
    return not link.image and not link.url.startswith("#") and bool(_COC_LINK.search(link.url))


def _adoption_line(doc: ParsedDoc, start: int = 1, end: int | None = None) -> int | None:
    """The line between ``start`` and ``end`` that links or names the CNCF Code of Conduct."""
    last = end if end is not None else doc.document.line_count
    for link in doc.document.links:
        if _CNCF_COC_URL.search(link.url) and start <= link.line <= last:
            return link.line
    for number, line in enumerate(doc.text.splitlines(), start=1):
        if start <= number <= last and _CNCF_COC_TEXT.search(line):
            return number
    return None


_CNCF_COC = "https://github.com/cncf/foundation/blob/main/code-of-conduct.md"


class CocAdoptsCncfValues(TypedDict, total=False):
    """``Finding.values`` of ``conduct.coc_adopts_cncf``."""

    adopting: list[str]
    checked: list[str]


class CocAdoptsCncf(Probe):
    spec = ProbeSpec(
        id="conduct.coc_adopts_cncf",
        title="Does the project's Code of Conduct adopt or link the CNCF Code of Conduct?",
        motivation="CNCF projects adopt the CNCF Code of Conduct.",
        remediation="State in CODE_OF_CONDUCT.md that the project follows the CNCF Code of Conduct and link it.",
    )
    values_type = CocAdoptsCncfValues

    @reads_documents(
        "code_of_conduct",
    )
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        places = _coc_places(ctx)
        if not places:
            yield self.finding(
                subject(ctx),
                False,
                "no Code of Conduct file in any scanned repository",
                remedy="Add a CODE_OF_CONDUCT.md to the main or community repository stating that the project follows "
                "the CNCF Code of Conduct, with a link to it.",
            )
            return
        docs = [d for d, _, _ in places]
        adopting = [(doc, line) for doc, a, b in places if (line := _adoption_line(doc, a, b)) is not None]
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
                remedy=f"State in {docs[0].label} that the project follows the CNCF Code of Conduct, or that its own "
                "code is based on it and does not conflict with it, and link the CNCF Code of Conduct.",
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


class CocHasReportingContactValues(TypedDict, total=False):
    """``Finding.values`` of ``conduct.coc_has_reporting_contact``."""

    checked: list[str]
    old_cncf_path: list[str]
    contacts: list[str]


class CocHasReportingContact(Probe):
    spec = ProbeSpec(
        id="conduct.coc_has_reporting_contact",
        title="Does the Code of Conduct (or the section linking it) name a contact for reporting violations?",
        motivation="People who witness a violation must know whom to tell: an e-mail address or a form.",
        remediation="Add a reporting e-mail address or form to CODE_OF_CONDUCT.md (the CNCF's or the project's).",
    )
    values_type = CocHasReportingContactValues

    @reads_documents(
        "code_of_conduct",
    )
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        coc = _coc_docs(ctx)
        linking_docs = documents(ctx, "governance", "contributing", "contributor_ladder")
        linking_docs += readmes(ctx, "main", "community")
        places: list[tuple[ParsedDoc, int, int]] = _coc_places(ctx)
        for doc in linking_docs:
            places += [(doc, start, end) for start, end in _linking_sections(doc)]
        if not places:
            yield self.finding(
                subject(ctx),
                False,
                "no Code of Conduct file, and no document links one",
                remedy="Add a CODE_OF_CONDUCT.md adopting the CNCF Code of Conduct, with a contact for reporting "
                "violations (the project's e-mail address, or the CNCF's conduct@cncf.io).",
            )
            return
        old = sorted({d.label for d in [*coc, *linking_docs] for link in d.document.links if _old(link)})
        checked = [f"{d.label}#L{s}-L{e}" for d, s, e in places]
        found = [(d, c) for d, s, e in places for c in _contacts_in(d, s, e)]
        values: CocHasReportingContactValues = {
            "checked": checked,
            "old_cncf_path": old,
            "contacts": [f"{c.kind}:{c.value}" for _, c in found],
        }
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
            remedy=_contact_remedy(coc, old),
        )


def _contact_remedy(coc: list[ParsedDoc], old: list[str]) -> str:
    where = coc[0].label if coc else "the section that links the Code of Conduct"
    text = (
        f"Add a contact for reporting violations to {where}: a project e-mail address or form, or the CNCF Code of "
        "Conduct Committee (conduct@cncf.io)."
    )
    if old:
        text += f" Point the CNCF Code of Conduct link in {', '.join(old[:3])} at its current path ({_CNCF_COC})."
    return text


def _old(link: Link) -> bool:
    return bool(_OLD_CNCF_PATH.search(link.url))


def _place_evidence(places: list[tuple[ParsedDoc, int, int]]) -> list[Evidence]:
    return [d.repo.evidence(d.path, s, e) for d, s, e in places[:6]]


# The documents whose links to the Code of Conduct the criterion asks for: the governance texts and the
# contributing guides; READMEs are reported but never decide.
CROSSLINK_ROLES = ("governance", "contributor_ladder", "contributing")


@dataclass(frozen=True)
class CocLink:
    """A link from a document to a Code of Conduct, and whether that Code is (or adopts) the CNCF's."""

    doc: ParsedDoc
    line: int
    url: str
    cncf: bool | None  # None: the target could not be read (outside the scan)
    target: str


def coc_links(ctx: ScanContext, doc: ParsedDoc) -> list[CocLink]:
    """The links of ``doc`` to a Code of Conduct: the CNCF's, a project CoC (adopting the CNCF's or not), or one
    outside the scan that cannot be read."""
    pmap = project_map(ctx)
    source = pmap.doc(doc.repo, doc.path)
    found = []
    for link in doc.document.links:
        if _CNCF_COC_URL.search(link.url):
            found.append(CocLink(doc, link.line, link.url, True, "CNCF Code of Conduct"))
            continue
        target = pmap.resolve_url(link.url, source) if source is not None else None
        path = file_in(target.repo, target.path) if target else None
        known = pmap.doc(target.repo, path) if target and path else None
        if known is not None and known.has("code_of_conduct"):
            adopts = _adoption_line(pmap.parsed(known)) is not None
            found.append(CocLink(doc, link.line, link.url, adopts, known.label))
        elif target is None and _links_coc(link):
            found.append(CocLink(doc, link.line, link.url, None, link.url))
    return found


class CocCrosslinkedValues(TypedDict, total=False):
    """``Finding.values`` of ``conduct.coc_crosslinked``."""

    linking: list[str]
    not_linking: list[str]
    contributing_not_linking: list[str]
    links_to_non_cncf_coc: list[str]
    readmes_linking: list[str]


class CocCrosslinked(Probe):
    spec = ProbeSpec(
        id="conduct.coc_crosslinked",
        title="Do the governance documents (or contributing guides) link the CNCF Code of Conduct, or a project "
        "Code of Conduct that adopts it?",
        motivation="The criterion asks for the CNCF Code of Conduct to be cross-linked from the other governance "
        "documents. A project's own Code of Conduct that never mentions the CNCF's is not the CNCF Code of Conduct.",
        remediation="Link the CNCF Code of Conduct (or a CODE_OF_CONDUCT.md adopting it) from GOVERNANCE.md, and "
        "from the contributing guides.",
    )
    values_type = CocCrosslinkedValues

    @reads_documents("governance", "contributor_ladder", "contributing")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = documents(ctx, *CROSSLINK_ROLES)
        contributing = {d.label for d in documents(ctx, "contributing")}
        links = {d.label: coc_links(ctx, d) for d in docs}
        good = [link for found in links.values() for link in found if link.cncf is not False]
        own_only = [link for found in links.values() for link in found if link.cncf is False]
        linking = [label for label, found in links.items() if any(k.cncf is not False for k in found)]
        not_linking = [label for label in links if label not in linking]
        readme_links = [d.label for d in project_readmes(ctx) if coc_links(ctx, d)]
        values: CocCrosslinkedValues = {
            "linking": linking,
            "not_linking": not_linking,
            "contributing_not_linking": [label for label in not_linking if label in contributing],
            "links_to_non_cncf_coc": [f"{k.doc.label}#L{k.line}" for k in own_only],
            "readmes_linking": readme_links,
        }
        if good:
            first = good[0]
            missing = values["contributing_not_linking"]
            note = f"; not linked from {', '.join(missing)} (a recommendation)" if missing else ""
            message = f"{first.doc.label} line {first.line} links the {_what(first)}{note}"
            evidence = [k.doc.repo.evidence(k.doc.path, k.line, excerpt=k.target) for k in good[:6]]
            remedy = f"Link the Code of Conduct from {', '.join(missing[:5])} as well." if missing else None
            yield self.finding(subject(ctx), True, message, values, evidence, remedy=remedy)
            return
        if own_only:
            first = own_only[0]
            message = (
                f"{first.doc.label} line {first.line} links {first.target}, a Code of Conduct that does not adopt "
                "the CNCF Code of Conduct"
            )
            evidence = [k.doc.repo.evidence(k.doc.path, k.line, excerpt=k.target) for k in own_only[:6]]
            remedy = (
                f"State in {first.target} that the project follows the CNCF Code of Conduct ({_CNCF_COC}), or link "
                "the CNCF's from the governance documents."
            )
            yield self.finding(subject(ctx), False, message, values, evidence, remedy=remedy)
            return
        what = ", ".join(d.label for d in docs[:6]) if docs else "no governance or contributing document found"
        remedy = (
            f"Link the Code of Conduct (the project's, or the CNCF's at {_CNCF_COC}) from "
            f"{', '.join(d.label for d in docs[:5])}."
            if docs
            else "Add a GOVERNANCE.md that links the Code of Conduct."
        )
        yield self.finding(
            subject(ctx),
            False,
            f"no link to the Code of Conduct from any governance document ({what})",
            values,
            remedy=remedy,
        )


def _what(link: CocLink) -> str:
    if link.cncf is None:
        return f"Code of Conduct at {link.url} (outside the scanned repositories)"
    if link.target == "CNCF Code of Conduct":
        return "CNCF Code of Conduct"
    return f"Code of Conduct {link.target}, which adopts the CNCF's"
