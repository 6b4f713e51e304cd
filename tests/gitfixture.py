"""Build small local git repositories of our own for tests (synthetic content, real git history)."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from pathlib import Path
from typing import IO


def git(
    repo: Path,
    *args: str,
    date: str = "2024-01-01T00:00:00+00:00",
    author: str = "Ada Example",
    email: str = "ada@example.org",
) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def make_repo(
    root: Path,
    owner: str,
    name: str,
    commits: list[tuple[str, dict[str, str | None]]],
    branch: str = "main",
    author: str = "Ada Example",
    email: str = "ada@example.org",
) -> Path:
    """Create ``root/owner/name`` with one commit per (date, {path: content or None to delete})."""
    repo = root / owner / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", branch)
    for index, (date, files) in enumerate(commits):
        for path, content in files.items():
            target = repo / path
            if content is None:
                git(repo, "rm", "-q", path)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            git(repo, "add", path)
        git(
            repo,
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            f"change {index}",
            date=date,
            author=author,
            email=email,
        )
    return repo


def make_acme_org(root: Path) -> Path:
    """A tiny synthetic project "acme": a main repo with stubs, a community repo with the real text."""
    make_repo(
        root,
        "acme",
        "acme",
        [
            (
                "2024-01-10T10:00:00+00:00",
                {
                    "README.md": "# Acme\n\nAcme does things.\n\n[![OpenSSF Best Practices]"
                    "(https://www.bestpractices.dev/projects/4242/badge)](https://www.bestpractices.dev/projects/4242)\n",
                    "GOVERNANCE.md": "# Governance\n\nSee the [community governance]"
                    "(https://github.com/acme/community/blob/main/GOVERNANCE.md).\n",
                    "SECURITY.md": "# Security\n\nMail security@acme.example.\n",
                    ".github/CODEOWNERS": "* @acme/maintainers\n/docs @ada\n",
                    ".github/ISSUE_TEMPLATE/bug.md": "---\nname: Bug\n---\n",
                },
            ),
            ("2024-06-01T10:00:00+00:00", {"ADOPTERS.md": "# Adopters\n\n- Example Corp\n"}),
        ],
    )
    make_repo(
        root,
        "acme",
        "community",
        [
            (
                "2024-01-05T10:00:00+00:00",
                {
                    "README.md": "# Acme community\n",
                    "GOVERNANCE.md": "# Acme Governance\n\n" + "\n".join(f"Rule {i}." for i in range(1, 12)) + "\n",
                    "CONTRIBUTING.md": "# Contributing\n\nOpen an issue, then a pull request.\n",
                    "CODE_OF_CONDUCT.md": "# Code of Conduct\n\nWe follow the CNCF Code of Conduct.\n",
                },
            ),
        ],
    )
    return root


class GitDaemon:
    """A git-protocol server for ``root`` on a loopback port, as github.com serves: partial clones and explicit
    object requests allowed. ``upload_packs()`` counts the fetch round trips it answered, per repository.

    It does what ``git daemon`` does (read the request line, start ``git upload-pack`` on the connection, log the
    request) with a listen backlog that does not overflow: the standalone daemon listens with a backlog of 5, so
    eight fetches starting at once overflowed it and a dropped connection waited a second for TCP's
    retransmission, a cost github.com does not have. Nothing else runs per connection (``git daemon --inetd``
    would add a process start of its own to each, on the cores the scan is measured on).

    Used as a context manager; the URL template is ``git://127.0.0.1:<port>/{owner}/{repo}``.
    """

    def __init__(self, root: Path):
        import tempfile

        self.root = root
        self.port = 0
        self.home = Path(tempfile.mkdtemp(prefix="git-daemon-"))  # its log and config, outside the test's dirs
        self.log = self.home / "daemon.log"
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._children: list[subprocess.Popen[bytes]] = []

    @property
    def url_template(self) -> str:
        return f"git://127.0.0.1:{self.port}/{{owner}}/{{repo}}"

    def __enter__(self) -> GitDaemon:
        config = self.home / "gitconfig"
        config.write_text("[uploadpack]\n\tallowFilter = true\n\tallowAnySHA1InWant = true\n")
        env = {**os.environ, "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}
        self._server = socket.create_server(("127.0.0.1", 0), backlog=512)
        self.port = self._server.getsockname()[1]
        log = open(self.log, "ab")  # noqa: SIM115 - the accepting thread owns it until the server stops
        server = self._server

        def serve() -> None:
            with log:
                while True:
                    try:
                        conn, _ = server.accept()
                    except OSError:
                        break  # the server socket was closed: stop
                    with conn:
                        child = self._upload_pack(conn, env, log)
                    if child is not None:
                        self._children = [c for c in self._children if c.poll() is None] + [child]

        self._thread = threading.Thread(target=serve, name="git-daemon", daemon=True)
        self._thread.start()
        return self

    def _upload_pack(self, conn: socket.socket, env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes] | None:
        """Read the request line ("git-upload-pack /owner/repo\\0host=...\\0[\\0version=2\\0]") and start
        ``git upload-pack`` on the connection; None for anything else."""
        conn.settimeout(10)
        try:
            head = _recv_exactly(conn, 4)
            payload = _recv_exactly(conn, int(head, 16) - 4)
        except (OSError, ValueError):
            return None
        conn.settimeout(None)
        service, _, rest = payload.partition(b" ")
        path, _, extra = rest.partition(b"\0")
        target = (self.root / path.decode(errors="replace").lstrip("/")).resolve()
        if service != b"git-upload-pack" or not target.is_relative_to(self.root.resolve()) or not target.is_dir():
            return None
        versions = [p.decode() for p in extra.split(b"\0") if p.startswith(b"version=")]
        child_env = {**env, "GIT_PROTOCOL": ":".join(versions)} if versions else env
        log.write(f"Request upload-pack for '{path.decode(errors='replace')}'\n".encode())
        log.flush()
        command = ["git", "upload-pack", "--timeout=60", str(target)]
        return subprocess.Popen(command, stdin=conn, stdout=conn, stderr=subprocess.DEVNULL, env=child_env)

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        for child in self._children:
            if child.poll() is None:
                child.terminate()
            child.wait(10)
        self._children = []

    def upload_packs(self) -> dict[str, int]:
        """Repository path -> number of ``git-upload-pack`` runs served so far."""
        import re

        counts: dict[str, int] = {}
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        for match in re.finditer(r"Request upload-pack for '([^']+)'", text):
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        return counts


def _recv_exactly(conn: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise OSError("connection closed before the request line")
        data += chunk
    return data
