"""What a probe sees of one repository: its files at the scanned commit, their text, permalinks, history, tags.

Two kinds: a git repository read at a pinned commit (the normal case) and a plain directory (a maintainer's
working copy without ``.git``, scanned for a self-check). Both enforce the same safety rules: symlinks are
never followed, and files over the size cap are not read (not even loaded). ``read_refusal`` says why an
existing file was not read, so a probe can answer "not read" instead of "not there".
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from dd_evidence.model import Evidence, RepoScan
from dd_evidence.sources import githistory
from dd_evidence.sources.git import (
    CAP_TEXT,
    MAX_FILE_BYTES,
    Commit,
    GitRepo,
    History,
    Tag,
    default_candidates,
    default_history_filter,
    human_size,
)
from dd_evidence.sources.githistory import Mailmap

# (path, size or None when unknown) pairs in, the paths whose blobs to fetch up front out.
CandidateFilter = Callable[[list[tuple[str, int | None]]], list[str]]

# Where GitHub looks for community files besides the root.
COMMUNITY_DIRS = ("", ".github", "docs")


class RepoView:
    """Read-only access to one scanned repository. Paths are POSIX, relative to the repo root."""

    def __init__(self, scan: RepoScan, web_url: str):
        self.scan = scan
        self.web_url = web_url.rstrip("/")
        self._text_cache: dict[str, str | None] = {}
        self._refusals: dict[str, str] = {}
        self._read_lock = threading.Lock()

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

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` (trailing slashes aside) is a folder of the tree: the root, or a folder holding files."""
        path = path.rstrip("/")
        return path in ("", ".") or path in self._dir_set

    @cached_property
    def _dir_set(self) -> frozenset[str]:
        # Every proper ancestor of every file: a link checker asks once per link, and a scan of each path per
        # question was quadratic on a repository of thousands of files.
        return frozenset(p[:i] for p in self.files for i, c in enumerate(p) if c == "/")

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
        """The file's text (UTF-8, undecodable bytes replaced); None if absent, binary or over the cap (then
        ``read_refusal`` says why)."""
        if path in self._text_cache:
            return self._text_cache[path]
        text: str | None = None
        reason: str | None = None
        if self.exists(path):
            data, reason = self._load(path)
            if data is not None and b"\0" in data[:8000]:
                reason = "a binary file"
            elif data is not None:
                text = data.decode(errors="replace")
        with self._read_lock:
            if reason is not None:
                self._refusals[path] = reason
            self._text_cache[path] = text
        return text

    def preload(self, paths: Iterable[str]) -> None:
        """Read ``paths`` ahead, in bulk where the view can (a view over git reads them in a few batches); the
        texts are what :meth:`read` gives later."""
        for path in paths:
            self.read(path)

    def _remember(self, path: str, data: bytes) -> None:
        """What :meth:`read` keeps for a file whose bytes were read ahead."""
        text, reason = (None, "a binary file") if b"\0" in data[:8000] else (data.decode(errors="replace"), None)
        with self._read_lock:
            if path in self._text_cache:
                return
            if reason is not None:
                self._refusals[path] = reason
            self._text_cache[path] = text

    def read_refusal(self, path: str) -> str | None:
        """Why an existing file was not read ("over the 1 MB cap (200 MB)", "a binary file", "not present in the
        clone..."); None when it was read or does not exist."""
        if not self.exists(path):
            return None
        self.read(path)
        return self._refusals.get(path)

    def size(self, path: str) -> int | None:
        """The file's size in bytes, without reading it; None when absent or not known (a blob not fetched)."""
        if not self.exists(path):
            return None
        return self._size(path)

    def sizes(self, paths: Iterable[str]) -> dict[str, int | None]:
        """:meth:`size` of each of ``paths`` (a view over git asks them in one batch)."""
        return {path: self.size(path) for path in paths}

    def _size(self, path: str) -> int | None:
        data = self._read_bytes(path)
        return len(data) if data is not None else None

    def _load(self, path: str) -> tuple[bytes | None, str | None]:
        """The file's bytes, or None and the reason it was not read."""
        data = self._read_bytes(path)
        if data is None:
            return None, "could not be read"
        if len(data) > MAX_FILE_BYTES:
            return None, f"over the {CAP_TEXT} cap ({human_size(len(data))})"
        return data, None

    def _read_bytes(self, path: str) -> bytes | None:
        raise NotImplementedError

    # -- citations ------------------------------------------------------------------------------------------
    def permalink(self, path: str = "", start: int | None = None, end: int | None = None) -> str:
        """A URL pinned to the scanned commit, with a line anchor (``#L10-L14``) when lines are given."""
        anchor = ""
        if start is not None:
            anchor = f"#L{start}" if end is None or end == start else f"#L{start}-L{end}"
        if not self.web_url:  # a working copy with no forge remote: a path relative to its root
            return f"{quote(path)}{anchor}" if path else "."
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
    def history(self) -> History | None:
        """The repository's history up to the scanned commit (one walk, shared by every probe); None without git."""
        return None

    def log(self, paths: Iterable[str] = (), since: datetime | None = None, with_paths: bool = False) -> list[Commit]:
        return []

    def tags(self) -> list[Tag]:
        return []


class GitRepoView(RepoView):
    """A repository read from a git clone at the scanned commit.

    ``history_since`` bounds the changed-paths part of the history walk (the longest window a probe looks
    back); None walks the whole history.
    """

    def __init__(self, scan: RepoScan, web_url: str, git: GitRepo, history_since: datetime | None = None):
        super().__init__(scan, web_url)
        self.git = git
        self.history_since = history_since
        self._sizes: dict[str, int | None] = {}
        self._history_lock = threading.Lock()
        self._history: History | None = None

    @cached_property
    def _entries(self) -> dict[str, str]:
        assert self.sha is not None
        return {e.path: e.oid for e in self.git.tree(self.sha) if e.is_file}

    @cached_property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted(self._entries))

    def _size(self, path: str) -> int | None:
        oid = self._entries[path]
        if oid not in self._sizes:
            self._sizes.update(self.git.sizes([oid]))
        return self._sizes.get(oid)

    def sizes(self, paths: Iterable[str]) -> dict[str, int | None]:
        oids = {p: self._entries.get(p) for p in paths}
        unknown = [oid for oid in oids.values() if oid is not None and oid not in self._sizes]
        if unknown:
            self._sizes.update(self.git.sizes(unknown))
        return {p: self._sizes.get(oid) if oid is not None else None for p, oid in oids.items()}

    def preload(self, paths: Iterable[str]) -> None:
        wanted: dict[str, list[str]] = {}
        for path in paths:
            if path in self._entries and path not in self._text_cache:
                wanted.setdefault(self._entries[path], []).append(path)
        if not wanted:
            return
        sizes = self.sizes(paths for same in wanted.values() for paths in same[:1])  # known ones are not asked
        known = {oid: sizes[same[0]] for oid, same in wanted.items()}
        for oid, data in self.git.read_many(known, MAX_FILE_BYTES).items():
            self._sizes[oid] = len(data)
            for path in wanted[oid]:
                self._remember(path, data)

    def _load(self, path: str) -> tuple[bytes | None, str | None]:
        result = self.git.read(self._entries[path], MAX_FILE_BYTES)
        if result.size is not None:
            self._sizes[self._entries[path]] = result.size
        return result.data, result.reason

    def _read_bytes(self, path: str) -> bytes | None:
        return self.git.read_blob(self._entries[path], MAX_FILE_BYTES)

    # -- history --------------------------------------------------------------------------------------------
    def mailmap(self) -> Mailmap:
        """The scanned commit's ``.mailmap`` (empty when absent, unreadable or over the cap)."""
        text = self.read(".mailmap") if self.exists(".mailmap") else None
        return Mailmap.parse(text) if text else Mailmap()

    def history(self) -> History:
        assert self.sha is not None
        with self._history_lock:
            if self._history is None:
                self._history = self.mailmap().history(self.git.history(self.sha, self.history_since))
            return self._history

    def log(self, paths: Iterable[str] = (), since: datetime | None = None, with_paths: bool = False) -> list[Commit]:
        """Commits up to the scanned commit, newest first, no merges; with ``paths`` (exact files or folders),
        those that changed one of them over the whole history (a walk of its own when the shared history is
        bounded; probes that filter many paths use ``history()`` instead)."""
        history = self.history()
        wanted = tuple(p.rstrip("/") for p in paths)
        if wanted and history.since is not None:
            # The shared walk lists changed files only within its window: ask git for these paths alone.
            assert self.sha is not None
            commits = self.mailmap().commits(self.git.path_log(self.sha, wanted))
        elif wanted:
            commits = history.touching(githistory.under(wanted))
        else:
            commits = list(history.commits)
        return githistory.select(commits, since, with_paths)

    def tags(self) -> list[Tag]:
        return self.git.tags()

    def read_at(self, sha: str, path: str) -> str | None:
        """A file's text at an older commit (history probes); None when absent there, binary or too big."""
        oid = self.history().blob_at(sha, path)
        if oid == "":
            return None  # that commit deleted it
        data = self.git.read_blob(oid or f"{sha}:{path}", MAX_FILE_BYTES)
        return None if data is None or b"\0" in data[:8000] else data.decode(errors="replace")

    def files_at(self, sha: str) -> dict[str, str]:
        """Regular files (path -> blob id) of the tree of an older commit."""
        return {e.path: e.oid for e in self.git.tree(sha) if e.is_file}

    # -- fetching up front ----------------------------------------------------------------------------------
    def prefetch(
        self,
        candidates: CandidateFilter = default_candidates,
        history_paths: Callable[[str], bool] = default_history_filter,
        rules: str | None = None,
    ) -> dict[str, int]:
        """Fetch, in one request, the blobs the scan will read: the candidate documents at the scanned commit
        and the older versions of ``history_paths`` files the history probes read (changed in the history
        window, and as they stood at its start). Returns counts for the benchmark.

        ``rules`` names the version of the two filters: once a prefetch of this commit and window by the same
        rules has left nothing missing, the next scan skips the work of finding out again (a warm scan)."""
        assert self.sha is not None
        if rules is not None and self.git.prefetched(self.sha, self.history_since, rules):
            return {"candidates": 0, "history_blobs": 0, "fetched": 0}
        entries = self._entries
        # The history walk reads commits and trees only, so it runs before anything is fetched; the blobs of
        # both kinds then come in one request. Sizes are asked only of the candidates (a blob-less clone knows
        # none before the fetch); a blob found over the cap is never read, whatever the filter said.
        wanted = candidates([(path, self._sizes.get(oid)) for path, oid in entries.items()])
        now = [entries[p] for p in wanted if p in entries]
        self._sizes.update(self.git.sizes(now))
        history = self.git.history(self.sha, self.history_since)
        old: list[str] = []
        for commit in history.commits:
            old += [
                blob for path, blob in zip(commit.paths, commit.blobs, strict=False) if blob and history_paths(path)
            ]
        if history.base is not None:
            old += [oid for path, oid in self.files_at(history.base).items() if history_paths(path)]
        old = [oid for oid in dict.fromkeys(old) if oid not in self._sizes]
        missing = [oid for oid in now if self._sizes.get(oid) is None] + self.git.missing(old)
        fetched = self.git.fetch_blobs(missing)
        if fetched:
            self._sizes.update(self.git.sizes(now))
        if rules is not None and not self.git.missing([*now, *old]):
            self.git.mark_prefetched(self.sha, self.history_since, rules)
        return {"candidates": len(now), "history_blobs": len(old), "fetched": fetched}


class DirectoryRepoView(RepoView):
    """A plain directory (no git): files as they are on disk, never leaving the root."""

    def __init__(self, scan: RepoScan, root: Path):
        super().__init__(scan, root.resolve().as_uri())
        self.root = root.resolve()

    @cached_property
    def files(self) -> tuple[str, ...]:
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = [d for d in dirnames if d != ".git" and not os.path.islink(os.path.join(dirpath, d))]
            for filename in filenames:
                full = os.path.join(dirpath, filename)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                found.append(Path(full).relative_to(self.root).as_posix())
        return tuple(sorted(found))

    def _size(self, path: str) -> int | None:
        full = (self.root / path).resolve()
        if not full.is_relative_to(self.root):
            return None
        try:
            return full.stat().st_size
        except OSError:
            return None

    def _load(self, path: str) -> tuple[bytes | None, str | None]:
        full = (self.root / path).resolve()
        if not full.is_relative_to(self.root):
            return None, "outside the scanned directory"
        try:
            size = full.stat().st_size
            if size > MAX_FILE_BYTES:
                return None, f"over the {CAP_TEXT} cap ({human_size(size)})"
            with open(full, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)  # a file that grew since stat() is still capped
        except OSError as exc:
            return None, f"could not be read ({exc.strerror or exc})"
        if len(data) > MAX_FILE_BYTES:
            return None, f"over the {CAP_TEXT} cap"
        return data, None

    def _read_bytes(self, path: str) -> bytes | None:
        return self._load(path)[0]

    def permalink(self, path: str = "", start: int | None = None, end: int | None = None) -> str:
        anchor = ""
        if start is not None:
            anchor = f"#L{start}" if end is None or end == start else f"#L{start}-L{end}"
        return (self.root / path).as_uri() + anchor if path else self.root.as_uri()
