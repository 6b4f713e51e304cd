"""A loopback fake of the GitHub REST API for tests: our own synthetic org, real headers, injectable faults.

    with FakeGitHub(acme_data(two_factor=None)) as gh:
        gh.primary_rate_limit("/orgs/acme")          # 403, X-RateLimit-Remaining: 0, a reset time
        source = GitHubSource(gh.url)                # or gh.url + "/api/v3", as on GitHub Enterprise Server

It listens on 127.0.0.1 only (a random port), answers with the headers GitHub sends (X-RateLimit-*, ETag,
Content-Type, Link on paginated lists), counts requests per path and per route, and stops with the context
manager — or by itself after ``lifetime`` seconds, so a test that forgets it (or hangs) never leaves a server
running.

Documented GitHub behaviour it follows (docs.github.com REST reference):

- team members are answered only to authenticated org members: without an ``Authorization`` header the answer is
  401 ``{"message": "Requires authentication", ...}`` (any token counts as a member's here);
- lists are paginated, 30 items a page unless ``per_page`` (max 100) says otherwise, with a ``Link`` header naming
  the ``next``/``last`` (and ``first``/``prev``) pages while more remain — branch rules included;
- a 304 is free of quota only for an authorised request; an anonymous 304 counts against the 60 an hour;
- a renamed repository answers its old name with 301 and ``Location: /repositories/{id}``;
- an exhausted primary limit (:meth:`FakeGitHub.exhaust`) refuses every request of that resource with 403,
  ``X-RateLimit-Remaining: 0`` and the reset time until it passes.

Hostile faults (an endless chunked body, a huge body, a body trickling one byte at a time) stand for an API
answer gone wrong; they are bounded in time and size so a test can never hang or fill the disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
# The longest a slow answer may stall: bounded, so a fault can never hang a test run.
MAX_DELAY = 30.0
# The longest a hostile body keeps streaming, whatever the client does.
MAX_HOSTILE_SECONDS = 120.0
REQUIRES_AUTH = {
    "message": "Requires authentication",
    "documentation_url": "https://docs.github.com/rest/teams/members#list-team-members",
    "status": "401",
}


@dataclass
class Fault:
    """One injected misbehaviour for a path, used ``times`` times, then the path answers normally again."""

    status: int | None = None
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    reset: bool = False  # close the connection without answering
    delay: float = 0.0  # stall before answering (a read timeout on the client side)
    endless: bool = False  # a chunked body that never ends (until the client leaves or MAX_HOSTILE_SECONDS)
    body_bytes: int = 0  # a body of this many bytes, sent with its Content-Length (with trickle: its length)
    trickle: float = 0.0  # send the body one byte every this many seconds


@dataclass
class Canned:
    """A fixed answer for a path (e.g. a recorded GitHub body), served instead of the data dict's."""

    status: int
    body: str
    headers: dict[str, str]


class FakeGitHub:
    """A threaded HTTP server speaking enough of GitHub's REST API for the sources and probes under test.

    ``data`` keys: ``orgs`` {login: org object}, ``repos`` {"o/r": repo object}, ``rules`` {"o/r": [rule]},
    ``protected`` {"o/r"} (classic branch protection), ``pvr`` {"o/r": bool}, ``teams`` {"org/slug": [login]},
    ``issues`` [search item: html_url, title, number, state, repository_url, body, created_at, pull_request for PRs].
    """

    def __init__(self, data: dict[str, Any], latency: float = 0.0, lifetime: float = 300.0, limit: int = 60):
        self.data = data
        self.latency = latency
        self.limit = limit
        self.hits: Counter[str] = Counter()  # per request path
        self.routes: Counter[str] = Counter()  # per route template, e.g. "/repos/{o}/{r}/rules/branches/{b}"
        self.faults: dict[str, list[Fault]] = {}
        self.canned: dict[str, Canned] = {}
        self.auth_headers: list[str | None] = []
        self.not_modified = 0
        self.spent = 0  # answers that cost quota (everything but 304 and /rate_limit), as on GitHub
        self.rate_limited = 0  # 429s, and 403s that carry a rate-limit signal (Remaining 0 or Retry-After)
        self.reset_at = int(time.time()) + 3600
        self.exhausted: dict[str, float] = {}  # rate-limit resource -> epoch when it resets
        self.hostile_bytes = 0  # body bytes of hostile answers the client accepted (written to the socket)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._watchdog = threading.Timer(lifetime, self._stop)
        self._watchdog.daemon = True
        self._stopped = False

    @property
    def url(self) -> str:
        """The base URL to hand to the client (append ``/api/v3`` to act as GitHub Enterprise Server)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def total(self) -> int:
        """Every request received, faults included."""
        return sum(self.hits.values())

    # -- configuration ------------------------------------------------------------------------------------
    def add_latency(self, seconds: float) -> None:
        """Add ``seconds`` to every answer from now on (the benchmark's simulated network)."""
        self.latency += seconds

    def fail(self, path: str, **kwargs: Any) -> None:
        """Queue a :class:`Fault` for ``path`` (without the ``/api/v3`` prefix)."""
        self.faults.setdefault(path, []).append(Fault(**kwargs))

    def primary_rate_limit(self, path: str, reset_in: float = 3600, times: int = 1, status: int = 403) -> None:
        """The primary limit exhausted: 403 (or 429), ``X-RateLimit-Remaining: 0`` and the reset epoch."""
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time() + reset_in))}
        body = json.dumps({"message": "API rate limit exceeded for 127.0.0.1.", "documentation_url": "x"})
        self.fail(path, status=status, times=times, headers=headers, body=body)

    def secondary_rate_limit(self, path: str, retry_after: int = 60, times: int = 1, status: int = 429) -> None:
        """A secondary limit: 429 (or 403) with ``Retry-After`` seconds."""
        body = json.dumps({"message": "You have exceeded a secondary rate limit. Please wait a few minutes."})
        self.fail(path, status=status, times=times, headers={"Retry-After": str(retry_after)}, body=body)

    def server_error(self, path: str, status: int = 502, times: int = 1) -> None:
        """``times`` server errors, then normal answers."""
        self.fail(path, status=status, times=times, body=json.dumps({"message": "Server Error"}))

    def connection_reset(self, path: str, times: int = 1) -> None:
        """Close the socket without answering, ``times`` times."""
        self.fail(path, reset=True, times=times)

    def slow(self, path: str, seconds: float, times: int = 1) -> None:
        """Stall ``seconds`` (capped at MAX_DELAY) before answering normally: a read timeout for a shorter client."""
        self.fail(path, delay=seconds, times=times)

    def malformed(self, path: str, times: int = 1) -> None:
        """A 200 whose body is not JSON."""
        self.fail(path, status=200, times=times, body='{"login": "acme", ')

    def exhaust(self, resource: str = "core", reset_in: float = 3600) -> None:
        """The primary limit of ``resource`` is used up: every request of it is refused until the reset."""
        self.exhausted[resource] = time.time() + reset_in

    def endless_body(self, path: str, times: int = 100) -> None:
        """A 200 whose chunked body never ends."""
        self.fail(path, status=200, times=times, endless=True)

    def huge_body(self, path: str, size: int, times: int = 100) -> None:
        """A 200 with a body of ``size`` bytes (a JSON string that long)."""
        self.fail(path, status=200, times=times, body_bytes=size)

    def trickle_body(self, path: str, seconds_per_byte: float, size: int = 200, times: int = 100) -> None:
        """A 200 whose ``size``-byte JSON body arrives one byte every ``seconds_per_byte`` seconds."""
        self.fail(path, status=200, times=times, trickle=seconds_per_byte, body_bytes=size)

    def serve(self, path: str, body: str, status: int = 200, headers: dict[str, str] | None = None) -> None:
        """Answer ``path`` with this exact body and headers from now on (a recorded GitHub answer)."""
        self.canned[path] = Canned(status, body, dict(headers or {}))

    # -- lifecycle ----------------------------------------------------------------------------------------
    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._watchdog.cancel()
        self._stop()

    def _stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._server.shutdown()
        self._server.server_close()

    # -- routing ------------------------------------------------------------------------------------------
    def route(self, path: str, query: dict[str, list[str]], authorized: bool = False) -> tuple[str, int, Any]:
        """(route template, status, JSON body) for a GET of ``path`` from the data dict.

        A list body is the whole list; the handler cuts the page and adds the ``Link`` header.
        """
        parts = [p for p in path.split("/") if p]
        data = self.data
        orgs, repos = data.get("orgs", {}), data.get("repos", {})
        if parts == ["rate_limit"]:
            core = {"limit": self.limit, "used": self.spent, "remaining": self._remaining(), "reset": self.reset_at}
            return "/rate_limit", 200, {"resources": {"core": core}, "rate": core}
        if parts[:1] == ["orgs"] and len(parts) == 2:
            org = orgs.get(parts[1])
            return ("/orgs/{o}", 200, org) if org else ("/orgs/{o}", 404, NOT_FOUND)
        if parts[:1] in (["orgs"], ["users"]) and len(parts) == 3 and parts[2] == "repos":
            template = f"/{parts[0]}/{{o}}/repos"
            if parts[0] == "orgs" and parts[1] not in orgs:
                return template, 404, NOT_FOUND
            owned = [r for key, r in repos.items() if key.split("/")[0].lower() == parts[1].lower()]
            return template, 200, owned
        if parts[:1] == ["orgs"] and len(parts) == 5 and parts[2] == "teams" and parts[4] == "members":
            if not authorized:
                return "/orgs/{o}/teams/{t}/members", 401, REQUIRES_AUTH
            members = data.get("teams", {}).get(f"{parts[1]}/{parts[3]}")
            if members is None:
                return "/orgs/{o}/teams/{t}/members", 404, NOT_FOUND
            return "/orgs/{o}/teams/{t}/members", 200, [{"login": m, "type": "User"} for m in members]
        if parts == ["search", "issues"]:
            return "/search/issues", 200, self._search_issues(query)
        if parts[:1] == ["users"] and len(parts) == 2:
            user = data.get("users", {}).get(parts[1].lower())
            return ("/users/{u}", 200, user) if user else ("/users/{u}", 404, NOT_FOUND)
        if parts[:1] == ["repositories"] and len(parts) == 2:
            found = next((r for r in repos.values() if str(r.get("id")) == parts[1]), None)
            return ("/repositories/{id}", 200, found) if found else ("/repositories/{id}", 404, NOT_FOUND)
        if parts[:1] == ["repos"] and len(parts) >= 3:
            # Owner and repository names are case-insensitive on GitHub; the answer spells them GitHub's way.
            key = next((k for k in repos if k.lower() == f"{parts[1]}/{parts[2]}".lower()), f"{parts[1]}/{parts[2]}")
            repo = repos.get(key)
            rest = parts[3:]
            template = "/repos/{o}/{r}" + self._repo_template(rest)
            renamed = data.get("renamed", {}).get(key.lower())
            if repo is None and renamed is not None:
                return template, 301, {"id": repos[renamed]["id"]}
            if repo is None:
                return template, 404, NOT_FOUND
            if not rest:
                return template, 200, repo
            branch = "/".join(rest[2:]) if rest[:2] == ["rules", "branches"] else "/".join(rest[1:])
            if rest[:2] == ["rules", "branches"] and branch:
                rules = data.get("rules", {}).get(key, []) if branch == repo.get("default_branch") else []
                return template, 200, rules
            if rest[:1] == ["branches"] and branch:
                return template, 200, {"name": branch, "protected": key in data.get("protected", set())}
            if rest == ["private-vulnerability-reporting"]:
                enabled = data.get("pvr", {}).get(key)
                # GitHub answers 404/403 when the caller may not read the setting; None models that here.
                if enabled is None:
                    return template, 404, NOT_FOUND
                return template, 200, {"enabled": enabled}
        return "other", 404, NOT_FOUND

    def _search_issues(self, query: dict[str, list[str]]) -> dict[str, Any]:
        """``q`` as GitHub reads it, in small: ``org:`` qualifiers, then words or quoted phrases, alternatives
        joined by ``OR``; an item matches when its repo's owner is one of the orgs and every word of one
        alternative is in its title or body (case-insensitive)."""
        text = query.get("q", [""])[0]
        orgs = set(re.findall(r"\borg:(\S+)", text))
        rest = re.sub(r"\borg:\S+", " ", text)
        alternatives = [
            [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', alt)] for alt in re.split(r"\s+OR\s+", rest.strip())
        ]
        found = []
        for item in self.data.get("issues", []):
            owner = str(item.get("repository_url", "")).rstrip("/").split("/")[-2]
            haystack = f"{item.get('title', '')} {item.get('body') or ''}".lower()
            if (not orgs or owner in orgs) and any(
                alt and all(word.lower() in haystack for word in alt) for alt in alternatives
            ):
                found.append(item)
        per_page = min(100, int(query.get("per_page", ["30"])[0]))
        return {"total_count": len(found), "incomplete_results": False, "items": found[:per_page]}

    @staticmethod
    def _repo_template(rest: list[str]) -> str:
        if not rest:
            return ""
        if rest[:2] == ["rules", "branches"]:
            return "/rules/branches/{b}"
        if rest[:1] == ["branches"]:
            return "/branches/{b}"
        return "/" + "/".join(rest)

    def _remaining(self) -> int:
        return max(0, self.limit - self.spent)

    def _exhausted(self, path: str) -> float | None:
        """The reset epoch when the resource of ``path`` is exhausted now, else None."""
        resource = "search" if path.startswith("/search/") else "core"
        reset = self.exhausted.get(resource)
        return reset if reset is not None and reset > time.time() else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass  # keep test output quiet

            def do_GET(self) -> None:  # noqa: N802
                split = urlsplit(self.path)
                # GitHub Enterprise Server serves the same API under /api/v3.
                path = split.path.removeprefix("/api/v3")
                with fake._lock:
                    fake.hits[path] += 1
                    fake.auth_headers.append(self.headers.get("Authorization"))
                    queued = fake.faults.get(path) or []
                    fault = queued[0] if queued else None
                    if fault is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            queued.pop(0)
                if fake.latency:
                    time.sleep(min(fake.latency, MAX_DELAY))
                reset = fake._exhausted(path)
                if reset is not None:
                    fake.routes["exhausted"] += 1
                    limited = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(reset))}
                    if path.startswith("/search/"):
                        limited["X-RateLimit-Resource"] = "search"
                    message = {
                        "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
                        "requests get a higher rate limit. Check out the documentation for more details.)",
                        "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api"
                        "#rate-limiting",
                    }
                    self._send(403, json.dumps(message), limited)
                    return
                if fault is not None:
                    fake.routes["fault"] += 1
                    if fault.delay:
                        time.sleep(min(fault.delay, MAX_DELAY))
                    if fault.reset:
                        self._reset()
                        return
                    if fault.endless or fault.body_bytes or fault.trickle:
                        self._hostile(fault)
                        return
                    if fault.status is not None:
                        self._send(fault.status, fault.body or json.dumps({"message": "fault"}), fault.headers)
                        return
                if path in fake.canned:
                    canned = fake.canned[path]
                    fake.routes["canned"] += 1
                    self._send(canned.status, canned.body, canned.headers)
                    return
                query = parse_qs(split.query)
                authorized = bool(self.headers.get("Authorization"))
                template, status, body = fake.route(path, query, authorized)
                fake.routes[template] += 1
                if status == 301:
                    location = f"{fake.url}{split.path[: len(split.path) - len(path)]}/repositories/{body['id']}"
                    moved = {"message": "Moved Permanently", "url": location, "documentation_url": "x"}
                    self._send(301, json.dumps(moved), {"Location": location})
                    return
                extra: dict[str, str] = {}
                if status == 200 and isinstance(body, list) and template != "/search/issues":
                    body, extra = self._page(body, query, split.path)
                text = json.dumps(body, default=sorted)
                if status != 200:
                    self._send(status, text, {})
                    return
                etag = f'W/"{hashlib.sha256(text.encode()).hexdigest()[:40]}"'
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, "", {"ETag": etag, **extra})
                    return
                self._send(status, text, {"ETag": etag, "Cache-Control": "private, max-age=60, s-maxage=60", **extra})

            def _page(self, items: list[Any], query: dict[str, list[str]], path: str) -> tuple[list[Any], dict]:
                """One page of a list, 30 items unless per_page says otherwise, with GitHub's Link header."""
                page = max(1, int(query.get("page", ["1"])[0]))
                per_page = max(1, min(100, int(query.get("per_page", ["30"])[0])))
                last = max(1, -(-len(items) // per_page))
                links = []

                def url(number: int) -> str:
                    return f"<{fake.url}{path}?per_page={per_page}&page={number}>"

                if page < last:
                    links += [f'{url(page + 1)}; rel="next"', f'{url(last)}; rel="last"']
                if page > 1:
                    links += [f'{url(1)}; rel="first"', f'{url(page - 1)}; rel="prev"']
                headers = {"Link": ", ".join(links)} if links else {}
                return items[(page - 1) * per_page : page * per_page], headers

            def _hostile(self, fault: Fault) -> None:
                """A 200 whose body is endless, huge or trickling; stops when the client leaves or time is up."""
                stop_at = time.time() + MAX_HOSTILE_SECONDS
                headers = {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Resource": "core"}
                self.close_connection = True
                try:
                    self.send_response(200)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    if fault.endless:
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        chunk = b'"' + b"x" * 65534 + b'"'
                        while time.time() < stop_at:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            self._sent(len(chunk))
                    elif fault.trickle:
                        size = max(2, fault.body_bytes or 17)
                        body = b'"' + b"x" * (size - 2) + b'"'
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        for index in range(len(body)):
                            if time.time() > stop_at:
                                break
                            self.wfile.write(body[index : index + 1])
                            self.wfile.flush()
                            self._sent(1)
                            time.sleep(min(fault.trickle, MAX_DELAY))
                    else:
                        self.send_header("Content-Length", str(fault.body_bytes))
                        self.end_headers()
                        block = b"x" * 65536
                        left = fault.body_bytes
                        while left > 0 and time.time() < stop_at:
                            self.wfile.write(block[: min(left, len(block))])
                            self._sent(min(left, len(block)))
                            left -= len(block)
                except OSError:
                    pass  # the client gave up on the body: exactly what a bounded client does

            def _sent(self, count: int) -> None:
                with fake._lock:
                    fake.hostile_bytes += count

            def _reset(self) -> None:
                with contextlib.suppress(OSError):  # the client may have gone already
                    self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True

            def _send(self, status: int, body: str, extra: dict[str, str]) -> None:
                payload = body.encode()
                # "a 304 ... does not count against your primary rate limit if the request was made while
                # correctly authorized": an anonymous 304 is spent like any other answer.
                authorized = bool(self.headers.get("Authorization"))
                free = (status == 304 and authorized) or self.path.startswith(("/rate_limit", "/api/v3/rate_limit"))
                with fake._lock:
                    if status == 429 or (
                        status == 403 and (extra.get("X-RateLimit-Remaining") == "0" or "Retry-After" in extra)
                    ):
                        fake.rate_limited += 1
                    if status == 304:
                        fake.not_modified += 1
                    if not free:
                        fake.spent += 1
                    used, remaining = fake.spent, fake._remaining()
                headers = {
                    "Content-Type": "application/json; charset=utf-8",
                    "X-GitHub-Media-Type": "github.v3; format=json",
                    "X-RateLimit-Limit": str(fake.limit),
                    "X-RateLimit-Remaining": str(remaining),
                    "X-RateLimit-Reset": str(fake.reset_at),
                    "X-RateLimit-Used": str(used),
                    "X-RateLimit-Resource": "core",
                    **extra,
                }
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    self.close_connection = True  # the client timed out and left; nothing to answer

        return Handler


def acme_data(two_factor: bool | None = None) -> dict[str, Any]:
    """A synthetic org "acme" with two live repos, one archived and one fork.

    ``two_factor`` None leaves ``two_factor_requirement_enabled`` out of the org object, as GitHub does for
    anyone but an org owner.
    """
    org: dict[str, Any] = {
        "login": "acme",
        "id": 1001,
        "name": "Acme",
        "type": "Organization",
        "html_url": "https://github.com/acme",
        "public_repos": 4,
    }
    if two_factor is not None:
        org.update(
            two_factor_requirement_enabled=two_factor,
            members_can_create_repositories=False,
            default_repository_permission="read",
            plan={"name": "free", "seats": 5, "filled_seats": 3},
        )

    def repo(name: str, **flags: Any) -> dict[str, Any]:
        return {
            "id": 2000 + sum(ord(c) for c in name),
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
                {"type": "required_signatures"},
            ]
        },
        "protected": set(),
        "pvr": {"acme/acme": True},
        "teams": {"acme/maintainers": ["ada", "grace"]},
    }
