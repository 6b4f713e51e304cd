from __future__ import annotations

import pytest
from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.decisions import (
    DocumentsCncfRequests,
    DocumentsContributionAcceptance,
    DocumentsGoalChanges,
    DocumentsGovernanceChanges,
    DocumentsLeadership,
)

FULL = """# Acme Rules

Acme is run in the open.

## Choosing Leaders

Leads serve two years and are elected by a vote of the reviewers.

## Merging Pull Requests

A pull request is merged after two reviewers approve it.

## Working with the CNCF

Requests to the CNCF (for example a ServiceDesk ticket) are agreed in the weekly call first.

## Changing These Rules

Amendments need a two-thirds vote of the leads.

## Mission Changes

Changes to our mission or scope follow the same vote.
"""

THIN = """# Acme Rules

We follow the [CNCF Code of Conduct](https://github.com/cncf/foundation/blob/main/code-of-conduct.md).

## Goals

- Make widgets fast.

## Changes to this document

Maintainers update this document as needed.
"""

PROBES = [
    (DocumentsLeadership, 5),
    (DocumentsContributionAcceptance, 9),
    (DocumentsCncfRequests, 13),
    (DocumentsGovernanceChanges, 17),
    (DocumentsGoalChanges, 21),
]


@pytest.mark.parametrize(("probe", "line"), PROBES)
def test_each_area_found_by_heading(probe: type, line: int) -> None:
    (f,) = probe().run(context({"acme": {"GOVERNANCE.md": FULL}}))
    assert f.outcome is Outcome.TRUE, f.message
    assert f.values["by"] == "heading"
    assert f.evidence[0].url.endswith(f"GOVERNANCE.md#L{line}")


@pytest.mark.parametrize(("probe", "line"), PROBES)
def test_each_area_missing_from_thin_governance(probe: type, line: int) -> None:
    (f,) = probe().run(context({"acme": {"GOVERNANCE.md": THIN}}))
    assert f.outcome is Outcome.FALSE, f.message
    assert f.values["checked"] == ["acme/GOVERNANCE.md"]


def test_found_by_wording_in_a_membership_document() -> None:
    membership = (
        "# Membership\n\nSome intro.\n\n## Misc\n\n"
        "Any request to the CNCF TOC is sent by a lead after a vote.\n"
        "The governance may be amended by a majority of the leads.\n"
    )
    ctx = context({"community": {"COMMUNITY_MEMBERSHIP.md": membership}})
    (f,) = DocumentsCncfRequests().run(ctx)
    assert f.outcome is Outcome.TRUE and f.values["by"] == "wording"
    assert f.evidence[0].url.endswith("COMMUNITY_MEMBERSHIP.md#L7")
    (f,) = DocumentsGovernanceChanges().run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.evidence[0].url.endswith("#L8")


def test_cncf_code_of_conduct_link_is_not_a_cncf_request_rule() -> None:
    text = "# Gov\n\n## Code of Conduct\n\nQuestions about the CNCF Code of Conduct go to the CNCF.\n"
    (f,) = DocumentsCncfRequests().run(context({"acme": {"GOVERNANCE.md": text}}))
    assert f.outcome is Outcome.FALSE


def test_no_governance_document() -> None:
    (f,) = DocumentsLeadership().run(context({"acme": {"README.md": "# Acme\n"}}))
    assert f.outcome is Outcome.FALSE
    assert "no governance document" in f.message
