"""The bundled criteria catalogues and rules: they load, are complete, and revisions are chosen by date."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from dd_evidence.aggregate import aggregate
from dd_evidence.catalogue import LEVELS, available_revisions, criteria_dir, load_catalogue
from dd_evidence.errors import BadInput
from dd_evidence.model import CriterionStatus, Requirement

EXPECTED_COUNTS = {"incubation": 47, "graduation": 50}
RULE_ENTRY_KEYS = {"rule", "todo", "look_at", "levels"}
RULE_KEYS = {"probes", "mode", "partial", "thresholds", "supporting"}
THRESHOLD_KEYS = {"probe", "value", "min", "max"}
PROBE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@pytest.fixture(scope="module")
def rules() -> dict:
    return yaml.safe_load((criteria_dir() / "rules.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_loads_with_the_template_count(level: str) -> None:
    catalogue = load_catalogue(level)
    assert catalogue.level == level
    assert len(catalogue.criteria) == EXPECTED_COUNTS[level]
    assert catalogue.source and catalogue.title


@pytest.mark.parametrize("level", LEVELS)
def test_ids_are_unique(level: str) -> None:
    ids = [c.id for c in load_catalogue(level).criteria]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("level", LEVELS)
def test_every_criterion_has_todo_and_look_at(level: str) -> None:
    for criterion in load_catalogue(level).criteria:
        assert criterion.todo and criterion.todo.strip(), criterion.id
        assert criterion.look_at and criterion.look_at.strip(), criterion.id


def test_rules_cover_exactly_the_catalogued_ids(rules: dict) -> None:
    ids = {c.id for level in LEVELS for c in load_catalogue(level).criteria}
    assert len(ids) == 50
    assert set(rules) == ids


def test_rules_use_only_known_keys(rules: dict) -> None:
    for criterion_id, entry in rules.items():
        assert set(entry) <= RULE_ENTRY_KEYS, criterion_id
        rule = entry.get("rule") or {}
        assert set(rule) <= RULE_KEYS, criterion_id
        assert rule.get("mode", "all") in ("all", "any"), criterion_id
        for threshold in rule.get("thresholds") or []:
            assert set(threshold) <= THRESHOLD_KEYS, criterion_id
            assert {"probe", "value"} <= set(threshold), criterion_id
        probe_ids = [*(rule.get("probes") or []), *(rule.get("supporting") or [])]
        probe_ids += [t["probe"] for t in rule.get("thresholds") or []]
        for probe_id in probe_ids:
            assert PROBE_ID.match(probe_id), f"{criterion_id}: {probe_id!r}"


def test_a_level_can_word_a_criterion_its_own_way() -> None:
    """The incubation template asks only for a documented release process; graduation lists five sub-items."""
    incubation = next(c for c in load_catalogue("incubation").criteria if c.id == "eng-release-process")
    graduation = next(c for c in load_catalogue("graduation").criteria if c.id == "eng-release-process")
    assert incubation.rule.probes == ("documents.release_process_present",)
    assert graduation.rule.probes == ("releases.process_documented",)
    assert graduation.subitems and not incubation.subitems


def test_every_probe_a_rule_names_is_registered() -> None:
    """A rule naming a probe that does not exist would leave its criterion unknown forever."""
    from dd_evidence.registry import load_probes

    registered = set(load_probes().ids())
    for level in LEVELS:
        for probe_id, criteria in load_catalogue(level).probes_informing().items():
            assert probe_id in registered, f"{criteria} name unknown probe {probe_id}"


@pytest.mark.parametrize("criterion_id", ["app-dd-review", "eco-toc-adopter-verification", "eco-three-adopters"])
def test_judgement_criteria_stay_manual(criterion_id: str) -> None:
    rule = load_catalogue("graduation").criterion(criterion_id).rule
    assert rule.is_manual


@pytest.mark.parametrize("level", LEVELS)
def test_without_findings_criteria_are_manual_or_unknown(level: str) -> None:
    catalogue = load_catalogue(level)
    results = aggregate(catalogue, [])
    assert len(results) == len(catalogue.criteria)
    for criterion, result in zip(catalogue.criteria, results, strict=True):
        expected = CriterionStatus.MANUAL if criterion.rule.is_manual else CriterionStatus.UNKNOWN
        assert result.status is expected, criterion.id


def test_unknown_level_is_bad_input() -> None:
    with pytest.raises(BadInput):
        load_catalogue("sandbox")


@pytest.mark.parametrize("level", LEVELS)
def test_before_the_oldest_revision_the_oldest_is_used(level: str) -> None:
    catalogue = load_catalogue(level, as_of=datetime(2020, 1, 1, tzinfo=UTC))
    assert catalogue.level == level
    oldest = available_revisions(level)[0][1]
    assert catalogue.revision == oldest.stem.split("-", 1)[1]


OLD_REVISION = """
level: incubation
revision: "2024-01-04"
effective: "2024-01-04"
source: synthetic old
sections:
  - name: Governance
    required:
      - id: gov-a
        title: "Old wording of A."
"""

NEW_REVISION = """
level: incubation
revision: "2026-06-29"
effective: "2026-06-29"
source: synthetic new
sections:
  - name: Governance
    suggested:
      - id: gov-b
        title: "B."
    required:
      - id: gov-a
        title: "New wording of A."
        subitems: ["a sub-item"]
"""

SYNTHETIC_RULES = """
gov-a:
  rule:
    probes: [documents.a_present]
  todo: "Add A."
  look_at: "Where A lives."
"""


@pytest.fixture
def two_revisions(tmp_path: Path) -> Path:
    (tmp_path / "incubation-2024-01-04.yaml").write_text(OLD_REVISION, encoding="utf-8")
    (tmp_path / "incubation-2026-06-29.yaml").write_text(NEW_REVISION, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(SYNTHETIC_RULES, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("as_of", "revision"),
    [
        (None, "2026-06-29"),
        (datetime(2023, 6, 1, tzinfo=UTC), "2024-01-04"),
        (datetime(2024, 1, 4, tzinfo=UTC), "2024-01-04"),
        (datetime(2025, 9, 15, 12, 0, tzinfo=UTC), "2024-01-04"),
        (datetime(2026, 6, 28, 23, 59, 59, tzinfo=UTC), "2024-01-04"),
        (datetime(2026, 6, 29, tzinfo=UTC), "2026-06-29"),
        (datetime(2027, 1, 1, tzinfo=UTC), "2026-06-29"),
    ],
)
def test_the_revision_in_force_at_as_of_is_chosen(two_revisions: Path, as_of: datetime | None, revision: str) -> None:
    catalogue = load_catalogue("incubation", as_of=as_of, directory=two_revisions)
    assert catalogue.revision == revision
    assert catalogue.source == f"synthetic {'new' if revision == '2026-06-29' else 'old'}"


def test_synthetic_revisions_build_in_order_with_rules(two_revisions: Path) -> None:
    old = load_catalogue("incubation", as_of=datetime(2025, 1, 1, tzinfo=UTC), directory=two_revisions)
    new = load_catalogue("incubation", directory=two_revisions)
    assert [(c.id, c.title) for c in old.criteria] == [("gov-a", "Old wording of A.")]
    assert [(c.id, c.requirement) for c in new.criteria] == [
        ("gov-b", Requirement.SUGGESTED),
        ("gov-a", Requirement.REQUIRED),
    ]
    a = new.criterion("gov-a")
    assert a.subitems == ("a sub-item",)
    assert a.rule.deciding_probes == ("documents.a_present",)
    assert a.todo == "Add A." and a.look_at == "Where A lives."
    assert new.criterion("gov-b").rule.is_manual


def test_other_levels_in_the_directory_are_ignored(two_revisions: Path) -> None:
    with pytest.raises(BadInput):
        load_catalogue("graduation", directory=two_revisions)
