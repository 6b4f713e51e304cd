"""Release history from synthetic tags: windows, pre-releases, cadence, later tags ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from memrepo import MemoryRepoView

from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.model import Outcome
from dd_evidence.probes.release_history import RegularReleaseHistory, parse_release, summarise
from dd_evidence.repoview import RepoView
from dd_evidence.resolve import ProjectRef, RepoRef
from dd_evidence.sources.git import Tag

AS_OF = datetime(2025, 9, 15, tzinfo=UTC)


def _tag(name: str, days_before: float, annotated: bool = True) -> Tag:
    return Tag(name=name, date=AS_OF - timedelta(days=days_before), commit="c" * 40, annotated=annotated)


class TaggedRepo(MemoryRepoView):
    def __init__(self, name: str, tags: list[Tag], role: str = "other"):
        super().__init__("acme", name, {"README.md": "# x"}, role=role)
        self._tags = tags

    def tags(self) -> list[Tag]:
        return list(self._tags)


class UntaggableRepo(MemoryRepoView):
    """Stands for a plain directory: no override of tags(), so tags cannot be read."""


def _ctx(*repos: RepoView) -> ScanContext:
    ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=RepoRef("acme", "acme", "main"))
    return ScanContext(ScanConfig(as_of=AS_OF), ref, list(repos))


def test_parse_release_kinds() -> None:
    cases = {
        "v1.2.3": (False, ""),
        "1.2": (False, ""),
        "v2.0.0-rc.1": (True, ""),
        "v2.0.0-beta.0": (True, ""),
        "2.0.0-alpha1": (True, ""),
        "v1.4.9-2": (False, ""),
        "chart-1.0.0": (False, "chart-"),
        "api/v0.1.0": (False, "api/"),
    }
    for name, (pre, prefix) in cases.items():
        release = parse_release(_tag(name, 1))
        assert release is not None, name
        assert (release.prerelease, release.prefix) == (pre, prefix), name
    assert parse_release(_tag("latest", 1)) is None


def test_summary_counts_window_and_ignores_later_tags() -> None:
    tags = [
        _tag("v1.0.0", 400),
        _tag("v1.1.0-rc.0", 210),
        _tag("v1.1.0", 200),
        _tag("v1.2.0", 100, annotated=False),
        _tag("v1.3.0", 30),
        _tag("v9.9.9", -10),  # after the as-of instant: a later clone carries it, the scan must not
        _tag("nightly", 5),
    ]
    summary = summarise(tags, AS_OF)
    values = summary.values()
    assert values["releases_last_12_months"] == {"stable": 3, "prerelease": 1}
    assert values["median_days_between_stable"] == 85.0  # gaps of 100 and 70 days
    assert values["days_since_last_stable"] == 30.0
    assert values["last_stable"]["name"] == "v1.3.0"
    assert values["other_tags"] == 1
    assert values["annotated_share_last_12_months"] == 0.75


def test_regular_history_true() -> None:
    main = TaggedRepo("acme", [_tag("v1.0.0", 150), _tag("v1.1.0", 60)], role="main")
    other = TaggedRepo("helper", [_tag("v0.1.0", 10)])
    (finding,) = RegularReleaseHistory().run(_ctx(main, other))
    assert finding.outcome is Outcome.TRUE
    assert finding.values["other_repos"]["acme/helper"]["releases_last_12_months"] == {"stable": 1, "prerelease": 0}
    assert finding.evidence[0].url == "https://github.com/acme/acme/tags"
    assert finding.evidence[1].url.endswith("/releases/tag/v1.1.0")


def test_stale_history_is_false() -> None:
    main = TaggedRepo("acme", [_tag("v1.0.0", 300), _tag("v1.1.0", 250), _tag("v1.2.0-rc.0", 20)], role="main")
    (finding,) = RegularReleaseHistory().run(_ctx(main))
    assert finding.outcome is Outcome.FALSE
    assert finding.values["days_since_last_stable"] == 250.0


def test_one_stable_release_is_false_and_median_falls_back() -> None:
    main = TaggedRepo("acme", [_tag("v0.9.0", 700), _tag("v1.0.0", 500), _tag("v1.1.0", 20)], role="main")
    (finding,) = RegularReleaseHistory().run(_ctx(main))
    assert finding.outcome is Outcome.FALSE
    assert finding.values["median_basis"] == "the last 3 stable releases"
    assert finding.values["median_days_between_stable"] == 340.0


def test_no_tags_is_false() -> None:
    (finding,) = RegularReleaseHistory().run(_ctx(TaggedRepo("acme", [], role="main")))
    assert finding.outcome is Outcome.FALSE
    assert "no release tags" in finding.message


def test_tags_unreadable_is_not_available() -> None:
    main = UntaggableRepo("acme", "acme", {}, role="main")
    (finding,) = RegularReleaseHistory().run(_ctx(main))
    assert finding.outcome is Outcome.NOT_AVAILABLE
