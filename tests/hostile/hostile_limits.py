"""Running hostile cases in a child process under CPU and memory limits.

A case that blows up is stopped by the kernel (SIGXCPU past the CPU limit, MemoryError past the address-space
limit) and the test fails on the exit status: no test here measures wall time on the happy path. The subprocess
timeout is only a guard against a hang, far above what a working case needs.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD = 300  # seconds; a working case takes a few


def limited_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child: no token of the developer's, fewer malloc arenas (address space is limited)."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN", "DD_EVIDENCE_DEBUG")}
    env["MALLOC_ARENA_MAX"] = "2"
    return {**env, **(extra or {})}


def _limits(cpu_seconds: int, memory_mb: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    return apply


def run_limited(
    args: list[str],
    *,
    cpu_seconds: int = 60,
    memory_mb: int = 2048,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` with the given CPU-time and address-space limits; output captured as text."""
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        env=env or limited_env(),
        cwd=cwd,
        timeout=HANG_GUARD,
        preexec_fn=_limits(cpu_seconds, memory_mb),  # no threads in the test process here
    )


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a snippet of Python under limits (see :func:`run_limited`)."""
    return run_limited([sys.executable, "-c", textwrap.dedent(code)], **kwargs)


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """``python -m dd_evidence ARGS`` under limits."""
    return run_limited([sys.executable, "-m", "dd_evidence", *args], **kwargs)


def killed_by_limit(proc: subprocess.CompletedProcess[str]) -> bool:
    """Whether the kernel stopped the child at its CPU limit (SIGXCPU/SIGKILL) or it ran out of memory."""
    return proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL) or "MemoryError" in proc.stderr


def write_plugin(directory: Path, name: str, source: str) -> Path:
    """A loose probe module for ``--probes-dir``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def plain_project(root: Path, files: dict[str, str] | None = None) -> Path:
    """A local folder (not a git repository) to scan: only a README unless ``files`` say more."""
    root.mkdir(parents=True, exist_ok=True)
    for path, text in {"README.md": "# demo\n\nA demo project.\n", **(files or {})}.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root
