"""Where a link in a project document leads: a file of a scanned repository (relative path or GitHub URL), a
page of a scanned website source, or outside the scan. Shared by stub following and the link probes.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from dd_evidence.repoview import RepoView

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

GITHUB_HOSTS = ("github.com", "www.github.com")
INDEX_FILES = ("README.md", "readme.md", "index.md", "_index.md", "index.mdx", "README.rst", "index.rst", "README")


@dataclass(frozen=True)
class LinkTarget:
    """A file (or folder) of a scanned repository a link points to; ``via`` says how it was resolved."""

    repo: RepoView
    path: str
    anchor: str
    via: str  # "relative" | "github" | "website"


def github_target(ctx: ScanContext, url: str) -> tuple[RepoView, str, str] | None:
    """For a github.com blob/tree link into a scanned repo of the project: (repo, path, anchor)."""
    parsed_url = urlparse(url)
    if parsed_url.netloc.lower() not in GITHUB_HOSTS:
        return None
    parts = parsed_url.path.strip("/").split("/")
    orgs = {o.lower() for o in ctx.project.orgs}
    if len(parts) < 4 or parts[0].lower() not in orgs or parts[2] not in ("blob", "tree"):
        return None
    repo = ctx.repo(f"{parts[0]}/{parts[1]}")
    if repo is None:
        return None
    # The branch is ignored: the scan reads one commit per repo, the one the report describes.
    return repo, unquote("/".join(parts[4:])), parsed_url.fragment


def github_repo_link(ctx: ScanContext, url: str) -> bool:
    """Whether ``url`` is on GitHub under one of the project's orgs (any repository, scanned or not)."""
    parsed_url = urlparse(url)
    owner = parsed_url.path.strip("/").split("/", 1)[0].lower()
    return parsed_url.netloc.lower() in GITHUB_HOSTS and owner in {o.lower() for o in ctx.project.orgs}


def relative_target(doc_path: str, url: str) -> tuple[str, str] | None:
    """(path, anchor) a relative link of the document at ``doc_path`` names; None for absolute URLs, mail
    links, in-page anchors and paths that climb out of the repository."""
    url = url.strip()
    if not url or url.startswith(("#", "mailto:", "tel:", "//")) or urlparse(url).scheme:
        return None
    path, _, anchor = url.partition("#")
    path = unquote(path.split("?", 1)[0])
    if path.startswith("/"):
        resolved = posixpath.normpath(path.lstrip("/"))
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), path))
    if resolved.startswith(".."):
        return None
    return ("" if resolved == "." else resolved), anchor


def file_in(repo: RepoView, path: str) -> str | None:
    """``path`` when it is a file of ``repo``; for a folder, its index page (README.md, index.md...)."""
    path = path.strip("/")
    if path and repo.exists(path):
        return path
    for name in INDEX_FILES:
        candidate = f"{path}/{name}" if path else name
        if repo.exists(candidate):
            return candidate
    return None
