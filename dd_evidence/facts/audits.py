"""Security audits as facts: audit reports checked into the project's trees and README links to published ones,
and the names the project goes by in the CNCF's assessment records. Shared by the audit and audit-tracking probes.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from dd_evidence.facts.blocks import blocks
from dd_evidence.markdown import parse
from dd_evidence.repoview import RepoView

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

# Firms that publish CNCF audits (OSTIF arranges many of them).
AUDIT_VENDORS = (
    "trail of bits",
    "trailofbits",
    "cure53",
    "ada logics",
    "adalogics",
    "ostif",
    "ncc group",
    "x41",
    "quarkslab",
    "include security",
    "atredis",
    "7asecurity",
)
_AUDIT_WORDS = re.compile(
    r"audit|security assessment|security review|penetration test|pentest|" + "|".join(map(re.escape, AUDIT_VENDORS)),
    re.IGNORECASE,
)
# A file name that says "audit report": pdfs under a security folder or named so, and written-up reports.
_AUDIT_DOC_NAME = re.compile(
    r"security[-_ ]?(?:audit|assessment[-_ ]?report|review|report)|audit[-_ ]?report|pentest|penetration"
    r"|" + "|".join(re.escape(v.replace(" ", "")) for v in AUDIT_VENDORS),
    re.IGNORECASE,
)
_AUDIT_PDF_NAME = re.compile(r"audit|security|pentest|assessment", re.IGNORECASE)
_AUDIT_DIRS = ("security", "audit", "audits", "security-audit", "security-audits", "reports")
_DOC_EXT = (".md", ".html", ".htm", ".txt", ".rst")
# Vendored code and test data carry other projects' files.
_SKIP_DIRS = ("vendor/", "node_modules/", "third_party/", "testdata/", "test/fixtures/")


def project_names(ctx: ScanContext) -> list[str]:
    """The names the project goes by in the CNCF's records: its id, display name, CLOMonitor name, main repo."""
    project = ctx.project
    names = [project.name, project.display_name, project.clomonitor_name or ""]
    if project.main_repo is not None:
        names.append(project.main_repo.name)
    return [n for n in dict.fromkeys(names) if n]


def skipped_path(path: str) -> bool:
    lowered = path.lower()
    return any(lowered.startswith(d) or f"/{d}" in lowered for d in _SKIP_DIRS)


AuditLink = tuple[RepoView, str, int, str, str, str]


def audits_in_trees(ctx: ScanContext) -> tuple[list[tuple[RepoView, str]], list[AuditLink]]:
    """Audit report files (repo, path) and README links to audit reports (see :func:`_readme_audit_links`) across
    the scanned repos; memoised, since the audit probe and the audit-tracking probe both need them."""

    def compute() -> tuple[list[tuple[RepoView, str]], list[AuditLink]]:
        files = [(repo, path) for repo in ctx.repos for path in _audit_files(repo)]
        links = [link for repo in ctx.repos for link in _readme_audit_links(repo)]
        return files, links

    return ctx.memo("assessments.audits_in_trees", compute)


def _audit_files(repo: RepoView) -> list[str]:
    """Paths that look like published audit reports (not code that happens to be about audit logs)."""
    found = []
    for path in repo.files:
        if skipped_path(path):
            continue
        # Plain string splitting: this runs for every file of every tree, where Path objects cost real time.
        *dirs, name = path.lower().split("/")
        stem, suffix = posixpath.splitext(name)
        if suffix == ".pdf":
            if _AUDIT_PDF_NAME.search(name) or set(dirs) & set(_AUDIT_DIRS):
                found.append(path)
        elif suffix in _DOC_EXT and _AUDIT_DOC_NAME.search(stem):
            found.append(path)
    return found


def _readme_audit_links(repo: RepoView) -> list[AuditLink]:
    """(repo, readme, line, url, link text, excerpt) for README links that point at an audit report.

    A link qualifies when its own text or target names an audit (or an audit firm), or when its paragraph or
    section does and the target itself looks like a report (a pdf, or a path about audits or security): a
    paragraph that mentions an audit may also link a changelog.
    """
    found = []
    for readme in repo.find(["README.md"], dirs=("", "docs", "docs/security", "security")):
        text = repo.read(readme) or ""
        doc_blocks = blocks(text)
        for link in parse(text).links:
            if link.image or link.url.startswith("#") or _not_a_report(link.url):
                continue
            block = next((b for b in doc_blocks if b.start <= link.line <= b.end), None)
            direct = _AUDIT_WORDS.search(f"{link.text} {link.url}")
            around = block is not None and _AUDIT_WORDS.search(f"{block.text} {block.heading}")
            if direct or (around and _REPORT_TARGET.search(link.url)):
                excerpt = (block.text if block else link.text)[:200]
                found.append((repo, readme, link.line, link.url, link.text, excerpt))
    return found


_REPORT_TARGET = re.compile(r"\.pdf(?:$|[?#])|audit|security|report|assessment|review", re.IGNORECASE)


def _not_a_report(url: str) -> bool:
    """Badges, mail addresses, issues and pull requests are never the report itself."""
    lowered = url.lower()
    return lowered.startswith("mailto:") or "/issues" in lowered or "/pull" in lowered or "badge" in lowered


# The OpenSSF Security Insights file, where its specification puts it.
INSIGHTS_NAMES = ("SECURITY-INSIGHTS.yml", "SECURITY-INSIGHTS.yaml", "security-insights.yml", "security-insights.yaml")


def security_insights_paths(repo: RepoView) -> list[str]:
    """The SECURITY-INSIGHTS files of ``repo`` (root or ``.github/``)."""
    return repo.find(INSIGHTS_NAMES, dirs=("", ".github"))
