"""Org settings probes over a loopback fake GitHub: 2FA tri-state, branch rules, PVR, offline."""

from __future__ import annotations

import pytest
from e2e.fakegithub import FakeGitHub, acme_data
from memrepo import context

from dd_evidence.model import Outcome
from dd_evidence.probes.org_settings import DefaultBranchProtected, OrgRequires2FA, PrivateVulnerabilityReporting


def ctx_for(gh: FakeGitHub, offline: bool = False):
    ctx = context({"acme": {"README.md": "# Acme"}, "community": {"README.md": "# C"}})
    ctx.config.github_api = gh.url
    ctx.config.offline = offline
    return ctx


@pytest.mark.parametrize(
    ("two_factor", "outcome"),
    [(True, Outcome.TRUE), (False, Outcome.FALSE), (None, Outcome.NOT_AVAILABLE)],
)
def test_2fa_tri_state(two_factor: bool | None, outcome: Outcome) -> None:
    with FakeGitHub(acme_data(two_factor)) as gh:
        (finding,) = OrgRequires2FA().run(ctx_for(gh))
    assert finding.outcome is outcome
    if two_factor is None:
        assert "org owner" in finding.message


def test_branch_protection_per_repo() -> None:
    with FakeGitHub(acme_data()) as gh:
        by_repo = {f.subject: f for f in DefaultBranchProtected().run(ctx_for(gh))}
    assert by_repo["acme/acme"].outcome is Outcome.TRUE
    assert "2 required review(s)" in by_repo["acme/acme"].message
    assert by_repo["acme/community"].outcome is Outcome.FALSE


def test_private_vulnerability_reporting() -> None:
    with FakeGitHub(acme_data()) as gh:
        by_repo = {f.subject: f for f in PrivateVulnerabilityReporting().run(ctx_for(gh))}
    assert by_repo["acme/acme"].outcome is Outcome.TRUE
    assert by_repo["acme/community"].outcome is Outcome.NOT_AVAILABLE


def test_offline_is_not_available_without_requests() -> None:
    with FakeGitHub(acme_data(True)) as gh:
        findings = [
            *OrgRequires2FA().run(ctx_for(gh, offline=True)),
            *DefaultBranchProtected().run(ctx_for(gh, offline=True)),
        ]
        assert not gh.hits
    assert all(f.outcome is Outcome.NOT_AVAILABLE and "offline" in f.message for f in findings)


def test_rate_limit_marks_only_the_affected_findings() -> None:
    with FakeGitHub(acme_data(True)) as gh:
        gh.fail(
            "/repos/acme/community/rules/branches/main",
            status=403,
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999999999"},
        )
        by_repo = {f.subject: f for f in DefaultBranchProtected().run(ctx_for(gh))}
    assert by_repo["acme/acme"].outcome is Outcome.TRUE
    assert by_repo["acme/community"].outcome is Outcome.NOT_AVAILABLE
    assert "rate limit" in by_repo["acme/community"].message
