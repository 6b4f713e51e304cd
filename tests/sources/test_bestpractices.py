"""The bestpractices.dev client replayed from hand-written vcrpy cassettes in the site's current JSON shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.bestpractices import BestPracticesClient, parse_project
from dd_evidence.sources.http import HttpClient

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "bestpractices"
REPLAY = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",  # never touch the network: a request missing from a cassette fails the test
    filter_headers=["authorization"],
    match_on=["method", "scheme", "host", "port", "path", "query"],
)


class FakeTime:
    def __init__(self) -> None:
        self.t = 1_760_000_000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def now(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(clock: FakeTime) -> Iterator[BestPracticesClient]:
    http = HttpClient(sleep=clock.sleep, monotonic=clock.now, now=clock.now)
    yield BestPracticesClient(http)
    http.close()


def test_passing_project_10432(client: BestPracticesClient) -> None:
    with REPLAY.use_cassette("project-10432.yaml"):
        project = client.project(10432)
    assert (project.id, project.name, project.badge_level) == (10432, "Dragonfly", "passing")
    assert not project.level_derived
    assert project.tiered_percentage == 107
    assert project.percentages == {"passing": 100, "silver": 7, "gold": 0}
    assert project.achieved == {"passing": "2025-04-23T03:18:52.764Z", "silver": None, "gold": None}
    assert project.lost["passing"] is None
    assert project.next_level == "silver"
    assert {"signed_releases", "version_tags_signed", "governance"} <= set(project.unmet_next_level)
    # Met criteria and criteria that only exist at passing are never listed as open at silver.
    assert "code_of_conduct" not in project.unmet_next_level and "interact" not in project.unmet_next_level
    assert project.url == "https://www.bestpractices.dev/projects/10432.json"
    assert project.html_url == "https://www.bestpractices.dev/projects/10432"
    assert project.retrieved_at is not None
    assert client.http.counts()["bestpractices"] == 1


def test_answers_are_memoised_for_the_scan(client: BestPracticesClient) -> None:
    with REPLAY.use_cassette("project-10432.yaml", allow_playback_repeats=True):
        assert client.project(10432) is client.project(10432)
    assert client.http.counts()["bestpractices"] == 1


@pytest.mark.parametrize(
    "project_id, level, derived, next_level, unmet",
    [
        (20001, "silver", False, "gold", {"two_person_review", "security_review", "copyright_per_file"}),
        (20002, "gold", False, None, set()),
        (20003, "in_progress", False, "passing", {"static_analysis", "vulnerability_report_private"}),
        (20004, "passing", True, "silver", set()),  # no badge_level or tier: derived from badge_percentage_0
        (20005, None, False, None, set()),  # the 2015 schema: nothing to tell the level from
    ],
)
def test_levels_and_open_criteria(
    client: BestPracticesClient, project_id: int, level: str | None, derived: bool, next_level: str | None, unmet: set
) -> None:
    with REPLAY.use_cassette("project-levels.yaml"):
        project = client.project(project_id)
    assert (project.badge_level, project.level_derived, project.next_level) == (level, derived, next_level)
    assert unmet <= set(project.unmet_next_level)
    if next_level is None:
        assert project.unmet_next_level == []


def test_in_progress_keeps_achieved_and_lost_dates(client: BestPracticesClient) -> None:
    with REPLAY.use_cassette("project-levels.yaml"):
        project = client.project(20003)
    assert project.percentages["passing"] == 83
    assert project.achieved["passing"] == "2023-01-01T00:00:00.000Z"
    assert project.lost["passing"] == "2024-08-01T00:00:00.000Z"


def test_unknown_project_is_source_unavailable(client: BestPracticesClient) -> None:
    with REPLAY.use_cassette("project-missing.yaml"), pytest.raises(SourceUnavailable) as err:
        client.project(99999999)
    assert err.value.source == "bestpractices" and err.value.reason.startswith("HTTP 404")


def test_search_by_repo_url(client: BestPracticesClient) -> None:
    with REPLAY.use_cassette("search.yaml"):
        assert client.search("https://github.com/dragonflyoss/dragonfly/") == [10432]
        assert client.search("https://github.com/acme/nothing") == []


def test_requests_to_the_site_are_one_second_apart(client: BestPracticesClient, clock: FakeTime) -> None:
    with REPLAY.use_cassette("project-levels.yaml"):
        for project_id in (20001, 20002, 20003):
            client.project(project_id)
    assert clock.sleeps == [pytest.approx(1.0), pytest.approx(1.0)]


def test_parse_project_rejects_a_non_project() -> None:
    with pytest.raises(SourceUnavailable, match="not a project object"):
        parse_project([], "https://www.bestpractices.dev/projects/1.json")


def test_cassettes_hold_no_credentials() -> None:
    for cassette in CASSETTES.glob("*.yaml"):
        text = cassette.read_text().lower()
        assert "authorization" not in text and "cookie" not in text and "token" not in text, cassette.name


def test_gold_lists_the_23_criteria_of_the_badge_apps_level_2() -> None:
    """criteria/criteria.yml level '2' has 23 criteria, among them require_2FA, secure_2FA and hardened_site."""
    from dd_evidence.sources.bestpractices import GOLD_CRITERIA

    assert len(GOLD_CRITERIA) == len(set(GOLD_CRITERIA)) == 23
    assert {"require_2FA", "secure_2FA", "hardened_site"} <= set(GOLD_CRITERIA)


def test_a_silver_project_lists_its_open_2fa_and_site_criteria() -> None:
    statuses = {"require_2FA_status": "?", "secure_2FA_status": "Unmet", "hardened_site_status": "Unmet"}
    data = {"id": 1, "badge_level": "silver", "tiered_percentage": 250, "two_person_review_status": "Met", **statuses}
    project = parse_project(data, "https://www.bestpractices.dev/projects/1.json")
    assert {"require_2FA", "secure_2FA", "hardened_site"} <= set(project.unmet_next_level)
    assert "two_person_review" not in project.unmet_next_level
