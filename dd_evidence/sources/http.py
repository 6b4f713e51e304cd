"""One HTTP client per scan for every non-GitHub service (bestpractices.dev, LFX Insights, Scorecard, CNCF files).

What it adds over a bare ``httpx.Client``:

- retries (tenacity) for 429/502/503/504, connection errors and timeouts, honouring ``Retry-After`` and
  ``X-RateLimit-Reset`` (a Unix time, as GitHub sends it, or seconds until the reset, as LFX Insights does) up to
  a bounded total wait; past the bound it raises :class:`RateLimited` at once rather than stalling the scan;
- a circuit breaker per host (:mod:`dd_evidence.sources.breaker`): after a rate limit beyond the wait bound, or a
  run of timed-out answers, that host is not asked again in this scan (one warning line, not one per request);
- bodies streamed with a byte cap and a total deadline per answer (:mod:`dd_evidence.sources.bounded`), so an
  endless, huge or trickling body ends quickly with a reason instead of filling memory or stalling the scan;
- one typed error, :class:`SourceUnavailable`, with a one-line reason for everything that goes wrong, so a
  probe turns it into a ``not_available`` finding;
- offline mode that makes no I/O at all;
- request counts per source (they go into the report);
- an on-disk conditional-request cache (ETag / Last-Modified) so that a re-scan is answered by 304s;
- a per-host minimum interval between requests for sites that ask for politeness (bestpractices.dev: 1/s).

Time is injected (``sleep``, ``monotonic``, ``now``) so tests never wait.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from dd_evidence import __version__
from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.bounded import (
    IDENTITY,
    MAX_BODY_BYTES,
    AnswerTooLarge,
    AnswerTooSlow,
    AnswerUnreadable,
    read_body,
)
from dd_evidence.sources.breaker import SERVICE, CircuitBreaker

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

    from dd_evidence.context import ScanConfig, ScanContext

# httpx and tenacity load with the first client (inside the methods below): a scan that asks no web service
# (offline, or git probes only) never imports them.

PROJECT_URL = "https://github.com/cncf/dd-evidence"
USER_AGENT = f"dd-evidence/{__version__} (+{PROJECT_URL})"
TIMEOUT_SECONDS = 30.0  # per read (and the whole answer's deadline)
CONNECT_SECONDS = 10.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_ATTEMPTS = 4
MAX_WAIT = 60.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 16.0
PROBE_TIMEOUT = 10.0  # seconds per link-check request
MAX_BODY_CHARS = 20_000_000  # a cap on cached bodies: a misbehaving server must not fill the disk
# An X-RateLimit-Reset below this is a number of seconds until the reset (LFX Insights sends that), not a Unix
# time (GitHub's form): no reset lies before 2001, and no service asks for a wait of 31 years.
_EPOCH_FLOOR = 1_000_000_000


@dataclass(frozen=True)
class HttpAnswer:
    """A successful answer: from the network (200) or from the cache after a 304."""

    url: str
    status: int
    text: str
    retrieved_at: datetime
    revalidated: bool = False


class UrlStatus(NamedTuple):
    """What a URL answered to :meth:`HttpClient.probe_url`: status, URL after redirects, and whether a
    redirect on the way was permanent (301/308)."""

    status: int
    final_url: str
    permanent_redirect: bool = False


class _Retry(Exception):
    """An attempt worth repeating. ``delay`` is what the server asked for (None: use backoff)."""

    def __init__(self, reason: str, delay: float | None = None, rate_limited: bool = False, timed_out: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
        self.rate_limited = rate_limited
        self.timed_out = timed_out


class HttpClient:
    """The scan's HTTP client. Thread-safe; call :meth:`close` at the end of the scan."""

    def __init__(
        self,
        *,
        offline: bool = False,
        cache_dir: Path | str | None = None,
        transport: httpx.BaseTransport | None = None,
        max_wait: float = MAX_WAIT,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = BACKOFF_BASE,
        min_interval: Mapping[str, float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
        user_agent: str = USER_AGENT,
        timeout: float | None = None,
    ):
        self.offline = offline
        self.cache_dir = Path(cache_dir) / "http" if cache_dir is not None else None
        self.max_wait = max_wait
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now
        self._min_interval: dict[str, float] = dict(min_interval or {})
        self._last_request: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        # Hosts that could not be reached in this scan: later requests fail at once instead of each one
        # waiting through its own retries (a scan without network would otherwise take minutes).
        self._unreachable: dict[str, str] = {}
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._breakers: dict[str, CircuitBreaker] = {}
        # The whole body of one answer must arrive within this many seconds of its headers (the read timeout
        # alone is per read: a server sending a byte every few seconds would never trip it).
        self.answer_seconds = float(timeout) if timeout is not None else TIMEOUT_SECONDS
        self.max_body_bytes = MAX_BODY_BYTES
        self._seconds = TIMEOUT_SECONDS if timeout is None else timeout
        self._transport = transport
        self._user_agent = user_agent
        self._http: httpx.Client | None = None
        self._http_lock = threading.Lock()

    @property
    def _client(self) -> httpx.Client:
        """The httpx client, made on the first request (an offline scan never makes one, nor loads httpx)."""
        with self._http_lock:
            if self._http is None:
                import httpx

                self._http = httpx.Client(
                    transport=self._transport,
                    timeout=httpx.Timeout(self._seconds, connect=min(CONNECT_SECONDS, self._seconds)),
                    follow_redirects=True,
                    # Uncompressed answers: the byte cap bounds what we hold, with no decompression step to bound.
                    headers={"User-Agent": self._user_agent, **IDENTITY},
                )
            return self._http

    @classmethod
    def from_config(cls, config: ScanConfig, **kwargs: Any) -> HttpClient:
        """A client for one scan: offline mode, cache directory and timeout from the scan's configuration."""
        kwargs.setdefault("timeout", config.timeout)
        return cls(offline=config.offline, cache_dir=config.cache_dir, **kwargs)

    # -- public API -------------------------------------------------------------------------------------------
    def polite(self, host: str, seconds: float) -> None:
        """Leave at least ``seconds`` between two requests to ``host`` (for sites that ask for a rate)."""
        with self._lock:
            self._min_interval[host.lower()] = max(seconds, self._min_interval.get(host.lower(), 0.0))

    def get(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpAnswer:
        """GET ``url``; raise :class:`SourceUnavailable` (or :class:`RateLimited`) unless it answers 200/304."""
        if self.offline:
            raise SourceUnavailable(source, "offline: not fetched")
        request = self._client.build_request("GET", url, params=params, headers=headers)
        full_url = str(request.url)
        down = self._unreachable.get(request.url.host)
        if down:
            raise SourceUnavailable(source, f"{request.url.host} unreachable earlier in this scan ({down})")
        self._breaker(request.url.host, source).check(SERVICE)
        cached = self._cache_read(full_url)
        if cached is not None:
            # Validators let the server answer 304 without a body; a 304 costs no rate-limit quota on most APIs.
            if cached.get("etag"):
                request.headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                request.headers["If-Modified-Since"] = cached["last_modified"]
        response, body = self._send(request, source)
        if response.status_code == 304:
            if cached is None:
                raise SourceUnavailable(source, f"HTTP 304 without a cached copy for {full_url}")
            self._count("revalidated")
            return HttpAnswer(full_url, int(cached.get("status", 200)), cached["body"], self._utcnow(), True)
        text = body.decode(response.charset_encoding or "utf-8", errors="replace")
        answer = HttpAnswer(full_url, response.status_code, text, self._utcnow())
        self._cache_write(answer, response)
        return answer

    def get_json(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET ``url`` and parse its JSON body; malformed JSON is a :class:`SourceUnavailable`."""
        return parse_json(self.get(url, source=source, params=params, headers=headers), source)

    def probe_url(
        self, url: str, *, method: str = "HEAD", timeout: float = PROBE_TIMEOUT, source: str = "links"
    ) -> UrlStatus:
        """Whether ``url`` answers: its final status and URL after redirects, without reading or parsing a body.

        For link checks, not for data: no cache, at most one retry (after a 5xx, a timeout or a dropped
        connection), and any HTTP status is an answer. A request that gets no answer raises
        :class:`SourceUnavailable`; its reason starts with "timed out", "connection failed", "name not
        resolved", "request failed" or "bad URL".
        """
        import httpx

        if self.offline:
            raise SourceUnavailable(source, "offline: not fetched")
        last = ""
        for attempt in range(2):
            if attempt:
                self._sleep(self.backoff_base)
            try:
                request = self._client.build_request(method, url, timeout=httpx.Timeout(timeout))
            except httpx.HTTPError as exc:
                raise SourceUnavailable(source, f"bad URL: {_one_line(exc)}") from exc
            self._wait_for_host(request.url.host)
            self._count(source)
            try:
                # Streamed and closed unread: a link check must not download the page behind the link.
                response = self._client.send(request, stream=True)
                response.close()
            except _retry_errors() as exc:
                detail = f"{type(exc).__name__}: {_one_line(exc)}"
                if _name_not_resolved(exc):
                    raise SourceUnavailable(source, f"name not resolved: {detail}") from exc
                kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
                last = f"{kind} ({detail})"
                continue
            except httpx.HTTPError as exc:
                raise SourceUnavailable(source, f"request failed: {type(exc).__name__}: {_one_line(exc)}") from exc
            permanent = any(step.status_code in (301, 308) for step in response.history)
            status = UrlStatus(response.status_code, str(response.url), permanent)
            if status.status < 500 or attempt:
                return status
        raise SourceUnavailable(source, f"{last} after 2 attempts")

    def counts(self) -> dict[str, int]:
        """Requests sent per source, ``total``, ``rate_limited`` answers and ``revalidated`` (304) answers, and
        ``not_sent`` when an open circuit breaker held requests back."""
        with self._lock:
            counts = {"total": 0, "rate_limited": 0, "revalidated": 0}
            counts.update(self._counts)
            breakers = list(self._breakers.values())
        refused = sum(b.refused for b in breakers)
        if refused:
            counts["not_sent"] = refused
        return counts

    def warnings(self) -> list[str]:
        """One line per host whose circuit breaker opened in this scan (rate limit or repeated timeouts)."""
        with self._lock:
            breakers = list(self._breakers.values())
        return [line for breaker in breakers for line in breaker.warnings()]

    def close(self) -> None:
        """Close the connection pool."""
        client, self._http = self._http, None
        if client is not None:
            client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sending with retries ---------------------------------------------------------------------------------
    def _send(self, request: httpx.Request, source: str) -> tuple[httpx.Response, bytes]:
        from tenacity import Retrying, retry_if_exception_type

        breaker = self._breaker(request.url.host, source)

        def stop(state: RetryCallState) -> bool:
            # A breaker opened meanwhile (by this request's timeouts or another's) ends the retries at once.
            return state.attempt_number >= self.max_attempts or breaker.is_open()

        retrying = Retrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(_Retry),
            sleep=self._sleep,
            reraise=True,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    return self._attempt(request, source, breaker, waited=attempt.retry_state.idle_for)
        except _Retry as last:
            if last.rate_limited:
                raise breaker.rate_limited(SERVICE, self._reset_at(last.delay)) from None
            if last.reason.startswith("network error") and not last.timed_out:
                self._unreachable[request.url.host] = last.reason
            tail = "; not asked again in this scan" if breaker.is_open() else ""
            raise SourceUnavailable(source, f"{last.reason} after {attempts} attempts{tail}") from None
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _attempt(
        self, request: httpx.Request, source: str, breaker: CircuitBreaker, waited: float
    ) -> tuple[httpx.Response, bytes]:
        """One try: the response and its body when final, else :class:`_Retry` (or a typed error when hopeless)."""
        import httpx

        self._wait_for_host(request.url.host)
        self._count(source)
        try:
            # Streamed: the body is read below, within a byte cap and a deadline.
            response = self._client.send(request, stream=True)
        except _retry_errors() as exc:
            raise self._transport_failure(exc, request, source, breaker) from exc
        except httpx.HTTPError as exc:
            raise SourceUnavailable(source, f"request failed: {type(exc).__name__}: {_one_line(exc)}") from exc
        try:
            status = response.status_code
            if status == 304:
                breaker.answered()
                return response, b""
            if status == 200:
                return response, self._read(response, source, breaker, request)
            # Error answers are judged by status and headers only; their bodies are never read.
            breaker.answered()
        finally:
            response.close()
        delay = self._rate_limit_delay(response)
        # GitHub-style APIs signal a rate limit with 403 plus these headers; a bare 403 is a refusal.
        rate_limited = status == 429 or (
            status == 403
            and (response.headers.get("X-RateLimit-Remaining") == "0" or "Retry-After" in response.headers)
        )
        if rate_limited:
            self._count("rate_limited")
        if rate_limited and delay is not None and waited + delay > self.max_wait:
            # Asking again before the reset is refused too (and some services count refusals against the limit).
            raise breaker.rate_limited(SERVICE, self._reset_at(delay))
        if status in RETRY_STATUSES or rate_limited:
            raise _Retry(f"HTTP {status} {response.reason_phrase}".strip(), delay, rate_limited)
        raise SourceUnavailable(source, f"HTTP {status} {response.reason_phrase} for {request.url}")

    def _read(self, response: httpx.Response, source: str, breaker: CircuitBreaker, request: httpx.Request) -> bytes:
        """The body within the byte cap and the answer deadline; a body that breaks either is a final failure."""
        import httpx

        try:
            chunks: Iterable[bytes] = [response.content]  # already in memory (an in-process test transport)
        except httpx.ResponseNotRead:
            chunks = response.iter_raw()
        try:
            body = read_body(
                chunks,
                content_encoding=response.headers.get("Content-Encoding"),
                cap=self.max_body_bytes,
                seconds=self.answer_seconds,
                monotonic=time.monotonic,
            )
        except _retry_errors() as exc:
            raise self._transport_failure(exc, request, source, breaker) from exc
        except AnswerTooSlow as exc:
            opened = breaker.timed_out()
            tail = "; not asked again in this scan" if opened else ""
            raise SourceUnavailable(source, f"timed out: {exc} ({request.url.host}){tail}") from None
        except (AnswerTooLarge, AnswerUnreadable) as exc:
            breaker.answered()
            raise SourceUnavailable(source, f"{exc} ({request.url})") from None
        breaker.answered()
        return body

    def _transport_failure(
        self, exc: Exception, request: httpx.Request, source: str, breaker: CircuitBreaker
    ) -> Exception:
        """The error for a request that got no (complete) answer: retry it, or give up at once."""
        import httpx

        timed_out = isinstance(exc, httpx.TimeoutException)
        reason = f"network error: {type(exc).__name__}: {_one_line(exc)}"
        if timed_out:
            breaker.timed_out()
            return _Retry(f"timed out: {reason}", timed_out=True)
        if _name_not_resolved(exc):
            # A name that does not resolve will not resolve a second later: no network, or a typo.
            self._unreachable[request.url.host] = reason
            return SourceUnavailable(source, reason)
        return _Retry(reason)

    def _breaker(self, host: str, source: str) -> CircuitBreaker:
        with self._lock:
            breaker = self._breakers.get(host)
            if breaker is None:
                breaker = self._breakers[host] = CircuitBreaker(source, now=self._now, label=f"{source} ({host})")
            return breaker

    def _reset_at(self, delay: float | None) -> float | None:
        return self._now() + delay if delay is not None else None

    def _wait(self, state: RetryCallState) -> float:
        """The server's requested delay when it gave one, else exponential backoff."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry) and exc.delay is not None:
            return exc.delay
        return min(self.backoff_base * 2 ** (state.attempt_number - 1), BACKOFF_CAP)

    def _rate_limit_delay(self, response: httpx.Response) -> float | None:
        """Seconds until the server lets us try again, from ``Retry-After`` or ``X-RateLimit-Reset``."""
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            seconds = _parse_retry_after(retry_after, self._now())
            if seconds is not None:
                return seconds
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = response.headers.get("X-RateLimit-Reset", "")
            try:
                value = float(reset)
            except ValueError:
                return None
            if value < _EPOCH_FLOOR:
                return max(0.0, value)  # seconds until the reset (LFX Insights' form)
            # One second of slack: the reset instant is truncated to whole seconds by the server.
            return max(0.0, value - self._now()) + 1.0
        return None

    def _wait_for_host(self, host: str) -> None:
        """Keep the per-host minimum interval; requests to other hosts are not held up."""
        interval = self._min_interval.get(host.lower())
        if not interval:
            return
        with self._lock:
            lock = self._host_locks.setdefault(host.lower(), threading.Lock())
        with lock:
            last = self._last_request.get(host.lower())
            if last is not None:
                pause = last + interval - self._monotonic()
                if pause > 0:
                    self._sleep(pause)
            self._last_request[host.lower()] = self._monotonic()

    def _count(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1
            if key not in ("rate_limited", "revalidated"):
                self._counts["total"] += 1

    def _utcnow(self) -> datetime:
        return datetime.fromtimestamp(self._now(), UTC)

    # -- conditional-request cache ----------------------------------------------------------------------------
    def _cache_path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()}.json"

    def _cache_read(self, url: str) -> dict[str, Any] | None:
        path = self._cache_path(url)
        if path is None or not path.is_file():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged entry is just a cache miss
        if not isinstance(entry, dict) or entry.get("url") != url or not isinstance(entry.get("body"), str):
            return None
        return entry

    def _cache_write(self, answer: HttpAnswer, response: httpx.Response) -> None:
        """Store the body with its validators. Request headers (and so any Authorization) are never stored."""
        path = self._cache_path(answer.url)
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if path is None or not (etag or last_modified) or len(answer.text) > MAX_BODY_CHARS:
            return
        entry = {
            "url": answer.url,
            "etag": etag,
            "last_modified": last_modified,
            "status": answer.status,
            "fetched_at": answer.retrieved_at.isoformat(),
            "body": answer.text,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(tmp, path)
        except OSError:
            pass  # the cache is an optimisation; a read-only cache dir must not fail the scan


def parse_json(answer: HttpAnswer, source: str) -> Any:
    """The JSON body of ``answer``, or :class:`SourceUnavailable` saying it is malformed."""
    try:
        return json.loads(answer.text)
    except ValueError as exc:
        raise SourceUnavailable(source, f"malformed JSON from {answer.url}: {_one_line(exc)}") from None


def http_client(ctx: ScanContext) -> HttpClient:
    """The scan's one HTTP client, created on first use from the scan's configuration."""
    return ctx.client("http", lambda: HttpClient.from_config(ctx.config))


def host_of(url: str) -> str:
    """The lower-case host of ``url``."""
    return (urlsplit(url).hostname or "").lower()


def _parse_retry_after(value: str, now: float) -> float | None:
    """``Retry-After`` is either delta-seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


_DNS_FAILURE = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "no address associated",
    "getaddrinfo failed",
)


def _retry_errors() -> tuple[type[Exception], ...]:
    """Transport failures worth another try; anything else (bad URL, unsupported scheme) fails at once."""
    import httpx

    return (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _name_not_resolved(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.ConnectError) and any(text in str(exc).lower() for text in _DNS_FAILURE)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
