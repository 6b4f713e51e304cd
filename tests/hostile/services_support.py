"""Shared by tests/hostile/test_services_*.py: a wide synthetic org, a CLI run under memory and time limits.

Limits are the harness's, never assertions on how fast the happy path is: a scan that blows past its memory
limit dies (and the test fails on its exit status), one that hangs is killed at the subprocess timeout.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from gitfixture import make_repo

MEMORY_LIMIT = 2 * 1024**3  # address space, bytes: far above a normal scan, far below what a hostile body would take
TIME_LIMIT = 150  # seconds: a scan that needs longer is hung


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(
    *args: str, env: dict[str, str] | None = None, timeout: float = TIME_LIMIT
) -> subprocess.CompletedProcess:
    """``python -m dd_evidence ARGS`` in a subprocess with an address-space limit and a timeout."""
    base = {**os.environ, **(env or {})}
    base.setdefault("MALLOC_ARENA_MAX", "2")  # glibc reserves 64 MB of address space per arena otherwise
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        if env is None or name not in env:
            base.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "dd_evidence", *args],
        capture_output=True,
        text=True,
        env=base,
        timeout=timeout,
        preexec_fn=_limits,
    )


def run_python_limited(code: str, timeout: float = TIME_LIMIT) -> subprocess.CompletedProcess:
    """A Python snippet in a subprocess under the same limits."""
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout, preexec_fn=_limits
    )


def make_wide_org(root: Path, owner: str = "wide", count: int = 30) -> Path:
    """``root/<owner>/r00`` ... one small repository each, so per-repository API questions add up."""
    for index in range(count):
        make_repo(root, owner, f"r{index:02d}", [("2024-01-01T00:00:00+00:00", {"README.md": f"# r{index:02d}\n"})])
    return root


def wide_data(owner: str = "wide", count: int = 30) -> dict[str, Any]:
    """The fake GitHub's view of the same org: every repo listed, protected by a pull-request rule."""
    repos = {
        f"{owner}/r{index:02d}": {
            "id": 5000 + index,
            "name": f"r{index:02d}",
            "full_name": f"{owner}/r{index:02d}",
            "default_branch": "main",
            "private": False,
            "archived": False,
            "fork": False,
        }
        for index in range(count)
    }
    rule = [{"type": "pull_request", "parameters": {"required_approving_review_count": 1}}]
    return {
        "orgs": {owner: {"login": owner, "id": 4000, "type": "Organization", "two_factor_requirement_enabled": True}},
        "repos": repos,
        "rules": {key: rule for key in repos},
        "protected": set(),
        "pvr": {key: True for key in repos},
        "teams": {},
    }


def scan_args(org_root: Path, api: str, work: Path, project: str = "wide/r00", formats: str = "json") -> list[str]:
    return [
        project,
        "--git-url",
        f"file://{org_root}/{{owner}}/{{repo}}",
        "--github-api",
        api,
        "--cache-dir",
        str(work / "cache"),
        "--no-progress",
        "--probes",
        "github",
        "--format",
        formats,
        "--out",
        str(work / "out"),
    ]


def stderr_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip()]
