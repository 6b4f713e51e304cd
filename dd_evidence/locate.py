"""Finding project documents by role across every repo of the org, and following stubs to the real text.

Governance is spread out: the main repo's GOVERNANCE.md is often a few lines pointing at a community repo,
the org's ``.github`` repo holds defaults, the website repo holds docs. ``locate(ctx, role)`` returns every
place a document of that role was found, most authoritative first, and marks stubs with where they point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from dd_evidence.context import ScanContext
from dd_evidence.markdown import parse
from dd_evidence.model import Evidence
from dd_evidence.repoview import RepoView

# role -> file names (case-insensitive, without directory) looked for in the root, .github/ and docs/.
DOC_NAMES: dict[str, tuple[str, ...]] = {
    "governance": ("GOVERNANCE.md", "GOVERNANCE.rst", "GOVERNANCE", "governance.md", "CHARTER.md"),
    "contributing": ("CONTRIBUTING.md", "CONTRIBUTING.rst", "CONTRIBUTING", "contributing.md"),
    "code_of_conduct": ("CODE_OF_CONDUCT.md", "CODE-OF-CONDUCT.md", "CODE_OF_CONDUCT", "code-of-conduct.md"),
    "security_policy": ("SECURITY.md", "SECURITY.rst", "SECURITY", "security.md"),
    "maintainers": (
        "MAINTAINERS.md",
        "MAINTAINERS",
        "MAINTAINERS.csv",
        "OWNERS",
        "OWNERS.md",
        "roles/Maintainers.md",
        "maintainers.yaml",
        ".project/maintainers.yaml",
    ),
    "roadmap": ("ROADMAP.md", "ROADMAP", "roadmap.md", "docs/roadmap.md"),
    "adopters": ("ADOPTERS.md", "ADOPTERS", "USERS.md", "adopters.md", "ADOPTERS.yaml"),
    "release_process": (
        "RELEASES.md",
        "RELEASE.md",
        "RELEASING.md",
        "RELEASE_PROCESS.md",
        "RELEASE-PROCESS.md",
        "release.md",
        "releases.md",
        "release-process.md",
    ),
    "contributor_ladder": (
        "CONTRIBUTOR_LADDER.md",
        "COMMUNITY_LADDER.md",
        "contributor-ladder.md",
        "CONTRIBUTOR-LADDER.md",
        "COMMUNITY_MEMBERSHIP.md",
        "membership.md",
    ),
    "codeowners": ("CODEOWNERS",),
}

# Change logs are generated from commit subjects, can run to megabytes and never document governance or
# channels; document scans skip them.
GENERATED_LOGS = ("CHANGELOG", "CHANGES", "HISTORY", "NEWS")


def is_generated_log(path: str) -> bool:
    """True for CHANGELOG.md, HISTORY.md and the like (any folder)."""
    return path.rsplit("/", 1)[-1].upper().startswith(GENERATED_LOGS)


# A stub is short and points elsewhere; real governance documents are longer than this.
STUB_MAX_LINES = 6


@dataclass(frozen=True)
class DocHit:
    """A document found in a repo; ``points_to`` is set when it is a stub that links to the real text."""

    repo: RepoView
    path: str
    points_to: str | None = None
    line_count: int = 0

    @property
    def is_stub(self) -> bool:
        return self.points_to is not None

    @property
    def label(self) -> str:
        return f"{self.repo.name}/{self.path}"

    def evidence(self) -> Evidence:
        return self.repo.evidence(self.path, 1, self.line_count or None)


def locate(ctx: ScanContext, role: str) -> list[DocHit]:
    """Every document of ``role`` in every scanned repo: real documents first, stubs after, governance
    repos (community, org profile, main) before the rest."""
    return ctx.memo(("locate", role), lambda: _locate(ctx, role))


def _locate(ctx: ScanContext, role: str) -> list[DocHit]:
    names = DOC_NAMES[role]
    hits: list[DocHit] = []
    orgs = {org.lower() for org in ctx.project.orgs}
    for repo in ctx.governance_repos():
        for path in repo.find(names):
            hits.append(_hit(repo, path, orgs))
    return sorted(hits, key=lambda h: h.is_stub)


def real_documents(ctx: ScanContext, role: str) -> list[DocHit]:
    """Documents of ``role`` that are not stubs, plus stubs whose target could not be read in the scan."""
    hits = locate(ctx, role)
    real = [h for h in hits if not h.is_stub]
    return real or hits


def _hit(repo: RepoView, path: str, orgs: set[str]) -> DocHit:
    text = repo.read(path) or ""
    lines = [line for line in text.splitlines() if line.strip()]
    target = None
    if len(lines) <= STUB_MAX_LINES and path.lower().endswith(".md"):
        doc = parse(text)
        target = next((link.url for link in doc.links if _is_project_document_link(link.url, orgs)), None)
    return DocHit(
        repo=repo,
        path=path,
        points_to=target,
        line_count=text.count("\n") + (0 if text.endswith("\n") else 1),
    )


_DOC_URL = re.compile(r"\.(md|rst|txt)(#.*)?$|/(blob|tree)/", re.IGNORECASE)


def _is_project_document_link(url: str, orgs: set[str]) -> bool:
    """A link to another document of the project itself: relative, or on GitHub under one of its orgs.

    A short file linking outside the project (say, to the CNCF Code of Conduct) is an adoption, not a stub.
    """
    if url.startswith("#") or url.startswith("mailto:"):
        return False
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https"):
        owner = parsed.path.strip("/").split("/", 1)[0].lower()
        if parsed.netloc.lower() not in ("github.com", "www.github.com") or owner not in orgs:
            return False
    return bool(_DOC_URL.search(parsed.path or url))
