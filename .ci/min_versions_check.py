"""Run inside the minimum-versions environment: import every module, scan a small synthetic repo offline, then
scan it again asking the loopback fake GitHub of the test suite (tests/e2e/fakegithub.py, standard library only),
so the floors of PyGithub, requests and urllib3 are exercised on the path that talks to an API.

Prints the installed version of each pinned dependency, so the log shows the floors were really installed.
Exits non-zero (with the failure) when a module does not import or the scan does not write its report.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

FILES = {
    "README.md": "# Tiny\n\nA synthetic project for the minimum-versions check.\n",
    "GOVERNANCE.md": "# Governance\n\n## Maintainers\n\nDecisions are made by lazy consensus of the maintainers.\n",
    "MAINTAINERS.md": "# Maintainers\n\n| Name | GitHub | Company |\n| --- | --- | --- |\n| Ada | @ada | Acme |\n",
    "SECURITY.md": "# Security\n\nReport vulnerabilities to security@example.org.\n",
    "LICENSE": "Apache License\nVersion 2.0, January 2004\n",
}


def check_versions(constraints: Path) -> None:
    for line in constraints.read_text().splitlines():
        name, _, wanted = line.partition("==")
        installed = importlib.metadata.version(name)
        print(f"{name}: {installed} (floor {wanted})")
        if _release(installed) != _release(wanted):
            raise SystemExit(f"{name} {installed} is installed, not the floor {wanted}")


def _release(version: str) -> tuple[str, ...]:
    """``0.27`` and ``0.27.0`` name one release: trailing zero parts do not count."""
    parts = version.split(".")
    while len(parts) > 1 and parts[-1] == "0":
        parts.pop()
    return tuple(parts)


def import_everything() -> int:
    import dd_evidence

    count = 0
    for module in pkgutil.walk_packages(dd_evidence.__path__, "dd_evidence."):
        importlib.import_module(module.name)
        count += 1
    return count


def make_repo(work: Path) -> tuple[Path, dict[str, str]]:
    repo = work / "acme" / "tiny"
    repo.mkdir(parents=True)
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
        "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
        "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
    }
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    for path, text in FILES.items():
        (repo / path).write_text(text)
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "start"], check=True, env=env)
    return repo, env


def run_scan(work: Path, env: dict[str, str], label: str, *args: str) -> dict:
    out = work / f"out-{label}"
    command = [sys.executable, "-m", "dd_evidence", *args, "--no-progress", "--format", "json,md,html"]
    command += ["--out", str(out), "--cache-dir", str(work / f"cache-{label}")]
    proc = subprocess.run(command, capture_output=True, text=True, env={**env, "DD_EVIDENCE_CACHE": str(work)})
    if proc.returncode != 0:
        raise SystemExit(f"{label} scan failed with exit {proc.returncode}: {proc.stderr.strip()}")
    report = json.loads(next(out.glob("*.json")).read_text())
    if not report.get("criteria") or not report.get("findings"):
        raise SystemExit(f"{label} scan wrote a report without criteria or findings")
    return report


def online_scan(work: Path, env: dict[str, str]) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
    from fakegithub import FakeGitHub, acme_data

    data = acme_data(two_factor=True)
    data["repos"] = {"acme/tiny": {**data["repos"]["acme/acme"], "name": "tiny", "full_name": "acme/tiny"}}
    data["rules"] = {"acme/tiny": data["rules"]["acme/acme"]}
    with FakeGitHub(data) as gh:
        template = f"file://{work}/{{owner}}/{{repo}}"
        report = run_scan(
            work, env, "online", "acme/tiny", "--git-url", template, "--github-api", gh.url, "--probes", "github"
        )
    outcomes = {(f["probe"], f["subject"]): f["outcome"] for f in report["findings"]}
    expected = {("github.org_requires_2fa", "acme"): "true", ("github.default_branch_protected", "acme/tiny"): "true"}
    for key, outcome in expected.items():
        if outcomes.get(key) != outcome:
            raise SystemExit(f"online scan: {key} is {outcomes.get(key)}, expected {outcome}")
    return report


def main() -> int:
    check_versions(Path(sys.argv[1]))
    print(f"imported {import_everything()} modules")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        repo, env = make_repo(work)
        report = run_scan(work, env, "offline", str(repo), "--offline")
        print(f"offline scan: {len(report['criteria'])} criteria, {len(report['findings'])} findings")
        report = online_scan(work, env)
        print(f"online scan against the fake GitHub: {report['requests'].get('github', 0)} requests, answers read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
