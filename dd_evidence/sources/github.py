"""The GitHub REST source: only what git cannot tell (org settings, repo listing, branch rules, teams).

Requests go through PyGithub's requester (auth, Enterprise base URL, per_page, urllib3 retries) as raw JSON
calls, so every request is counted here and the last rate-limit headers are kept for the report. Errors become
typed: a rejected token is :class:`BadToken`, an exhausted limit :class:`RateLimited`, anything else
:class:`SourceUnavailable` — which probes turn into ``not_available`` findings, never ``false``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from github import Auth, Github, GithubException
from urllib3.util.retry import Retry

from dd_evidence.errors import BadToken, RateLimited, SourceUnavailable

if TYPE_CHECKING:
    from dd_evidence.context import ScanConfig, ScanContext

SOURCE = "github"
NOT_FOUND_TTL = 24 * 3600
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

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        offline: bool = False,
        timeout: int = 30,
        cache_dir: Path | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.offline = offline
        self._token = token
        self._timeout = timeout
        self._client: Github | None = None
        self._lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        # Cached answers are keyed by URL and the token's identity (a hash), so an owner's view of an org is
        # never served to an anonymous scan; the token itself is never written.
        self._cache_dir = cache_dir / "github" if cache_dir is not None else None
        self._identity = hashlib.sha256((token or "anonymous").encode()).hexdigest()[:16]
        self.rate_remaining: int | None = None
        self.rate_reset: int | None = None

    @classmethod
    def from_config(cls, config: ScanConfig) -> GitHubSource:
        return cls(config.github_api, config.token, config.offline, cache_dir=config.cache_dir)

    # -- raw access -----------------------------------------------------------------------------------------
    def get(self, route: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``route`` (e.g. ``/orgs/x``) and return its JSON, or raise a typed error.

        Answers are kept on disk with their ETag; a re-scan sends ``If-None-Match`` and a ``304 Not Modified``
        (which GitHub does not count against the rate limit) is answered from the cache.
        """
        if self.offline:
            raise SourceUnavailable(SOURCE, "offline: not asked")
        url = self.base_url + route
        cached = self._cache_read(url, params)
        if cached and cached.get("status") == 404 and time.time() - cached.get("at", 0) < NOT_FOUND_TTL:
            # GitHub cannot revalidate a 404 with a 304, so a recent "not found" is reused as it is.
            raise SourceUnavailable(SOURCE, f"{route} not found (404, remembered from a scan in the last day)")
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else None
        with self._lock:
            self.requests += 1
        try:
            status, response_headers, output = self._github().requester.requestJson(
                "GET", url, parameters=params, headers=headers
            )
        except Exception as exc:  # connection refused/reset, timeouts, retries exhausted
            raise SourceUnavailable(SOURCE, f"network: {type(exc).__name__}: {_first_line(exc)}") from None
        self._note_rate(response_headers or {})
        if status == 304 and cached is not None:
            with self._lock:
                self.not_modified += 1
            return cached["data"]
        try:
            data = json.loads(output) if output else None
        except ValueError:
            raise SourceUnavailable(SOURCE, f"{route}: malformed JSON in the answer") from None
        if status >= 400:
            if status == 404:
                self._cache_write(url, params, None, None, status=404)
            raise self._typed(route, GithubException(status, data, response_headers))
        etag = {str(k).lower(): v for k, v in (response_headers or {}).items()}.get("etag")
        if etag:
            self._cache_write(url, params, etag, data)
        return data

    def counts(self) -> dict[str, int]:
        # Requests answered 304 cost no rate-limit quota; the rest do.
        counts = {
            "github": self.requests,
            "github_not_modified": self.not_modified,
            "github_rate_limited_spent": self.requests - self.not_modified,
        }
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

    def _cache_path(self, url: str, params: dict[str, Any] | None) -> Path | None:
        if self._cache_dir is None:
            return None
        key = json.dumps([self._identity, url, sorted((params or {}).items())], default=str)
        return self._cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _cache_read(self, url: str, params: dict[str, Any] | None) -> dict[str, Any] | None:
        path = self._cache_path(url, params)
        if path is None or not path.exists():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def _cache_write(
        self, url: str, params: dict[str, Any] | None, etag: str | None, data: Any, status: int = 200
    ) -> None:
        path = self._cache_path(url, params)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            entry = {"url": url, "etag": etag, "data": data, "status": status, "at": time.time()}
            tmp.write_text(json.dumps(entry))
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs quota next time

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
