from __future__ import annotations

from datetime import UTC, datetime

from memrepo import context

from dd_evidence.context import ScanContext
from dd_evidence.model import Outcome
from dd_evidence.probes.roadmap import RoadmapChangeProcessDocumented, RoadmapIsCurrent, newest_stable
from dd_evidence.sources.git import Tag

ROADMAP = """# Acme Roadmap

Plans for the year.

## Current Release

The current Acme release is v1.4 and the next is v1.5.

## Ideas

Open an issue with your idea.
"""
WITH_PROCESS = ROADMAP + "\nRoadmap items are proposed in an issue and approved by lazy consensus of the leads.\n"


def _tags(ctx: ScanContext, *names: tuple[str, str]) -> ScanContext:
    tags = [Tag(name, datetime.fromisoformat(day).replace(tzinfo=UTC), "c" * 40, True) for name, day in names]
    ctx.main_repo.tags = lambda: tags  # type: ignore[method-assign]
    return ctx


def test_change_process_found_next_to_roadmap_items() -> None:
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"ROADMAP.md": WITH_PROCESS}}))
    assert f.outcome is Outcome.TRUE
    assert f.evidence[0].url.endswith("ROADMAP.md#L13")


def test_change_process_in_governance_counts() -> None:
    gov = "# Gov\n\nRules.\n\n## Roadmap\n\nThe leads vote on changes to the roadmap.\n"
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"ROADMAP.md": ROADMAP, "GOVERNANCE.md": gov}}))
    assert f.outcome is Outcome.TRUE
    assert "GOVERNANCE.md" in f.message


def test_no_change_process() -> None:
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"ROADMAP.md": ROADMAP}}))
    assert f.outcome is Outcome.FALSE
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"README.md": "# Acme\n"}}))
    assert f.outcome is Outcome.NOT_APPLICABLE


def test_roadmap_current_when_it_names_the_newest_minor() -> None:
    ctx = _tags(context({"acme": {"ROADMAP.md": ROADMAP}}), ("v1.3.0", "2024-01-01"), ("v1.4.2", "2024-06-01"))
    (f,) = RoadmapIsCurrent().run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.values == {"roadmap_current": "1.4", "newest_stable_tag": "v1.4.2", "newest_stable_minor": "1.4"}
    assert f.evidence[0].url.endswith("ROADMAP.md#L7")


def test_roadmap_stale_when_a_newer_stable_minor_exists() -> None:
    tags = (("v1.4.0", "2024-01-01"), ("v1.6.0-rc.1", "2024-05-01"), ("v1.5.1", "2024-06-01"))
    (f,) = RoadmapIsCurrent().run(_tags(context({"acme": {"ROADMAP.md": ROADMAP}}), *tags))
    assert f.outcome is Outcome.FALSE
    assert f.values["newest_stable_tag"] == "v1.5.1"


def test_tags_after_as_of_are_ignored() -> None:
    tags = [("v1.4.0", datetime(2024, 1, 1, tzinfo=UTC)), ("v1.5.0", datetime(2024, 9, 1, tzinfo=UTC))]
    assert newest_stable(tags, datetime(2024, 6, 1, tzinfo=UTC)) == ("v1.4.0", 1, 4)
    pre_release_only = [("v2.0.0-beta.1", datetime(2024, 1, 1, tzinfo=UTC))]
    assert newest_stable(pre_release_only, datetime(2025, 1, 1, tzinfo=UTC)) is None


def test_no_version_named_or_no_tags() -> None:
    (f,) = RoadmapIsCurrent().run(context({"acme": {"ROADMAP.md": "# Roadmap\n\nFaster widgets.\n"}}))
    assert f.outcome is Outcome.NOT_APPLICABLE
    (f,) = RoadmapIsCurrent().run(context({"acme": {"ROADMAP.md": ROADMAP}}))
    assert f.outcome is Outcome.NOT_AVAILABLE


def test_a_roadmap_that_only_points_to_a_board_is_not_a_process() -> None:
    board = (
        "# Roadmap\n\nThe roadmap is kept as a [GitHub project](https://github.com/orgs/acme/projects/1).\n\n"
        "## Milestones\n\nEach milestone lists the issues planned for a release.\n"
    )
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"ROADMAP.md": board}}))
    assert f.outcome is Outcome.FALSE


def test_a_governance_listing_the_roadmap_among_decisions_is_not_a_roadmap_process() -> None:
    gov = "# Gov\n\n## Decisions\n\nChanges to the roadmap, the scope and this document need a maintainer vote.\n"
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"ROADMAP.md": ROADMAP, "GOVERNANCE.md": gov}}))
    assert f.outcome is Outcome.FALSE


def test_a_roadmap_section_of_the_governance_with_a_change_procedure() -> None:
    gov = (
        "# Gov\n\n## Roadmap\n\n### Changes in the roadmap\n\n- Changes are proposed as a pull request.\n"
        "- Maintainers decide by a majority vote.\n"
    )
    ctx = context({"acme": {"README.md": "# Acme\n"}, "community": {"ROADMAP.md": ROADMAP, "GOVERNANCE.md": gov}})
    (f,) = RoadmapChangeProcessDocumented().run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.evidence[0].url.endswith("GOVERNANCE.md#L8")


def test_old_yearly_roadmaps_are_history_not_the_process() -> None:
    old = "# 2021 Roadmap\n\n## Items\n\nRoadmap items were proposed in issues and approved by the leads.\n"
    files = {"ROADMAP.md": ROADMAP, "reviews/2021/ROADMAP.md": old}
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": files}))
    assert f.outcome is Outcome.FALSE
    assert f.values["checked"] == ["acme/ROADMAP.md"]


def test_a_roadmap_untouched_for_over_a_year_is_stale(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    import pytest
    from gitfixture import git, make_repo

    from dd_evidence.context import ScanConfig, ScanContext
    from dd_evidence.model import RepoScan
    from dd_evidence.probes.roadmap import RoadmapRecentlyUpdated
    from dd_evidence.repoview import GitRepoView
    from dd_evidence.resolve import ProjectRef, RepoRef
    from dd_evidence.sources.git import GitRepo

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    commits = [
        ("2023-03-01T10:00:00+00:00", {"ROADMAP.md": ROADMAP}),
        ("2024-09-01T10:00:00+00:00", {"src/main.go": "package main\n"}),
    ]
    repo = make_repo(tmp_path, "acme", "acme", commits)
    sha = git(repo, "rev-parse", "HEAD").strip()
    view = GitRepoView(RepoScan("acme", "acme", "main", str(repo), sha), "https://github.com/acme/acme", GitRepo(repo))
    ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=RepoRef("acme", "acme", "main"))

    def run(as_of: datetime) -> Outcome:
        ctx = ScanContext(ScanConfig(as_of=as_of, offline=True, parse_cache=False), ref, [view])
        (finding,) = RoadmapRecentlyUpdated().run(ctx)
        return finding.outcome

    assert run(datetime(2024, 10, 15, tzinfo=UTC)) is Outcome.FALSE  # 19 months after its last edit
    assert run(datetime(2023, 12, 1, tzinfo=UTC)) is Outcome.TRUE


def test_recently_updated_needs_git_history() -> None:
    from dd_evidence.probes.roadmap import RoadmapRecentlyUpdated

    (finding,) = RoadmapRecentlyUpdated().run(context({"acme": {"ROADMAP.md": ROADMAP}}))
    assert finding.outcome is Outcome.NOT_AVAILABLE


def test_a_page_that_only_says_where_the_roadmaps_are_is_not_the_roadmap() -> None:
    pointer = "Roadmap\n=======\n\nEach sub-project keeps its own roadmap in the ROADMAP.md of its repository.\n"
    ctx = context(
        {"acme": {"ROADMAP.md": ROADMAP}, "community": {"ROADMAP.md": pointer}}, roles={"community": "community"}
    )
    (f,) = RoadmapChangeProcessDocumented().run(ctx)
    assert f.values["checked"][0] == "acme/ROADMAP.md"


def test_quarterly_pages_beside_an_index_are_history() -> None:
    index = "# Roadmap\n\nThe Q4 plan.\n\n## Goals\n\nShip it.\n"
    old = "# Q1 roadmap\n\n## How\n\nItems were proposed in issues and approved by maintainers.\n"
    files = {"docs/roadmap/index.md": index, "docs/roadmap/2024-q1.md": old}
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"README.md": "# Acme\n"}, "acme.io": files}))
    assert f.outcome is Outcome.FALSE
    assert f.values["checked"] == ["acme.io/docs/roadmap/index.md"]


def test_a_changes_section_discussed_in_meetings_is_a_process() -> None:
    text = ROADMAP + (
        "\n## Changes to this Roadmap\n\nChanges take the form of pull requests posted to the dev channel.\n"
        "Significant changes are discussed in a steering meeting before merging.\n"
    )
    (f,) = RoadmapChangeProcessDocumented().run(context({"acme": {"ROADMAP.md": text}}))
    assert f.outcome is Outcome.TRUE
