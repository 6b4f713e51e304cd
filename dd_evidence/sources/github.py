"""The GitHub REST source: only what git cannot tell (org settings, repo listing, branch rules, teams).

Requests go through PyGithub's requester (auth, Enterprise base URL, per_page, urllib3 retries) as raw JSON
calls, so every request is counted here and the last rate-limit headers are kept for the report. Errors become
typed: a rejected token is :class:`BadToken`, an exhausted limit :class:`RateLimited`, anything else
:class:`SourceUnavailable` — which probes turn into ``not_available`` findings, never ``false``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from github import Auth, Github, GithubException
from urllib3.util.retry import Retry

from dd_evidence.errors import BadToken, RateLimited, SourceUnavailable

if TYPE_CHECKING:
    from dd_evidence.context import ScanConfig, ScanContext

SOURCE = "github"
# Server errors are retried a couple of times; rate limits are not slept on (a scan should not hang for an
# hour): they become RateLimited and the findings that needed the answer say so.
_RETRY = Retry(
    total=2,
    connect=2,
    read=1,
    backoff_factor=0.5,
    status_forcelist=(502, 503, 504),
    allowed_methods=frozenset({"GET"}),
    raise_on_status=False,
    respect_retry_after_header=False,
)


@dataclass(frozen=True)
class RepoListing:
    """One repository of an org as the listing reports it."""

    name: str
    archived: bool
    fork: bool
    private: bool
    default_branch: str | None


class GitHubSource:
    """GitHub REST calls for one scan, counted."""

    def __init__(self, base_url: str, token: str | None = None, offline: bool = False, timeout: int = 30):
        self.base_url = base_url.rstrip("/")
        self.offline = offline
        self._token = token
        self._timeout = timeout
        self._client: Github | None = None
        self._lock = threading.Lock()
        self.requests = 0
        self.rate_remaining: int | None = None
        self.rate_reset: int | None = None

    @classmethod
    def from_config(cls, config: ScanConfig) -> GitHubSource:
        return cls(config.github_api, config.token, config.offline)

    # -- raw access -----------------------------------------------------------------------------------------
    def get(self, route: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``route`` (e.g. ``/orgs/x``) and return its JSON, or raise a typed error."""
        if self.offline:
            raise SourceUnavailable(SOURCE, "offline: not asked")
        requester = self._github().requester
        with self._lock:
            self.requests += 1
        try:
            headers, data = requester.requestJsonAndCheck("GET", self.base_url + route, parameters=params)
        except GithubException as exc:
            self._note_rate(exc.headers or {})
            raise self._typed(route, exc) from None
        except Exception as exc:  # connection refused/reset, timeouts, retries exhausted
            raise SourceUnavailable(SOURCE, f"network: {type(exc).__name__}: {_first_line(exc)}") from None
        self._note_rate(headers or {})
        return data

    def counts(self) -> dict[str, int]:
        counts = {"github": self.requests}
        if self.rate_remaining is not None:
            counts["github_rate_remaining"] = self.rate_remaining
        return counts

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # -- what probes and discovery ask ----------------------------------------------------------------------
    def org(self, name: str) -> dict[str, Any]:
        """The org object; ``two_factor_requirement_enabled`` is None unless the token is an owner's."""
        data = self.get(f"/orgs/{name}")
        return {
            "login": data.get("login"),
            "name": data.get("name"),
            "html_url": data.get("html_url"),
            "two_factor_requirement_enabled": data.get("two_factor_requirement_enabled"),
        }

    def org_repos(self, owner: str) -> list[RepoListing]:
        """Every repository of an org (or a user, when the owner is not an org), all pages."""
        try:
            return self._paged(f"/orgs/{owner}/repos", {"type": "all"})
        except SourceUnavailable as exc:
            if "not found" not in exc.reason:
                raise
            return self._paged(f"/users/{owner}/repos", {"type": "owner"})

    def branch_rules(self, owner: str, repo: str, branch: str) -> dict[str, Any]:
        """What protects ``branch``: classic protection and the rules of rulesets that apply to it."""
        rules = self.get(f"/repos/{owner}/{repo}/rules/branches/{branch}")
        info = self.get(f"/repos/{owner}/{repo}/branches/{branch}")
        types = sorted({r.get("type", "") for r in rules or []})
        reviews = [r for r in rules or [] if r.get("type") == "pull_request"]
        return {
            "protected": bool(info.get("protected")),
            "rule_types": types,
            "required_reviews": max(
                (int((r.get("parameters") or {}).get("required_approving_review_count", 0)) for r in reviews),
                default=0,
            ),
            "blocks_force_push": "non_fast_forward" in types,
            "required_status_checks": "required_status_checks" in types,
        }

    def private_vulnerability_reporting(self, owner: str, repo: str) -> bool | None:
        """Whether private vulnerability reporting is on; None when the API does not tell this token."""
        try:
            return bool(self.get(f"/repos/{owner}/{repo}/private-vulnerability-reporting").get("enabled"))
        except SourceUnavailable as exc:
            if "not found" in exc.reason or "forbidden" in exc.reason:
                return None
            raise

    def team_members(self, org: str, slug: str) -> list[str] | None:
        """Logins of a team's members; None when the token cannot see the team."""
        try:
            members = self._paged_raw(f"/orgs/{org}/teams/{slug}/members", {})
        except SourceUnavailable as exc:
            if "not found" in exc.reason or "forbidden" in exc.reason:
                return None
            raise
        return [m.get("login", "") for m in members]

    # -- internals ------------------------------------------------------------------------------------------
    def _paged(self, route: str, params: dict[str, Any]) -> list[RepoListing]:
        return [
            RepoListing(
                name=r["name"],
                archived=bool(r.get("archived")),
                fork=bool(r.get("fork")),
                private=bool(r.get("private")),
                default_branch=r.get("default_branch"),
            )
            for r in self._paged_raw(route, params)
        ]

    def _paged_raw(self, route: str, params: dict[str, Any], max_pages: int = 20) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, max_pages + 1):
            batch = self.get(route, {**params, "per_page": 100, "page": page})
            if not isinstance(batch, list):
                raise SourceUnavailable(SOURCE, f"{route}: unexpected answer shape (not a list)")
            items += batch
            if len(batch) < 100:
                break
        return items

    def _github(self) -> Github:
        if self._client is None:
            auth = Auth.Token(self._token) if self._token else None
            self._client = Github(
                auth=auth,
                base_url=self.base_url,
                per_page=100,
                timeout=self._timeout,
                retry=_RETRY,
                seconds_between_requests=None,
                seconds_between_writes=None,
            )
        return self._client

    def _note_rate(self, headers: dict[str, Any]) -> None:
        lowered = {str(k).lower(): v for k, v in headers.items()}
        if "x-ratelimit-remaining" in lowered:
            self.rate_remaining = int(lowered["x-ratelimit-remaining"])
        if "x-ratelimit-reset" in lowered:
            self.rate_reset = int(lowered["x-ratelimit-reset"])

    def _typed(self, route: str, exc: GithubException) -> Exception:
        status = exc.status
        lowered = {str(k).lower(): v for k, v in (exc.headers or {}).items()}
        if status == 401:
            return BadToken("GitHub rejected the token (401 Bad credentials); check GITHUB_TOKEN or --token-file")
        if status in (403, 429) and (lowered.get("x-ratelimit-remaining") == "0" or "retry-after" in lowered):
            reset_in = None
            if "retry-after" in lowered:
                reset_in = float(lowered["retry-after"])
            elif "x-ratelimit-reset" in lowered:
                reset_in = max(0.0, int(lowered["x-ratelimit-reset"]) - time.time())
            return RateLimited(SOURCE, reset_in)
        if status == 404:
            return SourceUnavailable(SOURCE, f"{route} not found (404)")
        if status == 403:
            return SourceUnavailable(SOURCE, f"{route} forbidden (403) for this token")
        return SourceUnavailable(SOURCE, f"{route}: HTTP {status}")


def github_source(ctx: ScanContext) -> GitHubSource:
    """The scan's GitHub source, created on first use; the scan closes it and reports its counts."""
    return ctx.client(SOURCE, lambda: GitHubSource.from_config(ctx.config))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
