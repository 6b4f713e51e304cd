"""Fault injection, end to end: the CLI scans local repos against a loopback fake GitHub that misbehaves.

Every scan must finish, write its report, mark exactly the affected findings not_available with the reason, and
leave every other finding as a scan without the fault has it. Transient faults (5xx, a dropped connection) are
retried away and change nothing but the request count.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e.fakegithub import FakeGitHub, acme_data
from e2e.test_cli import online_args, run_cli

RULES = "/repos/acme/acme/rules/branches/main"


@dataclass(frozen=True)
class Case:
    name: str
    inject: Callable[[FakeGitHub], None]
    affected: set[tuple[str, str]]  # (probe, subject) findings that must turn not_available
    reason: str  # in the message of each affected finding
    extra_args: tuple[str, ...] = ()
    access_control: str | None = None  # sec-access-control's status when the fault changes it (else as before)


TRANSIENT = [
    Case("502 twice, then success", lambda gh: gh.server_error("/orgs/acme", status=502, times=2), set(), ""),
    Case("503 twice, then success", lambda gh: gh.server_error(RULES, status=503, times=2), set(), ""),
    Case("connection reset once", lambda gh: gh.connection_reset("/orgs/acme"), set(), ""),
]
LASTING = [
    Case(
        # A primary limit is the whole quota: every core request is refused until the reset, and the scan stops
        # asking after the first refusal (the circuit breaker), so every GitHub finding that had an answer is
        # not_available with the reset time.
        "403 primary rate limit",
        lambda gh: gh.exhaust("core", reset_in=3600),
        {
            ("github.org_requires_2fa", "acme"),
            ("github.default_branch_protected", "acme/acme"),
            ("github.default_branch_protected", "acme/community"),
            ("github.private_vulnerability_reporting", "acme/acme"),
        },
        "rate limit exceeded; resets in",
        access_control="unknown",  # nothing left to decide it: unknown, never not_met
    ),
    Case(
        "429 secondary rate limit past the bound",
        lambda gh: gh.secondary_rate_limit(RULES, retry_after=600, times=10),
        {("github.default_branch_protected", "acme/acme")},
        "rate limit",
    ),
    Case(
        "read timeout",
        lambda gh: gh.slow("/orgs/acme", seconds=3, times=10),
        {("github.org_requires_2fa", "acme")},
        "timed out",
        ("--timeout", "1"),
    ),
    Case(
        "malformed JSON", lambda gh: gh.malformed("/orgs/acme", times=10), {("github.org_requires_2fa", "acme")}, "JSON"
    ),
    Case(
        "404 org",
        lambda gh: gh.fail("/orgs/acme", status=404, times=10, body='{"message": "Not Found"}'),
        {("github.org_requires_2fa", "acme")},
        "not found",
    ),
]


def scan(acme_org: Path, tmp_path: Path, label: str, inject: Callable[[FakeGitHub], None], extra: tuple[str, ...]):
    with FakeGitHub(acme_data(two_factor=True)) as gh:
        inject(gh)
        # A fresh cache per scan: no answer may come from an earlier run.
        args = online_args(acme_org, gh.url, tmp_path / f"cache-{label}", tmp_path / f"out-{label}", "json,md")
        proc = run_cli(*args, *extra)
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / f"out-{label}").glob("*.md"))) == 1, "the report is written despite the fault"
    return json.loads(next((tmp_path / f"out-{label}").glob("*.json")).read_text())


def outcomes(report: dict) -> dict[tuple[str, str], dict]:
    return {(f["probe"], f["subject"]): f for f in report["findings"]}


@pytest.fixture(scope="module")
def baseline(acme_org: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return scan(acme_org, tmp_path_factory.mktemp("baseline"), "baseline", lambda gh: None, ())


@pytest.mark.parametrize("case", TRANSIENT + LASTING, ids=lambda c: c.name)
def test_a_fault_marks_exactly_the_affected_findings(case: Case, baseline: dict, acme_org: Path, tmp_path: Path):
    report = scan(acme_org, tmp_path, "fault", case.inject, case.extra_args)
    before, after = outcomes(baseline), outcomes(report)
    assert set(before) == set(after), "no finding is lost or invented"
    changed = {key for key in before if before[key]["outcome"] != after[key]["outcome"]}
    assert changed == case.affected
    for key in case.affected:
        assert before[key]["outcome"] in ("true", "false")
        assert after[key]["outcome"] == "not_available"
        assert case.reason.lower() in after[key]["message"].lower(), after[key]["message"]
    if not case.affected:
        assert report["requests"]["github"] > baseline["requests"]["github"], "retries are counted"
    statuses = {c["criterion"]: c["status"] for c in report["criteria"]}
    assert statuses["gov-docs-discoverable"] == "met"  # the git side of the scan is untouched
    # A source that did not answer never makes a criterion not met (here the branch rules of the other repo, or
    # the org's 2FA, still decide it).
    before_status = {c["criterion"]: c["status"] for c in baseline["criteria"]}["sec-access-control"]
    assert statuses["sec-access-control"] == (case.access_control or before_status)
