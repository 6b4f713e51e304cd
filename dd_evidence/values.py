"""Shapes of ``Finding.values`` that more than one reader relies on, and how to check values against a probe's
declared shape.

Every probe declares the shape of its values as a TypedDict next to it (``Probe.values_type``). Shapes that
renderers draw from (maintainers per organisation, top committers, release timeline, commits per organisation)
live here; the probes' own declarations extend them, and renderers find the finding to draw by its shape, never by
a probe id, so a third-party probe that reports the same shape is drawn the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

# Keys the scan itself adds to any finding's values (see scan.qualify_absences).
RUNNER_KEYS = frozenset({"unreadable_repos"})


class SeatsByOrganisation(TypedDict, total=False):
    """Maintainers per organisation, from a roster."""

    file: str
    maintainers: int
    by_org: dict[str, int]


class TopCommitters(TypedDict, total=False):
    """The top committers of an activity window, roster maintainers marked."""

    window_start: str
    window_end_exclusive: str
    human_commits: int
    top10: list[dict[str, Any]]


class ReleaseTimeline(TypedDict, total=False):
    """Dated releases per repository over a window (``release_timeline``), the main repository named."""

    repo: str
    release_timeline: dict[str, Any]


class CommitsByOrganisation(TypedDict, total=False):
    """Commits of an activity window per organisation, with how each was attributed."""

    window_start: str
    window_end_exclusive: str
    human_commits: int
    by_organisation: dict[str, int]
    by_organisation_basis: dict[str, dict[str, int]]
    attributed_by: dict[str, int]
    unknown_commits: int


# The keys that make values of a shape drawable: a finding whose values hold all of them has that shape.
SHAPE_KEYS: dict[type[Any], tuple[str, ...]] = {
    SeatsByOrganisation: ("by_org",),
    TopCommitters: ("top10",),
    ReleaseTimeline: ("release_timeline",),
    CommitsByOrganisation: ("by_organisation", "human_commits"),
}


def declared_keys(values_type: type[Any]) -> frozenset[str]:
    """Every key a TypedDict declares (its own and its bases')."""
    keys: set[str] = set()
    for klass in reversed(getattr(values_type, "__mro__", (values_type,))):
        keys.update(getattr(klass, "__annotations__", {}))
    keys.update(getattr(values_type, "__required_keys__", ()))
    keys.update(getattr(values_type, "__optional_keys__", ()))
    return frozenset(keys)


def undeclared_keys(values_type: type[Any] | None, values: Mapping[str, Any]) -> list[str]:
    """Keys of ``values`` that ``values_type`` does not declare (none when the probe declares no shape)."""
    if values_type is None:
        return []
    known = declared_keys(values_type) | RUNNER_KEYS
    return sorted(k for k in values if k not in known)


def has_shape(values: Mapping[str, Any], shape: type[Any]) -> bool:
    """Whether ``values`` carry the keys that make them drawable as ``shape``."""
    return all(key in values for key in SHAPE_KEYS[shape])


def first_with_shape(findings: Iterable[Any], shape: type[Any]) -> Mapping[str, Any] | None:
    """The values of the first decided finding (else the first finding) whose values have ``shape``."""
    matching = [f for f in findings if has_shape(f.values, shape)]
    decided = [f for f in matching if f.outcome.decided] or matching
    return decided[0].values if decided else None


__all__ = [
    "CommitsByOrganisation",
    "ReleaseTimeline",
    "SeatsByOrganisation",
    "TopCommitters",
    "declared_keys",
    "first_with_shape",
    "has_shape",
    "undeclared_keys",
]
