"""The facts layer between sources and probes: the project map of documents, websites and people.

Sources collect raw repository content; this package turns it, once per scan, into the facts every probe reads:
which document holds which role and why (:mod:`.projectmap`), which website page a URL is (:mod:`.sites`), who
the people are (:mod:`.people`), and the parsed form of each document (:mod:`.parsed`). Probes never keep lists
of file names: they ask the map.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from dd_evidence.facts.documents import Doc, Signal
from dd_evidence.facts.knowledge import ROLES
from dd_evidence.facts.parsed import ParsedDoc, parse_cache, parsed
from dd_evidence.facts.paths import candidate_document_paths
from dd_evidence.facts.projectmap import ProjectMap, project_map

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

# Roles whose documents hold governance rules (decision making, membership, elections).
GOVERNANCE_ROLES = ("governance", "contributor_ladder")

__all__ = [
    "Doc",
    "GOVERNANCE_ROLES",
    "ParsedDoc",
    "ProjectMap",
    "ROLES",
    "Signal",
    "candidate_document_paths",
    "community_documents",
    "documents",
    "governance_documents",
    "hit_doc",
    "locate",
    "parse_cache",
    "parsed",
    "prepare",
    "project_map",
    "project_readmes",
    "readmes",
    "real_documents",
    "roles_of",
    "subject",
]


def prepare(ctx: ScanContext) -> None:
    """Build the project map and parse, in bulk, the documents probes read, before the probes start: otherwise
    the first probe does it while the others wait for it or share the cores with it. What fails here is
    remembered and reported by every probe that asks for it."""
    # A failure is memoised: each probe that reads the map reports it as its own error.
    with contextlib.suppress(Exception):
        project_map(ctx).parse_ahead()


def locate(ctx: ScanContext, role: str) -> list[Doc]:
    """Every document of ``role`` in every scanned repo, stubs included (after the real ones)."""
    return project_map(ctx).hits(role)


def real_documents(ctx: ScanContext, role: str) -> list[Doc]:
    """Documents of ``role`` that are not stubs, plus stubs only when no real document exists."""
    return project_map(ctx).documents(role)


def documents(ctx: ScanContext, *roles: str) -> list[ParsedDoc]:
    """The real documents of ``roles`` in every repo (stubs only when nothing else exists), parsed, once each."""
    seen: set[tuple[str, str]] = set()
    found = []
    pmap = project_map(ctx)
    for role in roles:
        for doc in pmap.documents(role):
            if doc.key not in seen:
                seen.add(doc.key)
                found.append(pmap.parsed(doc))
    return found


def governance_documents(ctx: ScanContext) -> list[ParsedDoc]:
    """The documents that hold governance rules: governance and charters, contributor ladders and membership."""
    return documents(ctx, *GOVERNANCE_ROLES)


def roles_of(ctx: ScanContext, doc: ParsedDoc) -> set[str]:
    """The roles the map gives a parsed document."""
    found = project_map(ctx).doc(doc.repo, doc.path)
    return set(found.roles) if found is not None else set()


def hit_doc(ctx: ScanContext, doc: Doc) -> ParsedDoc:
    """The parsed form of a document of the map."""
    return parsed(ctx, doc.repo, doc.path)


def readmes(ctx: ScanContext, *repo_roles: str) -> list[ParsedDoc]:
    """The root README of each repo with one of ``repo_roles``."""
    pmap = project_map(ctx)
    found = []
    for repo in ctx.repos_with_role(*repo_roles):
        doc = pmap.readme(repo)
        if doc is not None and doc.path.lower().endswith((".md", ".markdown")):
            found.append(pmap.parsed(doc))
    return found


def community_documents(ctx: ScanContext) -> list[ParsedDoc]:
    """The Markdown documents people read for community and governance information (see
    :meth:`ProjectMap.community_documents`), parsed."""
    pmap = project_map(ctx)
    pmap.parse_ahead()  # read and parsed in bulk, before they are taken one by one
    return [pmap.parsed(d) for d in pmap.community_documents()]


def project_readmes(ctx: ScanContext) -> list[ParsedDoc]:
    """The READMEs of the project's own repositories (community, main, org profile)."""
    return readmes(ctx, "community", "main", "org-profile")


def subject(ctx: ScanContext) -> str:
    """The org-level subject of a finding: the project's first GitHub org, else its name."""
    return ctx.project.orgs[0] if ctx.project.orgs else ctx.project.name
