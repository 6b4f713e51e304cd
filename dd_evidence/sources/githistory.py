"""Commit history read once per repository: ``git log -z`` parsed so commit text cannot forge records, dates
parsed so a bad one spoils that commit and nothing else, cached on disk by head sha.

Two walks, both local (no network): every commit of the history with its author and dates (cheap: no diffs),
and the files each commit changed, from a window start (``since``) on (the costly part, so it is bounded by the
longest window a probe looks back). Path filters are applied in Python by the probes.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

# The metadata walk: fields separated by NUL, which no commit text can hold (git stops a field at a NUL byte).
# Author identities as recorded; ``Mailmap`` maps them, so the walk (and its cache) needs no blob.
META_FIELDS = ("%H", "%an", "%ae", "%ad", "%cd", "%s")
META_FORMAT = "%x00".join(META_FIELDS)
_HEX = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_ZONE = re.compile(r"^[+-]\d{4}$")
# datetime's range ends at 9999-12-31; git happily stores year 11001.
_MAX_TIMESTAMP = 253402300799
CACHE_VERSION = 2


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as ``git log`` reports it (author identity after ``.mailmap``).

    ``paths`` are the files the commit changed (sorted as git lists them) and ``blobs`` their blob ids after
    the change ("" for a deletion); both are empty for commits before the history's window.
    """

    sha: str
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime
    subject: str
    paths: tuple[str, ...] = ()
    blobs: tuple[str, ...] = ()


@dataclass(frozen=True)
class History:
    """The non-merge commits reachable from ``head``, newest first.

    Changed paths are known for commits committed at or after ``since`` (``None``: the whole history);
    ``base`` is the newest first-parent commit before ``since``, where a probe reads the state a window starts
    from. ``spoiled`` lists commits left out because a date could not be read.
    """

    head: str
    since: datetime | None
    base: str | None
    commits: tuple[Commit, ...]
    spoiled: tuple[str, ...] = ()
    _index: dict[str, Commit] = field(default_factory=dict, compare=False, repr=False)

    def touching(self, wanted: Callable[[str], bool]) -> list[Commit]:
        """Commits (newest first) that changed a path ``wanted`` accepts, with only those paths kept."""
        found = []
        for commit in self.commits:
            keep = [i for i, path in enumerate(commit.paths) if wanted(path)]
            if keep:
                found.append(
                    replace(
                        commit,
                        paths=tuple(commit.paths[i] for i in keep),
                        blobs=tuple(commit.blobs[i] for i in keep),
                    )
                )
        return found

    def blob_at(self, sha: str, path: str) -> str | None:
        """The blob id ``path`` got in commit ``sha`` when that commit changed it ("" if it deleted it)."""
        if not self._index:
            self._index.update((c.sha, c) for c in self.commits)
        commit = self._index.get(sha)
        if commit is None:
            return None
        for changed, blob in zip(commit.paths, commit.blobs, strict=False):
            if changed == path:
                return blob
        return None


def under(paths: Iterable[str]) -> Callable[[str], bool]:
    """A path filter for :meth:`History.touching`: the exact files or folders ``paths`` ("docs/" is "docs")."""
    wanted = tuple(p.rstrip("/") for p in paths)
    return lambda path: any(path == w or path.startswith(w + "/") for w in wanted)


def select(commits: Iterable[Commit], since: datetime | None, with_paths: bool) -> list[Commit]:
    """``commits`` committed at or after ``since`` (all when None); without ``with_paths``, stripped of their
    changed paths and blobs (what a log without ``--name-only`` gives)."""
    found = [c for c in commits if since is None or c.committed_at >= since]
    return found if with_paths else [replace(c, paths=(), blobs=()) for c in found]


def parse_git_date(text: str) -> datetime | None:
    """A ``--date=raw`` date (``1700000000 +0200``) as an aware datetime; None when git could not read it or it
    is out of range: a zone beyond +/-23:59, a year past 9999, a negative or missing timestamp."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or not _ZONE.match(parts[1]):
        return None
    seconds = int(parts[0])
    hours, minutes = int(parts[1][1:3]), int(parts[1][3:5])
    if seconds > _MAX_TIMESTAMP or hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    try:
        return datetime.fromtimestamp(seconds, timezone(-offset if parts[1][0] == "-" else offset))
    except (OverflowError, OSError, ValueError):
        return None


def parse_meta(out: bytes) -> tuple[list[Commit], list[str]]:
    """Commits from ``git log -z --format=META_FORMAT`` (with or without ``--raw``), and the shas spoiled by bad
    dates. A commit record is ``len(META_FIELDS)`` NUL-separated fields starting with the sha; raw entries
    (``:<modes> <oids> <status>`` NUL ``<path>``) may follow it."""
    tokens = out.decode("utf-8", errors="replace").split("\0")
    width = len(META_FIELDS)
    commits: list[Commit] = []
    spoiled: list[str] = []
    index = 0
    while index < len(tokens):
        if not tokens[index].strip("\n"):
            index += 1
            continue
        fields = tokens[index : index + width]
        index += width
        fields[0] = fields[0].lstrip("\n")
        if len(fields) < width or not _HEX.match(fields[0]):
            raise ValueError(f"git log output out of step at {fields[0][:50]!r}")
        paths: list[str] = []
        blobs: list[str] = []
        while index < len(tokens) and tokens[index].lstrip("\n").startswith(":"):
            entry = _raw_entry(tokens[index].lstrip("\n"), tokens[index + 1] if index + 1 < len(tokens) else "")
            index += 2
            if entry is not None:
                paths.append(entry[0])
                blobs.append(entry[1])
        authored, committed = parse_git_date(fields[3]), parse_git_date(fields[4])
        if authored is None or committed is None:
            spoiled.append(fields[0])
            continue
        commits.append(
            Commit(fields[0], fields[1], fields[2], authored, committed, fields[5], tuple(paths), tuple(blobs))
        )
    return commits, spoiled


def _raw_entry(header: str, path: str) -> tuple[str, str] | None:
    """(path, new blob id or "" for a deletion) of one ``--raw`` entry; None for submodules and symlinks."""
    fields = header[1:].split(" ")
    if len(fields) < 5:
        raise ValueError("git log --raw output out of step")
    new_mode, new_oid, status = fields[1], fields[3], fields[4]
    if new_mode in ("160000", "120000"):
        return None  # submodules and symlinks are never read
    return path, "" if status.startswith("D") or set(new_oid) == {"0"} else new_oid


def parse_raw(out: bytes) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """sha -> (changed paths, new blob ids) from ``git log -z --raw --no-abbrev --format=%H``.

    With ``-z`` each raw entry is ``:<modes> <oids> <status>`` NUL ``<path>`` NUL; a token that does not start
    with ``:`` where an entry could start is the next commit's sha. A path is always the token after an entry
    header, so no file name can be mistaken for a commit.
    """
    tokens = out.decode("utf-8", errors="replace").split("\0")
    found: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    sha: str | None = None
    paths: list[str] = []
    blobs: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip("\n")
        if token.startswith(":"):
            entry = _raw_entry(token, tokens[index + 1] if index + 1 < len(tokens) else "")
            index += 2
            if sha is None:
                raise ValueError("git log --raw output out of step")
            if entry is not None:
                paths.append(entry[0])
                blobs.append(entry[1])
            continue
        index += 1
        if not token:
            continue
        if not _HEX.match(token):
            raise ValueError(f"git log --raw output out of step at {token[:50]!r}")
        if sha is not None:
            found[sha] = (tuple(paths), tuple(blobs))
        sha, paths, blobs = token, [], []
    if sha is not None:
        found[sha] = (tuple(paths), tuple(blobs))
    return found


def merge(
    head: str,
    since: datetime | None,
    base: str | None,
    commits: list[Commit],
    spoiled: list[str],
    changes: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
) -> History:
    """The history: every commit of the metadata walk, with its changed paths when the window walk listed it."""
    joined = []
    for commit in commits:
        paths, blobs = changes.get(commit.sha, ((), ()))
        joined.append(replace(commit, paths=paths, blobs=blobs) if paths else commit)
    return History(head, since, base, tuple(joined), tuple(spoiled))


# -- .mailmap ------------------------------------------------------------------------------------------------

_SPACE = " \t\n\v\f\r"


def _fold(text: str) -> str:
    """ASCII-only case folding, as git compares mailmap names and e-mails (strcasecmp)."""
    return text.encode("utf-8", "surrogateescape").lower().decode("utf-8", "surrogateescape")


@dataclass
class _MailmapEntry:
    name: str | None = None
    email: str | None = None
    by_name: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


class Mailmap:
    """A ``.mailmap`` read the way git 2.39 reads it (``mailmap.c``): a commit's author name and e-mail map to
    the proper ones. Applied in Python, so the history walk needs no blob and is cached once per head."""

    def __init__(self) -> None:
        self._entries: dict[str, _MailmapEntry] = {}

    @classmethod
    def parse(cls, text: str) -> Mailmap:
        mailmap = cls()
        for line in text.split("\n"):
            mailmap._line(line)
        return mailmap

    def __bool__(self) -> bool:
        return bool(self._entries)

    def _line(self, line: str) -> None:
        if line.startswith("#"):
            return
        first = _name_and_email(line, allow_empty_email=False)
        if first is None:
            return
        name1, email1, rest = first
        name2 = email2 = None
        if rest is not None:
            second = _name_and_email(rest, allow_empty_email=True)
            if second is not None:
                name2, email2, _ = second
        old_email, new_email = (email1, None) if email2 is None else (email2, email1)
        entry = self._entries.setdefault(_fold(old_email), _MailmapEntry())
        if name2 is None:
            if name1 is not None:
                entry.name = name1
            if new_email is not None:
                entry.email = new_email
        else:
            entry.by_name[_fold(name2)] = (name1, new_email)

    def map(self, name: str, email: str) -> tuple[str, str]:
        entry = self._entries.get(_fold(email))
        if entry is None:
            return name, email
        new_name, new_email = entry.name, entry.email
        if entry.by_name:
            new_name, new_email = entry.by_name.get(_fold(name), (new_name, new_email))
        return (name if new_name is None else new_name, email if new_email is None else new_email)

    def commits(self, commits: Iterable[Commit]) -> list[Commit]:
        found = []
        cache: dict[tuple[str, str], tuple[str, str]] = {}
        for commit in commits:
            who = (commit.author_name, commit.author_email)
            if who not in cache:
                cache[who] = self.map(*who)
            name, email = cache[who]
            if (name, email) != who:
                commit = Commit(
                    commit.sha,
                    name,
                    email,
                    commit.authored_at,
                    commit.committed_at,
                    commit.subject,
                    commit.paths,
                    commit.blobs,
                )
            found.append(commit)
        return found

    def history(self, history: History) -> History:
        """``history`` with every author identity mapped."""
        if not self:
            return history
        return History(history.head, history.since, history.base, tuple(self.commits(history.commits)), history.spoiled)


def _name_and_email(text: str, allow_empty_email: bool) -> tuple[str | None, str, str | None] | None:
    """git's parse_name_and_email: (name or None, e-mail, the rest after ``>`` or None); None when no ``<...>``."""
    left = text.find("<")
    if left < 0:
        return None
    right = text.find(">", left + 1)
    if right < 0 or (not allow_empty_email and right == left + 1):
        return None
    name = text[:left].strip(_SPACE)
    rest = text[right + 1 :]
    return (name or None), text[left + 1 : right], (rest or None)


# -- the on-disk cache ----------------------------------------------------------------------------------------


# Walks not read for this long are removed when another walk of the same repository is stored: the window starts
# at a day boundary, so a repository scanned daily gains a walk a day, and an unused one is never read again.
STALE_WALK_DAYS = 30
_WALK_FILE = re.compile(r"[0-9a-f]{40,64}-(?:all|\d{1,12})\.(?:json\.gz|prefetched)")


def cache_path(root: Path, head: str, since: datetime | None) -> Path:
    stamp = "all" if since is None else str(int(since.timestamp()))
    return root / f"{head}-{stamp}.json.gz"


def store(path: Path, history: History) -> None:
    """Write ``history`` (gzip'd JSON, atomically); a cache that cannot be written only costs time later."""
    data = {
        "version": CACHE_VERSION,
        "head": history.head,
        "since": history.since.isoformat() if history.since else None,
        "base": history.base,
        "spoiled": list(history.spoiled),
        "commits": [
            [
                c.sha,
                c.author_name,
                c.author_email,
                c.authored_at.isoformat(),
                c.committed_at.isoformat(),
                c.subject,
                list(c.paths),
                list(c.blobs),
            ]
            for c in history.commits
        ],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        # json.dumps, not json.dump: only the former uses the C encoder.
        tmp.write_bytes(gzip.compress(json.dumps(data, separators=(",", ":")).encode(), compresslevel=3))
        tmp.replace(path)
    except OSError:
        return
    prune_stale_walks(path.parent)


def prune_stale_walks(folder: Path, now: float | None = None) -> None:
    """Remove the cached walks (and their prefetch markers) in ``folder`` not read for :data:`STALE_WALK_DAYS`
    days; only regular files named as this cache names them, never through a symlink."""
    limit = (time.time() if now is None else now) - STALE_WALK_DAYS * 86400
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            named = _WALK_FILE.fullmatch(entry.name) is not None
            if named and entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < limit:
                os.unlink(entry.path)
        except OSError:
            continue


def load(path: Path, head: str, since: datetime | None) -> History | None:
    """The cached history of ``head`` from ``since``; None when absent, unreadable or for another walk."""
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
        if data.get("version") != CACHE_VERSION or data.get("head") != head:
            return None
        if data.get("since") != (since.isoformat() if since else None):
            return None
        commits = tuple(
            Commit(
                str(sha),
                str(name),
                str(email),
                datetime.fromisoformat(authored),
                datetime.fromisoformat(committed),
                str(subject),
                tuple(str(p) for p in paths),
                tuple(str(b) for b in blobs),
            )
            for sha, name, email, authored, committed, subject, paths, blobs in data["commits"]
        )
        base = data.get("base")
        history = History(head, since, str(base) if base else None, commits, tuple(str(s) for s in data["spoiled"]))
    except (OSError, EOFError, ValueError, TypeError, KeyError, gzip.BadGzipFile):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # read: kept by the pruning of stale walks
    return history


def utc_timestamp(moment: datetime) -> int:
    """Seconds since the epoch of an aware (or UTC-naive) datetime, for comparing with git's timestamps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
