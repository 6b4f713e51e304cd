"""The GitHub REST source: only what git cannot tell (org settings, repo listing, branch rules, teams).

Requests go through PyGithub's requester (auth, Enterprise base URL, per_page, urllib3 retries) as raw JSON
calls, so every request is counted here and the last rate-limit headers are kept for the report. Errors become
typed: a rejected token is :class:`BadToken`, an exhausted limit :class:`RateLimited`, anything else
:class:`SourceUnavailable` — which probes turn into ``not_available`` findings, never ``false``.

GitHub's answers are untrusted input too. PyGithub reads whole bodies through requests; here every request goes
through our own connection object (``requestJson(cnx=...)``) whose adapter streams the body with a byte cap and a
total deadline (:mod:`dd_evidence.sources.bounded`), and the retry policy reads a refusal's body the same way. A
circuit breaker per rate-limit resource (``core``, ``search``) stops asking once a primary limit is exhausted
beyond the wait bound, and stops asking GitHub at all after answers time out repeatedly.

The token is validated before any use (:func:`clean_token`): surrounding whitespace (a Windows line end) is
stripped and anything a token cannot contain is refused with a message that never repeats the token.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, cast
from urllib.parse import parse_qs, quote, urlsplit

import requests
import urllib3.exceptions
from github import Auth, Github, GithubException, GithubRetry, RateLimitExceededExceedsMaxWait
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester
from urllib3.util.retry import Retry

from dd_evidence.errors import BadToken, RateLimited, SourceUnavailable
from dd_evidence.sources.bounded import (
    IDENTITY,
    MAX_BODY_BYTES,
    AnswerTooLarge,
    AnswerTooSlow,
    AnswerUnreadable,
    read_body,
)
from dd_evidence.sources.breaker import CircuitBreaker

# What probes need without the client (and without PyGithub), kept importable from here too.
from dd_evidence.sources.github_access import (  # noqa: F401
    SOURCE,
    IssueHit,
    NotVisible,
    RepoListing,
    TeamMembers,
    canonical_full_name,
    github_source,
)
from dd_evidence.sources.tokens import clean_token  # noqa: F401  (re-exported: the clients' callers use it)

if TYPE_CHECKING:
    from dd_evidence.context import ScanConfig

NOT_FOUND_TTL = 24 * 3600
# The longest we sleep on one rate-limit answer (Retry-After, or X-RateLimit-Reset for a primary limit) before
# giving up with RateLimited: a scan should wait out a short secondary limit, not hang for an hour.
DEFAULT_MAX_WAIT = 60.0
# GitHub: "If you exceed a secondary rate limit and no retry-after header is sent, wait at least one minute".
SECONDARY_DEFAULT_WAIT = 60.0
# A refusal's body (403/429) is read only to tell a rate limit from a refusal: a small message is enough.
REFUSAL_BODY_BYTES = 64 * 1024
REFUSAL_ATTR = "_dd_evidence_body"
# Consecutive requests (each after its own retry) that timed out before GitHub is not asked again in this scan.
TIMEOUTS_TO_OPEN = 2
# Anonymous GitHub allows 60 core requests an hour; a scan spends about this many per repository (branch rules,
# sometimes the branch, private vulnerability reporting) plus a few for the org. Used to warn before the scan.
ANONYMOUS_LIMIT = 60
REQUESTS_PER_REPO = 2
REQUESTS_PER_SCAN = 8
TOKEN_HELP = (
    "set GITHUB_TOKEN (or GH_TOKEN) to a GitHub token, or pass --token-file FILE; a token without any scope "
    "is enough for public data"
)


class BoundedRetry(GithubRetry):
    """PyGithub's retry policy (server errors, rate-limit 403s) with every wait bounded, every body bounded and
    every retry counted.

    A 403/429 is judged here rather than by ``GithubRetry`` (which reads the whole body of the refusal): by its
    headers first (``X-RateLimit-Remaining: 0`` is a primary limit, ``Retry-After`` a secondary one), then by the
    message of a body read within :data:`REFUSAL_BODY_BYTES` and the answer deadline. A wait beyond ``max_wait``
    stops the retry with :class:`RateLimitExceededExceedsMaxWait`, which the source turns into
    :class:`RateLimited`; a refusal that is no rate limit is raised as PyGithub's own exception, unretried. The
    answer of a retried request is closed, never drained: draining an endless body would never end.
    ``on_retry`` is called once per extra request, so retried requests are counted.
    """

    def __init__(
        self,
        max_wait: float = DEFAULT_MAX_WAIT,
        on_retry: Callable[[], None] | None = None,
        answer_seconds: float = 30.0,
        **kwargs: Any,
    ) -> None:
        self.max_wait = max_wait
        self.on_retry = on_retry
        self.answer_seconds = answer_seconds
        # urllib3 rebuilds the policy through new() on every retry, which passes max_rate_limit_wait back in.
        kwargs.setdefault("max_rate_limit_wait", max_wait)
        super().__init__(**kwargs)

    # The wait a rate-limit refusal without Retry-After asked for, set on the policy its retry produced (None:
    # urllib3's own backoff). new() does not carry it over: it is that one retry's wait.
    _rate_limit_wait: float | None = None

    def new(self, **kw: Any) -> Self:
        kw.update(max_wait=self.max_wait, on_retry=self.on_retry, answer_seconds=self.answer_seconds)
        return super().new(**kw)

    def get_backoff_time(self) -> float:
        if self._rate_limit_wait is not None:
            return self._rate_limit_wait
        return super().get_backoff_time()

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Self:
        if response is not None and response.status in (403, 429):
            retry = self._rate_limit(method, url, response, error, _pool, _stacktrace)
        else:
            # GithubRetry.increment is annotated "-> Retry", but it returns urllib3's Retry.increment, which is
            # self.new(...): an instance of this class (urllib3 declares it "-> Self").
            retry = cast(Self, super().increment(method, url, response, error, _pool, _stacktrace))
            if response is not None:
                response.close()  # a 5xx about to be retried: drop its body unread
        if self.on_retry is not None:
            self.on_retry()
        return retry

    def _rate_limit(self, method: str | None, url: str | None, response: Any, *rest: Any) -> Self:
        headers = response.headers
        data = _refusal_body(response, self.answer_seconds)
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        primary = headers.get("X-RateLimit-Remaining") == "0" or Requester.isPrimaryRateLimitError(message)
        secondary = not primary and ("Retry-After" in headers or Requester.isSecondaryRateLimitError(message))
        if not (primary or secondary):
            raise Requester.createException(response.status, dict(headers), data)
        wait = _wait_of(headers, primary)
        if wait > self.max_wait:
            raise RateLimitExceededExceedsMaxWait(response.status, data, dict(headers), wait=wait)
        # urllib3's own accounting (total, status counts); GithubRetry's would read the body again.
        retry = Retry.increment(self, method, url, response, *rest)
        if "Retry-After" not in headers:
            retry._rate_limit_wait = wait
        return retry


def _refusal_body(response: Any, seconds: float) -> Any:
    """The JSON of a refusal, read within a small cap and the deadline; {} when unreadable or too big.

    The bytes read are kept on the response (``REFUSAL_ATTR``): when the retries run out urllib3 hands this very
    response on, and the adapter then serves them instead of reading a stream that is already consumed.
    """
    try:
        raw = read_body(
            _raw_chunks(response),
            content_encoding=response.headers.get("Content-Encoding"),
            cap=REFUSAL_BODY_BYTES,
            seconds=seconds,
        )
    except Exception:  # any body problem only means we judge by the headers
        response.close()
        setattr(response, REFUSAL_ATTR, b"")
        return {}
    setattr(response, REFUSAL_ATTR, raw)
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


def _wait_of(headers: Any, primary: bool) -> float:
    """Seconds to wait before asking again: Retry-After, else the primary reset (+1 s), else a minute."""
    try:
        if "Retry-After" in headers:
            return max(0.0, float(headers["Retry-After"]))
        if primary and "X-RateLimit-Reset" in headers:
            return max(0.0, float(headers["X-RateLimit-Reset"]) - time.time()) + 1.0
    except ValueError:
        pass
    return SECONDARY_DEFAULT_WAIT


def _raw_chunks(response: Any) -> Iterator[bytes]:
    """A urllib3 response's raw bytes, one socket read at a time (``read1``: no waiting to fill a buffer)."""
    read = response.read1
    while True:
        try:
            data = read(65536, decode_content=False)
        except (TypeError, AttributeError, NotImplementedError):
            if read is response.read:
                raise
            # A response object without a working read1 (vcrpy's replay stub is one): it is in memory already.
            read = response.read
            continue
        if not data:
            return
        yield data


class BoundedAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter that reads every body itself, within a byte cap and a deadline per answer.

    requests reads a whole body into memory unless asked to stream; the adapter streams it and hands the session a
    response whose content is already read, or raises :class:`AnswerTooLarge` / :class:`AnswerTooSlow`.
    """

    def __init__(self, *, cap: int, seconds: float, **kwargs: Any) -> None:
        self.cap = cap
        self.seconds = seconds
        super().__init__(**kwargs)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        request.headers.update(IDENTITY)
        response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        already = getattr(response.raw, REFUSAL_ATTR, None)
        if already is not None:  # a refusal the retry policy read (and judged) already
            response._content = already
            response._content_consumed = True
            return response
        try:
            body = read_body(
                _raw_chunks(response.raw),
                content_encoding=response.headers.get("Content-Encoding"),
                cap=self.cap,
                seconds=self.seconds,
            )
        except urllib3.exceptions.ReadTimeoutError as exc:
            response.close()
            raise requests.exceptions.ReadTimeout(exc, request=request) from None
        except urllib3.exceptions.HTTPError as exc:
            response.close()
            raise requests.exceptions.ChunkedEncodingError(exc, request=request) from None
        except BaseException:
            response.close()
            raise
        response._content = body
        response._content_consumed = True
        response.raw.release_conn()
        return response


def _connection(base_url: str, timeout: int, retry: Retry, answer_seconds: float) -> Any:
    """PyGithub's connection object for ``base_url``, with :class:`BoundedAdapter` mounted in place of its own."""
    parts = urlsplit(base_url)
    base = HTTPSRequestsConnectionClass if parts.scheme == "https" else HTTPRequestsConnectionClass
    cnx = base(parts.hostname or "", parts.port, timeout=timeout, retry=retry)
    cnx.adapter = BoundedAdapter(cap=MAX_BODY_BYTES, seconds=answer_seconds, max_retries=retry)
    cnx.session.mount(f"{parts.scheme}://", cnx.adapter)
    return cnx


def retry_policy(
    max_wait: float = DEFAULT_MAX_WAIT, on_retry: Callable[[], None] | None = None, answer_seconds: float = 30.0
) -> BoundedRetry:
    """A few retries of server errors, resets and timeouts, with a short exponential backoff (≤ 4 s)."""
    return BoundedRetry(
        max_wait=max_wait,
        on_retry=on_retry,
        answer_seconds=answer_seconds,
        total=3,
        connect=2,
        read=1,
        backoff_factor=0.5,
        backoff_max=4,
        status_forcelist=[500, 502, 503, 504],  # GithubRetry adds 403, retried only for rate-limit answers
        raise_on_status=False,
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
        self._token = clean_token(token)
        self._timeout = timeout
        self._max_wait = max_wait
        self._client: Github | None = None
        self._cnx: Any = None
        self._lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        self.breaker = CircuitBreaker(SOURCE, timeouts_to_open=TIMEOUTS_TO_OPEN, label="GitHub")
        self._canonical: dict[tuple[str, str], str | None] = {}
        self._listing_lock = threading.Lock()
        self._listing_failed: set[str] = set()
        # Cached answers are keyed by URL and the token's identity (a hash), so an owner's view of an org is
        # never served to an anonymous scan; the token itself is never written.
        self._cache_dir = cache_dir / "github" if cache_dir is not None else None
        self._identity = hashlib.sha256((self._token or "anonymous").encode()).hexdigest()[:16]
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
        is answered from the cache (free of quota when the request carried a token, counted otherwise).
        """
        return self._get(route, params)[0]

    def _get(self, route: str, params: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """The JSON of ``route`` and the answer's headers (lower-case names)."""
        if self.offline:
            raise SourceUnavailable(SOURCE, "offline: not asked")
        url = self.base_url + route
        cached = self._cache_read(url, params)
        if cached and cached.get("status") == 404 and time.time() - cached.get("at", 0) < NOT_FOUND_TTL:
            # GitHub cannot revalidate a 404 with a 304, so a recent "not found" is reused as it is.
            raise NotVisible(route, 404, f"{route} not found (404, remembered from a scan in the last day)")
        resource = _resource_of(route)
        self.breaker.check(resource)
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else None
        with self._lock:
            self.requests += 1
        try:
            github = self._github()
            status, response_headers, output = github.requester.requestJson(
                "GET", url, parameters=params, headers=headers, cnx=self._cnx
            )
        except GithubException as exc:  # the retry policy stops on rate limits and plain 403s by raising
            self.breaker.answered()
            self._note_rate(exc.headers or {})
            raise self._typed(route, exc) from None
        except (AnswerTooLarge, AnswerUnreadable) as exc:
            self.breaker.answered()
            raise SourceUnavailable(SOURCE, f"{route}: {exc}") from None
        except Exception as exc:  # connection refused/reset, timeouts, retries exhausted
            raise self._network_error(route, exc) from None
        self.breaker.answered()
        response_headers = {str(k).lower(): v for k, v in (response_headers or {}).items()}
        self._note_rate(response_headers)
        if status == 304 and cached is not None:
            with self._lock:
                self.not_modified += 1
            return cached["data"], response_headers
        try:
            data = json.loads(output) if output else None
        except ValueError:
            raise SourceUnavailable(SOURCE, f"{route}: malformed JSON in the answer") from None
        if status >= 400:
            if status == 404:
                self._cache_write(url, params, None, None, status=404)
            raise self._typed(route, GithubException(status, data, response_headers))
        etag = response_headers.get("etag")
        if etag:
            self._cache_write(url, params, etag, data)
        return data, response_headers

    def _network_error(self, route: str, exc: Exception) -> SourceUnavailable:
        """A request that got no usable answer; timeouts count towards the breaker. The text is scrubbed of the
        token (requests quotes header values in some errors) and cut to one line."""
        detail = f"{type(exc).__name__}: {_first_line(exc)}"
        if self._token:
            detail = detail.replace(self._token, "***")
        if _timed_out(exc):
            opened = self.breaker.timed_out()
            tail = "; GitHub is not asked again in this scan" if opened else ""
            return SourceUnavailable(SOURCE, f"network: timed out asking {route} ({detail}){tail}")
        self.breaker.answered()
        return SourceUnavailable(SOURCE, f"network: {detail}")

    def raw(self, route: str) -> Any:
        """Any GET endpoint PyGithub has no method for (community profile, rulesets...), counted and typed."""
        return self.get(route)

    def counts(self) -> dict[str, int]:
        """Requests made (retries included) and the last ``X-RateLimit-Remaining`` seen, for the report."""
        # A 304 costs no quota only when the request was authorised ("a 304 ... does not count against your
        # primary rate limit if the request was made while correctly authorized"): anonymous 304s are spent.
        free = self.not_modified if self._token else 0
        counts = {
            "github": self.requests,
            "github_not_modified": self.not_modified,
            "github_rate_limited_spent": self.requests - free,
        }
        if self.rate_remaining is not None:
            counts["github_rate_remaining"] = self.rate_remaining
        if self.breaker.refused:
            counts["github_not_sent"] = self.breaker.refused
        return counts

    def warnings(self) -> list[str]:
        """One line per rate-limit resource (or GitHub as a whole) this scan stopped asking, with why and until when."""
        return self.breaker.warnings()

    @property
    def authenticated(self) -> bool:
        """Whether requests carry a token."""
        return self._token is not None

    def budget_notice(self, repositories: int) -> str | None:
        """One line when an anonymous scan of ``repositories`` repos would need more requests than GitHub allows an
        anonymous client this hour (60, or what the last answer said is left); None with a token or within it."""
        if self._token is not None or self.offline:
            return None
        needed = REQUESTS_PER_SCAN + REQUESTS_PER_REPO * repositories
        left = self.rate_remaining if self.rate_remaining is not None else ANONYMOUS_LIMIT
        if needed <= left:
            return None
        return (
            f"GitHub: an anonymous scan of {repositories} repositories needs about {needed} API requests and GitHub "
            f"allows {left} more this hour without a token, so some findings will not be available; {TOKEN_HELP}"
        )

    def close(self) -> None:
        """Close the connection pool; safe to call more than once."""
        client, self._client = self._client, None
        cnx, self._cnx = self._cnx, None
        if cnx is not None:
            cnx.close()
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
        # Paginated like every list (30 rules a page by default): a protected branch's pull-request rule may well
        # be on a later page.
        rules = self._paged_raw(f"{base}/rules/branches/{quote(branch, safe='/')}", {})
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
        """A team's member logins, or None with the reason.

        GitHub answers team membership only to authenticated members of the org (a classic token needs
        ``read:org``): anonymously it answers 401 "Requires authentication", to a non-member 403 or 404.
        """
        try:
            members = self._paged_raw(f"/orgs/{org}/teams/{slug}/members", {})
        except NotVisible as exc:
            if exc.status == 401:
                reason = f"team {org}/{slug} not asked: GitHub shows team members only to a token of an org member"
                return TeamMembers(None, reason + " (read:org); this scan has no token")
            return TeamMembers(None, f"team {org}/{slug} is not visible to this token ({exc.reason})")
        return TeamMembers([str(m.get("login", "")) for m in members if isinstance(m, dict)])

    def canonical_repo(self, owner: str, name: str) -> str | None:
        """``Owner/Name`` as GitHub spells it now, or None when GitHub does not tell (offline, not found, limited).

        Names on GitHub are case-insensitive, but Scorecard reads results by the exact path and bestpractices.dev
        matches URLs exactly, so those services need GitHub's own spelling. The org listing (one request per
        100 repositories, usually already made for discovery) answers for every repository at once; a name it
        lacks (a renamed repository) costs one ``GET /repos/{owner}/{name}``, which follows GitHub's redirect.
        """
        key = (owner.lower(), name.lower())
        with self._lock:
            if key in self._canonical:
                return self._canonical[key]
        found: str | None = None
        with self._listing_lock:  # concurrent probes ask for the same listing: fetch it once
            listing = self._canonical_listing(owner)
        try:
            if listing is not None:
                found = next((r.full_name for r in listing if r.name.lower() == key[1] and r.full_name), None)
            if found is None:
                data = self.get(f"/repos/{owner}/{name}")
                found = str(data.get("full_name") or "") or None if isinstance(data, dict) else None
        except SourceUnavailable:
            found = None
        with self._lock:
            self._canonical[key] = found
        return found

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
    def _canonical_listing(self, owner: str) -> list[RepoListing] | None:
        """The owner's listing for spelling lookups; a listing that failed once is not asked for again."""
        if owner.lower() in self._listing_failed:
            return None
        try:
            return self.org_repos(owner)
        except SourceUnavailable:
            self._listing_failed.add(owner.lower())
            return None

    def _paged(self, route: str, params: dict[str, Any]) -> list[RepoListing]:
        return [
            RepoListing(
                name=r["name"],
                archived=bool(r.get("archived")),
                fork=bool(r.get("fork")),
                private=bool(r.get("private")),
                default_branch=r.get("default_branch"),
                full_name=str(r.get("full_name") or ""),
            )
            for r in self._paged_raw(route, params)
            if isinstance(r, dict) and isinstance(r.get("name"), str)
        ]

    def _paged_raw(self, route: str, params: dict[str, Any], max_pages: int = 20) -> list[dict[str, Any]]:
        """Every item of a list route, 100 a page, following the ``Link: <...>; rel="next"`` header GitHub sends
        while more pages remain (without a Link header: until a page comes back short)."""
        items: list[dict[str, Any]] = []
        page = 1
        for _ in range(max_pages):
            batch, headers = self._get(route, {**params, "per_page": 100, "page": page})
            if not isinstance(batch, list):
                raise SourceUnavailable(SOURCE, f"{route}: unexpected answer shape (not a list)")
            items += batch
            link = headers.get("link")
            following = _next_page(link) if link is not None else (page + 1 if len(batch) >= 100 else None)
            if following is None or following <= page:
                break
            page = following
        return items

    def _github(self) -> Github:
        with self._lock:
            if self._client is None:
                auth = Auth.Token(self._token) if self._token else None
                timeout = max(1, round(self._timeout))  # PyGithub accepts whole seconds only
                retry = retry_policy(self._max_wait, self._count_retry, answer_seconds=self._timeout)
                self._client = Github(
                    auth=auth,
                    base_url=self.base_url,
                    per_page=100,
                    timeout=timeout,
                    retry=retry,
                    seconds_between_requests=None,
                    seconds_between_writes=None,
                )
                # Every request goes through this connection: its adapter bounds each body (see BoundedAdapter).
                self._cnx = _connection(self.base_url, timeout, retry, answer_seconds=self._timeout)
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
        if status == 401 and self._token is None:
            # Without a token a 401 is no verdict on a token: the route needs a signed-in user ("Requires
            # authentication", e.g. team membership).
            return NotVisible(route, 401, f"{route} requires authentication (401); this scan has no token")
        if status == 401:
            return BadToken("GitHub rejected the token (401 Bad credentials); check GITHUB_TOKEN or --token-file")
        limited = (
            isinstance(exc, RateLimitExceededExceedsMaxWait)
            or lowered.get("x-ratelimit-remaining") == "0"
            or "retry-after" in lowered
            or Requester.isRateLimitError(message)
        )
        if status in (403, 429) and limited:
            primary = lowered.get("x-ratelimit-remaining") == "0" or Requester.isPrimaryRateLimitError(message)
            reset_in = self._reset_in(exc, lowered)
            if primary:
                # Every later request to this resource would be refused until the reset: stop asking.
                resource = str(lowered.get("x-ratelimit-resource") or _resource_of(route)).lower()
                reset_at = time.time() + reset_in if reset_in is not None else None
                return self.breaker.rate_limited(resource, reset_at)
            return RateLimited(SOURCE, reset_in)
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


def _resource_of(route: str) -> str:
    """The rate-limit resource a route counts against (GitHub's ``X-RateLimit-Resource``)."""
    return "search" if route.startswith("/search/") else "core"


def _next_page(link: str) -> int | None:
    """The ``page`` of the ``rel="next"`` URL of a ``Link`` header, or None on the last page."""
    for part in link.split(","):
        if 'rel="next"' not in part:
            continue
        target = part.split(";", 1)[0].strip().strip("<>")
        page = parse_qs(urlsplit(target).query).get("page", [""])[0]
        return int(page) if page.isdigit() else None
    return None


def _timed_out(exc: BaseException) -> bool:
    """Whether a request failed by waiting too long (connect/read timeout, or a body past its deadline)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, AnswerTooSlow | requests.exceptions.Timeout | urllib3.exceptions.TimeoutError):
            return True
        if isinstance(current, urllib3.exceptions.MaxRetryError) and isinstance(
            current.reason, urllib3.exceptions.TimeoutError
        ):
            return True
        nested = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = nested or current.__cause__ or current.__context__
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
