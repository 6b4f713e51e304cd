"""activity.top_organisation_share over synthetic commits and a roster with affiliations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from memrepo import MemoryRepoView

from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.model import Outcome
from dd_evidence.probes.activity_orgs import TopOrganisationShare, domain_company
from dd_evidence.resolve import ProjectRef, RepoRef
from dd_evidence.sources.git import Commit

AS_OF = datetime(2025, 1, 1, tzinfo=UTC)
ROSTER = """# Maintainers

| GitHub | Name | Email | Company |
|---|---|---|---|
| @ada | Ada Example | ada@example.org | Acme Inc. |
| @bo | Bo Sample | bo@example.org | Beta Ltd |
| @cy | Cy Free | cy@example.org | Independent |
"""


class HistoryRepoView(MemoryRepoView):
    def __init__(self, name: str, files: dict[str, str], commits: list[Commit], role: str = "other"):
        super().__init__("acme", name, files, role=role)
        self._commits = commits

    def log(self, paths=(), since=None, with_paths=False):  # type: ignore[no-untyped-def]
        return list(self._commits)


def commits(name: str, email: str, count: int, days_before: int = 1) -> list[Commit]:
    when = AS_OF - timedelta(days=days_before)
    return [Commit(f"{abs(hash((name, email, i))):040x}"[:40], name, email, when, when, "x") for i in range(count)]


def ctx_of(history: list[Commit]) -> ScanContext:
    views = [
        HistoryRepoView("acme", {"README.md": "# Acme"}, history, role="main"),
        HistoryRepoView("community", {"MAINTAINERS.md": ROSTER}, [], role="community"),
    ]
    ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=RepoRef("acme", "acme", "main"))
    return ScanContext(ScanConfig(as_of=AS_OF, window_days=180), ref, views)


def test_domain_company() -> None:
    assert domain_company("x@alibaba-inc.com") == "Alibaba Group"
    assert domain_company("x@linux.alibaba.com") == "Alibaba Group"  # subdomain
    assert domain_company("x@gmail.com") is None and domain_company("not-an-email") is None


@pytest.mark.parametrize(
    "history, outcome, top, share, unknown_share",
    [
        # Roster attribution: Ada (Acme) 6 of 10, Bo (Beta) 4.
        (
            commits("Ada Example", "ada@example.org", 6) + commits("Bo Sample", "bo@example.org", 4),
            Outcome.FALSE,
            "Acme",
            0.6,
            0.0,
        ),
        # Three companies, none near half: true even counting unknown commits for the top one.
        (
            commits("ada", "1+ada@users.noreply.github.com", 3)
            + commits("Bo Sample", "bo@example.org", 3)
            + commits("Gee", "gee@google.com", 3)
            + commits("Stranger", "s@example.net", 1),
            Outcome.TRUE,
            "Acme",
            0.3,
            0.1,
        ),
        # 4 of 10 known to Acme, 5 unknown: could be either side of half.
        (
            commits("Ada Example", "ada@example.org", 4)
            + commits("Anon", "anon@example.net", 5)
            + commits("Bo Sample", "bo@example.org", 1),
            Outcome.NOT_AVAILABLE,
            "Acme",
            0.4,
            0.5,
        ),
    ],
    ids=["majority", "spread", "too-many-unknown"],
)
def test_top_organisation_share(
    history: list[Commit], outcome: Outcome, top: str, share: float, unknown_share: float
) -> None:
    (finding,) = TopOrganisationShare().run(ctx_of(history))
    assert finding.outcome is outcome, finding.message
    assert finding.values["top_organisation"] == top
    assert finding.values["top_share"] == share and finding.values["unknown_share"] == unknown_share


def test_independent_maintainer_and_bots_are_not_an_organisation() -> None:
    history = commits("Cy Free", "cy@example.org", 5) + commits("Gee", "gee@google.com", 2)
    history += commits("dependabot[bot]", "1+dependabot[bot]@users.noreply.github.com", 20)
    (finding,) = TopOrganisationShare().run(ctx_of(history))
    values = finding.values
    assert values["human_commits"] == 7 and values["by_organisation"] == {"Google": 2}
    assert values["attributed_by"] == {"roster": 0, "email_domain (weak)": 2}
    assert values["unknown_commits"] == 5
    assert finding.outcome is Outcome.NOT_AVAILABLE  # 2/7 known, 5 unknown


def test_no_history_is_not_available() -> None:
    (finding,) = TopOrganisationShare().run(ctx_of([]))
    assert finding.outcome is Outcome.NOT_AVAILABLE


def test_basis_of_each_organisation_is_kept() -> None:
    history = (
        commits("Ada Example", "ada@example.org", 5)  # Acme, from the roster
        + commits("Gee", "gee@google.com", 2)  # Google, from the e-mail domain only
        + commits("Anon", "anon@example.net", 3)
    )
    (finding,) = TopOrganisationShare().run(ctx_of(history))
    assert finding.values["by_organisation_basis"] == {
        "Acme": {"roster": 5, "email_domain (weak)": 0},
        "Google": {"roster": 0, "email_domain (weak)": 2},
    }
    assert list(finding.values["by_organisation_basis"]) == list(finding.values["by_organisation"])
