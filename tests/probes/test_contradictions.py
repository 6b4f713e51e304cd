"""Duplicate procedures and contradicting numbers across two synthetic membership documents."""

from __future__ import annotations

from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.contradictions import (
    NoContradictingNumbers,
    NoDuplicateProcedures,
    months_in,
    thresholds_in,
)

MEMBERSHIP = """# Widget Membership

## Joining

### Adding New Reviewer/Maintainer

Candidates should have helped out for at least four months.

Candidates need a two-thirds vote of the current Maintainers.

### Removing Inactive Reviewer/Maintainer

- Maintainer: inactive for more than 6 months.
- Reviewer: inactive for more than 1 year.
"""

LADDER = """# Widget Ladder

## Reviewer

Reviews changes.

- **How to Become a Reviewer**:
    1. Show work over 5 months.
    2. Get a "LGTM" from at least three existing Reviewers.

## Maintainer

- **How to Become a Maintainer**:
    1. Be approved by a supermajority of Maintainers.
"""

AGREEING_LADDER = """# Widget Ladder

## Reviewer

Active for at least 4 months (see the membership document for how to apply).
"""


def _ctx(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return context({"acme": {"README.md": "# Acme\n"}, "community": files}, roles={"community": "community"})


def test_number_extraction() -> None:
    assert months_in("for at least two months, or 1 year") == [2, 12]
    assert thresholds_in("needs a supermajority (at least 65%)") == ["supermajority"]
    assert thresholds_in("a simple majority (more than 50%)") == ["majority"]
    assert thresholds_in('a "LGTM" from at least two existing Members') == ["count:2"]
    assert thresholds_in("reviews, discussions for at least 3 months") == []


def test_duplicates_match_heading_against_bold_bullet() -> None:
    ctx = _ctx({"COMMUNITY_MEMBERSHIP.md": MEMBERSHIP, "CONTRIBUTOR_LADDER.md": LADDER})
    finding = list(NoDuplicateProcedures().run(ctx))[0]
    assert finding.outcome is Outcome.FALSE
    pairs = {(d["action"], d["role"]) for d in finding.values["duplicates"]}
    assert pairs == {("join", "reviewer"), ("join", "maintainer")}
    kinds = {d["kind"] for item in finding.values["duplicates"] for d in item["definitions"]}
    assert kinds == {"heading", "bullet"}
    assert any(e.url.endswith("COMMUNITY_MEMBERSHIP.md#L5-L9") for e in finding.evidence)


def test_contradicting_numbers_cite_both_files() -> None:
    ctx = _ctx({"COMMUNITY_MEMBERSHIP.md": MEMBERSHIP, "CONTRIBUTOR_LADDER.md": LADDER})
    finding = list(NoContradictingNumbers().run(ctx))[0]
    assert finding.outcome is Outcome.FALSE
    found = {(c["role"], c["kind"]) for c in finding.values["conflicts"]}
    # Reviewer: 4 vs 5 months, two-thirds vs 3 LGTMs; maintainer: two-thirds == supermajority agrees.
    assert found == {("reviewer", "months"), ("reviewer", "threshold")}
    months = next(c for c in finding.values["conflicts"] if c["kind"] == "months")
    cites = {months["a"][0]["at"], months["b"][0]["at"]}
    assert cites == {"community/CONTRIBUTOR_LADDER.md#L8", "community/COMMUNITY_MEMBERSHIP.md#L7"}


def test_role_labelled_items_only_count_for_their_role_and_agreement_is_true() -> None:
    ctx = _ctx({"COMMUNITY_MEMBERSHIP.md": MEMBERSHIP, "CONTRIBUTOR_LADDER.md": AGREEING_LADDER})
    assert list(NoContradictingNumbers().run(ctx))[0].outcome is Outcome.TRUE
    assert list(NoDuplicateProcedures().run(ctx))[0].outcome is Outcome.TRUE


def test_single_document_cannot_contradict_and_none_is_not_available() -> None:
    ctx = _ctx({"COMMUNITY_MEMBERSHIP.md": MEMBERSHIP})
    assert list(NoContradictingNumbers().run(ctx))[0].outcome is Outcome.TRUE
    empty = context({"acme": {"README.md": "# Acme\n"}})
    assert list(NoDuplicateProcedures().run(empty))[0].outcome is Outcome.NOT_AVAILABLE
