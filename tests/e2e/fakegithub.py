"""A loopback fake of the GitHub REST API for tests: our own synthetic org, real headers, injectable faults.

    with FakeGitHub({"orgs": {...}, "repos": {...}}) as gh:
        gh.fail("/orgs/acme", status=403, times=1, headers={"X-RateLimit-Remaining": "0"})
        ... base_url = gh.url

Everything listens on 127.0.0.1 only and stops with the context manager.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    status: int | None = None  # None with reset=True closes the connection without answering
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    reset: bool = False
    delay: float = 0.0


class FakeGitHub:
    def __init__(self, data: dict[str, Any], latency: float = 0.0):
        self.data = data
        self.latency = latency
        self.hits: Counter[str] = Counter()
        self.faults: dict[str, list[Fault]] = {}
        self.auth_headers: list[str | None] = []
        self.not_modified = 0
        self.spent = 0  # answers that cost quota (everything but 304), as on GitHub
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, path: str, **kwargs: Any) -> None:
        self.faults.setdefault(path, []).append(Fault(**kwargs))

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- routing ------------------------------------------------------------------------------------------
    def route(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        data = self.data
        if parts[:1] == ["orgs"] and len(parts) == 2:
            org = data.get("orgs", {}).get(parts[1])
            return (200, org) if org else (404, {"message": "Not Found"})
        if parts[:1] in (["orgs"], ["users"]) and len(parts) == 3 and parts[2] == "repos":
            repos = [r for key, r in data.get("repos", {}).items() if key.split("/")[0] == parts[1]]
            if parts[0] == "orgs" and parts[1] not in data.get("orgs", {}):
                return 404, {"message": "Not Found"}
            page = int(query.get("page", ["1"])[0])
            per_page = int(query.get("per_page", ["30"])[0])
            return 200, repos[(page - 1) * per_page : page * per_page]
        if parts[:1] == ["orgs"] and len(parts) == 5 and parts[2] == "teams" and parts[4] == "members":
            members = data.get("teams", {}).get(f"{parts[1]}/{parts[3]}")
            return (200, [{"login": m} for m in members]) if members is not None else (404, {"message": "Not Found"})
        if parts[:1] == ["repos"] and len(parts) >= 3:
            key = f"{parts[1]}/{parts[2]}"
            repo = data.get("repos", {}).get(key)
            if repo is None:
                return 404, {"message": "Not Found"}
            rest = parts[3:]
            if not rest:
                return 200, repo
            if rest[:2] == ["rules", "branches"]:
                return 200, data.get("rules", {}).get(key, [])
            if rest[:1] == ["branches"] and len(rest) == 2:
                return 200, {"name": rest[1], "protected": key in data.get("protected", set())}
            if rest == ["private-vulnerability-reporting"]:
                enabled = data.get("pvr", {}).get(key)
                return (200, {"enabled": enabled}) if enabled is not None else (404, {"message": "Not Found"})
        return 404, {"message": "Not Found"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                split = urlsplit(self.path)
                path = split.path.removeprefix("/api/v3")
                fake.hits[path] += 1
                fake.auth_headers.append(self.headers.get("Authorization"))
                if fake.latency:
                    time.sleep(fake.latency)
                queued = fake.faults.get(path) or []
                if queued:
                    fault = queued[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        queued.pop(0)
                    if fault.delay:
                        time.sleep(fault.delay)
                    if fault.reset:
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    self._send(fault.status or 500, fault.body or json.dumps({"message": "fault"}), fault.headers)
                    return
                status, body = fake.route(path, parse_qs(split.query))
                text = json.dumps(body, default=sorted)
                etag = f'W/"{hashlib.sha256(text.encode()).hexdigest()[:20]}"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    fake.not_modified += 1
                    self._send(304, "", {"ETag": etag})
                    return
                self._send(status, text, {"ETag": etag})

            def _send(self, status: int, body: str, extra: dict[str, str]) -> None:
                payload = body.encode()
                self.send_response(status)
                if status != 304:
                    fake.spent += 1
                headers = {
                    "Content-Type": "application/json; charset=utf-8",
                    "X-RateLimit-Limit": "60",
                    "X-RateLimit-Remaining": str(max(0, 60 - fake.spent)),
                    "X-RateLimit-Reset": str(int(time.time()) + 3600),
                    "X-RateLimit-Resource": "core",
                    **extra,
                }
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def acme_data(two_factor: bool | None = None) -> dict[str, Any]:
    """A synthetic org "acme" with two live repos, one archived and one fork."""
    org: dict[str, Any] = {"login": "acme", "name": "Acme", "html_url": "https://github.com/acme"}
    if two_factor is not None:
        org["two_factor_requirement_enabled"] = two_factor

    def repo(name: str, **flags: Any) -> dict[str, Any]:
        return {
            "name": name,
            "full_name": f"acme/{name}",
            "default_branch": "main",
            "private": False,
            "archived": False,
            "fork": False,
            **flags,
        }

    return {
        "orgs": {"acme": org},
        "repos": {
            "acme/acme": repo("acme"),
            "acme/community": repo("community"),
            "acme/old": repo("old", archived=True),
            "acme/forked": repo("forked", fork=True),
        },
        "rules": {
            "acme/acme": [
                {"type": "pull_request", "parameters": {"required_approving_review_count": 2}},
                {"type": "non_fast_forward"},
            ]
        },
        "protected": set(),
        "pvr": {"acme/acme": True},
        "teams": {"acme/maintainers": ["ada", "grace"]},
    }
