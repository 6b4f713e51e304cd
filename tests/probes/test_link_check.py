"""``links.external_links_alive`` against a loopback HTTP server: every answer kind a linked site can give."""

from __future__ import annotations

import inspect
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from memrepo import context

from dd_evidence.cli import _config, build_scan_parser
from dd_evidence.context import ScanContext
from dd_evidence.model import Outcome
from dd_evidence.probes.link_check import ExternalLinksAlive
from dd_evidence.scan import scan
from dd_evidence.sources.http import HttpClient

SLOW_SECONDS = 1.0
PROBE_TIMEOUT = 0.3


class _Handler(BaseHTTPRequestHandler):
    """Answers by path; records every request on the server."""

    server: _Server

    def _answer(self) -> None:
        self.server.requests.append((self.command, self.path))
        path = self.path
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
        if path == "/old":
            self._send(301, {"Location": "/new"})
        elif path == "/nohead" and self.command == "HEAD":
            self._send(405)
        elif path in ("/ok", "/new", "/nohead", "/slow"):
            self._send(200)
        elif path == "/private":
            self._send(403)
        elif path == "/error":
            self._send(500)
        else:
            self._send(404)

    def _send(self, status: int, headers: dict[str, str] | None = None) -> None:
        body = b"" if self.command == "HEAD" else b"page"
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up on a slow answer

    do_GET = _answer
    do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test asserts on ``server.requests`` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str]] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Dropped connections from timed-out clients are expected here."""


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ctx(base: str, refused: str, check_links: bool = True, offline: bool = False) -> ScanContext:
    readme = f"""# Acme

[![CI]({base}/badge.svg)]({base}/ci) Fine: [ok]({base}/ok), [moved]({base}/old).
Gone: [gone]({base}/gone#usage)
HEAD refused: [nohead]({base}/nohead) and [members only]({base}/private).

- [flaky]({base}/error)
- [slow]({base}/slow)
- [down]({refused}/x)
- [chat](https://qr.dingtalk.com/action/joingroup?code=abc)
- [own repo](https://github.com/acme/acme/blob/main/README.md)
- [mail](mailto:team@acme.dev) and [relative](docs/x.md)
"""
    ctx = context(
        {
            "acme": {"README.md": readme},
            "community": {"GOVERNANCE.md": f"# Governance\n\nSee [the old page]({base}/gone).\n"},
        },
        roles={"community": "community"},
    )
    ctx.config.check_links = check_links
    ctx.config.offline = offline
    # No backoff between the one retry: the test must not wait for nothing.
    ctx.client("http", lambda: HttpClient(offline=offline, cache_dir=None, backoff_base=0.0))
    return ctx


def _run(ctx: ScanContext) -> Any:
    try:
        (finding,) = ExternalLinksAlive(timeout=PROBE_TIMEOUT).run(ctx)
    finally:
        ctx.close_clients()
    return finding


def test_broken_links_listed_with_file_and_line(server: _Server) -> None:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    refused = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    f = _run(_ctx(base, refused))
    assert time.monotonic() - started < 8

    assert f.outcome is Outcome.FALSE
    broken = {b["url"]: b for b in f.values["broken"]}
    assert set(broken) == {f"{base}/gone", f"{base}/error", f"{refused}/x"}
    assert broken[f"{base}/gone"]["status"] == "404"
    assert broken[f"{base}/gone"]["files"] == ["acme/README.md#L4", "community/GOVERNANCE.md#L3"]
    assert broken[f"{base}/error"]["status"] == "500"
    assert broken[f"{base}/error"]["files"] == ["acme/README.md#L7"]
    assert broken[f"{refused}/x"]["status"].startswith("connection failed")

    assert f.values["redirected"] == [{"url": f"{base}/old", "to": f"{base}/new", "files": ["acme/README.md#L3"]}]
    unverified = {u["url"]: u["status"] for u in f.values["unverified"]}
    assert set(unverified) == {f"{base}/private", f"{base}/slow"}
    assert unverified[f"{base}/private"] == "403"
    assert unverified[f"{base}/slow"].startswith("timed out")
    # ok, old, gone, nohead, private, error, slow, refused; not the badge, invite, own-repo, mailto or relative links.
    assert f.values["checked"] == 8
    assert f.values["skipped"] == 4

    labels = [e.label for e in f.evidence]
    assert labels == ["acme/README.md#L4", "community/GOVERNANCE.md#L3", "acme/README.md#L7", "acme/README.md#L9"]
    assert all("/blob/" in e.url for e in f.evidence)

    requests = server.requests
    assert ("GET", "/nohead") in requests and ("HEAD", "/nohead") in requests
    assert ("GET", "/ok") not in requests  # HEAD sufficed
    assert not any(path in ("/badge.svg", "/ci") for _, path in requests)
    # A 500 gets one retry per method, never more.
    assert requests.count(("HEAD", "/error")) == 2 and requests.count(("GET", "/error")) == 2


def test_all_links_alive(server: _Server) -> None:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    ctx = context({"acme": {"README.md": f"# A\n\n[ok]({base}/ok) [again]({base}/ok#top) [nohead]({base}/nohead)\n"}})
    ctx.config.check_links = True
    ctx.config.offline = False
    ctx.client("http", lambda: HttpClient(cache_dir=None, backoff_base=0.0))
    f = _run(ctx)
    assert f.outcome is Outcome.TRUE
    assert f.values["checked"] == 2 and f.values["broken"] == [] and f.evidence == ()


def test_not_applicable_without_check_links(server: _Server) -> None:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    f = _run(_ctx(base, base, check_links=False))
    assert f.outcome is Outcome.NOT_APPLICABLE
    assert "--check-links" in f.message
    assert server.requests == []


def test_not_available_offline(server: _Server) -> None:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    f = _run(_ctx(base, base, offline=True))
    assert f.outcome is Outcome.NOT_AVAILABLE
    assert server.requests == []


def test_no_answer_at_all_is_not_available() -> None:
    refused = f"http://127.0.0.1:{_closed_port()}"
    ctx = context({"acme": {"README.md": f"# A\n\n[a]({refused}/a) [b]({refused}/b)\n"}})
    ctx.config.check_links = True
    ctx.config.offline = False
    ctx.client("http", lambda: HttpClient(cache_dir=None, backoff_base=0.0))
    assert _run(ctx).outcome is Outcome.NOT_AVAILABLE


def test_cli_and_scan_accept_check_links() -> None:
    opts = build_scan_parser().parse_args(["acme", "--check-links"])
    assert opts.check_links is True
    assert _config(opts).check_links is True
    assert _config(build_scan_parser().parse_args(["acme"])).check_links is False
    assert inspect.signature(scan).parameters["check_links"].default is False
    assert _config(opts).public()["check_links"] is True
