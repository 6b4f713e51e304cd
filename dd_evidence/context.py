"""One scan = one context: the configuration, the clock, the sources and the repositories probes read.

Probes receive the context and nothing else, so a test can build one from local repositories and a fixed
clock without patching anything.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dd_evidence.isolation import DEFAULT_PROBE_TIMEOUT
from dd_evidence.sources.gitproc import redact
from dd_evidence.timeutil import utcnow

if TYPE_CHECKING:  # types only: the CLI reads this module's defaults without loading the git source
    from dd_evidence.repoview import RepoView
    from dd_evidence.resolve import ProjectRef

T = TypeVar("T")

DEFAULT_GIT_URL = "https://github.com/{owner}/{repo}.git"
DEFAULT_WEB_URL = "https://github.com/{owner}/{repo}"
DEFAULT_GITHUB_API = "https://api.github.com"
HISTORY_DAYS = 3 * 365 + 1

# The windows every report names in its header. Activity (who commits, which organisations, which maintainers are
# active) uses ``ScanConfig.window_days`` (``--window``); release regularity and governance history look further
# back, over these fixed spans, all ending at the scanned instant.
DEFAULT_ACTIVITY_DAYS = 180
RELEASE_HISTORY_DAYS = 365
GOVERNANCE_HISTORY_DAYS = 730


def default_cache_dir() -> Path:
    """``$DD_EVIDENCE_CACHE``, else ``$XDG_CACHE_HOME/dd-evidence``, else ``~/.cache/dd-evidence``."""
    if os.environ.get("DD_EVIDENCE_CACHE"):
        return Path(os.environ["DD_EVIDENCE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dd-evidence"


@dataclass
class ScanConfig:
    """Everything a user can set for one scan. The token is kept out of every report."""

    level: str = "graduation"
    as_of: datetime | None = None
    offline: bool = False
    git_url: str = DEFAULT_GIT_URL
    web_url: str = DEFAULT_WEB_URL
    github_api: str = DEFAULT_GITHUB_API
    cache_dir: Path = field(default_factory=default_cache_dir)
    repos: list[str] | None = None
    probes: list[str] | None = None
    probes_dirs: list[Path] = field(default_factory=list)
    token: str | None = field(default=None, repr=False)
    window_days: int = DEFAULT_ACTIVITY_DAYS
    refresh: bool = True
    # Probes (and per-repo API calls) run concurrently; 1 runs them one after another, as recording needs.
    workers: int = 8
    # Live requests to every external link of the governance documents (opt-in: slow and noisy).
    check_links: bool = False
    # Seconds to wait for one answer (GitHub and every other service); a slow Enterprise server may need more.
    timeout: float = 30.0
    # Seconds one probe may run before it is left behind as an error finding (a plugin stuck in a loop).
    probe_timeout: float = DEFAULT_PROBE_TIMEOUT
    # Keep parsed Markdown in the cache directory, so a re-scan skips unchanged documents.
    parse_cache: bool = True
    # How far back the history walk lists changed files: the longest window a history probe looks back
    # (governance changes and roster events over 2 years, from the roster as it stood before; audit follow-ups).
    history_days: int = HISTORY_DAYS
    # Object readers (git cat-file processes) open at once, whatever the number of repositories.
    git_readers: int = 4

    def public(self) -> dict[str, Any]:
        """The options as recorded in a report (no token)."""
        return {
            "level": self.level,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "offline": self.offline,
            "git_url": redact(self.git_url),
            "web_url": self.web_url,
            "github_api": self.github_api,
            "repos": self.repos,
            "probes": self.probes,
            "probes_dirs": [str(p) for p in self.probes_dirs],
            "window_days": self.window_days,
            "windows": {
                "activity_days": self.window_days,
                "releases_days": RELEASE_HISTORY_DAYS,
                "governance_history_days": GOVERNANCE_HISTORY_DAYS,
            },
            "check_links": self.check_links,
            "timeout": self.timeout,
            "probe_timeout": self.probe_timeout,
            "authenticated": self.token is not None,
        }


class ScanContext:
    """The facts of one scan, handed to every probe."""

    def __init__(
        self,
        config: ScanConfig,
        project: ProjectRef,
        repos: list[RepoView],
        unreadable: dict[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.config = config
        self.project = project
        self.repos = repos
        self.unreadable = dict(unreadable or {})
        self.clock = clock
        self._memo: dict[Any, Any] = {}
        self._memo_lock = threading.Lock()
        self._key_locks: dict[Any, threading.RLock] = {}
        self.clients: dict[str, Any] = {}

    @property
    def as_of(self) -> datetime:
        """The instant the scan describes: ``--as-of`` or now."""
        return self.config.as_of or self.clock()

    @property
    def main_repo(self) -> RepoView | None:
        return next((r for r in self.repos if r.role == "main"), self.repos[0] if self.repos else None)

    def repo(self, name: str) -> RepoView | None:
        """A scanned repo by ``name`` or ``owner/name`` (case-insensitive)."""
        wanted = name.lower()
        return next((r for r in self.repos if wanted in (r.name.lower(), r.full_name.lower())), None)

    def repos_with_role(self, *roles: str) -> list[RepoView]:
        return [r for r in self.repos if r.role in roles]

    def governance_repos(self) -> list[RepoView]:
        """Where governance usually lives, most likely first: community, org profile, main, then the rest."""
        order = {"community": 0, "org-profile": 1, "main": 2, "website": 3, "other": 4}
        return sorted(self.repos, key=lambda r: (order.get(r.role, 5), r.name))

    def client(self, name: str, create: Callable[[], T]) -> T:
        """The scan's one client for a service (HTTP, GitHub...), created on first use.

        The scan closes every client it created and reports their ``counts()`` (requests made) when it ends.
        """
        value = self.memo(("client", name), create)
        self.clients.setdefault(name, value)
        return value

    def close_clients(self) -> dict[str, int]:
        """Close every client and return their request counts, merged."""
        counts: dict[str, int] = {}
        for client in self.clients.values():
            for key, value in (client.counts() if hasattr(client, "counts") else {}).items():
                counts[key] = counts.get(key, 0) + value
            if hasattr(client, "close"):
                client.close()
        return counts

    def client_warnings(self) -> list[str]:
        """What the clients want said once about this scan (a service no longer asked, and why)."""
        lines: list[str] = []
        for client in self.clients.values():
            for line in client.warnings() if hasattr(client, "warnings") else []:
                if line not in lines:
                    lines.append(line)
        return lines

    def remembers(self, key: Any) -> bool:
        """Whether :meth:`memo` holds an answer for ``key`` already (a failure included)."""
        with self._memo_lock:
            return key in self._memo

    def give_up(self, key: Any, error: Exception) -> None:
        """Answer ``key`` with ``error`` from now on, unless it is answered already: its computation was left
        running past a deadline, and the askers still to come fail at once instead of waiting for it each in turn."""
        with self._memo_lock:
            self._memo.setdefault(key, _Failed(error))

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Compute a fact once per scan (probes share parsed documents, logs, API answers).

        Probes run concurrently: a per-key lock makes the second asker wait for the first one's answer
        instead of computing (or fetching) it again.
        """
        with self._memo_lock:
            if key in self._memo:
                return _unwrap(self._memo[key])
            key_lock = self._key_locks.setdefault(key, threading.RLock())
        with key_lock:
            with self._memo_lock:
                if key in self._memo:
                    return _unwrap(self._memo[key])
            try:
                value: Any = compute()
            except Exception as exc:
                # A fact that failed fails every asker the same way, at once: a project map that raises on hostile
                # input is not built again (at full cost) for each of the twenty probes that read it.
                value = _Failed(exc)
            with self._memo_lock:
                return _unwrap(self._memo.setdefault(key, value))


@dataclass(frozen=True)
class _Failed:
    """A memoised computation that raised."""

    error: Exception


def _unwrap(value: Any) -> Any:
    if isinstance(value, _Failed):
        raise value.error
    return value
