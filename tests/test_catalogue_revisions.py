"""TOC template revisions: the revision in force at ``--as-of`` is picked, and every revision is complete."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from dd_evidence.catalogue import LEVELS, available_revisions, criteria_dir, load_catalogue
from dd_evidence.model import Requirement

# The revision in force on 2025-09-15 (the merge date of the last change before it) and the newest one.
REVISION_2025 = {"graduation": "2025-08-19", "incubation": "2025-08-11"}
REVISION_2026 = "2026-06-29"
COUNTS_2025 = {"graduation": 46, "incubation": 43}
OLD_TAG_TITLE = (
    "Engage with the domain specific TAG(s) to increase awareness through a presentation or completing a "
    "General Technical Review."
)


@pytest.fixture(scope="module")
def rules() -> dict:
    return yaml.safe_load((criteria_dir() / "rules.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("level", LEVELS)
def test_both_revisions_are_shipped(level: str) -> None:
    revisions = [path.stem.split("-", 1)[1] for _, path in available_revisions(level)]
    assert REVISION_2025[level] in revisions
    assert REVISION_2026 in revisions


@pytest.mark.parametrize("level", LEVELS)
def test_as_of_2025_09_15_picks_the_2025_revision(level: str) -> None:
    catalogue = load_catalogue(level, datetime(2025, 9, 15, tzinfo=UTC))
    assert catalogue.revision == REVISION_2025[level]
    assert catalogue.info.revision == REVISION_2025[level]
    assert len(catalogue.criteria) == COUNTS_2025[level]
    # The 2025 templates ask for TAG engagement as a required item, in the older wording.
    tag = catalogue.criterion("app-tag-engagement")
    assert tag.requirement is Requirement.REQUIRED
    assert tag.title == OLD_TAG_TITLE
    ids = {c.id for c in catalogue.criteria}
    assert not ids & {"app-gtr", "app-governance-review", "gov-review-subproject", "sec-joint-assessment"}


@pytest.mark.parametrize("level", LEVELS)
def test_a_recent_as_of_and_no_as_of_pick_the_2026_revision(level: str) -> None:
    assert load_catalogue(level, datetime(2026, 7, 1, tzinfo=UTC)).revision == REVISION_2026
    assert load_catalogue(level).revision == REVISION_2026
    # The day before the 2026 revision was merged, the 2025 one is still in force.
    assert load_catalogue(level, datetime(2026, 6, 28, tzinfo=UTC)).revision == REVISION_2025[level]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("as_of", [datetime(2025, 9, 15, tzinfo=UTC), None])
def test_every_id_has_a_rules_entry(level: str, as_of: datetime | None, rules: dict) -> None:
    catalogue = load_catalogue(level, as_of)
    ids = [c.id for c in catalogue.criteria]
    assert len(ids) == len(set(ids))
    missing = [criterion_id for criterion_id in ids if criterion_id not in rules]
    assert not missing, f"{level} {catalogue.revision}: no rules.yaml entry for {missing}"
    for criterion in catalogue.criteria:
        assert criterion.todo or criterion.look_at, criterion.id


def test_the_revision_is_named_in_markdown_and_json() -> None:
    from tests.render.conftest import build_report

    report = build_report()
    assert report.catalogue.revision in report.to_markdown()
    assert report.to_dict()["catalogue"]["revision"] == report.catalogue.revision
