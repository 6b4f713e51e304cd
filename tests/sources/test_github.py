"""The GitHub source against a loopback fake API: fields, tri-state 2FA, listing, counts, typed faults."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest
from e2e.fakegithub import FakeGitHub, acme_data

from dd_evidence.errors import BadToken, RateLimited, SourceUnavailable
from dd_evidence.sources.github import GitHubSource

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "api-samples"
RATE_LIMITED = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999999999"}


@pytest.fixture
def fake():
    with FakeGitHub(acme_data(two_factor=None)) as gh:
        yield gh


def quick(gh: FakeGitHub, **kwargs) -> GitHubSource:
    """A source with short timeouts and waits, so fault tests take seconds, not minutes."""
    return GitHubSource(gh.url, timeout=kwargs.pop("timeout", 2), max_wait=kwargs.pop("max_wait", 5), **kwargs)


# -- fields ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("two_factor", [True, False, None])
def test_two_factor_is_tri_state(two_factor: bool | None) -> None:
    with FakeGitHub(acme_data(two_factor)) as gh:
        org = GitHubSource(gh.url).org("acme")
    assert org["two_factor_requirement_enabled"] is two_factor


def test_null_two_factor_stays_none() -> None:
    """GitHub may send the key with null as well as leave it out: both mean "not visible"."""
    data = acme_data()
    data["orgs"]["acme"]["two_factor_requirement_enabled"] = None
    with FakeGitHub(data) as gh:
        assert GitHubSource(gh.url).org("acme")["two_factor_requirement_enabled"] is None


def test_owner_only_fields(fake: FakeGitHub) -> None:
    anonymous = GitHubSource(fake.url).org("acme")
    assert anonymous["login"] == "acme" and anonymous["type"] == "Organization"
    assert anonymous["plan"] is None and anonymous["members_can_create_repositories"] is None
    fake.data["orgs"]["acme"].update(acme_data(True)["orgs"]["acme"])
    owner = GitHubSource(fake.url).org("acme")
    assert owner["plan"] == "free" and owner["members_can_create_repositories"] is False


def test_enterprise_base_url(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url + "/api/v3")
    assert source.org("acme")["login"] == "acme"
    assert [r.name for r in source.org_repos("acme")]


# -- listing, rules, PVR, teams --------------------------------------------------------------------------------
def test_listing_flags_paging_and_counts(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url)
    repos = {r.name: r for r in source.org_repos("acme")}
    assert set(repos) == {"acme", "community", "old", "forked"}
    assert repos["old"].archived and repos["forked"].fork and repos["acme"].default_branch == "main"
    assert not repos["acme"].archived and not repos["acme"].fork and not repos["acme"].private
    assert source.counts()["github"] == 1
    assert source.counts()["github_rate_remaining"] == 59


def test_listing_follows_pages(fake: FakeGitHub) -> None:
    for n in range(150):
        fake.data["repos"][f"acme/r{n:03}"] = {"name": f"r{n:03}", "default_branch": "main"}
    source = GitHubSource(fake.url)
    assert len(source.org_repos("acme")) == 154
    assert source.counts()["github"] == 2 and fake.routes["/orgs/{o}/repos"] == 2


def test_user_owner_falls_back_to_user_repos(fake: FakeGitHub) -> None:
    fake.data["repos"]["someone/tool"] = {"name": "tool", "default_branch": "main"}
    assert [r.name for r in GitHubSource(fake.url).org_repos("someone")] == ["tool"]
    assert fake.routes["/users/{o}/repos"] == 1


def test_branch_rules_summary(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url)
    rules = source.branch_rules("acme", "acme", "main")
    assert rules["required_reviews"] == 2 and rules["blocks_force_push"] and rules["signed_commits"]
    assert rules["protected"] is None, "rules already protect it: the classic flag is not asked"
    assert fake.routes["/repos/{o}/{r}/branches/{b}"] == 0
    bare = source.branch_rules("acme", "community", "main")
    assert bare["required_reviews"] == 0 and not bare["blocks_force_push"] and bare["protected"] is False
    fake.data["protected"] = {"acme/community"}
    assert GitHubSource(fake.url).branch_rules("acme", "community", "main")["protected"] is True


def test_pvr_and_teams_visibility(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url)
    assert source.private_vulnerability_reporting("acme", "acme") is True
    assert source.private_vulnerability_reporting("acme", "community") is None
    fake.fail("/repos/acme/acme/private-vulnerability-reporting", status=403, body='{"message": "Forbidden"}')
    assert source.private_vulnerability_reporting("acme", "acme") is None
    # Team members are shown only to an org member's token; without a token GitHub answers 401 (see below).
    member = GitHubSource(fake.url, token="ghp_" + "m" * 36)
    assert member.team_members("acme", "maintainers") == ["ada", "grace"]
    hidden = member.team("acme", "secret")
    assert hidden.members is None and "not visible" in (hidden.reason or "")


def test_raw_requests_for_endpoints_pygithub_lacks(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url)
    assert source.raw("/rate_limit")["resources"]["core"]["limit"] == 60
    assert source.counts()["github"] == 1


# -- counting and rate limits ----------------------------------------------------------------------------------
def test_every_request_is_counted_with_the_last_remaining(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url)
    source.org("acme")
    source.org_repos("acme")
    source.branch_rules("acme", "community", "main")  # two requests: rules, then the classic flag
    assert source.counts()["github"] == fake.total == 4
    assert source.counts()["github_rate_remaining"] == 56
    assert source.rate_reset == fake.reset_at


def test_primary_rate_limit_is_typed(fake: FakeGitHub) -> None:
    fake.primary_rate_limit("/orgs/acme", reset_in=3600, times=5)
    started = time.monotonic()
    with pytest.raises(RateLimited) as err:
        quick(fake).org("acme")
    assert 3500 < (err.value.reset_in or 0) <= 3600
    assert time.monotonic() - started < 5, "a long reset is reported, not slept on"
    assert fake.total == 1


def test_primary_rate_limit_with_a_near_reset_is_waited_out(fake: FakeGitHub) -> None:
    fake.primary_rate_limit("/orgs/acme", reset_in=1)
    source = quick(fake)
    assert source.org("acme")["login"] == "acme"
    assert source.counts()["github"] == fake.total == 2


@pytest.mark.parametrize("status", [403, 429])
def test_bare_limit_answer_with_remaining_zero_is_rate_limited(fake: FakeGitHub, status: int) -> None:
    fake.fail("/orgs/acme", status=status, headers=RATE_LIMITED)
    with pytest.raises(RateLimited):
        quick(fake).org("acme")


def test_secondary_rate_limit_beyond_the_bound_is_typed(fake: FakeGitHub) -> None:
    fake.secondary_rate_limit("/orgs/acme", retry_after=120)
    with pytest.raises(RateLimited) as err:
        quick(fake).org("acme")
    assert err.value.reset_in == 120 and fake.total == 1


def test_secondary_rate_limit_within_the_bound_is_retried(fake: FakeGitHub) -> None:
    fake.secondary_rate_limit("/orgs/acme", retry_after=1)
    source = quick(fake)
    assert source.org("acme")["login"] == "acme"
    assert source.counts()["github"] == 2


@pytest.mark.parametrize("status", [502, 503])
def test_server_errors_are_retried(fake: FakeGitHub, status: int) -> None:
    fake.server_error("/orgs/acme", status=status, times=2)
    source = quick(fake)
    assert source.org("acme")["login"] == "acme"
    assert fake.hits["/orgs/acme"] == 3 and source.counts()["github"] == 3


def test_server_errors_past_the_retries_are_source_unavailable(fake: FakeGitHub) -> None:
    fake.server_error("/orgs/acme", status=503, times=10)
    with pytest.raises(SourceUnavailable, match="503"):
        quick(fake).org("acme")
    assert fake.hits["/orgs/acme"] == 4  # one request and three retries, no more


def test_connection_reset_once_is_retried(fake: FakeGitHub) -> None:
    fake.connection_reset("/orgs/acme")
    assert quick(fake).org("acme")["login"] == "acme"


def test_one_slow_answer_is_retried(fake: FakeGitHub) -> None:
    fake.slow("/orgs/acme", seconds=2.5)
    source = quick(fake, timeout=1)
    assert source.org("acme")["login"] == "acme"
    assert source.counts()["github"] == 2


def test_slow_answer_is_a_network_error(fake: FakeGitHub) -> None:
    fake.slow("/orgs/acme", seconds=2.5, times=5)
    with pytest.raises(SourceUnavailable) as err:
        quick(fake, timeout=1).org("acme")
    assert err.value.reason.startswith("network:") and "timed out" in err.value.reason.lower()


def test_bad_token_is_bad_input(fake: FakeGitHub) -> None:
    fake.fail("/orgs/acme", status=401, body='{"message": "Bad credentials"}')
    with pytest.raises(BadToken) as err:
        GitHubSource(fake.url, token="ghp_secret").org("acme")
    assert str(err.value).startswith("GitHub rejected the token (401 Bad credentials)")
    assert err.value.exit_code == 2
    assert "ghp_secret" not in str(err.value)


@pytest.mark.parametrize(
    ("inject", "needle"),
    [
        (lambda gh: gh.fail("/orgs/acme", status=404, body='{"message": "Not Found"}'), "/orgs/acme not found"),
        (lambda gh: gh.connection_reset("/orgs/acme", times=5), "network:"),
        (lambda gh: gh.malformed("/orgs/acme"), "malformed JSON"),
        (lambda gh: gh.fail("/orgs/acme", status=403, body='{"message": "Forbidden"}'), "forbidden"),
    ],
)
def test_other_faults_are_source_unavailable(fake: FakeGitHub, inject, needle: str) -> None:
    inject(fake)
    with pytest.raises(SourceUnavailable) as err:
        quick(fake).org("acme")
    assert needle in err.value.reason and not isinstance(err.value, RateLimited)


def test_missing_org_is_source_unavailable(fake: FakeGitHub) -> None:
    with pytest.raises(SourceUnavailable, match="not found"):
        GitHubSource(fake.url).org("nobody")


def test_offline_makes_no_request(fake: FakeGitHub) -> None:
    source = GitHubSource(fake.url, offline=True)
    for call in (lambda: source.org("acme"), lambda: source.org_repos("acme"), lambda: source.raw("/rate_limit")):
        with pytest.raises(SourceUnavailable, match="offline: not asked"):
            call()
    assert fake.total == 0 and source.counts()["github"] == 0


# -- the token -------------------------------------------------------------------------------------------------
def test_token_is_sent_as_header_and_never_written(fake: FakeGitHub, tmp_path: Path) -> None:
    token = "ghp_neverwritten0123456789"
    source = GitHubSource(fake.url, token=token, cache_dir=tmp_path)
    source.org("acme")
    source.org_repos("acme")
    source.private_vulnerability_reporting("acme", "community")  # a 404, remembered on disk
    assert fake.auth_headers[-1] in (f"token {token}", f"Bearer {token}")
    assert token not in repr(source)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files, "answers were cached"
    for path in files:
        assert token not in path.name and token.encode() not in path.read_bytes()


def test_rescan_is_answered_by_304s_from_the_cache(fake: FakeGitHub, tmp_path: Path) -> None:
    token = "ghp_" + "t" * 36
    first = GitHubSource(fake.url, token=token, cache_dir=tmp_path)
    assert first.org("acme")["login"] == "acme"
    second = GitHubSource(fake.url, token=token, cache_dir=tmp_path)
    assert second.org("acme")["login"] == "acme"
    # An authorised 304 costs no quota.
    assert fake.not_modified == 1 and fake.spent == 1
    assert second.counts()["github_not_modified"] == 1 and second.counts()["github_rate_limited_spent"] == 0
    other_token = GitHubSource(fake.url, token="ghp_other", cache_dir=tmp_path)
    other_token.org("acme")
    assert fake.spent == 2, "a different token never reuses another identity's cached answer"


def test_recent_not_found_is_remembered(fake: FakeGitHub, tmp_path: Path) -> None:
    assert GitHubSource(fake.url, cache_dir=tmp_path).private_vulnerability_reporting("acme", "community") is None
    spent = fake.spent
    assert GitHubSource(fake.url, cache_dir=tmp_path).private_vulnerability_reporting("acme", "community") is None
    assert fake.spent == spent


# -- a real recorded answer ------------------------------------------------------------------------------------
def _read_replay(path: Path) -> tuple[str, int, dict[str, str], str]:
    """(request path, status, response headers, body) of a one-request PyGithub ``*.replay.txt`` recording.

    The format is one field per line: protocol, verb, host, port, path, request headers, request body, status,
    response headers (a Python list of pairs), response body.
    """
    lines = path.read_text().splitlines()
    headers = dict(ast.literal_eval(lines[8]))
    # The body is served uncompressed and with its own length, so the transfer headers must not be replayed.
    dropped = {"content-encoding", "transfer-encoding", "content-length", "status"}
    return lines[4], int(lines[7]), {k: v for k, v in headers.items() if k.lower() not in dropped}, lines[9]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="needs ../shared beside the repository")
def test_real_org_answer_maps_to_our_fields() -> None:
    """A real owner's GET /orgs/{org} recording, served as recorded: 2FA, owner-only fields and rate headers."""
    route, status, headers, body = _read_replay(SAMPLES / "pygithub-Organization.setUp.replay.txt")
    with FakeGitHub({}) as gh:
        gh.serve(route, body, status=status, headers=headers)
        source = GitHubSource(gh.url)
        org = source.org(route.rsplit("/", 1)[-1])
    assert org["two_factor_requirement_enabled"] is True
    assert org["type"] == "Organization" and org["plan"] == "enterprise"
    assert org["members_can_create_repositories"] is False
    assert source.counts() == {
        "github": 1,
        "github_not_modified": 0,
        "github_rate_limited_spent": 1,
        "github_rate_remaining": int(headers["X-RateLimit-Remaining"]),
    }
    assert source.rate_reset == int(headers["X-RateLimit-Reset"])


def test_fake_counts_the_rate_limit_answers_it_serves(fake: FakeGitHub) -> None:
    """The benchmark reads this counter; a plain 403 refusal is not a rate-limit answer."""
    fake.secondary_rate_limit("/orgs/acme", retry_after=1)
    fake.fail("/orgs/acme/repos", status=403, body='{"message": "Resource not accessible"}')
    source = quick(fake)
    assert source.org("acme")["login"] == "acme"
    with pytest.raises(SourceUnavailable):
        source.org_repos("acme")
    assert fake.rate_limited == 1


# -- what GitHub really answers (issue 16) ---------------------------------------------------------------------
TOKEN = "ghp_" + "k" * 36


def test_anonymous_team_members_is_not_visible_never_a_bad_token(fake: FakeGitHub) -> None:
    """GitHub answers team membership only to an org member's token; anonymously it is 401 "Requires
    authentication", which says nothing about a token (there is none)."""
    team = GitHubSource(fake.url).team("acme", "maintainers")
    assert team.members is None
    assert "read:org" in (team.reason or "") and "no token" in (team.reason or "")
    assert fake.routes["/orgs/{o}/teams/{t}/members"] == 1
    assert GitHubSource(fake.url, token=TOKEN).team_members("acme", "maintainers") == ["ada", "grace"]


def test_a_401_with_a_token_is_still_a_bad_token(fake: FakeGitHub) -> None:
    fake.fail("/orgs/acme/teams/maintainers/members", status=401, body='{"message": "Bad credentials"}')
    with pytest.raises(BadToken):
        GitHubSource(fake.url, token=TOKEN).team("acme", "maintainers")


def test_branch_rules_follow_the_link_header_past_page_one(fake: FakeGitHub) -> None:
    """Rules come 30 a page by default; we ask 100 a page and follow rel="next". A pull-request rule on page 2 of
    130 rules must still count."""
    filler = [{"type": "required_status_checks", "parameters": {"required_status_checks": []}}] * 129
    fake.data["rules"]["acme/acme"] = [
        *filler,
        {"type": "pull_request", "parameters": {"required_approving_review_count": 3}},
    ]
    rules = GitHubSource(fake.url).branch_rules("acme", "acme", "main")
    assert rules["pull_request_required"] and rules["required_reviews"] == 3
    assert fake.hits["/repos/acme/acme/rules/branches/main"] == 2  # page 1 and the page its Link named


def test_an_anonymous_304_is_counted_as_spent(fake: FakeGitHub, tmp_path: Path) -> None:
    """GitHub: a 304 is free only for an authorised request. An anonymous re-scan spends its quota all the same."""
    GitHubSource(fake.url, cache_dir=tmp_path).org("acme")
    again = GitHubSource(fake.url, cache_dir=tmp_path)
    assert again.org("acme")["login"] == "acme"
    assert fake.not_modified == 1 and fake.spent == 2
    assert again.counts()["github_not_modified"] == 1 and again.counts()["github_rate_limited_spent"] == 1


def test_anonymous_budget_notice_names_the_way_to_give_a_token(fake: FakeGitHub) -> None:
    anonymous = GitHubSource(fake.url)
    assert anonymous.budget_notice(10) is None  # 8 + 2 x 10 requests fit in 60
    line = anonymous.budget_notice(30)
    assert line is not None and "\n" not in line
    assert "30 repositories" in line and "GITHUB_TOKEN" in line and "--token-file" in line
    assert GitHubSource(fake.url, token=TOKEN).budget_notice(500) is None


def test_canonical_name_from_the_listing_or_the_renamed_repos_redirect(fake: FakeGitHub) -> None:
    fake.data["repos"]["WasmCo/WasmCo"] = {**fake.data["repos"]["acme/acme"], "id": 77, "name": "WasmCo"}
    fake.data["repos"]["WasmCo/WasmCo"]["full_name"] = "WasmCo/WasmCo"
    fake.data["orgs"]["WasmCo"] = {**fake.data["orgs"]["acme"], "login": "WasmCo"}
    fake.data["renamed"] = {"wasmco/wasmco2": "WasmCo/WasmCo"}
    source = GitHubSource(fake.url)
    assert source.canonical_repo("wasmco", "wasmco") == "WasmCo/WasmCo"  # from the org listing
    assert source.canonical_repo("wasmco", "WasmCo2") == "WasmCo/WasmCo"  # GitHub's 301 for the old name
    assert source.canonical_repo("wasmco", "nothing") is None
    assert GitHubSource(fake.url, offline=True).canonical_repo("wasmco", "wasmco") is None


@pytest.mark.parametrize("raw", ["ghp_" + "k" * 36 + "\r", "\t ghp_" + "k" * 36 + "\r\n"])
def test_token_whitespace_is_stripped_before_use(fake: FakeGitHub, raw: str) -> None:
    source = GitHubSource(fake.url, token=raw)
    assert source.org("acme")["login"] == "acme"
    assert fake.auth_headers[-1] in (f"token {TOKEN}", f"Bearer {TOKEN}")


@pytest.mark.parametrize("raw", ["ghp_abc\rdef0123456789", "ghp_ä" + "k" * 30, "ghp k" + "k" * 30, "\x1b[31mghp_x"])
def test_a_token_that_cannot_be_one_is_refused_without_repeating_it(raw: str) -> None:
    from dd_evidence.errors import BadInput
    from dd_evidence.sources.github import clean_token

    with pytest.raises(BadInput) as err:
        clean_token(raw, "GITHUB_TOKEN")
    assert "GITHUB_TOKEN is not a GitHub token" in str(err.value)
    assert raw.strip() not in str(err.value) and "\n" not in str(err.value)
