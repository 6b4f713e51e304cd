"""Roles, joining, leaving, emeritus, teams and the ladder on synthetic membership documents."""

from __future__ import annotations

from memrepo import context

from dd_evidence.facts.governance import procedure_of
from dd_evidence.model import Outcome
from dd_evidence.probes.lifecycle import (
    ContributorLadder,
    EmeritusDocumented,
    OffboardingDocumented,
    OnboardingDocumented,
    RolesDefined,
    SubteamRolesDocumented,
)

LADDER = """# Widget Ladder

## Roles

### Helper

Anyone who files a bug.

### Reviewer

Reviews changes in one area.

- **Becoming a Reviewer**
    1. Open a PR adding yourself to the reviewer list.
    2. Get approval from at least two existing Maintainers.

### Maintainer

Owns the whole codebase.

## Retiring Inactive Maintainers

Maintainers who have not been active for six months are moved to the emeritus list.

## Release Team

The release team is chosen by the maintainers each year; members step down at the end of their term.
"""

BARE = """# Widget Rules

Be nice. Maintainers decide things.
"""


def _run(probe, files):  # type: ignore[no-untyped-def]
    ctx = context({"acme": {"README.md": "# Acme\n"}, "community": files}, roles={"community": "community"})
    return list(probe().run(ctx))[0]


def test_procedure_titles_normalise_to_action_and_roles() -> None:
    assert procedure_of("Adding New Helper/Reviewer/Maintainer") == ("add", ("reviewer", "maintainer"))
    assert procedure_of("How to Become an Approver") == ("become", ("approver",))
    assert procedure_of("Removing Inactive Members") == ("remove", ("member",))
    assert procedure_of("Reviewer") is None


def test_full_ladder_documents_every_stage() -> None:
    files = {"CONTRIBUTOR_LADDER.md": LADDER}
    roles = _run(RolesDefined, files)
    assert roles.outcome is Outcome.TRUE and roles.values["roles"] == ["reviewer", "maintainer"]
    join = _run(OnboardingDocumented, files)
    assert join.outcome is Outcome.TRUE and "CONTRIBUTOR_LADDER.md#L13" in join.values["procedures"][0]
    assert join.message.startswith("how to join is documented in 1 place, first ")
    leave = _run(OffboardingDocumented, files)
    assert leave.outcome is Outcome.TRUE and "six months" in leave.values["inactivity_periods"][0]
    assert leave.evidence[0].url.endswith("CONTRIBUTOR_LADDER.md#L21-L23")
    emeritus = _run(EmeritusDocumented, files)
    assert emeritus.outcome is Outcome.TRUE
    teams = _run(SubteamRolesDocumented, files)
    assert teams.outcome is Outcome.TRUE
    assert teams.values["teams"]["release team"]["join"] and teams.values["teams"]["release team"]["leave"]


def test_removal_without_period_is_documented_and_says_so() -> None:
    text = "# Rules\n\n## Removing Maintainers\n\nA maintainer can be removed by a vote.\n"
    finding = _run(OffboardingDocumented, {"GOVERNANCE.md": text})
    assert finding.outcome is Outcome.TRUE and "no inactivity period" in finding.message
    assert finding.values["inactivity_periods"] == []


def test_removal_written_in_a_sentence_counts() -> None:
    text = "# Rules\n\n## Maintainers\n\nMaintainers who step down become emeritus; others may be removed by vote.\n"
    finding = _run(OffboardingDocumented, {"GOVERNANCE.md": text})
    assert finding.outcome is Outcome.TRUE
    assert finding.values["procedures"][0].startswith("community/GOVERNANCE.md#L5")


def test_bare_governance_has_no_lifecycle() -> None:
    files = {"GOVERNANCE.md": BARE}
    for probe in (RolesDefined, OnboardingDocumented, OffboardingDocumented, EmeritusDocumented):
        assert _run(probe, files).outcome is Outcome.FALSE, probe
    assert _run(SubteamRolesDocumented, files).outcome is Outcome.FALSE


def test_security_team_made_of_maintainers_counts_as_assigned() -> None:
    security = (
        "# Security\n\n## Our Response Squad\n\nx\n\n## Security Response Team\n\nThe maintainers act as the team.\n"
    )
    finding = _run(SubteamRolesDocumented, {"GOVERNANCE.md": BARE, "SECURITY.md": security})
    assert finding.outcome is Outcome.TRUE
    assert finding.values["teams"]["security response team"]["ex_officio"]


def test_ladder_from_table_counts_roles_below_maintainer() -> None:
    table = (
        "# Contributor Ladder\n\n| Role | Duties |\n| --- | --- |\n| **Contributor** | x |\n| **Member** | y |\n"
        "| **Maintainer** | z |\n"
    )
    finding = _run(ContributorLadder, {"CONTRIBUTOR_LADDER.md": table})
    assert finding.outcome is Outcome.TRUE
    assert finding.values["non_maintainer_roles"] == ["contributor", "member"]
    one = "# Contributor Ladder\n\n## Reviewer\n\nx\n\n## Maintainer\n\ny\n"
    assert _run(ContributorLadder, {"CONTRIBUTOR_LADDER.md": one}).outcome is Outcome.FALSE
    assert _run(ContributorLadder, {"GOVERNANCE.md": BARE}).outcome is Outcome.FALSE


def test_a_ladder_kept_inside_the_governance_document() -> None:
    governance = (
        "# Governance\n\n## Roles\n\n### Community Member\n\nAnyone who takes part.\n\n"
        "### Reviewer\n\nReviews pull requests.\n\n### Project Maintainer\n\nMerges pull requests.\n\n"
        "## Voting\n\nMajority of maintainers.\n"
    )
    (finding,) = ContributorLadder().run(context({"acme": {"GOVERNANCE.md": governance}}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["roles"] == ["member", "reviewer", "maintainer"]


def test_contributors_and_maintainers_only_are_no_ladder() -> None:
    governance = "# Governance\n\n## Contributors\n\nAnyone.\n\n## Maintainers\n\nThe team.\n\n## Joining\n\nVote.\n"
    (finding,) = ContributorLadder().run(context({"acme": {"GOVERNANCE.md": governance}}))
    assert finding.outcome is Outcome.FALSE


def test_roles_defined_in_bold_led_paragraphs_make_a_ladder() -> None:
    governance = (
        "# Governance\n\n## Roles\n\n**Contributors**: anyone with a merged pull request.\n\n"
        "**Committers**: members committed to the project.\n\n**Maintainer**: reviews and merges.\n"
    )
    (finding,) = ContributorLadder().run(context({"acme": {"GOVERNANCE.md": governance}}))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["non_maintainer_roles"] == ["contributor", "committer"]
