"""The GitHub source against a loopback fake API: fields, tri-state 2FA, listing, counts, typed faults."""

from __future__ import annotations

import pytest
from e2e.fakegithub import FakeGitHub, acme_data

from dd_evidence.errors import BadToken, RateLimited, SourceUnavailable
from dd_evidence.sources.github import GitHubSource


@pytest.fixture
def fake():
    with FakeGitHub(acme_data(two_factor=None)) as gh:
        yield gh


@pytest.mark.parametrize("two_factor", [True, False, None])
def test_two_factor_is_tri_state(two_factor: bool | None) -> None:
    with FakeGitHub(acme_data(two_factor)) as gh:
        org = GitHubSource(gh.url).org("acme")
    assert org["two_factor_requirement_enabled"] is two_factor


def test_listing_flags_paging_and_counts(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url)
    repos = {r.name: r for r in source.org_repos("acme")}
    assert set(repos) == {"acme", "community", "old", "forked"}
    assert repos["old"].archived and repos["forked"].fork and repos["acme"].default_branch == "main"
    assert source.counts()["github"] == 1
    assert source.counts()["github_rate_remaining"] == 59


def test_user_owner_falls_back_to_user_repos(fake: FakeGitHub) -> None:
    fake.data["repos"]["someone/tool"] = {"name": "tool", "default_branch": "main"}
    assert [r.name for r in GitHubSource(fake.url).org_repos("someone")] == ["tool"]


def test_branch_rules_summary(fake: FakeGitHub) -> None:
    rules = GitHubSource(fake.url).branch_rules("acme", "acme", "main")
    assert rules["required_reviews"] == 2 and rules["blocks_force_push"] and not rules["protected"]
    bare = GitHubSource(fake.url).branch_rules("acme", "community", "main")
    assert bare["required_reviews"] == 0 and not bare["blocks_force_push"]


def test_pvr_and_teams_visibility(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url)
    assert source.private_vulnerability_reporting("acme", "acme") is True
    assert source.private_vulnerability_reporting("acme", "community") is None
    assert source.team_members("acme", "maintainers") == ["ada", "grace"]
    assert source.team_members("acme", "secret") is None


def test_primary_rate_limit_is_typed(fake: FakeGitHub) -> None:
    fake.fail("/orgs/acme", status=403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999999999"})
    with pytest.raises(RateLimited) as err:
        GitHubSource(fake.url).org("acme")
    assert err.value.reset_in and err.value.reset_in > 0


def test_secondary_rate_limit_is_typed(fake: FakeGitHub) -> None:
    fake.fail("/orgs/acme", status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimited) as err:
        GitHubSource(fake.url).org("acme")
    assert err.value.reset_in == 120


def test_server_errors_are_retried(fake: FakeGitHub) -> None:
    fake.fail("/orgs/acme", status=502, times=2)
    assert GitHubSource(fake.url).org("acme")["login"] == "acme"
    assert fake.hits["/orgs/acme"] == 3


def test_bad_token_is_bad_input(fake: FakeGitHub) -> None:
    fake.fail("/orgs/acme", status=401, body='{"message": "Bad credentials"}')
    with pytest.raises(BadToken) as err:
        GitHubSource(fake.url, token="ghp_secret").org("acme")
    assert err.value.exit_code == 2
    assert "ghp_secret" not in str(err.value)


@pytest.mark.parametrize(
    ("fault", "needle"),
    [
        ({"status": 404}, "not found"),
        ({"reset": True, "times": 5}, "network"),
        ({"status": 200, "body": "{not json"}, ""),
    ],
)
def test_other_faults_are_source_unavailable(fake: FakeGitHub, fault: dict, needle: str) -> None:
    fake.fail("/orgs/acme", **fault)
    with pytest.raises(SourceUnavailable) as err:
        GitHubSource(fake.url).org("acme")
    assert needle in err.value.reason


def test_offline_makes_no_request(fake: FakeGitHub) -> None:
    with pytest.raises(SourceUnavailable, match="offline"):
        GitHubSource(fake.url, offline=True).org("acme")
    assert not fake.hits


def test_token_is_sent_as_header(fake: FakeGitHub) -> None:
    GitHubSource(fake.url, token="ghp_abc").org("acme")
    assert fake.auth_headers[-1] == "token ghp_abc" or fake.auth_headers[-1] == "Bearer ghp_abc"


def test_rescan_is_answered_by_304s_from_the_cache(fake: FakeGitHub, tmp_path) -> None:
    first = GitHubSource(fake.url, cache_dir=tmp_path)
    assert first.org("acme")["login"] == "acme"
    second = GitHubSource(fake.url, cache_dir=tmp_path)
    assert second.org("acme")["login"] == "acme"
    assert fake.not_modified == 1 and fake.spent == 1
    assert second.counts()["github_not_modified"] == 1
    other_token = GitHubSource(fake.url, token="ghp_other", cache_dir=tmp_path)
    other_token.org("acme")
    assert fake.spent == 2, "a different token never reuses another identity's cached answer"
    assert not any("ghp_other" in p.read_text() for p in (tmp_path / "github").iterdir())


def test_recent_not_found_is_remembered(fake: FakeGitHub, tmp_path) -> None:
    assert GitHubSource(fake.url, cache_dir=tmp_path).private_vulnerability_reporting("acme", "community") is None
    spent = fake.spent
    assert GitHubSource(fake.url, cache_dir=tmp_path).private_vulnerability_reporting("acme", "community") is None
    assert fake.spent == spent
