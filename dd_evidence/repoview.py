"""What a probe sees of one repository: its files at the scanned commit, their text, permalinks, history, tags.

Two kinds: a git repository read at a pinned commit (the normal case) and a plain directory (a maintainer's
working copy without ``.git``, scanned for a self-check). Both enforce the same safety rules: symlinks are
never followed, and files over the size cap are not read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from dd_evidence.model import Evidence, RepoScan
from dd_evidence.sources.git import MAX_FILE_BYTES, Commit, GitRepo, Tag

# Where GitHub looks for community files besides the root.
COMMUNITY_DIRS = ("", ".github", "docs")


class RepoView:
    """Read-only access to one scanned repository. Paths are POSIX, relative to the repo root."""

    def __init__(self, scan: RepoScan, web_url: str):
        self.scan = scan
        self.web_url = web_url.rstrip("/")
        self._text_cache: dict[str, str | None] = {}

    # -- identity -------------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.scan.name

    @property
    def owner(self) -> str:
        return self.scan.owner

    @property
    def full_name(self) -> str:
        return self.scan.full_name

    @property
    def role(self) -> str:
        return self.scan.role

    @property
    def sha(self) -> str | None:
        return self.scan.sha

    # -- files ----------------------------------------------------------------------------------------------
    @property
    def files(self) -> tuple[str, ...]:
        """Every regular file of the tree (no symlinks, no submodules), sorted."""
        raise NotImplementedError

    @cached_property
    def _lower_index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for path in self.files:
            index.setdefault(path.lower(), []).append(path)
        return index

    def exists(self, path: str) -> bool:
        return path in self._file_set

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def find(self, names: Iterable[str], dirs: Iterable[str] = COMMUNITY_DIRS) -> list[str]:
        """Files whose name matches one of ``names`` (case-insensitive) in one of ``dirs``, in that order."""
        found = []
        for directory in dirs:
            for name in names:
                key = f"{directory}/{name}".lstrip("/").lower()
                for path in self._lower_index.get(key, []):
                    if path not in found:
                        found.append(path)
        return found

    def glob(self, pattern: str) -> list[str]:
        """Files matching a glob (``PurePosixPath.match`` semantics, case-insensitive)."""
        pattern = pattern.lower()
        return [p for p in self.files if PurePosixPath(p.lower()).match(pattern)]

    def read(self, path: str) -> str | None:
        """The file's text (UTF-8, undecodable bytes replaced); None if absent, binary or over the cap."""
        if path not in self._text_cache:
            data = self._read_bytes(path) if self.exists(path) else None
            self._text_cache[path] = None if data is None or b"\0" in data[:8000] else data.decode(errors="replace")
        return self._text_cache[path]

    def _read_bytes(self, path: str) -> bytes | None:
        raise NotImplementedError

    def size(self, path: str) -> int | None:
        """The file's size in bytes when known without reading it; None when unknown (or absent)."""
        return None

    def read_refusal(self, path: str) -> str | None:
        """Why an existing file was not read (binary, over the size cap...); None when it was, or is absent."""
        if not self.exists(path) or self.read(path) is not None:
            return None
        return "binary or over the size cap"

    # -- citations ------------------------------------------------------------------------------------------
    def permalink(self, path: str = "", start: int | None = None, end: int | None = None) -> str:
        """A URL pinned to the scanned commit, with a line anchor (``#L10-L14``) when lines are given."""
        anchor = ""
        if start is not None:
            anchor = f"#L{start}" if end is None or end == start else f"#L{start}-L{end}"
        if not path:
            return f"{self.web_url}/tree/{self.sha}" if self.sha else self.web_url
        return f"{self.web_url}/blob/{self.sha or 'HEAD'}/{quote(path)}{anchor}"

    def evidence(
        self, path: str, start: int | None = None, end: int | None = None, excerpt: str | None = None
    ) -> Evidence:
        """Evidence pointing at a file (and lines) of this repo at the scanned commit."""
        lines = f"#L{start}" + (f"-L{end}" if end and end != start else "") if start else ""
        return Evidence(
            url=self.permalink(path, start, end),
            source="git",
            retrieved_at=None,
            excerpt=excerpt,
            label=f"{self.name}/{path}{lines}",
        )

    # -- history --------------------------------------------------------------------------------------------
    def log(self, paths: Iterable[str] = (), since: datetime | None = None, with_paths: bool = False) -> list[Commit]:
        return []

    def tags(self) -> list[Tag]:
        return []


class GitRepoView(RepoView):
    """A repository read from a git clone at the scanned commit."""

    def __init__(self, scan: RepoScan, web_url: str, git: GitRepo):
        super().__init__(scan, web_url)
        self.git = git

    @cached_property
    def _entries(self) -> dict[str, str]:
        assert self.sha is not None
        return {
            e.path: e.oid
            for e in self.git.tree(self.sha)
            if not (e.is_symlink or e.is_submodule) and e.mode != "040000"
        }

    @cached_property
    def files(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(sorted(self._entries))

    def _read_bytes(self, path: str) -> bytes | None:
        return self.git.read_blob(self._entries[path], MAX_FILE_BYTES)

    def log(self, paths: Iterable[str] = (), since: datetime | None = None, with_paths: bool = False) -> list[Commit]:
        assert self.sha is not None
        return self.git.log(self.sha, paths=paths, since=since, with_paths=with_paths)

    def tags(self) -> list[Tag]:
        return self.git.tags()

    def read_at(self, sha: str, path: str) -> str | None:
        """A file's text at an older commit (history probes); None when absent there, binary or too big."""
        data = self.git.read_blob(f"{sha}:{path}", MAX_FILE_BYTES)
        return None if data is None or b"\0" in data[:8000] else data.decode(errors="replace")


class DirectoryRepoView(RepoView):
    """A plain directory (no git): files as they are on disk, never leaving the root."""

    def __init__(self, scan: RepoScan, root: Path):
        super().__init__(scan, root.resolve().as_uri())
        self.root = root.resolve()

    @cached_property
    def files(self) -> tuple[str, ...]:  # type: ignore[override]
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = [d for d in dirnames if d != ".git" and not os.path.islink(os.path.join(dirpath, d))]
            for filename in filenames:
                full = os.path.join(dirpath, filename)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                found.append(Path(full).relative_to(self.root).as_posix())
        return tuple(sorted(found))

    def _read_bytes(self, path: str) -> bytes | None:
        full = (self.root / path).resolve()
        if not full.is_relative_to(self.root) or full.stat().st_size > MAX_FILE_BYTES:
            return None
        return full.read_bytes()

    def permalink(self, path: str = "", start: int | None = None, end: int | None = None) -> str:
        anchor = ""
        if start is not None:
            anchor = f"#L{start}" if end is None or end == start else f"#L{start}-L{end}"
        return (self.root / path).as_uri() + anchor if path else self.root.as_uri()
