"""Governance history as facts: which paths of a repository's history are governance files (from the same knowledge
as the project map), the commits that touched them, and the roster timeline (who joined, who left).

History probes read the commits that touched governance and roster files: the repository's one shared history
walk (``RepoView.history()``), every path it reports classified with :func:`dd_evidence.facts.paths.path_roles`
(so a file renamed or deleted since is still found by its name).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts.knowledge import load_data
from dd_evidence.facts.ownership import codeowners_locations, parse_codeowners
from dd_evidence.facts.paths import is_top, normalise, path_roles, split_name
from dd_evidence.facts.people import Person, parse_roster, roster_cache
from dd_evidence.repoview import GitRepoView, RepoView
from dd_evidence.sources.git import Commit

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

# Roles whose files are the project's governance text, for "how often did the governance change" (rosters count
# through :func:`is_roster_path`).
GOVERNANCE_HISTORY_ROLES = (
    "governance",
    "contributor_ladder",
    "contributing",
    "code_of_conduct",
    "security_policy",
    "teams",
)
_BLOB_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@functools.cache
def _roster_names() -> re.Pattern[str]:
    globs = load_data("documents.yaml").get("roster_history_names") or ["maintainers"]
    return re.compile("|".join(fnmatch.translate(str(g).lower()) for g in globs))


@functools.lru_cache(maxsize=65536)
def _history_path(path: str) -> bool:
    return is_governance_path(path) or is_roster_path(path)


def is_roster_path(path: str) -> bool:
    """A maintainer roster whose history is the maintainer lifecycle (``roster_history_names`` in
    ``data/documents.yaml``, a plain OWNERS file near the top) or GitHub's CODEOWNERS."""
    if path in codeowners_locations():
        return True
    roles = path_roles(path)
    if "maintainers" not in roles or roles["maintainers"].kind != "name":
        return False
    _, stem, ext = split_name(path)
    return bool(_roster_names().fullmatch(normalise(stem))) or (stem == "OWNERS" and not ext and is_top(path))


def is_governance_path(path: str) -> bool:
    """A governance, ladder, contributing, conduct, security or team file, a roster, or a top-level ownership
    file."""
    roles = path_roles(path)
    if any(role in roles for role in GOVERNANCE_HISTORY_ROLES) or is_roster_path(path):
        return True
    return "ownership" in roles and (is_top(path) or path in codeowners_locations())


# -- the roster timeline ------------------------------------------------------------------------------------

_PR = re.compile(r"\(#(\d+)\)|Merge pull request #(\d+)|\bPR #?(\d+)\b")


# How far back "in use" and "iterated" look, as the TOC reads "recently".
def pr_number(subject_line: str) -> int | None:
    """The pull request number a commit subject names (``... (#67)``, ``Merge pull request #67``)."""
    match = _PR.search(subject_line)
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def governance_log(ctx: ScanContext, repo: RepoView) -> list[Commit] | None:
    """Commits (oldest first) up to the scanned commit touching roster or governance files, within the history
    window; None without git."""
    if not isinstance(repo, GitRepoView) or repo.sha is None:
        return None

    def compute() -> list[Commit] | None:
        # The repository's one shared history walk, filtered here: the map's knowledge as git pathspecs (a glob
        # per name pattern) makes git match every changed path against hundreds of patterns, ten times slower.
        try:
            return list(reversed(repo.history().touching(_history_path)))
        except SourceUnavailable:
            return None

    return ctx.memo(("governance-history.log", repo.full_name), compute)


def roster_at_window_start(ctx: ScanContext, repo: GitRepoView) -> dict[str, str]:
    """Roster files (path -> text) as they stood where the history window starts; empty for a whole history."""
    base, blobs = roster_blobs_at_window_start(ctx, repo)
    if base is None:
        return {}
    return ctx.memo(
        ("governance-history.roster-at-start", repo.full_name),
        lambda: {path: repo.read_at(base, path) or "" for path in blobs},
    )


def roster_blobs_at_window_start(ctx: ScanContext, repo: GitRepoView) -> tuple[str | None, dict[str, str]]:
    """The commit the history window starts from and its roster files (path -> blob id), without reading them;
    (None, {}) for a whole history."""

    def compute() -> tuple[str | None, dict[str, str]]:
        try:
            history = repo.history()
        except SourceUnavailable:
            return None, {}
        if history.since is None or history.base is None:
            return None, {}
        return history.base, {path: oid for path, oid in repo.files_at(history.base).items() if is_roster_path(path)}

    return ctx.memo(("governance-history.roster-blobs-at-start", repo.full_name), compute)


# -- roster timeline ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEvent:
    """One change to who is listed: ``added``, ``promoted``, ``moved_to_emeritus``, ``removed``, ``returned``."""

    kind: str
    person: str
    repo: str
    path: str
    sha: str
    date: datetime
    subject: str
    pr: int | None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "person": self.person,
            "repo": self.repo,
            "path": self.path,
            "sha": self.sha,
            "date": self.date.isoformat(),
            "subject": self.subject,
            "pr": self.pr,
        }


@dataclass
class _State:
    """Who a roster lists: primary key -> (label, every key the person is known by)."""

    active: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    emeritus: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.active or self.emeritus)


def _keys(person: Person) -> frozenset[str]:
    """A person's handle, e-mail and name, so a handle renamed on the move to emeritus still matches."""
    return frozenset(v.casefold().lstrip("@") for v in (person.handle, person.email, person.name) if v)


def _known(keys: frozenset[str], people: dict[str, tuple[str, frozenset[str]]]) -> bool:
    return any(keys & other for _, other in people.values())


def _people_in_cached(ctx: ScanContext, repo: RepoView, path: str, text: str) -> _State:
    """:func:`_people_in`, through the roster cache (see :func:`_people_of`)."""
    return _people_of(ctx, repo, path, lambda: text)


def _people_of(ctx: ScanContext, repo: RepoView, path: str, read: Callable[[], str], blob: str | None = None) -> _State:
    """:func:`_people_in` of the text ``read()`` gives, through the roster cache where the answer depends on the
    text and the file name only (an OWNERS file also reads the OWNERS_ALIASES beside it: never cached). With the
    version's ``blob`` id (a hash of its content) the entry is found without reading the blob at all."""
    name = path.rsplit("/", 1)[-1].lower()
    if path not in codeowners_locations() and name.endswith("owners") and "." not in name:
        return _people_in(repo, path, read())
    cache = roster_cache(ctx)
    text = None if blob is not None and _BLOB_ID.fullmatch(blob) else read()
    key = f"{name}\0{path in codeowners_locations()}\0" + (f"blob {blob}" if text is None else text)
    data = cache.load(key)
    if data is not None:
        try:
            return _State(_people_from_json(data["active"]), _people_from_json(data["emeritus"]))
        except (KeyError, TypeError, ValueError):
            pass  # an entry of another shape: parse again and overwrite it
    by_blob = text is None
    text = read() if text is None else text
    state = _people_in(repo, path, text)
    # A blob read as nothing may only have been out of reach this time (a fetch that failed): never kept by id.
    if text or not by_blob:
        cache.store(key, {"active": _people_to_json(state.active), "emeritus": _people_to_json(state.emeritus)})
    return state


def _people_to_json(people: dict[str, tuple[str, frozenset[str]]]) -> list[list[object]]:
    return [[key, label, sorted(keys)] for key, (label, keys) in people.items()]


def _people_from_json(rows: list[list[Any]]) -> dict[str, tuple[str, frozenset[str]]]:
    return {str(key): (str(label), frozenset(str(k) for k in keys)) for key, label, keys in rows}


def _people_in(repo: RepoView, path: str, text: str) -> _State:
    """Active and emeritus people of one roster file's text (CODEOWNERS: individual owners, not teams)."""
    state = _State()
    if path in codeowners_locations():
        for owner in parse_codeowners(text):
            if owner.kind == "user":
                state.active[owner.login.casefold()] = (owner.login, frozenset({owner.login.casefold()}))
        return state
    roster = parse_roster(repo, path, text)
    for person in roster.people:
        keys = _keys(person)
        if not keys or person.role != "maintainer":
            continue
        target = state.emeritus if person.emeritus else state.active
        target[min(keys)] = (person.label, keys)
    return _drop_emeritus_from_active(state)


def _drop_emeritus_from_active(state: _State) -> _State:
    # Someone listed both ways (a stale duplicate) counts as emeritus: the file says they stepped down.
    for key, (_, keys) in list(state.active.items()):
        if _known(keys, state.emeritus):
            del state.active[key]
    return state


def _merge(states: Iterable[_State]) -> _State:
    merged = _State()
    for state in states:
        merged.active.update(state.active)
        merged.emeritus.update(state.emeritus)
    return _drop_emeritus_from_active(merged)


def roster_events(ctx: ScanContext, repo: RepoView) -> list[RosterEvent] | None:
    """Additions and departures in ``repo``'s roster files, oldest first; None when history cannot be read."""
    log = governance_log(ctx, repo)
    if log is None:
        return None

    def compute() -> list[RosterEvent]:
        assert isinstance(repo, GitRepoView)
        # The window starts from the roster as it stood then, so its first change reads as joins and departures.
        base, blobs = roster_blobs_at_window_start(ctx, repo)
        per_path = (
            {p: _people_of(ctx, repo, p, functools.partial(_text_at, repo, base, p), oid) for p, oid in blobs.items()}
            if base is not None
            else {}
        )
        previous = _merge(per_path.values())
        events: list[RosterEvent] = []
        history = repo.history()
        for commit in log:
            touched = [p for p in commit.paths if is_roster_path(p)]
            if not touched:
                continue
            for path in touched:
                # The path is absent at a commit that deleted it, which reads as an empty roster.
                read = functools.partial(_text_at, repo, commit.sha, path)
                per_path[path] = _people_of(ctx, repo, path, read, history.blob_at(commit.sha, path))
            current = _merge(per_path.values())
            events.extend(_diff(previous, current, repo, touched[0], commit))
            previous = current
        return events

    return ctx.memo(("governance-history.roster-events", repo.full_name), compute)


def _text_at(repo: GitRepoView, sha: str, path: str) -> str:
    return repo.read_at(sha, path) or ""


def _diff(before: _State, after: _State, repo: RepoView, path: str, commit: Commit) -> list[RosterEvent]:
    # A roster appearing for the first time, or emptied into a pointer to another repo, is a move of the
    # list, not people joining or leaving.
    if before.empty or after.empty:
        return []
    promoted = bool(re.search(r"promot", commit.subject, re.IGNORECASE))
    found = []

    def event(kind: str, label: str) -> RosterEvent:
        return RosterEvent(
            kind, label, repo.name, path, commit.sha, commit.authored_at, commit.subject, pr_number(commit.subject)
        )

    for label, keys in after.active.values():
        if _known(keys, before.active):
            continue
        kind = "returned" if _known(keys, before.emeritus) else ("promoted" if promoted else "added")
        found.append(event(kind, label))
    for label, keys in before.active.values():
        if _known(keys, after.active):
            continue
        found.append(event("moved_to_emeritus" if _known(keys, after.emeritus) else "removed", label))
    return found


def recently_added(ctx: ScanContext, since: datetime) -> set[str]:
    """People (labels, case-folded) added to, promoted on or returned to a roster on or after ``since``, in any
    repository whose history could be read."""
    found: set[str] = set()
    for repo in ctx.repos:
        for event in roster_events(ctx, repo) or []:
            if event.kind in ("added", "promoted", "returned") and event.date >= since:
                found.add(event.person.casefold())
    return found
