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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from github import Auth, Github, GithubException, GithubRetry, RateLimitExceededExceedsMaxWait
from github.Requester import Requester
from urllib3.util.retry import Retry

from dd_evidence.errors import BadToken, RateLimited, SourceUnavailable

if TYPE_CHECKING:
    from dd_evidence.context import ScanConfig, ScanContext

SOURCE = "github"
NOT_FOUND_TTL = 24 * 3600
# The longest we sleep on one rate-limit answer (Retry-After, or X-RateLimit-Reset for a primary limit) before
# giving up with RateLimited: a scan should wait out a short secondary limit, not hang for an hour.
DEFAULT_MAX_WAIT = 60.0


class BoundedRetry(GithubRetry):
    """PyGithub's retry policy (server errors, rate-limit 403s) with every wait bounded and every retry counted.

    ``GithubRetry`` already caps its own primary/secondary rate-limit backoff with ``max_rate_limit_wait``, but
    urllib3 itself sleeps whatever ``Retry-After`` a 429 or 503 carries; that wait is capped here too. Past the
    bound the retry stops with :class:`RateLimitExceededExceedsMaxWait`, which the source turns into
    :class:`RateLimited`. ``on_retry`` is called once per extra request, so retried requests are counted.
    """

    def __init__(
        self,
        max_wait: float = DEFAULT_MAX_WAIT,
        on_retry: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self.max_wait = max_wait
        self.on_retry = on_retry
        # urllib3 rebuilds the policy through new() on every retry, which passes max_rate_limit_wait back in.
        kwargs.setdefault("max_rate_limit_wait", max_wait)
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> BoundedRetry:
        kw.update(max_wait=self.max_wait, on_retry=self.on_retry)
        return super().new(**kw)

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if response is not None and response.headers.get("Retry-After"):
            try:
                wait = self.parse_retry_after(response.headers["Retry-After"])
            except Exception:  # an unreadable Retry-After: let the ordinary policy decide
                wait = 0.0
            if wait > self.max_wait:
                raise RateLimitExceededExceedsMaxWait(
                    response.status, {"message": "Retry-After beyond the allowed wait"}, response.headers, wait=wait
                )
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if self.on_retry is not None:
            self.on_retry()
        return retry


def retry_policy(max_wait: float = DEFAULT_MAX_WAIT, on_retry: Callable[[], None] | None = None) -> BoundedRetry:
    """A few retries of server errors, resets and timeouts, with a short exponential backoff (≤ 4 s)."""
    return BoundedRetry(
        max_wait=max_wait,
        on_retry=on_retry,
        total=3,
        connect=2,
        read=1,
        backoff_factor=0.5,
        backoff_max=4,
        status_forcelist=[500, 502, 503, 504],  # GithubRetry adds 403, retried only for rate-limit answers
        raise_on_status=False,
    )


class NotVisible(SourceUnavailable):
    """GitHub answered 404 or a non-rate-limit 403: the thing is absent or hidden from this token."""

    def __init__(self, route: str, status: int, reason: str):
        self.route = route
        self.status = status
        super().__init__(SOURCE, reason)


@dataclass(frozen=True)
class TeamMembers:
    """A team's member logins, or None with the reason the API did not tell."""

    members: list[str] | None
    reason: str | None = None


@dataclass(frozen=True)
class RepoListing:
    """One repository of an org as the listing reports it."""

    name: str
    archived: bool
    fork: bool
    private: bool
    default_branch: str | None


@dataclass(frozen=True)
class IssueHit:
    """One issue or pull request of a search answer."""

    url: str
    title: str
    number: int
    state: str
    pull_request: bool
    repo: str  # "owner/name", from the item's repository_url
    created_at: str | None = None
    body: str = ""

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> IssueHit:
        """From a search item; the body is cut short (it is matched against, never reported in full)."""
        repository = str(item.get("repository_url") or "")
        return cls(
            url=str(item.get("html_url") or ""),
            title=str(item.get("title") or ""),
            number=int(item.get("number") or 0),
            state=str(item.get("state") or ""),
            pull_request="pull_request" in item,
            repo="/".join(repository.rstrip("/").split("/")[-2:]) if repository else "",
            created_at=item.get("created_at"),
            body=str(item.get("body") or "")[:4000],
        )


class GitHubSource:
    """GitHub REST calls for one scan, counted. Works against github.com or an Enterprise ``/api/v3`` base URL.

    Nothing is asked until a method needs it (the PyGithub client itself is built on first use), and offline
    every method raises ``SourceUnavailable("github", "offline: not asked")`` without any I/O.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        offline: bool = False,
        timeout: float = 30,
        cache_dir: Path | None = None,
        max_wait: float = DEFAULT_MAX_WAIT,
    ):
        self.base_url = base_url.rstrip("/")
        self.offline = offline
        # Kept in memory only, to authenticate: never logged, cached, written or put in a message.
        self._token = token
        self._timeout = timeout
        self._max_wait = max_wait
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
        self._listings: dict[str, list[RepoListing]] = {}

    @classmethod
    def from_config(cls, config: ScanConfig) -> GitHubSource:
        """The source a scan's configuration asks for (base URL, token, offline, cache dir)."""
        return cls(config.github_api, config.token, config.offline, timeout=config.timeout, cache_dir=config.cache_dir)

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
            raise NotVisible(route, 404, f"{route} not found (404, remembered from a scan in the last day)")
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else None
        with self._lock:
            self.requests += 1
        try:
            status, response_headers, output = self._github().requester.requestJson(
                "GET", url, parameters=params, headers=headers
            )
        except GithubException as exc:  # the retry policy stops on rate limits and plain 403s by raising
            self._note_rate(exc.headers or {})
            raise self._typed(route, exc) from None
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

    def raw(self, route: str) -> Any:
        """Any GET endpoint PyGithub has no method for (community profile, rulesets...), counted and typed."""
        return self.get(route)

    def counts(self) -> dict[str, int]:
        """Requests made (retries included) and the last ``X-RateLimit-Remaining`` seen, for the report."""
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
        """Close the connection pool; safe to call more than once."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- what probes and discovery ask ----------------------------------------------------------------------
    def org(self, name: str) -> dict[str, Any]:
        """The org object; ``two_factor_requirement_enabled`` is None unless the token is an owner's."""
        data = self.get(f"/orgs/{name}")
        if not isinstance(data, dict):
            raise SourceUnavailable(SOURCE, f"/orgs/{name}: unexpected answer shape (not an object)")
        plan = data.get("plan")
        return {
            "login": data.get("login"),
            "name": data.get("name"),
            "type": data.get("type"),
            "html_url": data.get("html_url"),
            # Absent or null for anyone but an org owner: None means "not visible", never "not required".
            "two_factor_requirement_enabled": data.get("two_factor_requirement_enabled"),
            # The fields below are owner-only as well; None when not visible.
            "plan": plan.get("name") if isinstance(plan, dict) else None,
            "members_can_create_repositories": data.get("members_can_create_repositories"),
            "default_repository_permission": data.get("default_repository_permission"),
            "web_commit_signoff_required": data.get("web_commit_signoff_required"),
        }

    def org_repos(self, owner: str) -> list[RepoListing]:
        """Every repository of an org (or a user, when the owner is not an org), all pages.

        Kept for the rest of the scan: discovery asks first, probes that need archived repos and forks too
        (which discovery leaves out of the scan) get the same answer without another request.
        """
        key = owner.lower()
        with self._lock:
            if key in self._listings:
                return list(self._listings[key])
        try:
            listing = self._paged(f"/orgs/{owner}/repos", {"type": "all"})
        except NotVisible as exc:
            if exc.status != 404:
                raise
            # /orgs/{name}/repos is 404 for a user account; its repos are under /users/{name}/repos.
            listing = self._paged(f"/users/{owner}/repos", {"type": "owner"})
        with self._lock:
            self._listings[key] = listing
        return list(listing)

    def branch_rules(self, owner: str, repo: str, branch: str) -> dict[str, Any]:
        """What protects ``branch``: the active ruleset rules that apply to it (readable without admin rights),
        and, only when those rules do not already protect it, the classic protection flag of the branch.

        ``protected`` is None when it was not asked (the rules already answered), so requests are spent only
        where they can change the verdict.
        """
        base = f"/repos/{owner}/{repo}"
        rules = self.get(f"{base}/rules/branches/{quote(branch, safe='/')}")
        if not isinstance(rules, list):
            raise SourceUnavailable(SOURCE, f"{base}/rules/branches: unexpected answer shape (not a list)")
        types = sorted({str(r.get("type", "")) for r in rules if isinstance(r, dict)})
        reviews = [r.get("parameters") or {} for r in rules if isinstance(r, dict) and r.get("type") == "pull_request"]
        summary: dict[str, Any] = {
            "rule_types": types,
            "required_reviews": max((int(p.get("required_approving_review_count") or 0) for p in reviews), default=0),
            "code_owner_review": any(bool(p.get("require_code_owner_review")) for p in reviews),
            "pull_request_required": bool(reviews),
            "required_status_checks": "required_status_checks" in types,
            "blocks_force_push": "non_fast_forward" in types,
            "blocks_deletion": "deletion" in types,
            "signed_commits": "required_signatures" in types,
            "protected": None,
        }
        if not (summary["pull_request_required"] or summary["blocks_force_push"]):
            info = self.get(f"{base}/branches/{quote(branch, safe='/')}")
            summary["protected"] = bool(isinstance(info, dict) and info.get("protected"))
        return summary

    def private_vulnerability_reporting(self, owner: str, repo: str) -> bool | None:
        """Whether private vulnerability reporting is on; None when the API does not tell this token (403/404)."""
        try:
            data = self.get(f"/repos/{owner}/{repo}/private-vulnerability-reporting")
        except NotVisible:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("enabled"), bool):
            return None
        return data["enabled"]

    def team(self, org: str, slug: str) -> TeamMembers:
        """A team's member logins, or None with the reason (secret teams and members need an org member's token)."""
        try:
            members = self._paged_raw(f"/orgs/{org}/teams/{slug}/members", {})
        except NotVisible as exc:
            return TeamMembers(None, f"team {org}/{slug} is not visible to this token ({exc.reason})")
        return TeamMembers([str(m.get("login", "")) for m in members if isinstance(m, dict)])

    def team_members(self, org: str, slug: str) -> list[str] | None:
        """Logins of a team's members; None when the token cannot see the team (see :meth:`team` for why)."""
        return self.team(org, slug).members

    def search_issues(self, query: str, limit: int = 100) -> list[IssueHit]:
        """Issues and pull requests matching a search query (``org:acme audit``), best match first, one request.

        The search API has its own, smaller rate limit (10 requests a minute unauthenticated): callers ask once
        or twice per scan, never per repo. Rate limits and 403/422 answers raise the usual typed errors.
        """
        data = self.get("/search/issues", {"q": query, "per_page": max(1, min(limit, 100))})
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise SourceUnavailable(SOURCE, "/search/issues: unexpected answer shape (no items list)")
        return [IssueHit.from_api(item) for item in items[:limit] if isinstance(item, dict)]

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
                timeout=max(1, round(self._timeout)),  # PyGithub accepts whole seconds only
                retry=retry_policy(self._max_wait, self._count_retry),
                seconds_between_requests=None,
                seconds_between_writes=None,
            )
        return self._client

    def _count_retry(self) -> None:
        with self._lock:
            self.requests += 1

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

    def _note_rate(self, headers: Any) -> None:
        """Keep the last rate-limit headers seen (a malformed value is ignored, not fatal)."""
        lowered = {str(k).lower(): v for k, v in dict(headers).items()}
        if str(lowered.get("x-ratelimit-resource", "core")).lower() != "core":
            return  # the search API's own small limit says nothing about the core quota the report shows
        try:
            if "x-ratelimit-remaining" in lowered:
                self.rate_remaining = int(lowered["x-ratelimit-remaining"])
            if "x-ratelimit-reset" in lowered:
                self.rate_reset = int(lowered["x-ratelimit-reset"])
        except ValueError:
            pass

    def _typed(self, route: str, exc: GithubException) -> Exception:
        status = exc.status
        lowered = {str(k).lower(): v for k, v in (exc.headers or {}).items()}
        message = str((exc.data or {}).get("message", "")) if isinstance(exc.data, dict) else ""
        if status == 401:
            return BadToken("GitHub rejected the token (401 Bad credentials); check GITHUB_TOKEN or --token-file")
        limited = (
            isinstance(exc, RateLimitExceededExceedsMaxWait)
            or lowered.get("x-ratelimit-remaining") == "0"
            or "retry-after" in lowered
            or Requester.isRateLimitError(message)
        )
        if status in (403, 429) and limited:
            return RateLimited(SOURCE, self._reset_in(exc, lowered))
        if status == 404:
            return NotVisible(route, 404, f"{route} not found (404)")
        if status == 403:
            return NotVisible(route, 403, f"{route} forbidden (403) for this token")
        return SourceUnavailable(SOURCE, f"{route}: HTTP {status}")

    @staticmethod
    def _reset_in(exc: GithubException, headers: dict[str, Any]) -> float | None:
        """Seconds until the limit lifts: Retry-After, else X-RateLimit-Reset (epoch seconds), else unknown."""
        try:
            if "retry-after" in headers:
                return max(0.0, float(headers["retry-after"]))
            if "x-ratelimit-reset" in headers:
                return max(0.0, int(headers["x-ratelimit-reset"]) - time.time())
        except ValueError:
            pass
        return getattr(exc, "wait", None)


def github_source(ctx: ScanContext) -> GitHubSource:
    """The scan's GitHub source, created on first use; the scan closes it and reports its counts."""
    return ctx.client(SOURCE, lambda: GitHubSource.from_config(ctx.config))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
