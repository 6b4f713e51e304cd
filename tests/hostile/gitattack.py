"""Building blocks for hostile-repository tests: a program an attacker would want us to run (it leaves a marker
file when it runs), crafted commits and configs, and a CLI runner with resource limits.

Everything here is synthetic: our own repositories, built with git plumbing in a temp dir.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitfixture import git

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Trap:
    """A program that records every run in ``marker``; a test asserts the marker never appears."""

    program: Path
    marker: Path

    def ran(self) -> bool:
        return self.marker.exists()

    def runs(self) -> str:
        return self.marker.read_text() if self.marker.exists() else ""


def make_trap(root: Path, name: str = "evil") -> Trap:
    root.mkdir(parents=True, exist_ok=True)
    marker = root / f"{name}.ran"
    program = root / f"{name}.sh"
    program.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\nexit 1\n')
    program.chmod(0o755)
    return Trap(program, marker)


def plumbing_commit(
    repo: Path, message: str, date: str, extra_headers: str = "", parent: bool = True, tree: str | None = None
) -> str:
    """A commit written with ``hash-object --literally``, so its dates and headers can be anything (git's
    porcelain refuses a zone of +9959 or a year past 9999); HEAD's branch moves to it. The tree is the index's
    unless given."""
    tree = tree or git(repo, "write-tree").strip()
    lines = [f"tree {tree}"]
    if parent:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        if head:
            lines.append(f"parent {head}")
    lines.append(f"author Mallory <mallory@example.org> {date}")
    lines.append(f"committer Mallory <mallory@example.org> {date}")
    body = "\n".join(lines) + "\n" + extra_headers + "\n" + message + "\n"
    sha = (
        subprocess.run(
            ["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
            input=body.encode(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    branch = git(repo, "symbolic-ref", "HEAD").strip()
    git(repo, "update-ref", branch, sha)
    return sha


FAKE_SIGNATURE = (
    "gpgsig -----BEGIN PGP SIGNATURE-----\n"
    " \n"
    " iQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmAAAAAACgkQAAAAAAAAAAAA\n"
    " =AAAA\n"
    " -----END PGP SIGNATURE-----\n"
)


def executing_config(trap: Trap, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Every setting git 2.39 documents that runs a program, pointed at the trap."""
    program = str(trap.program)
    settings = {
        "core.fsmonitor": program,
        "core.sshCommand": program,
        "core.gitProxy": program,
        "core.askPass": program,
        "core.editor": program,
        "core.pager": program,
        "core.alternateRefsCommand": program,
        "sequence.editor": program,
        "credential.helper": f"!{program}",
        "gpg.program": program,
        "gpg.openpgp.program": program,
        "gpg.x509.program": program,
        "gpg.ssh.program": program,
        "gpg.ssh.defaultKeyCommand": program,
        "log.showSignature": "true",
        "diff.external": program,
        "diff.evil.textconv": program,
        "diff.evil.command": program,
        "filter.evil.clean": program,
        "filter.evil.smudge": program,
        "filter.evil.process": program,
        "merge.evil.driver": program,
        "uploadpack.packObjectsHook": program,
        "remote.origin.uploadpack": program,
        "remote.origin.receivepack": program,
        "fetch.fsckObjects": "false",
    }
    settings.update(extra or {})
    return settings


def write_config(repo_git_dir: Path, settings: dict[str, str]) -> None:
    for key, value in settings.items():
        subprocess.run(["git", "--git-dir", str(repo_git_dir), "config", key, value], check=True)


def hooks_dir(root: Path, trap: Trap) -> Path:
    """A hooks folder where every hook git knows runs the trap."""
    folder = root / "evil-hooks"
    folder.mkdir(parents=True, exist_ok=True)
    names = (
        "pre-commit post-commit post-checkout post-merge pre-push pre-receive update post-receive post-update "
        "reference-transaction pre-auto-gc post-rewrite fsmonitor-watchman push-to-checkout proc-receive"
    )
    for name in names.split():
        hook = folder / name
        hook.write_text(f'#!/bin/sh\nexec "{trap.program}" hook-{name} "$@"\n')
        hook.chmod(0o755)
    return folder


def limits(memory_bytes: int | None = None, open_files: int | None = None, cpu_seconds: int = 300):  # type: ignore[no-untyped-def]
    """A preexec function applying resource limits to the child (and, inherited, to the git it starts)."""

    def apply() -> None:
        if memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return apply


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any]
    markdown: str
    peak_rss_mb: float | None = None  # the scanning Python process's own peak (not git's), when measured


# Runs the CLI and reports the Python process's own peak RSS (ru_maxrss, KiB on Linux) on the last stderr line.
# An exit handler, not a ``finally``: ``python -m dd_evidence`` leaves by os._exit once the handlers have run.
_MEASURED = (
    "import atexit, resource, runpy, sys\n"
    "atexit.register(lambda: print(f'peak-rss-kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', "
    "file=sys.stderr, flush=True))\n"
    "sys.argv = ['dd_evidence', *sys.argv[1:]]\n"
    "runpy.run_module('dd_evidence', run_name='__main__')\n"
)


def run_scan(
    *args: str,
    out: Path,
    memory_bytes: int | None = None,
    open_files: int | None = None,
    timeout: float = 240,
    env: dict[str, str] | None = None,
    measure: bool = False,
) -> Run:
    """``python -m dd_evidence ARGS --format json,md --out OUT`` in a subprocess with resource limits; the
    harness stops it after ``timeout`` seconds (a hang fails the test instead of stalling the suite)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    environment.update(env or {})
    entry = ["-c", _MEASURED] if measure else ["-m", "dd_evidence"]
    proc = subprocess.run(
        [sys.executable, *entry, *args, "--format", "json,md", "--out", str(out), "--no-progress"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=timeout,
        preexec_fn=limits(memory_bytes, open_files),
    )
    reports = sorted(out.glob("*.json")) if out.is_dir() else []
    markdown = sorted(out.glob("*.md")) if out.is_dir() else []
    stderr, peak = proc.stderr, None
    if measure and "peak-rss-kib " in stderr:
        stderr, _, figure = stderr.rpartition("peak-rss-kib ")
        peak = int(figure.strip()) / 1024
    return Run(
        proc.returncode,
        proc.stdout,
        stderr,
        json.loads(reports[0].read_text()) if reports else {},
        markdown[0].read_text() if markdown else "",
        peak,
    )


def findings(report: dict[str, Any], probe: str) -> list[dict[str, Any]]:
    return [f for f in report.get("findings", []) if f["probe"] == probe]
