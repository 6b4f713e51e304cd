"""The LFX Insights client replayed from hand-written vcrpy cassettes in the documented shapes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import vcr

from dd_evidence.errors import RateLimited, SourceUnavailable
from dd_evidence.sources.http import HttpClient
from dd_evidence.sources.lfx import LfxClient

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "lfx"
REPLAY = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",  # never touch the network: a request missing from a cassette fails the test
    filter_headers=["authorization"],
    match_on=["method", "scheme", "host", "port", "path", "query"],
)
START, END = date(2025, 3, 19), date(2025, 9, 14)


@pytest.fixture
def client() -> Iterator[LfxClient]:
    http = HttpClient(sleep=lambda _s: None, now=lambda: 1_760_000_000.0)
    yield LfxClient(http)
    http.close()


def test_documented_insights(client: LfxClient) -> None:
    with REPLAY.use_cassette("insights.yaml"):
        insights = client.insights("d7y")
    assert (insights.slug, insights.name) == ("d7y", "Dragonfly")
    assert (insights.contributor_count, insights.organization_count) == (412, 61)
    assert (insights.active_contributors_365d, insights.active_organizations_365d) == (96, 17)
    assert (insights.organization_dependency_count, insights.organization_dependency_percentage) == (2, 61.2)
    assert insights.health_scores["healthScore"] == 78.0
    assert insights.html_url == "https://insights.linuxfoundation.org/project/d7y"
    assert insights.retrieved_at is not None
    assert client.http.counts()["lfx"] == 1


def test_insights_memoised_failures_too(client: LfxClient) -> None:
    with REPLAY.use_cassette("insights.yaml", allow_playback_repeats=True):
        assert client.insights("d7y") is client.insights("d7y")
        for _ in range(2):
            with pytest.raises(SourceUnavailable, match="HTTP 404"):
                client.insights("no-such-project")
    assert client.http.counts()["lfx"] == 2


def test_widgets(client: LfxClient) -> None:
    with REPLAY.use_cassette("widgets.yaml"):
        everyone = client.contributor_leaderboard("d7y", START, END)
        commits = client.contributor_leaderboard("d7y", START, END, "authored-commit", 1)
        orgs = client.organization_leaderboard("d7y", START, END)
        people_dep = client.dependency("d7y", "contributors", START, END)
        org_dep = client.dependency("d7y", "organizations", START, END)
    assert everyone.total == 58 and everyone.entries[0].handles == ("ada-lantern",)
    assert (commits.total, commits.entries[0].contributions) == (41, 210)
    assert orgs.total == 14 and [e.name for e in orgs.entries][:2] == ["Ant Group", "Alibaba Group"]
    assert (people_dep.top_count, people_dep.top_percentage) == (4, 52.2)
    assert (org_dep.top_count, org_dep.other_count, len(org_dep.top)) == (2, 12, 4)


@pytest.mark.parametrize(
    "call, detail",
    [
        (lambda c: c.insights("d7y"), "missing contributorCount, activeContributorsLast365Days"),
        (lambda c: c.contributor_leaderboard("d7y", START, END), "'meta' and a 'data' list"),
        (lambda c: c.contributor_leaderboard("d7y", START, END, "authored-commit", 1), "row has no name"),
        (lambda c: c.contributor_leaderboard("d7y", START, END, "pull_request-opened", 1), "'meta' and a 'data'"),
        (lambda c: c.organization_leaderboard("d7y", START, END), "meta.total is not a number"),
        (lambda c: c.dependency("d7y", "contributors", START, END), "'topContributors' lacks"),
        (lambda c: c.dependency("d7y", "organizations", START, END), "'topOrganizations' lacks"),
    ],
    ids=["insights", "leaderboard-renamed", "row-renamed", "not-an-object", "no-total", "dep-renamed", "dep-type"],
)
def test_changed_shape_is_unavailable(client: LfxClient, call, detail: str) -> None:
    with REPLAY.use_cassette("changed-shape.yaml"), pytest.raises(SourceUnavailable) as caught:
        call(client)
    assert caught.value.source == "lfx"
    assert caught.value.reason.startswith("unexpected answer shape: ") and detail in caught.value.reason


def test_rate_limit_beyond_bound(client: LfxClient) -> None:
    with REPLAY.use_cassette("rate-limited.yaml"), pytest.raises(RateLimited):
        client.insights("d7y")
    assert client.http.counts()["rate_limited"] == 1


def test_reset_is_seconds_until_reset_and_the_host_is_not_asked_again(client: LfxClient) -> None:
    """LFX sends X-RateLimit-Reset as seconds to wait (300), without Retry-After. Read as a Unix time it would be
    long past, so the client would wait one second and retry three times, each refused request prolonging the
    block. The cassette holds one answer: a second request fails the test."""
    with REPLAY.use_cassette("rate-limited.yaml"):
        with pytest.raises(RateLimited) as caught:
            client.insights("d7y")
        assert caught.value.reset_in == pytest.approx(300)
        assert "resets in 300 s" in caught.value.reason
        # Every later LFX question fails at once, without a request, naming the reset time.
        with pytest.raises(RateLimited, match="not asked again in this scan"):
            client.contributor_leaderboard("d7y", START, END)
    assert client.http.counts()["lfx"] == 1 and client.http.counts()["not_sent"] == 1
    (warning,) = client.http.warnings()
    assert warning.startswith("lfx (insights.linuxfoundation.org): the rate limit is exhausted until ")


def test_offline_makes_no_request() -> None:
    client = LfxClient(HttpClient(offline=True))
    with pytest.raises(SourceUnavailable, match="offline"):
        client.insights("d7y")
    assert client.http.counts()["total"] == 0
