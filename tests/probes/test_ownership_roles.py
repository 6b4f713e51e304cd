"""ownership.matches_roster over in-memory repos: rosters and CODEOWNERS in, findings out; team lookups scripted."""

from __future__ import annotations

import pytest
from memrepo import context

from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Finding, Outcome
from dd_evidence.probes.ownership_roles import OwnershipMatchesRoster, repo_owners

ROSTER = """# Maintainers

| Name | GitHub | Company |
| --- | --- | --- |
| Alice Example | @alice | Acme |
| Bob Example | @bob | Widgets Inc |

## Emeritus maintainers

| Name | GitHub | Company |
| --- | --- | --- |
| Old Timer | @oldtimer | Acme |
"""
CODE = {"main.go": "package main\n", "README.md": "# x\n"}
TEAM_OWNERS = "* @acme/maintainers\n/docs/ @acme/docs-team\n"


def ctx_of(repos: dict[str, dict[str, str]], offline: bool = False) -> ScanContext:
    ctx = context(repos, roles={"community": "community"})
    ctx.config.offline = offline
    return ctx


def org(**extra: dict[str, str]) -> dict[str, dict[str, str]]:
    """A community repo with the roster (docs only) plus the given code repos."""
    return {"community": {"MAINTAINERS.md": ROSTER, "README.md": "# Community\n"}, **extra}


def run(ctx: ScanContext, teams: dict[tuple[str, str], list[str] | None] | None = None) -> list[Finding]:
    def lookup(owner: str, slug: str) -> list[str] | None:
        if teams is None:
            raise SourceUnavailable("github", "offline: not fetched")
        return teams[(owner, slug)]

    return list(OwnershipMatchesRoster(team_lookup=lookup).run(ctx))


@pytest.mark.parametrize(
    "codeowners, outcome, key, expected",
    [
        ("* @alice @bob\n", Outcome.TRUE, "handles_not_in_roster", []),
        ("* @alice\n/api/ @mallory # not a maintainer\n", Outcome.FALSE, "handles_not_in_roster", ["@mallory"]),
        ("* @Alice\n", Outcome.TRUE, "handles_not_in_roster", []),  # logins are case-insensitive
        ("* @alice @oldtimer\n", Outcome.FALSE, "handles_emeritus", ["@oldtimer"]),
        # Only Alice is named: Bob never being named is shown, not judged.
        ("* @alice\n", Outcome.TRUE, "maintainers_never_named", ["bob"]),
    ],
    ids=["all-on-roster", "outsider", "case", "emeritus", "maintainer-not-named"],
)
def test_individual_handles_against_roster(codeowners: str, outcome: Outcome, key: str, expected: list[str]) -> None:
    (overall,) = run(ctx_of(org(acme={**CODE, ".github/CODEOWNERS": codeowners})))
    assert overall.outcome is outcome, overall.message
    assert overall.values[key] == expected
    assert overall.values["repos_with_owners"] == 1 and overall.values["repos_total"] == 2
    # The community repo holds only documents: listed as without owners, but not a mismatch.
    assert overall.values["repos_without"] == ["community"] and overall.values["code_repos_without"] == []
    assert overall.evidence[0].url.endswith("/.github/CODEOWNERS")


def test_code_repo_without_owners_is_a_mismatch_and_named() -> None:
    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": "* @alice\n"}, charts={"charts/x/Chart.yaml": "name: x\n"}))
    (overall,) = run(ctx)
    assert overall.outcome is Outcome.FALSE
    assert overall.values["code_repos_without"] == ["charts"]
    assert overall.message.startswith("CODEOWNERS/OWNERS in 1 of 3 repos (not community, charts)")
    assert "no owners declared in code repos charts" in overall.message


def test_visible_teams_matching_the_roster() -> None:
    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": TEAM_OWNERS}))
    overall, docs, maint = run(ctx, {("acme", "maintainers"): ["alice", "Bob"], ("acme", "docs-team"): ["alice"]})
    assert overall.outcome is Outcome.TRUE, overall.message
    assert (docs.subject, docs.outcome) == ("@acme/docs-team", Outcome.TRUE)
    assert (maint.subject, maint.outcome) == ("@acme/maintainers", Outcome.TRUE)
    team = overall.values["teams"]["@acme/maintainers"]
    assert team["visible"] is True and team["members"] == ["alice", "Bob"] and team["repos"] == ["acme"]
    assert overall.values["maintainers_never_named"] == []  # both are reached through the team


def test_visible_team_with_an_outsider_is_false() -> None:
    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": "* @acme/maintainers\n"}))
    overall, team = run(ctx, {("acme", "maintainers"): ["alice", "eve"]})
    assert team.outcome is Outcome.FALSE and team.values["not_in_roster"] == ["eve"]
    assert overall.outcome is Outcome.FALSE and "members of @acme/maintainers on no roster" in overall.message


def test_invisible_team_is_not_available_with_the_reason_never_false() -> None:
    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": TEAM_OWNERS}))
    overall, docs, maint = run(ctx, {("acme", "maintainers"): None, ("acme", "docs-team"): ["alice"]})
    assert docs.outcome is Outcome.TRUE
    assert maint.outcome is Outcome.NOT_AVAILABLE
    assert maint.message == "team membership not visible: needs a token with read:org for acme"
    assert overall.outcome is Outcome.NOT_AVAILABLE
    assert "membership of @acme/maintainers not visible" in overall.message
    assert overall.values["teams"]["@acme/maintainers"]["visible"] is False


def test_concrete_mismatch_stays_false_while_teams_are_unseen() -> None:
    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": "* @acme/maintainers @mallory\n"}))
    overall, team = run(ctx, {("acme", "maintainers"): None})
    assert overall.outcome is Outcome.FALSE and team.outcome is Outcome.NOT_AVAILABLE


def test_offline_team_lookup_is_not_available() -> None:
    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": TEAM_OWNERS}), offline=True)
    findings = run(ctx, None)
    assert [f.outcome for f in findings] == [Outcome.NOT_AVAILABLE] * 3
    assert findings[1].message == "team membership not checked: offline: not fetched"


def test_default_lookup_offline_makes_no_call() -> None:
    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": "* @acme/maintainers\n"}), offline=True)
    _, team = OwnershipMatchesRoster().run(ctx)
    assert team.outcome is Outcome.NOT_AVAILABLE and "offline" in team.message


def test_default_lookup_uses_the_scans_github_client() -> None:
    """A scan's GitHub client (pre-seeded here) answers team membership; None means not visible."""
    pytest.importorskip("dd_evidence.sources.github")

    class FakeGitHub:
        def team_members(self, org_name: str, slug: str) -> list[str] | None:
            return ["alice"] if slug == "maintainers" else None

        def counts(self) -> dict[str, int]:
            return {}

    ctx = ctx_of(org(acme={**CODE, ".github/CODEOWNERS": TEAM_OWNERS}))
    ctx.client("github", FakeGitHub)
    _, docs, maint = OwnershipMatchesRoster().run(ctx)
    assert maint.outcome is Outcome.TRUE
    assert docs.outcome is Outcome.NOT_AVAILABLE and "read:org for acme" in docs.message


def test_owners_yaml_and_emails() -> None:
    owners_yaml = "approvers:\n  - alice\nreviewers:\n  - carol\nemeritus_approvers:\n  - oldtimer\n"
    ctx = ctx_of(org(acme={**CODE, "pkg/OWNERS": owners_yaml, "CODEOWNERS": "*.go dev@elsewhere.example\n"}))
    (overall,) = run(ctx)
    assert overall.values["files"]["acme"] == ["CODEOWNERS", "pkg/OWNERS"]
    assert overall.values["handles_not_in_roster"] == ["@carol"]
    assert overall.values["handles_emeritus"] == []  # emeritus_approvers are not owners
    assert overall.values["emails_unmatched"] == ["dev@elsewhere.example"]


def test_individuals_without_any_roster_cannot_be_compared() -> None:
    (overall,) = run(ctx_of({"acme": {**CODE, ".github/CODEOWNERS": "* @alice\n"}}))
    assert overall.outcome is Outcome.NOT_AVAILABLE and "no maintainer roster" in overall.message
    assert overall.values["handles_not_in_roster"] is None


def test_docs_only_detection() -> None:
    ctx = ctx_of(org(acme=CODE))
    owners = {o.repo.name: o for o in (repo_owners(r) for r in ctx.repos)}
    assert owners["community"].docs_only and not owners["acme"].docs_only


def test_a_mismatch_says_what_to_fix_even_without_a_roster() -> None:
    # No roster to compare named owners with, and a code repo without owners: the remedy names that repo.
    (overall,) = run(ctx_of({"acme": {**CODE, ".github/CODEOWNERS": "* @alice\n"}, "charts": {"x.yaml": "a: 1\n"}}))
    assert overall.outcome is Outcome.FALSE
    assert overall.remedy == "Add a .github/CODEOWNERS naming the maintainers' team to each repository without one."
    (mismatch,) = run(ctx_of(org(acme={**CODE, ".github/CODEOWNERS": "* @alice @oldtimer\n/api/ @mallory\n"})))
    assert mismatch.remedy == (
        "Remove @mallory from the code owners or add them to the roster; "
        "remove the emeritus @oldtimer from the code owners."
    )
    # An emeritus owner is on a roster (its emeritus list): reported once, as emeritus.
    assert mismatch.values["handles_not_in_roster"] == ["@mallory"]
    assert mismatch.values["handles_emeritus"] == ["@oldtimer"]
