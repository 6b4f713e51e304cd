"""The git source: blob-less partial clones of every repo in a cache dir, read by commit. It costs no API quota.

Scanned repositories are untrusted input (see ``gitproc``): every git call runs sandboxed, and nothing from a
scanned repository is checked out or executed. Reads go through a *read view* of each clone: a git dir that
borrows the clone's objects (``objects/info/alternates``) but has no remote, so a missing object is reported
missing instead of making git fetch it. Fetches happen only when we ask, in bulk:

1. clone (or fetch) — one round trip;
2. the history walk, local (commits and trees only; ``.mailmap`` is applied in Python afterwards);
3. one fetch of the blobs the scan will read: the candidate documents at the scanned commit and the historical
   versions the history probes read — one round trip.

A read of a blob the prefetch did not cover fetches it alone (``late_fetches``), never through git's lazy fetch.

A local working copy is read the same way: a read view over its objects with its refs copied, so its own
config (signing programs, promisor remotes, ssh commands) is never used for reading.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dd_evidence.errors import BadInput, GitMissing, ResourceExhausted, SourceUnavailable
from dd_evidence.sources import githistory
from dd_evidence.sources.githistory import Commit, History, parse_git_date, utc_timestamp
from dd_evidence.sources.gitproc import READ_TIMEOUT, ReaderPool, redact, run_git, transport_of

__all__ = [
    "MAX_FILE_BYTES",
    "Commit",
    "GitRepo",
    "GitWorkspace",
    "History",
    "ResourceExhausted",
    "Tag",
    "TreeEntry",
    "check_git",
    "default_candidates",
    "default_document_filter",
    "default_history_filter",
    "human_size",
]

MIN_GIT = (2, 25)
MAX_FILE_BYTES = 1_000_000
# Clones and fetches of big repositories over a slow link take minutes; a stalled one is stopped at this bound.
NETWORK_TIMEOUT = 900.0
# Object readers (git cat-file processes) open at once, whatever the number of repositories.
READERS = 4
# How long a scan waits for another scan to finish with a cached clone before giving up on that repo.
LOCK_TIMEOUT = NETWORK_TIMEOUT + 60
READ_VIEW = "dd-evidence-read"
# A cached clone gets a full connectivity check (git fsck) this often; the time of the last one is kept here.
FSCK_EVERY_DAYS = 7
FSCK_STAMP = "dd-evidence-fsck"
# GitHub's rules for owner and repository names; anything else never reaches a path or a URL.
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,99})$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_HEX = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@functools.cache
def git_version(git: str = "git") -> tuple[int, int]:
    """The installed git's (major, minor); GitMissing when absent."""
    if shutil.which(git) is None:
        raise GitMissing(f"git not found on PATH (need git >= {MIN_GIT[0]}.{MIN_GIT[1]})")
    try:
        out = run_git(git, ["--version"], timeout=30).decode(errors="replace")
    except SourceUnavailable as exc:
        raise GitMissing(f"cannot run git: {exc.reason}") from None
    match = re.search(r"(\d+)\.(\d+)", out)
    if not match:
        raise GitMissing(f"cannot read the git version from {out.strip()!r}")
    return int(match.group(1)), int(match.group(2))


def check_git(git: str = "git") -> tuple[int, int]:
    """The installed git's (major, minor); GitMissing when absent or older than MIN_GIT."""
    if shutil.which(git) is None:
        git_version.cache_clear()
        raise GitMissing(f"git not found on PATH (need git >= {MIN_GIT[0]}.{MIN_GIT[1]})")
    version = git_version(git)
    if version < MIN_GIT:
        raise GitMissing(f"git {version[0]}.{version[1]} is too old (need >= {MIN_GIT[0]}.{MIN_GIT[1]})")
    return version


def human_size(size: int) -> str:
    """``200 MB``, ``1.5 MB``, ``12 kB``: a size as a reviewer reads it."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            value = size / scale
            text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{size} bytes"


CAP_TEXT = human_size(MAX_FILE_BYTES)
# At most this many bytes of blobs per ``cat-file --batch`` run of :meth:`GitRepo.read_many`.
READ_MANY_BYTES = 16 * 1024 * 1024


# -- which blobs a scan reads -----------------------------------------------------------------------------------

_DOC_EXTENSIONS = frozenset(
    [
        ".md",
        ".markdown",
        ".mdown",
        ".mdx",
        ".rst",
        ".txt",
        ".adoc",
        ".asciidoc",
        ".org",
        ".rdoc",
        ".textile",
        ".html",
        ".htm",
        ".csv",
        ".tsv",
        ".cff",
    ]
)
_DATA_EXTENSIONS = frozenset([".yaml", ".yml", ".json", ".toml"])
# Extensionless files that hold governance facts (OWNERS is YAML, CODEOWNERS a table, MAINTAINERS a list).
_DOC_NAMES = frozenset(
    name.lower()
    for name in [
        "OWNERS",
        "OWNERS_ALIASES",
        "CODEOWNERS",
        "MAINTAINERS",
        "AUTHORS",
        "CONTRIBUTORS",
        "COMMITTERS",
        "GOVERNANCE",
        "SECURITY",
        "README",
        "CONTRIBUTING",
        "CODE_OF_CONDUCT",
        "ADOPTERS",
        "USERS",
        "ROADMAP",
        "RELEASES",
        "RELEASE",
        "CHARTER",
        "LICENSE",
        "COPYING",
        "NOTICE",
        ".mailmap",
    ]
)
# Trees of other people's code: never read.
_VENDORED_DIRS = frozenset(["vendor", "node_modules", "third_party", "third-party", "3rdparty"])
# Trees of test data: never governance documents, but probes that look at every document of a kind (the links
# of every community Markdown file, every page under an integrations/ folder) still open the text documents
# there, so those are fetched with the rest rather than one round trip each later.
_TEST_DATA_DIRS = frozenset(["testdata", "test-data", "fixtures"])
# Data files are read only where projects keep metadata, not every chart or test manifest of a big repo.
_DATA_DIRS = ("", ".github", ".project", ".clomonitor", "docs", "governance", "community")


def default_document_filter(path: str, size: int | None = None) -> bool:
    """Whether the scan may read ``path`` at the scanned commit, so its blob is fetched up front.

    Text documents anywhere (Markdown, reStructuredText, AsciiDoc, plain text, HTML, CSV), the well-known
    extensionless governance files, and YAML/JSON/TOML metadata at the root or in the usual metadata folders;
    never under vendor/, node_modules/ or third_party/, only text documents in test data, and never over the
    size cap (when the size is known). The project map's ``candidate_document_paths`` replaces this when it is wired in.
    """
    if size is not None and size > MAX_FILE_BYTES:
        return False
    parts = path.split("/")
    folders = {part.lower() for part in parts[:-1]}
    if folders & _VENDORED_DIRS:
        return False
    name = parts[-1].lower()
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    if suffix in _DOC_EXTENSIONS:
        return True
    if folders & _TEST_DATA_DIRS:
        return False
    if name in _DOC_NAMES:
        return True
    if suffix in _DATA_EXTENSIONS:
        folder = "/".join(parts[:-1]).lower()
        return folder in _DATA_DIRS or folder.startswith(".github/")
    return "." not in name and name.upper() == parts[-1] and len(name) <= 40  # e.g. MAINTAINERS, OWNERS


_HISTORY_PATH = re.compile(
    r"^(?:(?:\.github|docs)/)?(?:MAINTAINERS(?:\.md|\.txt|\.csv)?|OWNERS|CODEOWNERS)$|^roles/maintainers\.md$",
    re.IGNORECASE,
)


def default_candidates(paths_with_sizes: Iterable[tuple[str, int | None]]) -> list[str]:
    """The paths whose blobs the scan fetches up front: ``default_document_filter`` over (path, size) pairs.

    Same shape as the project map's ``candidate_document_paths``, which replaces it when wired in.
    """
    return [path for path, size in paths_with_sizes if default_document_filter(path, size)]


def default_history_filter(path: str) -> bool:
    """Whether the history probes read older versions of ``path`` (maintainer rosters), so those are fetched."""
    return bool(_HISTORY_PATH.match(path))


# -- one repository -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeEntry:
    """One path of a tree at a commit."""

    path: str
    mode: str
    oid: str

    @property
    def is_symlink(self) -> bool:
        return self.mode == "120000"

    @property
    def is_submodule(self) -> bool:
        return self.mode == "160000"

    @property
    def is_file(self) -> bool:
        return self.mode in ("100644", "100755", "100664")


@dataclass(frozen=True)
class Tag:
    """A tag with the date that matters: the tagger date for annotated tags, else the commit date."""

    name: str
    date: datetime
    commit: str
    annotated: bool


@dataclass(frozen=True)
class BlobRead:
    """What reading one blob gave: its bytes, or why it was not read (``reason``), and its size when known."""

    data: bytes | None
    size: int | None
    reason: str | None = None


class GitRepo:
    """One local clone, read at explicit commits.

    ``path`` is where refs are read (the clone, or a local working copy's read view); ``read_dir`` is the git
    dir objects are read from, which must never fetch (the read view). ``GitRepo(path)`` alone reads a
    repository directly, for trusted repositories of our own (tests).
    """

    def __init__(
        self,
        path: Path,
        git: str = "git",
        *,
        read_dir: Path | None = None,
        pool: ReaderPool | None = None,
        transports: tuple[str, ...] = (),
        fetchable: bool = False,
        network_timeout: float = NETWORK_TIMEOUT,
        history_cache: Path | None = None,
        name: str | None = None,
    ):
        self.path = path
        self.name = name or path.name
        self._git = git
        self.read_dir = read_dir
        self._location = ["--git-dir", str(read_dir)] if read_dir is not None else ["-C", str(path)]
        self._own_pool = pool is None
        version = git_version(git)
        self._pool = pool or ReaderPool(git, size=1, batch_command=version >= (2, 36))
        self._since_as_filter = version >= (2, 38)
        self.transports = transports
        self.fetchable = fetchable
        self.network_timeout = network_timeout
        self.history_cache = history_cache
        self._lock = threading.Lock()
        self._histories: dict[tuple[str, datetime | None], History] = {}
        self._tags: list[Tag] | None = None
        self.fetches = 0
        self.late_fetches = 0

    # -- plumbing ---------------------------------------------------------------------------------------------
    def run(self, *args: str, check: bool = True) -> str:
        """Run one read-only git command where this repo's refs live and return its stdout."""
        return self._run(["-C", str(self.path), *args], check=check).decode(errors="replace")

    def _read(self, *args: str, check: bool = True, timeout: float = READ_TIMEOUT, stdin: bytes | None = None) -> bytes:
        """Run one git command on the read view (objects only, never a fetch)."""
        return self._run([*self._location, *args], check=check, timeout=timeout, stdin=stdin)

    def _run(
        self,
        args: list[str],
        check: bool = True,
        timeout: float = READ_TIMEOUT,
        transports: tuple[str, ...] = (),
        stdin: bytes | None = None,
    ) -> bytes:
        return run_git(self._git, args, check=check, timeout=timeout, transports=transports, stdin=stdin)

    # -- commits ----------------------------------------------------------------------------------------------
    def default_branch(self) -> str:
        ref = self.run("symbolic-ref", "--quiet", "HEAD", check=False).strip()
        return ref.removeprefix("refs/heads/") if ref else "HEAD"

    def head(self, ref: str = "HEAD") -> str | None:
        sha = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False)
        sha = sha.strip()
        return sha if _HEX.match(sha) else None

    def resolve(self, as_of: datetime | None, ref: str = "HEAD") -> tuple[str, datetime | None] | None:
        """The last first-parent commit of ``ref`` committed at or before ``as_of``, or the tip; with its commit
        date (None when the commit's date cannot be read).

        The commit is picked from the commits' own timestamps, not git's date parser, which cannot read years
        from 2100 on: the scanned commit always matches the instant the report states.
        """
        tip = self.head(ref)
        if tip is None:
            return None
        sha = tip if as_of is None else self.first_parent_before(tip, as_of)
        if sha is None:
            return None
        return sha, self.commit_date(sha)

    def first_parent_before(self, tip: str, moment: datetime) -> str | None:
        """The newest commit on ``tip``'s first-parent chain committed at or before ``moment``."""
        limit = utc_timestamp(moment)
        out = self._read("rev-list", "--first-parent", "--timestamp", tip, "--").decode(errors="replace")
        for line in out.splitlines():
            stamp, _, sha = line.partition(" ")
            # git prints a negative date wrapped around 2**64: far beyond any as-of, so never picked.
            if stamp.isdigit() and int(stamp) <= limit and _HEX.match(sha):
                return sha
        return None

    def commit_date(self, sha: str) -> datetime | None:
        raw = self._read("log", "-1", "--no-show-signature", "--date=raw", "--format=%cd", sha, "--", check=False)
        return parse_git_date(raw.decode(errors="replace").strip())

    # -- trees and blobs --------------------------------------------------------------------------------------
    def tree(self, sha: str) -> list[TreeEntry]:
        out = self._read("ls-tree", "-r", "-z", "--full-tree", sha, "--").decode(errors="replace")
        entries = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, _type, oid = (meta.split(" ") + ["", ""])[:3]
            entries.append(TreeEntry(path=path, mode=mode, oid=oid))
        return entries

    def sizes(self, names: Iterable[str]) -> dict[str, int | None]:
        """Size of each blob present locally (None when it is missing: not fetched yet, or absent). Many names
        are asked of one ``cat-file --batch-check`` run; a few of the scan's long-lived reader."""
        found: dict[str, int | None] = {}
        wanted = [n for n in githistory.unique(names) if "\n" not in n and "\r" not in n]
        if len(wanted) > 16:
            out = self._read("cat-file", "--batch-check", "--buffer", stdin=("\n".join(wanted) + "\n").encode())
            lines = out.decode(errors="replace").splitlines()
            for name, line in zip(wanted, lines, strict=False):
                parts = line.split()
                ok = len(parts) == 3 and parts[1] == "blob" and parts[2].isdigit()
                found[name] = int(parts[2]) if ok else None
            return found
        if wanted:
            with self._pool.reader(self._reader_key()) as reader:
                for name in wanted:
                    info = reader.info(name)
                    found[name] = info[2] if info is not None and info[1] == "blob" else None
        return found

    def missing(self, oids: Iterable[str]) -> list[str]:
        """The blob ids of ``oids`` not present locally."""
        return [oid for oid, size in self.sizes(o for o in oids if _HEX.match(o)).items() if size is None]

    def read(self, name: str, max_bytes: int = MAX_FILE_BYTES) -> BlobRead:
        """One blob (``<oid>`` or ``<commit>:<path>``): its size first, its bytes only when under ``max_bytes``.

        A blob this clone lacks is fetched on its own (counted in ``late_fetches``) when the prefetch did not
        cover it; a blob over the cap is never loaded.
        """
        if "\n" in name or "\r" in name:
            return BlobRead(None, None, "not a readable object name")
        info = self._info(name)
        if info is None and self.fetchable:
            oid = name if _HEX.match(name) else self._rev_parse(name)
            try:
                if oid is not None and self.fetch_blobs([oid], late=True):
                    info = self._info(oid)
            except ResourceExhausted:
                raise
            except SourceUnavailable as exc:
                return BlobRead(None, None, f"not present in the clone, and fetching it failed ({exc.reason})")
        if info is None:
            return BlobRead(None, None, "not present in the clone (the origin did not send it)")
        oid, kind, size = info
        if kind != "blob":
            return BlobRead(None, None, f"a {kind}, not a file")
        if size > max_bytes:
            return BlobRead(None, size, f"over the {CAP_TEXT} cap ({human_size(size)})")
        with self._pool.reader(self._reader_key()) as reader:
            data = reader.contents(oid, size)
        if data is None:
            return BlobRead(None, size, "not present in the clone")
        return BlobRead(data, size)

    def read_many(self, sizes: dict[str, int | None], max_bytes: int = MAX_FILE_BYTES) -> dict[str, bytes]:
        """The bytes of the blobs of ``sizes`` (blob id -> size, from :meth:`sizes`) present here and under
        ``max_bytes``, in a few ``cat-file --batch`` runs instead of two round trips each; the others are left
        out (:meth:`read` says why)."""
        chosen = [(o, size) for o, size in sizes.items() if _HEX.match(o) and size is not None and size <= max_bytes]
        found: dict[str, bytes] = {}
        batch: list[tuple[str, int]] = []
        for index, (oid, size) in enumerate(chosen):
            batch.append((oid, size))
            if index == len(chosen) - 1 or sum(s for _, s in batch) + chosen[index + 1][1] > READ_MANY_BYTES:
                found.update(self._read_batch(batch))
                batch = []
        return found

    def _read_batch(self, batch: list[tuple[str, int]]) -> dict[str, bytes]:
        expected = sum(size + len(oid) + 32 for oid, size in batch)
        out = run_git(
            self._git,
            [*self._location, "cat-file", "--batch"],
            stdin=("\n".join(oid for oid, _ in batch) + "\n").encode(),
            max_output=expected,
        )
        found: dict[str, bytes] = {}
        at = 0
        for oid, size in batch:
            end = out.find(b"\n", at)
            header = out[at:end].split() if end >= 0 else []
            if len(header) != 3 or header[0].decode(errors="replace") != oid or header[1] != b"blob":
                break  # not what was asked for: the remaining blobs are read one by one
            if int(header[2]) != size or end + 1 + size > len(out):
                break
            found[oid] = out[end + 1 : end + 1 + size]
            at = end + 1 + size + 1
        return found

    def read_blob(self, oid: str, max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
        """A blob's bytes; None when missing or over the cap (``oid`` may also be ``<commit>:<path>``)."""
        return self.read(oid, max_bytes).data

    def _info(self, name: str) -> tuple[str, str, int] | None:
        with self._pool.reader(self._reader_key()) as reader:
            return reader.info(name)

    def _rev_parse(self, name: str) -> str | None:
        out = self._read("rev-parse", "--verify", "--quiet", "--end-of-options", name, check=False)
        oid = out.decode(errors="replace").strip()
        return oid if _HEX.match(oid) else None

    def _reader_key(self) -> Path:
        return self.read_dir if self.read_dir is not None else self.path

    # -- fetching ---------------------------------------------------------------------------------------------
    def fetch_blobs(self, oids: Iterable[str], late: bool = False) -> int:
        """Fetch ``oids`` (blob ids this clone lacks) from the origin in one request; the number asked for.

        The server sends explicitly wanted blobs whatever the clone's filter (github.com serves any reachable
        object id). Nothing is fetched for a clone that is not a partial clone of a remote we chose.
        """
        wanted = [o for o in githistory.unique(oids) if _HEX.match(o)]
        if not wanted or not self.fetchable:
            return 0
        self._run(
            [
                "-C",
                str(self.path),
                "-c",
                "fetch.negotiationAlgorithm=noop",
                "fetch",
                "--quiet",
                "--no-tags",
                "--no-write-fetch-head",
                "--recurse-submodules=no",
                "--filter=blob:none",
                "--stdin",
                "origin",
            ],
            timeout=self.network_timeout,
            transports=self.transports,
            stdin=("\n".join(wanted) + "\n").encode(),
        )
        with self._lock:
            if late:
                self.late_fetches += 1
            else:
                self.fetches += 1
        return len(wanted)

    def prefetch(self, oids: Iterable[str]) -> int:
        """Fetch those of ``oids`` that are missing, in one request; how many were fetched."""
        return self.fetch_blobs(self.missing(oids))

    def prefetched(self, head: str, since: datetime | None, rules: str) -> bool:
        """Whether a prefetch of ``head`` and the window from ``since`` by ``rules`` left nothing missing."""
        marker = self._prefetch_marker(head, since)
        try:
            return marker is not None and marker.read_text(encoding="utf-8") == rules
        except OSError:
            return False

    def mark_prefetched(self, head: str, since: datetime | None, rules: str) -> None:
        """Remember (in the scan's cache, beside the history) that the prefetch of ``head`` is complete."""
        marker = self._prefetch_marker(head, since)
        if marker is None:
            return
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            tmp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
            tmp.write_text(rules, encoding="utf-8")
            tmp.replace(marker)
        except OSError:
            pass  # only costs the next scan the check

    def _prefetch_marker(self, head: str, since: datetime | None) -> Path | None:
        if self.history_cache is None or not _HEX.match(head):
            return None
        return githistory.cache_path(self.history_cache, head, since).with_suffix(".prefetched")

    # -- history ----------------------------------------------------------------------------------------------
    def history(self, head: str, since: datetime | None = None) -> History:
        """Every non-merge commit reachable from ``head`` (newest first), with the files changed by those
        committed since ``since`` (None: all), author identities as recorded (see ``githistory.Mailmap``).
        One metadata walk and one bounded diff walk, both local, cached on disk by head sha when the workspace
        gives a cache."""
        key = (head, since)
        with self._lock:
            if key in self._histories:
                return self._histories[key]
        cached_at = githistory.cache_path(self.history_cache, head, since) if self.history_cache else None
        history = githistory.load(cached_at, head, since) if cached_at else None
        if history is None:
            history = self._walk(head, since)
            if cached_at is not None:
                githistory.store(cached_at, history)
        with self._lock:
            return self._histories.setdefault(key, history)

    def _walk(self, head: str, since: datetime | None) -> History:
        if not _HEX.match(head):
            raise SourceUnavailable("git", f"not a commit id: {head[:50]!r}")
        meta = self._read(
            "log",
            "-z",
            "--no-merges",
            "--no-show-signature",
            "--date=raw",
            f"--format={githistory.META_FORMAT}",
            head,
            "--",
        )
        window = ["--since-as-filter" if self._since_as_filter else "--since"]
        bound = [f"{window[0]}=@{utc_timestamp(since)}"] if since is not None else []
        raw = self._read(
            "log",
            "-z",
            "--no-merges",
            "--no-show-signature",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--format=%H",
            *bound,
            head,
            "--",
        )
        try:
            commits, spoiled = githistory.parse_meta(meta)
            changes = githistory.parse_raw(raw)
        except ValueError as exc:
            raise SourceUnavailable("git", f"cannot read the history of {self.name}: {exc}") from None
        base = self.first_parent_before(head, since) if since is not None else None
        return githistory.merge(head, since, base, commits, spoiled, changes)

    def path_log(self, head: str, paths: Iterable[str]) -> list[Commit]:
        """Commits (newest first, no merges) reachable from ``head`` that changed one of ``paths`` (exact files
        or folders), over the whole history, with those paths. A walk of its own: for the rare probe that must
        look past the shared history's window at one file."""
        literal = [f":(literal){p}" for p in paths if p and "\n" not in p]
        if not literal or not _HEX.match(head):
            return []
        out = self._read(
            "log",
            "-z",
            "--no-merges",
            "--no-show-signature",
            "--date=raw",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            f"--format={githistory.META_FORMAT}",
            head,
            "--",
            *literal,
        )
        try:
            return githistory.parse_meta(out)[0]
        except ValueError as exc:
            raise SourceUnavailable("git", f"cannot read the history of {self.name}: {exc}") from None

    def log(
        self,
        sha: str,
        paths: Iterable[str] = (),
        since: datetime | None = None,
        with_paths: bool = False,
        first_parent: bool = False,
        no_merges: bool = True,
    ) -> list[Commit]:
        """Commits reachable from ``sha`` (newest first, no merges), optionally touching ``paths`` (files or
        folders, exact names) or committed after ``since``. Read from the whole-history walk."""
        del first_parent, no_merges  # kept for callers of the earlier signature
        history = self.mailmap_at(sha).history(self.history(sha, None))
        wanted = tuple(paths)
        commits = history.touching(githistory.under(wanted)) if wanted else list(history.commits)
        return githistory.select(commits, since, with_paths)

    def mailmap_at(self, sha: str) -> githistory.Mailmap:
        """The ``.mailmap`` of commit ``sha`` (empty when absent, unreadable or over the cap)."""
        data = self.read_blob(f"{sha}:.mailmap")
        return githistory.Mailmap.parse(data.decode(errors="replace")) if data else githistory.Mailmap()

    # -- tags -------------------------------------------------------------------------------------------------
    def tags(self) -> list[Tag]:
        """Every tag that names a commit, with its date, from one ``for-each-ref``. A tag pointing at a blob or
        a tree is no release; a tag whose date cannot be read is left out."""
        with self._lock:
            if self._tags is not None:
                return list(self._tags)
        fields = (
            "%(refname)",
            "%(objecttype)",
            "%(objectname)",
            "%(*objecttype)",
            "%(*objectname)",
            "%(taggerdate:raw)",
            "%(committerdate:raw)",
            "%(*committerdate:raw)",
        )
        out = self.run("for-each-ref", "--format=" + "%00".join(fields), "refs/tags")
        tags = []
        for line in out.splitlines():
            parts = line.split("\0")
            if len(parts) != len(fields):
                continue
            ref, kind, oid, peeled_kind, peeled, tagger_date, commit_date, peeled_date = parts
            name = ref.removeprefix("refs/tags/")
            if kind == "commit":
                date, commit, annotated = parse_git_date(commit_date), oid, False
            elif kind == "tag" and peeled_kind == "commit":
                date = parse_git_date(tagger_date) or parse_git_date(peeled_date)
                commit, annotated = peeled, True
            else:
                continue  # a tag of a blob or a tree (or of another tag): not a release of the code
            if date is not None and _HEX.match(commit):
                tags.append(Tag(name=name, date=date, commit=commit, annotated=annotated))
        with self._lock:
            self._tags = tags
        return list(tags)

    # -- health -----------------------------------------------------------------------------------------------
    def fsck(self) -> str | None:
        """None when every reachable commit and tree is present and readable; else git's complaint."""
        try:
            self._run(
                ["-C", str(self.path), "fsck", "--connectivity-only", "--no-dangling", "--no-progress"],
                timeout=self.network_timeout,
            )
        except SourceUnavailable as exc:
            return exc.reason
        return None

    def close(self) -> None:
        self._pool.discard(self._reader_key())
        if self._own_pool:
            self._pool.close()


# -- the cache of clones --------------------------------------------------------------------------------------


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """An exclusive lock between processes (``flock`` on ``path``), waited for at most ``timeout`` seconds."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no locking between processes
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+b")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    reason = f"another scan has held {path.name} for over {timeout:g} s"
                    raise SourceUnavailable("git", reason) from None
                time.sleep(0.1)
        yield
    finally:
        handle.close()  # closing releases the lock


def refresh_failed(key: str, failure: str) -> str:
    """How a scan's warning about a cached clone that could not be refreshed begins: the scan finds that line by it
    to add, on the same line, that the clone's documents could not be fetched either."""
    return f"{key}: could not refresh the cached clone ({failure})"


def valid_name(owner: str, repo: str) -> bool:
    """GitHub-shaped names only: no ``..``, no slashes, no leading dash or dot in the owner."""
    return (
        bool(_OWNER.match(owner))
        and bool(_REPO.match(repo))
        and repo not in (".", "..")
        and not repo.startswith("-")
        and not repo.lower().endswith(".lock")
    )


class GitWorkspace:
    """A cache dir of bare partial clones, one per ``owner/repo``, cloned or refreshed on demand.

    Concurrent scans sharing a cache dir serialise per clone (a lock file beside each); a clone that fails its
    integrity check or a fetch is cloned again when the origin answers; a clone made from another origin is
    re-pointed online and reported offline (``warnings``).
    """

    def __init__(
        self,
        cache_dir: Path,
        url_template: str = "https://github.com/{owner}/{repo}.git",
        offline: bool = False,
        refresh: bool = True,
        git: str = "git",
        network_timeout: float = NETWORK_TIMEOUT,
        readers: int = READERS,
    ):
        self.cache_dir = cache_dir
        self.url_template = url_template
        self.offline = offline
        self.refresh = refresh
        self._git = git
        self.network_timeout = network_timeout
        transport = transport_of(url_template.replace("{owner}", "o").replace("{repo}", "r"))
        if transport is None:
            raise BadInput(
                f"--git-url {url_template!r}: only https, http, ssh, git and file URLs are read "
                "(remote helpers such as ext:: and fd:: run programs)"
            )
        self.transports: tuple[str, ...] = (transport,)
        self._readers = readers
        self._pool: ReaderPool | None = None
        self._repos: dict[str, GitRepo] = {}
        self._lock = threading.Lock()
        self.warnings: list[str] = []

    @property
    def pool(self) -> ReaderPool:
        with self._lock:
            if self._pool is None:
                self._pool = ReaderPool(self._git, self._readers, batch_command=git_version(self._git) >= (2, 36))
            return self._pool

    def url(self, owner: str, repo: str) -> str:
        return self.url_template.format(owner=owner, repo=repo)

    def is_local_url(self, url: str) -> bool:
        return transport_of(url) == "file"

    def _dest(self, owner: str, repo: str) -> Path:
        if not valid_name(owner, repo):
            raise SourceUnavailable("git", f"{owner}/{repo} is not a valid repository name; not read")
        root = (self.cache_dir / "git").resolve()
        dest = (root / owner / f"{repo}.git").resolve()
        if not dest.is_relative_to(root) or dest.parent.parent != root:
            raise SourceUnavailable("git", f"{owner}/{repo} would leave the cache directory; not read")
        return dest

    def open(self, owner: str, repo: str) -> GitRepo:
        """The clone of ``owner/repo``, cloning it first or fetching its updates (not when offline)."""
        key = f"{owner}/{repo}"
        with self._lock:
            if key in self._repos:
                return self._repos[key]
        dest = self._dest(owner, repo)
        url = self.url(owner, repo)
        may_use_network = not self.offline or self.is_local_url(url)
        with file_lock(dest.with_name(dest.name + ".lock")):
            if not (dest / "HEAD").exists():
                if not may_use_network:
                    reason = f"{key} is not in the cache and --offline forbids cloning {redact(url)}"
                    raise SourceUnavailable("git", reason)
                self._clone(url, dest)
            else:
                self._reuse(key, dest, url, may_use_network)
            read_dir = self._read_view(dest)
        repo_obj = GitRepo(
            dest,
            git=self._git,
            read_dir=read_dir,
            pool=self.pool,
            transports=self.transports,
            fetchable=may_use_network and _is_partial(dest),
            network_timeout=self.network_timeout,
            history_cache=self.cache_dir / "history" / owner / repo,
            name=key,
        )
        with self._lock:
            return self._repos.setdefault(key, repo_obj)

    def open_local(self, path: Path) -> GitRepo:
        """A local working copy (or bare repo), read through a view of our own: its refs are copied with two
        read-only git calls, and its objects borrowed; its config, hooks and remotes are never used again."""
        source = path.resolve()
        key = "local:" + hashlib.sha256(str(source).encode()).hexdigest()[:16]
        dest = (self.cache_dir / "git" / "_local" / f"{key[6:]}.git").resolve()
        refs_out = self._source_git(source, ["for-each-ref", "--format=%(objectname) %(refname)"])
        head = self._source_git(source, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], check=False).strip()
        branch = self._source_git(source, ["symbolic-ref", "--quiet", "HEAD"], check=False).strip()
        objects = self._source_git(source, ["rev-parse", "--git-path", "objects"]).strip()
        objects_dir = (source / objects).resolve() if not os.path.isabs(objects) else Path(objects)
        shallow_path = self._source_git(source, ["rev-parse", "--git-path", "shallow"]).strip()
        shallow = source / shallow_path if not os.path.isabs(shallow_path) else Path(shallow_path)
        if not (objects_dir / "pack").is_dir() and not objects_dir.is_dir():
            raise SourceUnavailable("git", f"{source} has no object directory git can read")
        with file_lock(dest.with_name(dest.name + ".lock")):
            # Updated in place, never deleted: another scan of the same copy may be reading this view right now.
            _make_view(dest, objects_dir)
            _copy_shallow(shallow, dest)
            wanted: dict[str, str] = {}
            for line in refs_out.splitlines():
                oid, _, ref = line.partition(" ")
                if _HEX.match(oid) and ref.startswith(("refs/heads/", "refs/tags/")) and "\n" not in ref:
                    wanted[ref] = oid
            had = run_git(self._git, ["--git-dir", str(dest), "for-each-ref", "--format=%(refname)"]).decode()
            updates = [f"delete {ref}\n" for ref in had.splitlines() if ref and ref not in wanted]
            updates += [f"update {ref} {oid}\n" for ref, oid in wanted.items()]
            if updates:
                run_git(self._git, ["--git-dir", str(dest), "update-ref", "--stdin"], stdin="".join(updates).encode())
            if branch.startswith("refs/heads/") and _HEX.match(head):
                run_git(self._git, ["--git-dir", str(dest), "update-ref", "--no-deref", branch, head])
                run_git(self._git, ["--git-dir", str(dest), "symbolic-ref", "HEAD", branch])
            elif _HEX.match(head):
                (dest / "HEAD").write_text(head + "\n")
        repo_obj = GitRepo(dest, git=self._git, read_dir=dest, pool=self.pool, name=source.name)
        with self._lock:
            self._repos[key] = repo_obj
        return repo_obj

    def _source_git(self, source: Path, args: list[str], check: bool = True) -> str:
        # Read-only plumbing with every executing setting overridden, no optional locks written.
        return run_git(self._git, ["--no-optional-locks", "-C", str(source), *args], check=check).decode(
            errors="replace"
        )

    def _reuse(self, key: str, dest: Path, url: str, may_use_network: bool) -> None:
        """Bring a cached clone up to date from ``url``; clone it again when it is damaged and ``url`` answers.

        The cache is keyed by owner/repo, so a clone made from a mirror (``file://``) must not be refreshed from
        that mirror when the user now asks for github.com: the clone is pointed at the asked URL first, and its
        branches and tags are pruned to what that origin has. Offline, such a clone is read as it is, and the
        scan says so.
        """
        cloned_from = self._config(dest, "remote.origin.url")
        moved = bool(cloned_from) and cloned_from != url
        damage = _pack_damage(dest) or self._due_fsck(dest)
        if not (self.refresh and may_use_network):
            if damage and self._fsck(dest):
                reason = f"the cached clone of {key} is damaged ({damage}); scan online to repair it"
                raise SourceUnavailable("git", reason)
            if moved:
                warning = f"{key}: the cached clone was made from {cloned_from}, not {url}; read as it is"
                self.warnings.append(redact(warning))
            return
        if damage is None:
            if moved:
                run_git(self._git, ["-C", str(dest), "remote", "set-url", "origin", "--", url])
            try:
                self._fetch(dest, prune_tags=moved)
                return
            except SourceUnavailable as exc:
                failure = exc.reason
                if moved:
                    # The content is still the old origin's: the clone keeps saying so to every later scan.
                    with contextlib.suppress(SourceUnavailable):
                        run_git(self._git, ["-C", str(dest), "remote", "set-url", "origin", "--", cloned_from])
        else:
            failure = damage
        # The fetch failed (or the packs are damaged): if the origin answers, the clone is the problem.
        if self._answers(url):
            self._reclone(url, dest)
            self.warnings.append(redact(f"{key}: the cached clone could not be used ({failure}); cloned it again"))
            return
        problem = self._fsck(dest) if damage else None
        if problem:
            reason = f"the cached clone of {key} is damaged ({problem}) and {redact(url)} did not answer"
            raise SourceUnavailable("git", reason)
        origin_note = f", and it was made from {redact(cloned_from)}" if moved else ""
        # The cached clone still answers; the scan says it may be stale rather than losing the repo.
        self.warnings.append(f"{refresh_failed(key, failure)}{origin_note}; using the cache")

    def _config(self, dest: Path, key: str) -> str:
        out = run_git(self._git, ["--git-dir", str(dest), "config", "--get", key], check=False)
        return out.decode(errors="replace").strip()

    def _answers(self, url: str) -> bool:
        try:
            run_git(
                self._git,
                ["ls-remote", "--heads", "--", url],
                transports=self.transports,
                timeout=min(self.network_timeout, 120),
            )
        except SourceUnavailable:
            return False
        return True

    def _fsck(self, dest: Path) -> str | None:
        problem = GitRepo(dest, git=self._git, network_timeout=self.network_timeout, pool=self.pool).fsck()
        if problem is None:
            with contextlib.suppress(OSError):
                (dest / FSCK_STAMP).write_text(str(int(time.time())))
        return problem

    def _due_fsck(self, dest: Path) -> str | None:
        """Damage the cheap pack check cannot see (a flipped byte inside a pack) shows in ``git fsck``, run on a
        cached clone once every FSCK_EVERY days; its problem, or None."""
        try:
            last = int((dest / FSCK_STAMP).read_text().strip() or 0)
        except (OSError, ValueError):
            last = 0
        if time.time() - last < FSCK_EVERY_DAYS * 86400:
            return None
        return self._fsck(dest)

    def close(self) -> None:
        for repo in self._repos.values():
            repo.close()
        if self._pool is not None:
            self._pool.close()

    def _clone(self, url: str, dest: Path) -> None:
        """Clone ``url`` into ``dest`` (which must not exist) through a half-made clone of this process's own."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        # A name of our own: two scans cloning the same repo never share (or delete) a half-made clone.
        tmp = dest.with_name(f"{dest.name}.partial-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            run_git(
                self._git,
                ["clone", "--quiet", "--bare", "--filter=blob:none", "--", url, str(tmp)],
                transports=self.transports,
                timeout=self.network_timeout,
            )
            # Later fetches bring branches and tags as the origin has them (a bare clone sets no refspec).
            for refspec in ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"):
                run_git(self._git, ["--git-dir", str(tmp), "config", "--add", "remote.origin.fetch", refspec])
            (tmp / FSCK_STAMP).write_text(str(int(time.time())))  # a fresh clone is whole
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        tmp.rename(dest)

    def _reclone(self, url: str, dest: Path) -> None:
        """Replace a damaged clone by a fresh one; the old one is moved aside first, then deleted."""
        suffix = f"{os.getpid()}-{threading.get_ident()}"
        fresh = dest.with_name(f"{dest.name}.fresh-{suffix}")
        trash = dest.with_name(f"{dest.name}.old-{suffix}")
        self._clone(url, fresh)
        dest.rename(trash)
        fresh.rename(dest)
        shutil.rmtree(trash, ignore_errors=True)

    def _fetch(self, dest: Path, prune_tags: bool = False) -> None:
        extra = ["--prune-tags"] if prune_tags else []
        run_git(
            self._git,
            # --tags as well: clones made before the tag refspec was configured still get their tags.
            ["--git-dir", str(dest), "fetch", "--quiet", "--prune", *extra, "--tags", "--force"]
            + ["--no-write-fetch-head", "origin"],
            transports=self.transports,
            timeout=self.network_timeout,
        )

    def _read_view(self, dest: Path) -> Path:
        view = dest / READ_VIEW
        _make_view(view, dest / "objects")
        return view

    def stats(self) -> dict[str, int]:
        """Fetch round trips and object readers of the scan so far (for the report's request counts)."""
        repos = list(self._repos.values())
        pool = self._pool
        return {
            "git_prefetch": sum(r.fetches for r in repos),
            "git_late_fetch": sum(r.late_fetches for r in repos),
            "git_readers_peak": pool.peak if pool else 0,
        }


def _make_view(view: Path, objects: Path) -> None:
    """A git dir with no remote and no config of consequence, reading ``objects`` through alternates."""
    (view / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (view / "refs").mkdir(exist_ok=True)
    alternates = view / "objects" / "info" / "alternates"
    wanted = f"{objects.resolve()}\n"
    if not alternates.is_file() or alternates.read_text() != wanted:
        alternates.write_text(wanted)
    if not (view / "HEAD").is_file():
        (view / "HEAD").write_text("ref: refs/heads/dd-evidence-none\n")
    config = view / "config"
    if not config.is_file():
        config.write_text("[core]\n\trepositoryformatversion = 0\n\tbare = true\n")


def _copy_shallow(source: Path, view: Path) -> None:
    """A shallow working copy's history ends at the commits its ``shallow`` file lists: so does the view's."""
    try:
        with open(source, "rb") as handle:
            lines = handle.read(1 << 20).decode(errors="replace").split()
    except OSError:
        (view / "shallow").unlink(missing_ok=True)
        return
    commits = [line for line in lines if _HEX.match(line)]
    if commits:
        (view / "shallow").write_text("\n".join(commits) + "\n")
    else:
        (view / "shallow").unlink(missing_ok=True)


def _is_partial(dest: Path) -> bool:
    try:
        text = (dest / "config").read_text(errors="replace").lower()
    except OSError:
        return False
    return "promisor = true" in text or "partialclone" in text


def _pack_damage(dest: Path) -> str | None:
    """A cheap integrity check of a clone's packs (no hashing): each pack must end with the checksum its index
    records, which a truncated or replaced pack does not. Deeper damage shows up in ``git fsck``."""
    pack_dir = dest / "objects" / "pack"
    try:
        packs = sorted(pack_dir.glob("*.pack"))
    except OSError as exc:
        return f"cannot list its packs: {exc.strerror}"
    for pack in packs:
        index = pack.with_suffix(".idx")
        try:
            size = pack.stat().st_size
            if not index.is_file():
                return f"{pack.name} has no index"
            with open(index, "rb") as handle:
                handle.seek(-40, os.SEEK_END)
                recorded = handle.read(20)
            with open(pack, "rb") as handle:
                if size < 32:
                    return f"{pack.name} is truncated"
                handle.seek(-20, os.SEEK_END)
                trailer = handle.read(20)
        except OSError as exc:
            return f"cannot read {pack.name}: {exc.strerror}"
        if trailer != recorded:
            return f"{pack.name} is truncated or damaged"
    return None
