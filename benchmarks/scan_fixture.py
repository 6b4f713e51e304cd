"""Benchmark: a graduation scan of the 10-repo Dragonfly fixture org behind a loopback fake GitHub API.

    python benchmarks/scan_fixture.py [--latency 0.1] [--keep DIR]

Builds the fixture with ../shared/tools/build-fixture-org (needs ../shared), serves a fake GitHub API with
``--latency`` seconds added to every request, then runs ``python -m dd_evidence dragonfly`` twice: cold (empty
cache) and warm (same cache). Prints wall time, GitHub requests, rate-limited requests and peak memory of each
run. Targets (issue 3): <= 40 GitHub requests cold, <= 5 rate-limited warm, warm < 5 s, peak < 300 MB.
Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "tests"))

from e2e.fakegithub import FakeGitHub  # noqa: E402
from realdata.conftest import build_dragonfly_org  # noqa: E402


def build_fixture(out: Path) -> list[str]:
    build_dragonfly_org(out)
    return sorted(p.name for p in (out / "dragonflyoss").iterdir())


def fake_data(repos: list[str]) -> dict:
    listing = {
        f"dragonflyoss/{r}": {"name": r, "default_branch": "main", "archived": False, "fork": False, "private": False}
        for r in repos
    }
    return {
        "orgs": {"dragonflyoss": {"login": "dragonflyoss", "name": "Dragonfly"}},
        "repos": listing,
        "rules": {},
        "protected": set(),
        "pvr": {},
        "teams": {},
    }


def run_scan(fixture: Path, api: str, cache: Path, out: Path) -> tuple[float, dict, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dd_evidence",
            "dragonfly",
            "--level",
            "graduation",
            "--git-url",
            f"file://{fixture}/{{owner}}/{{repo}}",
            "--github-api",
            api,
            "--cache-dir",
            str(cache),
            "--format",
            "json",
            "--out",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    report = json.loads(next(out.glob("*.json")).read_text())
    return wall, report["requests"], peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--keep", type=Path, help="keep the fixture and cache here")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm scans to run; the median is the figure")
    args = parser.parse_args()
    if not (SHARED / "tools/build-fixture-org").exists():
        raise SystemExit("needs ../shared beside the repository")
    work = args.keep or Path(tempfile.mkdtemp(prefix="dd-bench-"))
    fixture = work / "fixture"
    repos = (
        build_fixture(fixture) if not fixture.exists() else sorted(p.name for p in (fixture / "dragonflyoss").iterdir())
    )
    cache = work / "cache"
    if cache.exists():
        shutil.rmtree(cache)  # a cold run starts from an empty cache even with --keep
    walls: list[float] = []
    with FakeGitHub(fake_data(repos), latency=args.latency) as gh:
        for label in ["cold", *(f"warm-{n}" for n in range(1, args.warm_runs + 1))]:
            hits_before, spent_before, limited_before = sum(gh.hits.values()), gh.spent, gh.rate_limited
            wall, requests, peak = run_scan(fixture, gh.url, cache, work / f"out-{label}")
            served = sum(gh.hits.values()) - hits_before
            spent = gh.spent - spent_before
            # Rate-limit answers: GitHub's as the fake served them, plus those the HTTP client saw elsewhere.
            limited = gh.rate_limited - limited_before + requests.get("rate_limited", 0)
            print(
                f"{label}: {wall:.2f} s wall, {served} GitHub requests (report: {requests.get('github', 0)}), "
                f"{spent} counted against the rate limit (the rest 304 Not Modified), "
                f"{limited} rate-limited answers, peak RSS {peak:.0f} MB"
            )
            if label != "cold":
                walls.append(wall)
    if walls:
        print(f"warm median: {statistics.median(walls):.2f} s wall over {len(walls)} run(s)")


if __name__ == "__main__":
    main()
