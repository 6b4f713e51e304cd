"""The LFX probes over an in-memory context and the hand-written LFX cassettes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import vcr
from memrepo import context

from dd_evidence.context import ScanContext
from dd_evidence.model import Finding, Outcome
from dd_evidence.probes.lfx import LfxContributorActivity, LfxOrganisationDiversity
from dd_evidence.sources.http import HttpClient

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "lfx"
REPLAY = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    filter_headers=["authorization"],
    match_on=["method", "scheme", "host", "port", "path", "query"],
)


def scan_ctx(slug: str | None = "d7y", offline: bool = False) -> ScanContext:
    ctx = context({"acme": {"README.md": "# Acme\n"}})
    ctx.project = dataclasses.replace(ctx.project, lfx_slug=slug)
    ctx.config.offline = offline
    ctx.config.as_of = datetime(2025, 9, 15, tzinfo=UTC)  # window 2025-03-19 .. 2025-09-14, as in the cassettes
    http = HttpClient(offline=offline, sleep=lambda _s: None)
    ctx.client("http", lambda: http)
    return ctx


def run(ctx: ScanContext, cassette: str | None) -> tuple[Finding, Finding]:
    if cassette is None:
        return next(iter(LfxContributorActivity().run(ctx))), next(iter(LfxOrganisationDiversity().run(ctx)))
    with REPLAY.use_cassette(cassette, allow_playback_repeats=True):
        return next(iter(LfxContributorActivity().run(ctx))), next(iter(LfxOrganisationDiversity().run(ctx)))


def test_contributor_activity_and_organisation_share() -> None:
    ctx = scan_ctx()
    with REPLAY.use_cassette("widgets.yaml"):
        (activity,) = LfxContributorActivity().run(ctx)
        (diversity,) = LfxOrganisationDiversity().run(ctx)
    assert activity.outcome is Outcome.TRUE
    v = activity.values
    assert v["source"] == "lfx" and (v["window_start"], v["window_end"]) == ("2025-03-19", "2025-09-14")
    assert (v["active_contributors_365d"], v["active_organisations_365d"]) == (96, 17)
    assert (v["window_active_contributors"], v["window_active_organisations"]) == (58, 14)
    assert (v["window_commit_authors"], v["window_commits_estimated"]) == (41, 1200)  # 210 is 17.5 %
    assert (v["window_pr_authors"], v["window_prs_estimated"]) == (37, 1000)
    assert v["health_scores"]["healthScore"] == 78.0 and v["unavailable"] == {}
    assert v["top_contributors"][0] == {
        "name": "Ada Lantern",
        "handles": ["ada-lantern"],
        "contributions": 640,
        "share": 21.3,
    }
    assert "96 contributors and 17 organisations active in the last 365 days" in activity.message
    assert activity.evidence[0].url == "https://insights.linuxfoundation.org/project/d7y"

    assert diversity.outcome is Outcome.TRUE
    d = diversity.values
    assert (d["top_organisation"], d["top_share"], d["organisations"]) == ("Ant Group", 0.4, 14)
    assert (d["elephant_factor"], d["elephant_share"]) == (2, 61.0)
    assert d["organisation_dependency_all_time"] == {"count": 2, "percentage": 61.2}
    assert "Ant Group made 40% of contributions" in diversity.message
    # Both probes share the client's answers: one request per route.
    assert ctx.client("http", lambda: None).counts()["lfx"] == 7


def test_majority_organisation_is_false_and_individuals_are_not_an_organisation() -> None:
    from dd_evidence.sources.lfx import Leaderboard, LeaderboardEntry, LfxClient, lfx_client

    ctx = scan_ctx()
    board = Leaderboard(
        "organizations",
        "all",
        *(datetime(2025, 3, 19).date(), datetime(2025, 9, 14).date()),
        total=3,
        entries=(LeaderboardEntry("Individual - No Account", 70, 70.0), LeaderboardEntry("Acme Corp", 60, 60.0)),
        url="u",
        retrieved_at=None,
    )

    class Scripted(LfxClient):
        def organization_leaderboard(self, *args: object, **kwargs: object) -> Leaderboard:
            return board

    ctx.client("lfx", lambda: Scripted(HttpClient(offline=True)))
    assert isinstance(lfx_client(ctx), Scripted)
    (finding,) = LfxOrganisationDiversity().run(ctx)
    assert finding.outcome is Outcome.FALSE and finding.values["top_organisation"] == "Acme Corp"
    assert set(finding.values["unavailable"]) == {"dependency", "insights"}  # offline: shown, not fatal


def test_no_slug_is_not_applicable() -> None:
    activity, diversity = run(scan_ctx(slug=None), None)
    assert activity.outcome is Outcome.NOT_APPLICABLE and diversity.outcome is Outcome.NOT_APPLICABLE


def test_offline_is_not_available() -> None:
    activity, diversity = run(scan_ctx(offline=True), None)
    assert activity.outcome is Outcome.NOT_AVAILABLE and "offline" in activity.message
    assert diversity.outcome is Outcome.NOT_AVAILABLE and "offline" in diversity.message


def test_changed_shape_is_not_available() -> None:
    activity, diversity = run(scan_ctx(), "changed-shape.yaml")
    assert activity.outcome is Outcome.NOT_AVAILABLE and "unexpected answer shape" in activity.message
    assert diversity.outcome is Outcome.NOT_AVAILABLE and "unexpected answer shape" in diversity.message


def test_widgets_changed_but_documented_endpoint_fine() -> None:
    """The documented figures still count; the undocumented ones are listed as unavailable with the reason."""
    ctx = scan_ctx()
    with REPLAY.use_cassette("widgets-changed.yaml"):
        (activity,) = LfxContributorActivity().run(ctx)
    assert activity.outcome is Outcome.TRUE
    assert set(activity.values["unavailable"]) == {"all", "commits", "prs", "organizations", "dependency"}
    assert activity.values["window_active_contributors"] is None
    assert "not available: all, commits, dependency, organizations, prs" in activity.message


def test_rate_limited_is_not_available() -> None:
    with REPLAY.use_cassette("rate-limited.yaml"):
        (activity,) = LfxContributorActivity().run(scan_ctx())
    assert activity.outcome is Outcome.NOT_AVAILABLE and "rate limit" in activity.message.lower()
