"""TOC criteria catalogues, loaded from YAML data.

Two kinds of files live in ``dd_evidence/criteria/``:

- ``<level>-<revision>.yaml``: one TOC template revision for one level, in the template's own order
  (sections, then Suggested before Required, each criterion with its verbatim bold title and sub-items);
- ``rules.yaml``: for each criterion id, the probes and rule that decide it (optionally per level, where the
  level's template words the criterion differently), the TODO sentence a reviewer writes
  when it is not met and what a person should look at. Ids are stable across template revisions, so one rule
  serves every revision and reports from different revisions compare.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from dd_evidence import yamlio
from dd_evidence.errors import BadInput
from dd_evidence.model import CatalogueInfo, Requirement

LEVELS = ("incubation", "graduation")


@dataclass(frozen=True)
class Threshold:
    """A figure a probe reports that must reach a bound: ``values[value] >= min`` and/or ``<= max``."""

    probe: str
    value: str
    min: float | None = None
    max: float | None = None

    def holds(self, figure: float) -> bool:
        if self.min is not None and figure < self.min:
            return False
        return not (self.max is not None and figure > self.max)

    def describe(self) -> str:
        bounds = []
        if self.min is not None:
            bounds.append(f">= {self.min:g}")
        if self.max is not None:
            bounds.append(f"<= {self.max:g}")
        return f"{self.probe}.{self.value} {' and '.join(bounds)}"


@dataclass(frozen=True)
class Rule:
    """How findings decide a criterion.

    ``mode: all`` is met when every deciding finding is true (partial when only some are, if ``partial``);
    ``mode: any`` is met when one is. ``supporting`` probes are shown as evidence but do not decide.
    """

    probes: tuple[str, ...] = ()
    mode: str = "all"
    partial: bool = True
    thresholds: tuple[Threshold, ...] = ()
    supporting: tuple[str, ...] = ()

    @property
    def deciding_probes(self) -> tuple[str, ...]:
        ordered = list(self.probes)
        ordered += [t.probe for t in self.thresholds if t.probe not in ordered]
        return tuple(ordered)

    @property
    def is_manual(self) -> bool:
        return not self.deciding_probes


@dataclass(frozen=True)
class Criterion:
    """One criterion of one template revision, with the rule that decides it."""

    id: str
    title: str
    section: str
    requirement: Requirement
    rule: Rule
    subitems: tuple[str, ...] = ()
    todo: str | None = None
    look_at: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Section:
    name: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Catalogue:
    """The criteria of one TOC template revision at one level, in the template's order."""

    level: str
    revision: str
    effective: datetime
    source: str
    title: str
    sections: tuple[Section, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for s in self.sections for c in s.criteria)

    @property
    def info(self) -> CatalogueInfo:
        return CatalogueInfo(level=self.level, revision=self.revision, source=self.source)

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def probes_informing(self) -> dict[str, list[str]]:
        """probe id -> the criteria it decides or supports."""
        informs: dict[str, list[str]] = {}
        for criterion in self.criteria:
            for probe_id in (*criterion.rule.deciding_probes, *criterion.rule.supporting):
                informs.setdefault(probe_id, [])
                if criterion.id not in informs[probe_id]:
                    informs[probe_id].append(criterion.id)
        return informs


def criteria_dir() -> Path:
    return Path(str(resources.files("dd_evidence") / "criteria"))


def available_revisions(level: str, directory: Path | None = None) -> list[tuple[datetime, Path]]:
    """The template revisions shipped for a level, oldest first, with the instant each came into force."""
    directory = directory or criteria_dir()
    found = []
    for path in directory.glob(f"{level}-*.yaml"):
        data = _read_yaml(path)
        found.append((_effective(data, path), path))
    return sorted(found)


def load_catalogue(level: str, as_of: datetime | None = None, directory: Path | None = None) -> Catalogue:
    """The catalogue for ``level`` in force at ``as_of`` (the newest one when ``as_of`` is None)."""
    if level not in LEVELS:
        raise BadInput(f"unknown level {level!r}: choose one of {', '.join(LEVELS)}")
    directory = directory or criteria_dir()
    revisions = available_revisions(level, directory)
    if not revisions:
        raise BadInput(f"no criteria catalogue for level {level!r} in {directory}")
    chosen = revisions[-1][1]
    if as_of is not None:
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        in_force = [path for effective, path in revisions if effective <= as_of]
        # Before the oldest revision we ship, the oldest is the closest thing we have.
        chosen = in_force[-1] if in_force else revisions[0][1]
    rules = _load_rules(directory / "rules.yaml")
    return _build(_read_yaml(chosen), rules, chosen)


def _build(data: dict[str, Any], rules: dict[str, Any], path: Path) -> Catalogue:
    sections = []
    for section in data["sections"]:
        criteria = []
        for requirement in ("suggested", "required"):
            for item in section.get(requirement) or []:
                criteria.append(_criterion(item, section["name"], Requirement(requirement), rules, data["level"]))
        sections.append(Section(name=section["name"], criteria=tuple(criteria)))
    return Catalogue(
        level=data["level"],
        revision=str(data["revision"]),
        effective=_effective(data, path),
        source=data.get("source", str(path.name)),
        title=data.get("title", ""),
        sections=tuple(sections),
    )


def _criterion(
    item: dict[str, Any], section: str, requirement: Requirement, rules: dict[str, Any], level: str
) -> Criterion:
    spec = rules.get(item["id"], {})
    # A level whose template words the criterion differently can have its own rule (``levels: {incubation: ...}``).
    override = (spec.get("levels") or {}).get(level) or {}
    return Criterion(
        id=item["id"],
        title=item["title"],
        section=section,
        requirement=requirement,
        rule=_rule(override.get("rule") or spec.get("rule") or {}),
        subitems=tuple(item.get("subitems") or ()),
        todo=spec.get("todo"),
        look_at=spec.get("look_at"),
        note=item.get("note"),
    )


_RULE_KEYS = {"probes", "mode", "partial", "thresholds", "supporting"}


def _rule(data: dict[str, Any]) -> Rule:
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise ValueError(f"unknown rule key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_RULE_KEYS))}")
    mode = data.get("mode", "all")
    if mode not in ("all", "any"):
        raise ValueError(f"rule mode must be 'all' or 'any', not {mode!r}")
    return Rule(
        probes=tuple(data.get("probes") or ()),
        mode=mode,
        partial=bool(data.get("partial", True)),
        thresholds=tuple(Threshold(**t) for t in data.get("thresholds") or ()),
        supporting=tuple(data.get("supporting") or ()),
    )


@functools.cache
def _load_rules(path: Path) -> dict[str, Any]:
    return _read_yaml(path) if path.exists() else {}


@functools.cache
def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yamlio.safe_load(handle)


def _effective(data: dict[str, Any], path: Path) -> datetime:
    raw = data.get("effective") or data.get("revision")
    try:
        value = datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValueError(f"{path.name}: 'effective' must be an ISO date, not {raw!r}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
