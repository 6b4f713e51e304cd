"""HttpClient over httpx.MockTransport (fault tables) and over a real loopback server (the real transport)."""

from __future__ import annotations

import email.utils
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from memrepo import context

from dd_evidence.errors import RateLimited, SourceUnavailable
from dd_evidence.sources.http import HttpClient, http_client

URL = "https://api.example.test/thing"
T0 = 1_760_000_000.0


class FakeTime:
    """A clock that only moves when the client sleeps, so tests never wait."""

    def __init__(self) -> None:
        self.t = T0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def now(self) -> float:
        return self.t

    monotonic = now


Step = httpx.Response | Exception


class Script:
    """A transport handler that answers with the next scripted step and records every request."""

    def __init__(self, *steps: Step):
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step


def make(script: Callable[[httpx.Request], httpx.Response], **kwargs) -> tuple[HttpClient, FakeTime]:
    clock = FakeTime()
    client = HttpClient(
        transport=httpx.MockTransport(script),
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        now=clock.now,
        **kwargs,
    )
    return client, clock


def ok(data: object = None, **headers: str) -> httpx.Response:
    return httpx.Response(200, json={"ok": True} if data is None else data, headers=headers)


def test_200_answers_json_and_counts_per_source() -> None:
    script = Script(ok())
    client, clock = make(script)
    assert client.get_json(URL, source="svc", params={"q": "a b"}) == {"ok": True}
    request = script.requests[0]
    assert request.headers["User-Agent"].startswith("dd-evidence/")
    assert request.url.params["q"] == "a b"
    assert client.counts() == {"svc": 1, "total": 1, "rate_limited": 0, "revalidated": 0}
    assert clock.sleeps == []


def test_304_is_answered_from_the_cache(tmp_path: Path) -> None:
    script = Script(
        ok({"v": 1}, ETag='W/"abc"', **{"Last-Modified": "Wed, 01 Oct 2025 10:00:00 GMT"}),
        httpx.Response(304),
    )
    client, _ = make(script, cache_dir=tmp_path)
    assert client.get_json(URL, source="svc") == {"v": 1}
    second = client.get(URL, source="svc")
    assert second.revalidated and json.loads(second.text) == {"v": 1}
    assert script.requests[1].headers["If-None-Match"] == 'W/"abc"'
    assert script.requests[1].headers["If-Modified-Since"] == "Wed, 01 Oct 2025 10:00:00 GMT"
    assert "If-None-Match" not in script.requests[0].headers
    assert client.counts() == {"svc": 2, "total": 2, "rate_limited": 0, "revalidated": 1}


def test_cache_entry_never_holds_the_authorization_header(tmp_path: Path) -> None:
    client, _ = make(Script(ok(ETag='"e1"')), cache_dir=tmp_path)
    client.get_json(URL, source="svc", headers={"Authorization": "Bearer sekrit-token"})
    (entry,) = (tmp_path / "http").glob("*.json")
    text = entry.read_text()
    assert "sekrit" not in text and "authorization" not in text.lower()
    assert set(json.loads(text)) == {"url", "etag", "last_modified", "status", "fetched_at", "body"}


def test_primary_rate_limit_within_bound_waits_then_succeeds() -> None:
    limited = httpx.Response(
        403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(T0) + 10)}, json={"message": "x"}
    )
    client, clock = make(Script(limited, ok()))
    assert client.get_json(URL, source="svc") == {"ok": True}
    assert clock.sleeps == [11.0]  # reset plus one second of slack
    assert client.counts() == {"svc": 2, "total": 2, "rate_limited": 1, "revalidated": 0}


def test_primary_rate_limit_beyond_bound_raises_rate_limited_without_waiting() -> None:
    limited = httpx.Response(403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(T0) + 3600)})
    script = Script(limited, ok())
    client, clock = make(script, max_wait=60)
    with pytest.raises(RateLimited) as err:
        client.get_json(URL, source="github")
    assert err.value.source == "github" and err.value.reset_in == pytest.approx(3601)
    assert "rate limit exceeded; resets in 3601 s" in str(err.value)
    assert clock.sleeps == [] and len(script.requests) == 1


@pytest.mark.parametrize(
    "retry_after, expected",
    [("7", 7.0), (email.utils.formatdate(T0 + 20, usegmt=True), 20.0)],
    ids=["seconds", "http-date"],
)
def test_429_retry_after_is_honoured(retry_after: str, expected: float) -> None:
    client, clock = make(Script(httpx.Response(429, headers={"Retry-After": retry_after}), ok()))
    assert client.get_json(URL, source="svc") == {"ok": True}
    assert clock.sleeps == [pytest.approx(expected)]
    assert client.counts()["rate_limited"] == 1


def test_429_retry_after_beyond_bound_raises_rate_limited() -> None:
    client, _ = make(Script(httpx.Response(429, headers={"Retry-After": "120"})), max_wait=60)
    with pytest.raises(RateLimited):
        client.get_json(URL, source="svc")


def test_429_without_hint_exhausting_retries_raises_rate_limited() -> None:
    client, clock = make(Script(httpx.Response(429)))
    with pytest.raises(RateLimited):
        client.get_json(URL, source="svc")
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_502_503_then_success_backs_off_exponentially() -> None:
    client, clock = make(Script(httpx.Response(502), httpx.Response(503), ok()))
    assert client.get_json(URL, source="svc") == {"ok": True}
    assert clock.sleeps == [1.0, 2.0]
    assert client.counts()["svc"] == 3


def test_connection_reset_then_success() -> None:
    client, clock = make(Script(httpx.ConnectError("connection reset by peer"), ok()))
    assert client.get_json(URL, source="svc") == {"ok": True}
    assert clock.sleeps == [1.0]


def test_read_timeout_exhausting_retries_is_source_unavailable() -> None:
    script = Script(httpx.ReadTimeout("timed out"))
    client, _ = make(script)
    with pytest.raises(SourceUnavailable) as err:
        client.get_json(URL, source="svc")
    assert "ReadTimeout" in err.value.reason and "after 4 attempts" in err.value.reason
    assert "\n" not in str(err.value)
    assert len(script.requests) == 4 and client.counts()["svc"] == 4


def test_malformed_json_is_source_unavailable() -> None:
    client, _ = make(Script(httpx.Response(200, text="<html>oops")))
    with pytest.raises(SourceUnavailable, match="malformed JSON"):
        client.get_json(URL, source="svc")


@pytest.mark.parametrize("status", [404, 401, 403, 500])
def test_final_error_statuses_are_not_retried(status: int) -> None:
    script = Script(httpx.Response(status))
    client, clock = make(script)
    with pytest.raises(SourceUnavailable) as err:
        client.get_json(URL, source="svc")
    assert not isinstance(err.value, RateLimited)
    assert err.value.reason.startswith(f"HTTP {status}")
    assert len(script.requests) == 1 and clock.sleeps == []


def test_offline_makes_no_request(tmp_path: Path) -> None:
    script = Script(ok())
    client, _ = make(script, offline=True, cache_dir=tmp_path)
    with pytest.raises(SourceUnavailable) as err:
        client.get_json(URL, source="bestpractices")
    assert str(err.value) == "bestpractices: offline: not fetched"
    assert script.requests == [] and client.counts()["total"] == 0
    assert not (tmp_path / "http").exists()


def test_per_host_min_interval_spaces_requests_to_that_host_only() -> None:
    client, clock = make(Script(ok()))
    client.polite("api.example.test", 1.0)
    client.get_json(URL, source="svc")
    client.get_json("https://other.example.test/x", source="svc")
    assert clock.sleeps == []
    client.get_json(URL, source="svc")
    assert clock.sleeps == [pytest.approx(1.0)]


def test_http_client_is_memoised_per_scan(tmp_path: Path) -> None:
    ctx = context({"acme": {"README.md": "# Acme\n"}})
    ctx.config.offline, ctx.config.cache_dir = True, tmp_path
    client = http_client(ctx)
    assert http_client(ctx) is client
    assert client.offline and client.cache_dir == tmp_path / "http"
    client.close()


# -- the real transport, against a loopback server ----------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []
    failures_left = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        type(self).seen.append(dict(self.headers))
        if type(self).failures_left:
            type(self).failures_left -= 1
            self._answer(503, b"busy")
        elif self.headers.get("If-None-Match") == '"v1"':
            self._answer(304, b"")
        else:
            self._answer(200, b'{"served": "loopback"}', etag='"v1"')

    def _answer(self, status: int, body: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    _Handler.seen = []
    _Handler.failures_left = 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/data.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_loopback_retry_etag_and_304(loopback: str, tmp_path: Path) -> None:
    clock = FakeTime()
    with HttpClient(cache_dir=tmp_path, sleep=clock.sleep, now=clock.now) as client:
        assert client.get_json(loopback, source="loop") == {"served": "loopback"}
        again = client.get(loopback, source="loop")
    assert again.revalidated and json.loads(again.text) == {"served": "loopback"}
    assert [h.get("If-None-Match") for h in _Handler.seen] == [None, None, '"v1"']
    assert _Handler.seen[0]["User-Agent"].startswith("dd-evidence/")
    assert clock.sleeps == [1.0]  # the 503 was retried once
    assert client.counts() == {"loop": 3, "total": 3, "rate_limited": 0, "revalidated": 1}


def test_unresolvable_host_fails_once_and_fast() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    client = HttpClient(transport=httpx.MockTransport(handler), sleep=lambda _s: None)
    with pytest.raises(SourceUnavailable, match="Name or service not known"):
        client.get("https://nowhere.example/a", source="x")
    with pytest.raises(SourceUnavailable, match="unreachable earlier in this scan"):
        client.get("https://nowhere.example/b", source="y")
    assert len(calls) == 1


def test_host_down_after_retries_is_remembered() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        raise httpx.ConnectError("Connection refused", request=request)

    client = HttpClient(transport=httpx.MockTransport(handler), sleep=lambda _s: None, max_attempts=3)
    with pytest.raises(SourceUnavailable):
        client.get("https://down.example/a", source="x")
    with pytest.raises(SourceUnavailable, match="unreachable"):
        client.get("https://down.example/b", source="x")
    assert len(calls) == 3
