"""The Scorecard API client replayed from hand-written vcrpy cassettes in the published result shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr
import yaml

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.http import HttpClient
from dd_evidence.sources.scorecard import (
    LEGACY_BASE_URL,
    NoPublishedResult,
    ScorecardCheck,
    ScorecardClient,
    parse_result,
    viewer_url,
)

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "scorecard"
REPLAY = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",  # never touch the network: a request missing from a cassette fails the test
    filter_headers=["authorization"],
    match_on=["method", "scheme", "host", "port", "path", "query"],
)


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient(sleep=lambda _s: None)
    yield client
    client.close()


@pytest.fixture
def client(http: HttpClient) -> ScorecardClient:
    return ScorecardClient(http)


def test_good_repo(client: ScorecardClient) -> None:
    with REPLAY.use_cassette("good.yaml"):
        result = client.result("github.com/acme/good")
    assert result.repo == "github.com/acme/good"
    assert result.score == 8.4 and result.date == "2025-09-08T04:12:37Z"
    assert result.scorecard_version == "v5.2.1"
    assert result.commit == "3c5e7a9b1d2f4e6a8c0b1d3f5a7c9e2b4d6f8a01"
    assert len(result.checks) == 18
    assert result.checks["Branch-Protection"] == (8, "branch rules on main, not on every release branch")
    assert result.checks["Code-Review"] == ScorecardCheck(10, "all recent changesets approved")
    assert result.checks["Signed-Releases"].inconclusive and not result.checks["Code-Review"].inconclusive
    assert result.url == "https://api.scorecard.dev/projects/github.com/acme/good"
    assert result.viewer_url == "https://scorecard.dev/viewer/?uri=github.com/acme/good"
    assert result.retrieved_at is not None
    assert client.http.counts()["scorecard"] == 1


def test_owner_repo_means_github_and_answers_are_memoised(client: ScorecardClient) -> None:
    with REPLAY.use_cassette("good.yaml"):
        first = client.result("acme/good")
        assert client.result("https://github.com/acme/good/") is first
    assert client.http.counts()["scorecard"] == 1


def test_legacy_host_is_one_configurable_base(http: HttpClient) -> None:
    with REPLAY.use_cassette("good.yaml"):
        result = ScorecardClient(http, base_url=LEGACY_BASE_URL + "/").result("acme/good")
    assert result.url.startswith("https://api.securityscorecards.dev/projects/github.com/acme/good")
    assert result.checks["Code-Review"].score == 10


def test_weak_repo(client: ScorecardClient) -> None:
    with REPLAY.use_cassette("weak.yaml"):
        result = client.result("acme/weak")
    assert result.score == 4.1
    assert {n: result.checks[n].score for n in ("Branch-Protection", "Code-Review", "Token-Permissions")} == {
        "Branch-Protection": 3,
        "Code-Review": 2,
        "Token-Permissions": 0,
    }


def test_inconclusive_check_keeps_its_reason(client: ScorecardClient) -> None:
    with REPLAY.use_cassette("inconclusive.yaml"):
        check = client.result("acme/partial").checks["Branch-Protection"]
    assert check.inconclusive and check.score == -1
    assert check.reason is not None and check.reason.startswith("internal error")


def test_no_published_result(client: ScorecardClient) -> None:
    with REPLAY.use_cassette("missing.yaml"), pytest.raises(NoPublishedResult) as err:
        client.result("acme/unscored")
    assert isinstance(err.value, SourceUnavailable)
    assert (err.value.source, err.value.reason) == ("scorecard", "no published Scorecard result for acme/unscored")
    # The failure is memoised: asking again sends nothing.
    with pytest.raises(NoPublishedResult):
        client.result("acme/unscored")
    assert client.http.counts()["scorecard"] == 1


@pytest.mark.parametrize("repo, detail", [("acme/changed", "no 'checks' list"), ("acme/string-score", "no score")])
def test_changed_shape_is_source_unavailable(client: ScorecardClient, repo: str, detail: str) -> None:
    with REPLAY.use_cassette("changed-shape.yaml"), pytest.raises(SourceUnavailable) as err:
        client.result(repo)
    assert not isinstance(err.value, NoPublishedResult)
    assert err.value.reason.startswith("unexpected answer shape") and detail in err.value.reason


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"checks": {"Code-Review": 10}},
        {"checks": [{"score": 3}]},
        {"checks": [{"name": "Code-Review", "score": 11}]},
        {"checks": [{"name": "Code-Review", "score": True}]},
        {"checks": [], "score": "8.4"},
    ],
)
def test_parse_result_rejects_other_shapes(data: object) -> None:
    with pytest.raises(SourceUnavailable, match="unexpected answer shape"):
        parse_result(data, "https://api.scorecard.dev/projects/github.com/a/b")


def test_parse_result_tolerates_missing_metadata() -> None:
    result = parse_result({"checks": []}, "https://api.scorecard.dev/projects/github.com/a/b")
    assert (result.repo, result.score, result.date, result.scorecard_version) == ("github.com/a/b", None, None, None)


def test_offline_sends_nothing() -> None:
    with HttpClient(offline=True) as http, pytest.raises(SourceUnavailable, match="offline"):
        ScorecardClient(http).result("acme/good")
    assert http.counts()["total"] == 0


def test_bad_name_is_a_programming_error(client: ScorecardClient) -> None:
    with pytest.raises(ValueError):
        client.result("acme")


def test_viewer_url() -> None:
    assert (
        viewer_url("dragonflyoss", "dragonfly") == "https://scorecard.dev/viewer/?uri=github.com/dragonflyoss/dragonfly"
    )


def test_cassettes_hold_no_credentials() -> None:
    for cassette in CASSETTES.glob("*.yaml"):
        text = cassette.read_text().lower()
        assert "authorization" not in text and "cookie" not in text and "ghp_" not in text, cassette.name
        for interaction in yaml.safe_load(text)["interactions"]:
            assert set(interaction["request"]["headers"]) <= {"accept", "user-agent"}, cassette.name
