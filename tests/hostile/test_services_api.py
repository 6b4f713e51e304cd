"""A misbehaving GitHub API, end to end through the CLI: an exhausted quota, an API that keeps timing out, and
answers whose bodies never end, are huge or trickle in. Each scan must finish under the harness's memory and time
limits, write its report, mark the affected findings not_available with the reason, stop asking a resource that
cannot answer, and say so in one line — never in a flood of library log lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from e2e.fakegithub import FakeGitHub
from hostile.services_support import make_wide_org, run_limited, scan_args, stderr_lines, wide_data

REPOS = 30
# Questions the github probes ask of a 30-repo org: the org, and per repo its branch rules and PVR setting.
QUESTIONS = 1 + 2 * REPOS
# Requests already on their way when the breaker opens: the probes' thread pools (8 probes, 6 per-repo workers).
IN_FLIGHT = 16
# With a token, so the line about an anonymous scan of a big org does not mix in (see test_services_token.py).
TOKEN = {"GITHUB_TOKEN": "ghp_" + "h" * 36}


@pytest.fixture(scope="module")
def wide_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return make_wide_org(tmp_path_factory.mktemp("wide"), count=REPOS)


def report_of(work: Path) -> dict:
    return json.loads(next((work / "out").glob("*.json")).read_text())


def github_findings(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["probe"].startswith("github.")]


def test_an_exhausted_quota_stops_the_asking_after_the_first_refusal(wide_org: Path, tmp_path: Path) -> None:
    """403 with X-RateLimit-Remaining 0 and a reset an hour ahead: every later core request would be refused
    too. Before: one request per question (61 here) and a log line per refusal. Now: the breaker opens at the
    first refusal, the findings say when the limit resets, and the terminal gets one warning line."""
    with FakeGitHub(wide_data(count=REPOS)) as gh:
        gh.exhaust("core", reset_in=3600)
        proc = run_limited(*scan_args(wide_org, gh.url, tmp_path), env=TOKEN)
        sent = gh.total
    assert proc.returncode == 0, proc.stderr
    assert sent <= IN_FLIGHT < QUESTIONS, f"{sent} requests after the quota was gone"
    findings = github_findings(report_of(tmp_path))
    assert len(findings) == QUESTIONS
    for finding in findings:
        assert finding["outcome"] == "not_available", finding
        assert "rate limit exceeded; resets in" in finding["message"] and "UTC" in finding["message"]
    warnings = [line for line in stderr_lines(proc) if "warning" in line]
    assert len(warnings) == 1 and "core rate limit is exhausted until" in warnings[0], proc.stderr
    library_noise = [line for line in stderr_lines(proc) if not line.startswith(("dd-evidence:", "wrote "))]
    assert library_noise == [], "PyGithub/urllib3 logging reached the terminal"
    assert warnings[0].removeprefix("dd-evidence: warning: ") in report_of(tmp_path)["errors"]
    assert report_of(tmp_path)["requests"]["github_not_sent"] >= QUESTIONS - IN_FLIGHT


def test_an_api_that_keeps_timing_out_is_not_asked_again(wide_org: Path, tmp_path: Path) -> None:
    """Every answer takes 4 s and --timeout is 1: before, every question cost a timeout and its retry (122
    requests here). Now two timed-out questions in a row open the breaker; the rest fail at once."""
    with FakeGitHub(wide_data(count=REPOS), latency=4) as gh:
        proc = run_limited(*scan_args(wide_org, gh.url, tmp_path), "--timeout", "1", env=TOKEN)
        sent = gh.total
    assert proc.returncode == 0, proc.stderr
    assert sent <= 2 * IN_FLIGHT < 2 * QUESTIONS, f"{sent} requests to an API that never answered in time"
    findings = github_findings(report_of(tmp_path))
    assert {f["outcome"] for f in findings} == {"not_available"}
    assert all("timed out" in f["message"] or "not asked again" in f["message"] for f in findings)
    warnings = [line for line in stderr_lines(proc) if "warning" in line]
    assert len(warnings) == 1 and "timed out" in warnings[0] and "not asked again" in warnings[0], proc.stderr


@pytest.mark.parametrize(
    ("inject", "reason"),
    [
        (lambda gh: gh.endless_body("/orgs/wide"), "larger than"),
        (lambda gh: gh.huge_body("/orgs/wide", 200 * 1024 * 1024), "larger than"),
        # 400 bytes at 0.5 s each: 200 s for the body, with a read timeout (2 s) that never trips.
        (lambda gh: gh.trickle_body("/orgs/wide", 0.5, size=400), "not complete within 2 s"),
    ],
    ids=["endless-chunked", "200MB", "one-byte-every-half-second"],
)
def test_a_hostile_body_costs_one_finding_not_the_scan(wide_org: Path, tmp_path: Path, inject, reason: str) -> None:
    with FakeGitHub(wide_data(count=REPOS)) as gh:
        inject(gh)
        proc = run_limited(*scan_args(wide_org, gh.url, tmp_path), "--timeout", "2", env=TOKEN)
        accepted = gh.hostile_bytes
    assert proc.returncode == 0, proc.stderr
    # The client stopped reading at its cap: what the server got rid of is the cap plus socket buffers.
    assert accepted < 64 * 1024 * 1024, f"the client read {accepted} bytes of a hostile body"
    by_key = {(f["probe"], f["subject"]): f for f in github_findings(report_of(tmp_path))}
    org = by_key[("github.org_requires_2fa", "wide")]
    assert org["outcome"] == "not_available" and reason in org["message"], org["message"]
    others = [f for key, f in by_key.items() if key[0] == "github.default_branch_protected"]
    assert len(others) == REPOS and {f["outcome"] for f in others} == {"true"}, "the rest of the scan is unharmed"
