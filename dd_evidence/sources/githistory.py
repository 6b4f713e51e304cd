"""Commit history read once per repository: ``git log -z`` parsed so commit text cannot forge records, dates
parsed so a bad one spoils that commit and nothing else, cached on disk by head sha.

Two walks, both local (no network): every commit of the history with its author and dates (cheap: no diffs),
and the files each commit changed, from a window start (``since``) on (the costly part, so it is bounded by the
longest window a probe looks back). Path filters are applied in Python by the probes.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

# The metadata walk: fields separated by NUL, which no commit text can hold (git stops a field at a NUL byte).
META_FIELDS = ("%H", "%aN", "%aE", "%ad", "%cd", "%s")
META_FORMAT = "%x00".join(META_FIELDS)
_HEX = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_ZONE = re.compile(r"^[+-]\d{4}$")
# datetime's range ends at 9999-12-31; git happily stores year 11001.
_MAX_TIMESTAMP = 253402300799
CACHE_VERSION = 1


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
                    Commit(
                        commit.sha,
                        commit.author_name,
                        commit.author_email,
                        commit.authored_at,
                        commit.committed_at,
                        commit.subject,
                        tuple(commit.paths[i] for i in keep),
                        tuple(commit.blobs[i] for i in keep),
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
        if paths:
            commit = Commit(
                commit.sha,
                commit.author_name,
                commit.author_email,
                commit.authored_at,
                commit.committed_at,
                commit.subject,
                paths,
                blobs,
            )
        joined.append(commit)
    return History(head, since, base, tuple(joined), tuple(spoiled))


# -- the on-disk cache ----------------------------------------------------------------------------------------


def cache_path(root: Path, head: str, since: datetime | None, mailmap: str | None) -> Path:
    stamp = "all" if since is None else str(int(since.timestamp()))
    return root / f"{head}-{stamp}-{(mailmap or 'none')[:12]}.json.gz"


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
        pass


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
        return History(head, since, str(base) if base else None, commits, tuple(str(s) for s in data["spoiled"]))
    except (OSError, EOFError, ValueError, TypeError, KeyError, gzip.BadGzipFile):
        return None


def utc_timestamp(moment: datetime) -> int:
    """Seconds since the epoch of an aware (or UTC-naive) datetime, for comparing with git's timestamps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
