"""Release history from synthetic tags: windows, pre-releases, cadence, later tags ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from memrepo import MemoryRepoView

from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.model import Outcome
from dd_evidence.probes.release_history import DATED_CAP, RegularReleaseHistory, parse_release, summarise
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


def test_timeline_lists_dated_releases_of_every_tagged_repo() -> None:
    main = TaggedRepo(
        "acme",
        [
            _tag("v0.1.0", 800),  # before the 24-month window
            _tag("v1.0.0", 700),
            _tag("v1.1.0-rc.0", 40),
            _tag("chart-1.0.0", 30),  # a component tag, not a product release
            _tag("v1.1.0", 20),
            _tag("v9.9.9", -1),  # after the as-of instant
        ],
        role="main",
    )
    other = TaggedRepo("helper", [_tag("v0.2.0", 10, annotated=False)])
    untagged = TaggedRepo("docs", [_tag("latest", 5)])
    (finding,) = RegularReleaseHistory().run(_ctx(main, other, untagged))
    timeline = finding.values["release_timeline"]
    assert (timeline["start"], timeline["end"]) == (AS_OF - timedelta(days=730), AS_OF)
    assert set(timeline["repos"]) == {"acme/acme", "acme/helper"}
    acme = timeline["repos"]["acme/acme"]
    assert [(r["tag"], r["stable"]) for r in acme["releases"]] == [
        ("v1.0.0", True),
        ("v1.1.0-rc.0", False),
        ("v1.1.0", True),
    ]
    assert acme["releases"][2]["date"] == (AS_OF - timedelta(days=20)).isoformat()
    assert acme["omitted"] == 0
    assert timeline["repos"]["acme/helper"]["releases"] == [
        {"tag": "v0.2.0", "date": "2025-09-05T00:00:00+00:00", "stable": True}
    ]


def test_timeline_dates_are_utc() -> None:
    tag = Tag("v1.0.0", datetime(2025, 9, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))), "c" * 40, True)
    (finding,) = RegularReleaseHistory().run(_ctx(TaggedRepo("acme", [tag], role="main")))
    (release,) = finding.values["release_timeline"]["repos"]["acme/acme"]["releases"]
    assert release["date"] == "2025-09-01T00:00:00+00:00"


def test_timeline_cap_keeps_the_newest_and_counts_the_older_ones() -> None:
    # 80 releases in the window, every fourth a release candidate: the cap of 60 leaves out the 20 oldest.
    tags = [_tag(f"v1.{i}.0" + ("-rc.0" if i % 4 == 0 else ""), 5 + i * 8) for i in range(80)]
    tags.append(_tag("v0.9.0", 731))  # outside the window: neither listed nor counted as left out
    entry = summarise(tags, AS_OF).timeline_entry()
    assert entry["omitted"] == 20
    listed = entry["releases"]
    assert len(listed) == DATED_CAP == 60
    assert [r["tag"] for r in listed] == [f"v1.{i}.0" + ("-rc.0" if i % 4 == 0 else "") for i in range(59, -1, -1)]
    assert sum(not r["stable"] for r in listed) == 15


def test_release_lines_tagged_on_one_day_are_one_release_event() -> None:
    """Patches of three release lines on one day every fortnight: the cadence is fourteen days, not zero."""
    tags = [_tag(f"v1.{minor}.{n}", 10 + 14 * n + minor / 1440) for n in range(6) for minor in (16, 17, 18)]
    summary = summarise(tags, AS_OF)
    assert len(summary.stable_in_window) == 18
    assert summary.median_days_between_stable == 14.0 and summary.values()["stable_release_days"] == 6
    (finding,) = RegularReleaseHistory().run(_ctx(TaggedRepo("acme", tags, role="main")))
    assert "18 stable and 0 pre-releases" in finding.message
    assert "tagged on 6 days, median 14 days apart" in finding.message
