"""Governance text as facts: the roles a governance defines, its join and remove procedures, and a per-company
cap on seats. Shared by the lifecycle, contradiction, reference and neutrality probes; judging stays with them.

Procedures are found by section titles (headings and bold bullet items, see :mod:`dd_evidence.mdsections`) such
as "Adding New Member/Approver/Maintainer", "How to Become a Member" or "Removing Inactive Maintainers",
normalised to (action, role) pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dd_evidence.facts.parsed import ParsedDoc
from dd_evidence.mdsections import NUMBER_WORDS, Section, count_value
from dd_evidence.model import Evidence
from dd_evidence.repoview import RepoView

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

# Role words, singular form first; the plural and "an"/"a" forms are handled by the patterns below.
ROLE_WORDS = ("contributor", "member", "reviewer", "approver", "committer", "triager", "maintainer", "owner", "lead")
NON_MAINTAINER_ROLES = ("contributor", "member", "reviewer", "approver", "committer", "triager")
_ROLE = re.compile(r"\b(" + "|".join(ROLE_WORDS) + r")s?\b", re.IGNORECASE)

# Title wording per action. "become", "add" and "promote" all describe how someone gets a role, so they are
# one canonical action ("join") when procedures are compared; "remove" covers removal and inactivity.
ACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("become", re.compile(r"\b(how to become|becoming|become|nominat\w*|onboard\w*|election of|joining)\b", re.I)),
    ("add", re.compile(r"\b(add|adding|new|appoint\w*)\b", re.I)),
    ("promote", re.compile(r"\b(promot\w*)\b", re.I)),
    ("remove", re.compile(r"\b(remov\w*|inactiv\w*|offboard\w*|revok\w*|expel\w*|demot\w*)\b", re.I)),
)
CANONICAL = {"become": "join", "add": "join", "promote": "join", "remove": "remove"}


@dataclass(frozen=True)
class Procedure:
    """A section (heading or bold bullet) defining how a role is gained or lost."""

    doc: ParsedDoc
    section: Section
    action: str
    roles: tuple[str, ...]

    @property
    def canonical(self) -> str:
        return CANONICAL[self.action]

    @property
    def cite(self) -> str:
        return f"{self.doc.label}#L{self.section.start}"

    def evidence(self) -> Evidence:
        return self.doc.repo.evidence(self.doc.path, self.section.start, self.section.end, excerpt=self.section.title)


def roles_in(text: str) -> tuple[str, ...]:
    """Role words named in ``text`` ("Member/Approver/Maintainer" -> all three), singular, in order, once each."""
    found: list[str] = []
    for match in _ROLE.finditer(text):
        role = match.group(1).lower()
        if role not in found:
            found.append(role)
    return tuple(found)


def procedure_of(title: str) -> tuple[str, tuple[str, ...]] | None:
    """(action, roles) when a section title names a way to gain or lose a role, else None."""
    roles = roles_in(title)
    if not roles:
        return None
    for action, pattern in ACTIONS:
        if pattern.search(title):
            return action, roles
    return None


def procedures(docs: Iterable[ParsedDoc]) -> list[Procedure]:
    """Every join/remove procedure section of ``docs``, in document order."""
    found = []
    for doc in docs:
        for section in doc.sections:
            if section.level == 1:
                continue
            parsed_title = procedure_of(section.title)
            if parsed_title:
                found.append(Procedure(doc, section, parsed_title[0], parsed_title[1]))
    return found


# A role's own section: its name, optionally qualified by up to two words ("Member", "Approvers", "The Reviewer
# role", "Community Member", "Org Maintainer", "Project Maintainer level").
_ROLE_TITLE = re.compile(
    # Starts only at a word start, so a search over a long word is linear (fullmatch is the only use today).
    r"(?<![\w-])(?:the\s+|an?\s+)?(?:[\w-]+\s+){0,2}?(" + "|".join(ROLE_WORDS) + r")s?(?:\s+(?:role|level|status))?",
    re.IGNORECASE,
)


def role_sections(doc: ParsedDoc) -> list[tuple[str, Section]]:
    """Sections that define one role: the title names the role ("Member", "Approvers", "The Reviewer role",
    "Community Member"), and is not a procedure ("Becoming a Maintainer" is how to get the role, not the role)."""
    found = []
    for section in doc.sections:
        title = re.sub(r"[*_`:]", "", section.title[:200]).strip()
        match = _ROLE_TITLE.fullmatch(title)
        if match and procedure_of(title) is None:
            found.append((match.group(1).lower(), section))
    return found


# -- a cap on seats per company ------------------------------------------------------------------------------

_CAP = re.compile(
    r"\b(?:no more than|not more than|at most|a maximum of|maximum of|up to|max\.?)\s+"
    r"(?P<n>\d+|" + "|".join(NUMBER_WORDS) + r")\b"
    r"(?P<between>[^.]{0,120}?)"
    r"\b(?:from|employed by|work(?:ing)? for|affiliated with|represent(?:ing)?)\s+(?:the\s+)?"
    r"(?:same|single|one|any one|any single|a single)\s+"
    r"(?:company|organi[sz]ation|employer|vendor|entity|affiliation|corporation)",
    re.IGNORECASE | re.DOTALL,
)
_CAP_SUBJECT = re.compile(r"maintainer|member|seat|representative|approver|steering|committee", re.I)


@dataclass(frozen=True)
class Cap:
    """A per-company cap found in a governance document."""

    limit: int
    repo: RepoView
    path: str
    line: int
    sentence: str

    @property
    def label(self) -> str:
        return f"{self.repo.name}/{self.path}#L{self.line}"


def find_cap_in_text(text: str) -> tuple[int, int, str] | None:
    """(cap, 1-based line, matched text) for the first per-company cap rule in ``text``."""
    # Emphasis marks are blanked, not removed, so offsets (and line numbers) stay right.
    flat = re.sub(r"[*_`]", " ", text)
    for match in _CAP.finditer(flat):
        if not _CAP_SUBJECT.search(match.group("between") or ""):
            continue
        raw = match.group("n").lower()
        limit = count_value(raw)
        line = text.count("\n", 0, match.start()) + 1
        return limit, line, " ".join(match.group(0).split())
    return None


# Documents where a project states its cap on seats per company, most likely first.
CAP_ROLES = ("governance", "contributor_ladder", "maintainers", "teams")
PROJECT_REPO_ROLES = ("community", "org-profile", "main", "website")


def find_cap(ctx: ScanContext) -> Cap | None:
    """The first cap rule in the governance, ladder, maintainer and team documents of the project's own repos
    (community, org profile, main, website)."""
    from dd_evidence.facts.projectmap import project_map

    def compute() -> Cap | None:
        pmap = project_map(ctx)
        seen: set[tuple[str, str]] = set()
        for role in CAP_ROLES:
            for doc in pmap.documents(role):
                if doc.key in seen or doc.repo.role not in PROJECT_REPO_ROLES or not doc.read:
                    continue
                seen.add(doc.key)
                found = find_cap_in_text(pmap.text(doc.repo, doc.path))
                if found:
                    return Cap(found[0], doc.repo, doc.path, found[1], found[2])
        return None

    return ctx.memo("facts.cap", compute)
