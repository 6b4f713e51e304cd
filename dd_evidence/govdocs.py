"""Shared lookups for the governance probe families: which documents to read and their parsed sections.

Kept apart from ``locate`` (which finds documents by role) because these helpers decide *which roles* count as
governance text for content probes and cache the parsed sections per scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from dd_evidence.context import ScanContext
from dd_evidence.locate import DocHit, real_documents
from dd_evidence.markdown import Document, parse
from dd_evidence.mdsections import Section, sections
from dd_evidence.repoview import RepoView

# Roles whose documents hold governance rules (decision making, membership, elections).
GOVERNANCE_ROLES = ("governance", "contributor_ladder")


@dataclass(frozen=True)
class ParsedDoc:
    """A document's text, its links and its sections, read once per scan."""

    repo: RepoView
    path: str
    text: str
    document: Document
    sections: tuple[Section, ...]

    @property
    def label(self) -> str:
        return f"{self.repo.name}/{self.path}"


def parsed(ctx: ScanContext, repo: RepoView, path: str) -> ParsedDoc:
    """The parsed form of ``repo``'s ``path`` (empty when unreadable), memoised for the scan."""

    def build() -> ParsedDoc:
        text = repo.read(path) or ""
        return ParsedDoc(repo, path, text, parse(text), tuple(sections(text)))

    return ctx.memo(("parsed-doc", repo.full_name, path), build)


def documents(ctx: ScanContext, *roles: str) -> list[ParsedDoc]:
    """The real documents of ``roles`` in every repo (stubs only when nothing else exists), parsed, once each."""
    seen: set[tuple[str, str]] = set()
    found = []
    for role in roles:
        for hit in real_documents(ctx, role):
            key = (hit.repo.full_name, hit.path)
            if key not in seen:
                seen.add(key)
                found.append(parsed(ctx, hit.repo, hit.path))
    return found


def hit_doc(ctx: ScanContext, hit: DocHit) -> ParsedDoc:
    """The parsed form of a located document."""
    return parsed(ctx, hit.repo, hit.path)


def readmes(ctx: ScanContext, *repo_roles: str) -> list[ParsedDoc]:
    """The root README.md of each repo with one of ``repo_roles``."""
    found = []
    for repo in ctx.repos_with_role(*repo_roles):
        for path in repo.find(["README.md"], dirs=("",)):
            found.append(parsed(ctx, repo, path))
    return found


def subject(ctx: ScanContext) -> str:
    """The org-level subject of a finding: the project's first GitHub org, else its name."""
    return ctx.project.orgs[0] if ctx.project.orgs else ctx.project.name
