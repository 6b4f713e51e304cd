"""The curated knowledge of the facts layer, read once from the data files under ``dd_evidence/data/``.

``documents.yaml`` says which documents are which (names, folders, titles, headings per role, excluded trees);
``sites.yaml`` how website generators lay out their sources. A contributor extends those files, not this code.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from dd_evidence import yamlio

# Roles in the order reports list them. Keys of ``documents.yaml``'s ``roles`` must be among them.
ROLES = (
    "governance",
    "maintainers",
    "ownership",
    "contributing",
    "contributor_ladder",
    "code_of_conduct",
    "security_policy",
    "security_response",
    "roadmap",
    "roadmap_process",
    "release_process",
    "release_procedure",
    "adopters",
    "subprojects",
    "teams",
    "meetings",
    "channels",
    "support",
)

# Folders where GitHub (and people) look for a repository's own documents first.
TOP_FOLDERS = ("", ".github", "docs")


def load_data(name: str) -> Any:
    """A YAML data file of the package."""
    text = resources.files("dd_evidence").joinpath("data", name).read_text("utf-8")
    return yamlio.safe_load(text)


@dataclass(frozen=True)
class NamePattern:
    """One name glob of a role; ``top_only`` when it only applies in the root, .github/ or docs/."""

    glob: str
    regex: re.Pattern[str]
    top_only: bool
    rank: int
    plain_only: bool = False
    community: bool = False


@dataclass(frozen=True)
class RoleRules:
    """How one role is recognised: by file name, folder name, title and (for sections) heading."""

    role: str
    names: tuple[NamePattern, ...]
    folders: tuple[NamePattern, ...]
    titles: tuple[re.Pattern[str], ...]
    headings: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Knowledge:
    """Everything ``documents.yaml`` says, compiled."""

    text_extensions: frozenset[str]
    data_extensions: frozenset[str]
    excluded_folders: tuple[tuple[str, re.Pattern[str]], ...]
    excluded_names: tuple[tuple[str, re.Pattern[str]], ...]
    index_names: frozenset[str]
    community_folders: frozenset[str]
    roles: tuple[RoleRules, ...]
    health_roles: tuple[str, ...]
    health_folders: tuple[str, ...]
    stub_max_lines: int
    moved_phrases: tuple[re.Pattern[str], ...]
    families: tuple[frozenset[str], ...] = ()

    def rules(self, role: str) -> RoleRules:
        return next(r for r in self.roles if r.role == role)

    def related(self, role: str, others: frozenset[str] | set[str]) -> bool:
        """Whether ``role`` shares a family with every one of ``others`` (see ``role_families``)."""
        return all(any(role in f and other in f for f in self.families) for other in others)


def _globs(items: list[str] | None) -> tuple[NamePattern, ...]:
    found = []
    for rank, item in enumerate(items or []):
        text = str(item)
        glob, _, qualifier = text.partition("@")
        glob = glob.lower()
        top, plain, community = qualifier == "top", qualifier == "plain", qualifier == "community"
        found.append(NamePattern(glob, re.compile(fnmatch.translate(glob)), top or community, rank, plain, community))
    return tuple(found)


def _one_regex(items: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(fnmatch.translate(str(i).lower()) for i in items))


@functools.cache
def knowledge() -> Knowledge:
    """``documents.yaml``, compiled once per process."""
    data = load_data("documents.yaml")
    roles = []
    for role, spec in (data.get("roles") or {}).items():
        if role not in ROLES:
            raise ValueError(f"documents.yaml: unknown role {role!r} (known: {', '.join(ROLES)})")
        roles.append(
            RoleRules(
                role=role,
                names=_globs(spec.get("names")),
                folders=_globs(spec.get("folders")),
                titles=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("titles") or []),
                headings=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("headings") or []),
            )
        )
    health = data.get("community_health") or {}
    stubs = data.get("stubs") or {}
    return Knowledge(
        text_extensions=frozenset(str(e).lower() for e in data.get("text_extensions") or []),
        data_extensions=frozenset(str(e).lower() for e in data.get("data_extensions") or []),
        excluded_folders=tuple((why, _one_regex(items)) for why, items in (data.get("excluded_folders") or {}).items()),
        excluded_names=tuple((why, _one_regex(items)) for why, items in (data.get("excluded_names") or {}).items()),
        index_names=frozenset(str(n).lower() for n in data.get("index_names") or []),
        community_folders=frozenset(str(n).lower() for n in data.get("community_folders") or []),
        roles=tuple(sorted(roles, key=lambda r: ROLES.index(r.role))),
        health_roles=tuple(health.get("roles") or ()),
        health_folders=tuple(str(f) for f in health.get("folders") or ("",)),
        stub_max_lines=int(stubs.get("max_lines", 6)),
        moved_phrases=tuple(re.compile(p, re.IGNORECASE) for p in stubs.get("moved_phrases") or []),
        families=tuple(frozenset(str(r) for r in family) for family in data.get("role_families") or ()),
    )
