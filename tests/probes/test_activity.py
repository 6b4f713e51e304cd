"""Identity merging, bot filtering and the activity probes, over synthetic commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from memrepo import MemoryRepoView

from dd_evidence.activity import build_activity, is_bot, last_quarters, name_key, noreply_login
from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.facts.people import Person
from dd_evidence.model import Outcome
from dd_evidence.probes.activity import MaintainersActive, NewContributors, TopCommittersIncludeMaintainers
from dd_evidence.resolve import ProjectRef, RepoRef
from dd_evidence.sources.git import Commit

AS_OF = datetime(2025, 1, 1, tzinfo=UTC)
START = AS_OF - timedelta(days=180)


def commit(name: str, email: str, days_before: float, sha: str | None = None) -> Commit:
    when = AS_OF - timedelta(days=days_before)
    sha = sha or f"{abs(hash((name, email, days_before))):040x}"[:40]
    return Commit(sha, name, email, when, when, "change")


def test_bots_are_recognised() -> None:
    assert is_bot("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
    assert is_bot("renovate", "renovate@whitesourcesoftware.com")
    assert is_bot("github-actions", "41898282+github-actions[bot]@users.noreply.github.com")
    assert is_bot("Release Bot", "release-bot@example.org")
    assert not is_bot("Ada Example", "ada@example.org")
    assert not is_bot("Abbot Smith", "abbot@example.org")


def test_identity_helpers() -> None:
    assert noreply_login("12345+ada-x@users.noreply.github.com") == "ada-x"
    assert noreply_login("ada-x@users.noreply.github.com") == "ada-x"
    assert noreply_login("ada@example.org") is None
    assert name_key("Yang, Kai") == name_key("kai yang")
    assert name_key("root") is None


def test_identities_merge_by_email_noreply_and_name() -> None:
    commits = [
        ("core", commit("Ada Example", "ada@work.example", 10)),
        ("core", commit("Ada Example", "ada@home.example", 20)),  # same name
        ("docs", commit("ada-x", "999+ada-x@users.noreply.github.com", 30)),  # login as name
        ("docs", commit("ada-x", "ada@home.example", 40)),  # bridges the login to the e-mail
        ("core", commit("Bo", "bo@example.org", 5)),
        ("core", commit("dependabot[bot]", "1+dependabot[bot]@users.noreply.github.com", 1)),
        ("core", commit("Old", "old@example.org", 400)),  # outside the window
    ]
    facts = build_activity(commits, [], [], START, AS_OF)
    ranked = facts.ranked
    assert [(c.label, c.window_commits) for c in ranked] == [("ada-x", 4), ("Bo", 1)]
    assert ranked[0].repos == {"core": 2, "docs": 2}
    assert facts.bot_commits == 1
    assert facts.window_total == 5


def test_roster_people_match_by_email_handle_or_name() -> None:
    roster = [
        Person("Kenny Mc", "kenny-m", "kenny@example.org", "Acme"),
        Person("Kai Yang", "kyang", None, "Beta"),
        Person("Idle Person", "idle", "idle@example.org", "Gamma"),
    ]
    commits = [
        ("core", commit("KennyMcCormick", "kenny@example.org", 3)),
        ("core", commit("Yang Kai", "yk@example.org", 4)),
        ("core", commit("Idle Person", "idle@example.org", 300)),  # before the window
    ]
    facts = build_activity(commits, roster, [], START, AS_OF)
    per = {label: (c.window_commits if c else 0) for label, c in facts.maintainers.items()}
    assert per == {"kenny-m": 1, "kyang": 1, "idle": 0}
    assert {c.label for c in facts.ranked if c.maintainer} == {"kenny-m", "kyang"}


def test_last_quarters() -> None:
    assert last_quarters(datetime(2025, 2, 10, tzinfo=UTC)) == ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]


class HistoryRepoView(MemoryRepoView):
    """An in-memory repo that also has a history."""

    def __init__(self, name: str, files: dict[str, str], commits: list[Commit], role: str = "other"):
        super().__init__("acme", name, files, role=role)
        self._commits = commits

    def log(self, paths=(), since=None, with_paths=False):  # type: ignore[no-untyped-def]
        return list(self._commits)


ROSTER = """# Maintainers

| GitHub | Name | Email | Company |
|---|---|---|---|
| @ada | Ada Example | ada@example.org | Acme |
| @bo | Bo Sample | bo@example.org | Beta |
| @cy | Cy Idle | cy@example.org | Gamma |
"""


def _ctx(commits: list[Commit]) -> ScanContext:
    views = [
        HistoryRepoView("acme", {"README.md": "# Acme"}, commits, role="main"),
        HistoryRepoView("community", {"MAINTAINERS.md": ROSTER}, [], role="community"),
    ]
    ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=RepoRef("acme", "acme", "main"))
    return ScanContext(ScanConfig(as_of=AS_OF, window_days=180), ref, views)


def _history() -> list[Commit]:
    history = [commit("Ada Example", "ada@example.org", d) for d in range(1, 30)]
    history += [commit(f"Helper {i}", f"h{i}@example.org", 2 + i) for i in range(11)]
    history += [commit("Bo Sample", "bo@example.org", 100)]
    history += [commit("dependabot[bot]", "x[bot]@users.noreply.github.com", d) for d in range(1, 60)]
    return history


def test_top_committers_probe() -> None:
    (finding,) = TopCommittersIncludeMaintainers().run(_ctx(_history()))
    assert finding.outcome is Outcome.TRUE
    values = finding.values
    assert values["top10"][0] == {
        "login": "ada",
        "commits": 29,
        "maintainer": True,
        "subproject_maintainer": False,
        "repos": {"acme": 29},
    }
    # Bo's single commit ties with eleven helpers at the last place; ties are broken by name, and reported.
    assert values["maintainers_in_top10"] == 2
    assert values["human_commits"] == 41
    assert values["bot_commits"] == 59
    assert values["top_share"] == round(29 / 41, 3)
    assert values["window_start"] == "2024-07-05"
    assert len(values["tied_at_last_place_left_out"]) == 3


def test_maintainers_active_probe() -> None:
    (finding,) = MaintainersActive().run(_ctx(_history()))
    assert finding.outcome is Outcome.TRUE  # 2 of 3 >= half
    assert finding.values["inactive"] == ["cy"]
    assert finding.values["commits"] == {"ada": 29, "bo": 1, "cy": 0}
    only_ada = [c for c in _history() if c.author_name != "Bo Sample"]
    (finding,) = MaintainersActive().run(_ctx(only_ada))
    assert finding.outcome is Outcome.FALSE


def test_no_history_is_not_available() -> None:
    (finding,) = MaintainersActive().run(_ctx([]))
    assert finding.outcome is Outcome.NOT_AVAILABLE


def test_new_contributors_per_quarter() -> None:
    history = [
        commit("Early", "early@example.org", 800),
        commit("Early", "early@example.org", 10),  # not new: first commit long ago
        commit("Q1", "q1@example.org", 300),
        commit("Q3", "q3@example.org", 100),
        commit("Q4a", "q4a@example.org", 20),
        commit("Q4b", "q4b@example.org", 40),
    ]
    (finding,) = NewContributors().run(_ctx(history))
    assert finding.values["per_quarter"] == {"2024Q1": 1, "2024Q2": 0, "2024Q3": 1, "2024Q4": 2}
    assert finding.outcome is Outcome.FALSE
