"""What a path alone says about a document: is it text, is it in a tree that never holds governance, which roles
its name or folder give it. Pure functions over strings (no repository access), so they are cheap enough to run
over every path of every tree and can decide which blobs to fetch before any is read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dd_evidence.facts.knowledge import TOP_FOLDERS, knowledge

_SEPARATORS = re.compile(r"[\s_.\-]+")
# Documents larger than this are never read for a title (the git source caps reads at 1 MB anyway).
MAX_CANDIDATE_BYTES = 1_000_000
# At most this many candidates per repository: a website with thousands of pages still costs a bounded fetch.
MAX_CANDIDATES = 400
# Answers kept per process for folder names, file stems and whole paths: the same paths are asked about by the
# prefetch, the map, the history filters and the probes, and folder names repeat across a tree. Bounded, so a
# scan of a huge tree costs at most a few tens of MB for them.
_PART_CACHE = 1 << 14
_PATH_CACHE = 1 << 16


def normalise(name: str) -> str:
    """``CODE_OF_CONDUCT`` -> ``code-of-conduct``: lower case, runs of separators as one ``-``."""
    return _SEPARATORS.sub("-", name.strip().lower()).strip("-") or name.lower()


def split_name(path: str) -> tuple[str, str, str]:
    """(folder, stem, extension) of a path; the extension lower case without the dot, "" when there is none."""
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return folder, name, ""
    return folder, stem, ext.lower()


def is_text(path: str) -> bool:
    """A Markdown, AsciiDoc, reStructuredText or plain-text file."""
    return split_name(path)[2] in knowledge().text_extensions


def is_top(path: str) -> bool:
    """In the repository root, ``.github/`` or ``docs/`` (where GitHub looks for community files)."""
    return path.rpartition("/")[0].lower() in TOP_FOLDERS


def in_community_folder(path: str) -> bool:
    """Under a folder where projects keep pages about the project itself (community/, governance/, process/...)."""
    folders = knowledge().community_folders
    return any(normalise(part) in folders or part.lower() in folders for part in path.split("/")[:-1])


def excluded(path: str) -> str | None:
    """Why a path can never be one of the project's governance documents (vendored, test data, release notes,
    blog post, old version, translation...), or None."""
    folder, stem, _ = split_name(path)
    for part in folder.split("/") if folder else ():
        why = _excluded_folder(part)
        if why is not None:
            return why
    return _excluded_name(stem)


@functools.lru_cache(maxsize=_PART_CACHE)
def _excluded_folder(part: str) -> str | None:
    key = normalise(part)
    for why, pattern in knowledge().excluded_folders:
        if pattern.fullmatch(key) or pattern.fullmatch(part.lower()):
            return why
    return None


@functools.lru_cache(maxsize=_PART_CACHE)
def _excluded_name(stem: str) -> str | None:
    key = normalise(stem)
    for why, pattern in knowledge().excluded_names:
        if pattern.fullmatch(key):
            return why
    return None


@dataclass(frozen=True)
class PathSignal:
    """A role a path gives: by the file's own name or by its folder's, with the pattern that matched."""

    role: str
    kind: str  # "name" | "folder"
    matched: str
    rank: int


def path_roles(path: str) -> dict[str, PathSignal]:
    """Roles the file name (or, for an index page or a file without a role of its own, the folder name) gives.

    Documents in excluded trees and unknown file types get none.
    """
    return dict(_path_roles(path))  # a copy: the cached answer is shared


@functools.lru_cache(maxsize=_PATH_CACHE)
def _path_roles(path: str) -> dict[str, PathSignal]:
    folder, stem, ext = split_name(path)
    info = knowledge()
    if ext and ext not in info.text_extensions and ext not in info.data_extensions:
        return {}
    if excluded(path):
        return {}
    key = normalise(stem)
    top = folder.lower() in TOP_FOLDERS
    community = top or in_community_folder(path)
    parent = folder.rsplit("/", 1)[-1] if folder else ""
    parent_key = normalise(parent) if parent else ""
    is_index = key in info.index_names
    found: dict[str, PathSignal] = {}
    if not is_index:
        for rules in info.roles:
            hit = next(
                (
                    p
                    for p in rules.names
                    if (not p.top_only or top or (p.community and community))
                    and (not ext or not p.plain_only)
                    and p.regex.fullmatch(key)
                ),
                None,
            )
            if hit is not None:
                found[rules.role] = PathSignal(rules.role, "name", stem + (f".{ext}" if ext else ""), hit.rank)
    if not ext and not found:
        return {}  # an extensionless file is a document only when its own name says what it is
    if parent_key and (is_index or not found):
        for rules in info.roles:
            hit = next((p for p in rules.folders if p.regex.fullmatch(parent_key)), None)
            if hit is None and is_index:
                # An index page is named after its folder: docs/community/governance/_index.md.
                hit = next((p for p in rules.names if not p.top_only and p.regex.fullmatch(parent_key)), None)
            if hit is not None and rules.role not in found:
                found[rules.role] = PathSignal(rules.role, "folder", parent + "/", hit.rank)
    if ext in info.data_extensions:
        # Data files count only as rosters, lists and adopter files by name (maintainers.yaml, ADOPTERS.yaml).
        found = {r: s for r, s in found.items() if r in ("maintainers", "adopters", "subprojects") and s.kind == "name"}
    return found


def _candidate_rank(path: str) -> tuple[int, int, str]:
    roles = path_roles(path)
    depth = path.count("/")
    return (0 if roles else 1, depth, path)


def candidate_document_paths(paths_with_sizes: Iterable[tuple[str, int | None] | str]) -> list[str]:
    """The paths whose text the project map reads, most useful first.

    ``paths_with_sizes`` is a repository's file list: paths, or (path, size in bytes or None) pairs. A path is a
    candidate when it is a text document (or a named roster or list) outside vendored, generated, test-data,
    example and release-note trees, not over the size cap, and either has a role by its name or folder, or sits
    where titles decide what it is: near the top (root, ``.github/``, ``docs/``, one folder down) or under a
    community folder (``community/``, ``governance/``, ``process/``...). At most
    :data:`MAX_CANDIDATES` paths are returned, named ones first. Pure and cheap: no repository access.
    """
    chosen: list[str] = []
    for item in paths_with_sizes:
        path, size = (item, None) if isinstance(item, str) else (item[0], item[1])
        if size is not None and size > MAX_CANDIDATE_BYTES:
            continue
        if is_candidate_path(path):
            chosen.append(path)
    return sorted(chosen, key=_candidate_rank)[:MAX_CANDIDATES]


def is_candidate_path(path: str) -> bool:
    """Whether the path alone makes ``path`` a candidate of :func:`candidate_document_paths` (its size aside): a
    caller asks the sizes of these only, not of every file of a big tree."""
    if path_roles(path):
        return True
    if not is_text(path) or excluded(path):
        return False
    return path.count("/") <= 1 or is_top(path) or in_community_folder(path)
