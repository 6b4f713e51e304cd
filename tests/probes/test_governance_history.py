"""Roster events and governance iteration from real local git histories of synthetic repos."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitfixture import git, make_repo
from memrepo import context

from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.model import Outcome, RepoScan
from dd_evidence.probes.governance_history import (
    GovernanceIterated,
    GovernanceUpToDate,
    LifecycleUsed,
    pr_number,
    roster_events,
)
from dd_evidence.repoview import GitRepoView
from dd_evidence.resolve import ProjectRef, RepoRef
from dd_evidence.sources.git import GitRepo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

HEADER = "# Maintainers\n\n| GitHub | Name | Company |\n| --- | --- | --- |\n"
EMERITUS = "\n## Emeritus Maintainers\n\n| GitHub | Name | Company |\n| --- | --- | --- |\n"


def _row(handle: str, name: str, company: str = "Widgets Inc") -> str:
    return f"| [{handle}](https://github.com/{handle}) | {name} | {company} |\n"


def _roster(active: list[tuple[str, str]], emeritus: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    text = HEADER + "".join(_row(h, n) for h, n in active)
    if emeritus:
        text += EMERITUS + "".join(_row(h, n) for h, n in emeritus)
    return text


def _view(repo: Path, name: str, role: str = "community") -> GitRepoView:
    sha = git(repo, "rev-parse", "HEAD").strip()
    scan = RepoScan(owner="acme", name=name, role=role, url=str(repo), sha=sha)
    return GitRepoView(scan, f"https://github.com/acme/{name}", GitRepo(repo))


def _ctx(*views: GitRepoView, as_of: datetime) -> ScanContext:
    ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=RepoRef("acme", "acme", "main"))
    return ScanContext(ScanConfig(as_of=as_of), ref, list(views))


def _make(root: Path, commits, messages):  # type: ignore[no-untyped-def]
    """Like ``gitfixture.make_repo`` but with our own commit subjects, so PR numbers can be read from them."""
    repo = root / "acme" / "community"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for (date, files), message in zip(commits, messages, strict=True):
        for path, content in files.items():
            if content is None:
                git(repo, "rm", "-q", path)
                continue
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(content)
            git(repo, "add", path)
        git(repo, "commit", "-q", "-m", message, date=date)
    return repo


@pytest.fixture
def community(tmp_path: Path) -> Path:
    commits = [
        ("2024-01-10T10:00:00+00:00", {"MAINTAINERS.md": _roster([("ada", "Ada"), ("bob", "Bob")])}),
        ("2024-03-01T10:00:00+00:00", {"GOVERNANCE.md": "# Governance\n\nVersion one.\n"}),
        ("2025-02-01T10:00:00+00:00", {"MAINTAINERS.md": _roster([("ada", "Ada"), ("bob", "Bob"), ("cy", "Cy")])}),
        (
            "2025-03-01T10:00:00+00:00",
            {"MAINTAINERS.md": _roster([("ada", "Ada"), ("cy", "Cy")], [("bob-old", "Bob")])},
        ),
        # The roster moves to roles/: nobody joins or leaves.
        (
            "2025-04-01T10:00:00+00:00",
            {
                "MAINTAINERS.md": None,
                "roles/Maintainers.md": _roster([("ada", "Ada"), ("cy", "Cy")], [("bob-old", "Bob")]),
            },
        ),
        ("2025-05-01T10:00:00+00:00", {"GOVERNANCE.md": "# Governance\n\nVersion two.\n", "src/x.go": "package x\n"}),
    ]
    messages = [
        "docs: first roster (#1)",
        "docs: governance (#2)",
        "docs: add maintainer cy (#3)",
        "chore: move bob to emeritus (#4)",
        "docs: move roster to roles (#5)",
        "docs: governance v2 (#6)",
    ]
    return _make(tmp_path, commits, messages)


def test_pr_number_forms() -> None:
    assert pr_number("docs: add new maintainer x (#67)") == 67
    assert pr_number("Merge pull request #12 from a/b") == 12
    assert pr_number("no number here") is None


def test_roster_events_follow_moves_and_renamed_handles(community: Path) -> None:
    ctx = _ctx(_view(community, "community"), as_of=datetime(2025, 9, 15, tzinfo=UTC))
    events = roster_events(ctx, ctx.repos[0])
    assert events is not None
    assert [(e.kind, e.person, e.pr) for e in events] == [("added", "cy", 3), ("moved_to_emeritus", "bob", 4)]
    assert events[0].date.date().isoformat() == "2025-02-01"
    finding = list(LifecycleUsed().run(ctx))[0]
    assert finding.outcome is Outcome.TRUE
    assert "/commit/" in finding.evidence[0].url


def test_lifecycle_unused_when_changes_are_old(community: Path) -> None:
    ctx = _ctx(_view(community, "community"), as_of=datetime(2028, 1, 1, tzinfo=UTC))
    assert list(LifecycleUsed().run(ctx))[0].outcome is Outcome.FALSE


def test_governance_iterated_counts_commits_and_prs(community: Path) -> None:
    ctx = _ctx(_view(community, "community"), as_of=datetime(2025, 9, 15, tzinfo=UTC))
    finding = list(GovernanceIterated().run(ctx))[0]
    assert finding.outcome is Outcome.TRUE
    assert finding.values["count"] == 6
    assert finding.values["by_half_year"] == {"2024H1": 2, "2025H1": 4}
    assert "community#6" in finding.values["prs"]
    # Only governance paths are listed per commit, never the code that changed with them.
    assert finding.values["commits"][-1]["paths"] == ["GOVERNANCE.md"]
    later = _ctx(_view(community, "community"), as_of=datetime(2028, 1, 1, tzinfo=UTC))
    assert list(GovernanceIterated().run(later))[0].outcome is Outcome.FALSE


def test_history_probes_need_git() -> None:
    ctx = context({"acme": {"README.md": "# Acme\n", "MAINTAINERS.md": _roster([("ada", "Ada")])}})
    assert list(LifecycleUsed().run(ctx))[0].outcome is Outcome.NOT_AVAILABLE
    assert list(GovernanceIterated().run(ctx))[0].outcome is Outcome.NOT_AVAILABLE


def test_up_to_date_flags_maintainers_without_recent_commits(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        "acme",
        "community",
        [("2025-06-01T10:00:00+00:00", {"MAINTAINERS.md": _roster([("ada", "Ada Example"), ("zed", "Zed Quiet")])})],
    )
    view = _view(repo, "community")
    finding = list(GovernanceUpToDate().run(_ctx(view, as_of=datetime(2025, 9, 15, tzinfo=UTC))))[0]
    assert finding.outcome is Outcome.FALSE
    assert [i["person"] for i in finding.values["inactive_maintainers"]] == ["zed"]


def test_a_maintainer_added_recently_is_not_called_inactive(tmp_path: Path) -> None:
    commits = [
        ("2024-01-10T10:00:00+00:00", {"MAINTAINERS.md": _roster([("ada", "Ada Example"), ("zed", "Zed Quiet")])}),
        (
            "2025-08-01T10:00:00+00:00",
            {"MAINTAINERS.md": _roster([("ada", "Ada Example"), ("zed", "Zed Quiet"), ("nia", "Nia New")])},
        ),
    ]
    repo = make_repo(tmp_path, "acme", "community", commits)
    ctx = _ctx(_view(repo, "community"), as_of=datetime(2025, 9, 15, tzinfo=UTC))
    maintainers, dates = GovernanceUpToDate().run(ctx)
    assert maintainers.outcome is Outcome.FALSE
    assert [i["person"] for i in maintainers.values["inactive_maintainers"]] == ["zed"]
    assert maintainers.values["recently_added"] == ["nia"]
    # The other aspect holds, so the criterion reads partial rather than not met.
    assert dates.outcome is Outcome.TRUE and dates.subject == "acme: meeting and election dates"
