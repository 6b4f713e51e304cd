"""In-memory repositories and contexts for pure probe tests: tables of files in, findings out."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Any

from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.model import RepoScan
from dd_evidence.repoview import RepoView
from dd_evidence.resolve import ProjectRef, RepoRef


class MemoryRepoView(RepoView):
    def __init__(self, owner: str, name: str, files: dict[str, str], role: str = "other", sha: str = "a" * 40):
        scan = RepoScan(owner=owner, name=name, role=role, url=f"mem://{owner}/{name}", sha=sha)
        super().__init__(scan, f"https://github.com/{owner}/{name}")
        self._files = files

    @cached_property
    def files(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(sorted(self._files))

    def _read_bytes(self, path: str) -> bytes | None:
        return self._files[path].encode()


def context(
    repos: dict[str, dict[str, str]],
    owner: str = "acme",
    main: str = "acme",
    roles: dict[str, str] | None = None,
    unreadable: dict[str, str] | None = None,
    project: dict[str, Any] | None = None,
) -> ScanContext:
    """A context over in-memory repos; the repo named ``main`` gets the main role.

    ``project`` overrides ProjectRef fields (``maturity``, ``accepted``, ``incubating``, ``graduated``...).
    """
    roles = roles or {}
    views = [
        MemoryRepoView(owner, name, files, role="main" if name == main else roles.get(name, "other"))
        for name, files in repos.items()
    ]
    ref = ProjectRef(name=owner, display_name=owner.title(), orgs=(owner,), main_repo=RepoRef(owner, main, "main"))
    ref = replace(ref, **(project or {}))
    # Offline by default: a probe test that wants an API injects its client and says offline=False.
    # Pure tables: no parse cache on disk, so a probe test never depends on what an earlier test left there.
    return ScanContext(ScanConfig(offline=True, parse_cache=False), ref, views, unreadable)
