"""Org settings probes over a loopback fake GitHub: 2FA tri-state, branch rules, PVR, offline, and how
sec-access-control combines them."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.fakegithub import FakeGitHub, acme_data
from memrepo import context

from dd_evidence.aggregate import evaluate
from dd_evidence.catalogue import load_catalogue
from dd_evidence.model import CriterionStatus, Finding, Outcome
from dd_evidence.probes.org_settings import DefaultBranchProtected, OrgRequires2FA, PrivateVulnerabilityReporting


def ctx_for(gh: FakeGitHub, cache: Path, offline: bool = False):
    ctx = context({"acme": {"README.md": "# Acme"}, "community": {"README.md": "# C"}})
    ctx.config.github_api = gh.url
    ctx.config.offline = offline
    ctx.config.cache_dir = cache  # never the user's own cache
    return ctx


@pytest.mark.parametrize(
    ("two_factor", "outcome"),
    [(True, Outcome.TRUE), (False, Outcome.FALSE), (None, Outcome.NOT_AVAILABLE)],
)
def test_2fa_tri_state(two_factor: bool | None, outcome: Outcome, tmp_path: Path) -> None:
    with FakeGitHub(acme_data(two_factor)) as gh:
        (finding,) = OrgRequires2FA().run(ctx_for(gh, tmp_path))
    assert finding.outcome is outcome
    assert finding.values["visible"] is (two_factor is not None)
    if two_factor is None:
        assert "needs an org owner's token" in finding.message
        assert "visible only to org owners" in finding.message


def test_2fa_null_is_unknown_not_false(tmp_path: Path) -> None:
    data = acme_data()
    data["orgs"]["acme"]["two_factor_requirement_enabled"] = None
    with FakeGitHub(data) as gh:
        (finding,) = OrgRequires2FA().run(ctx_for(gh, tmp_path))
    assert finding.outcome is Outcome.NOT_AVAILABLE


def test_2fa_missing_org_is_not_available(tmp_path: Path) -> None:
    data = acme_data(True)
    data["orgs"] = {}
    with FakeGitHub(data) as gh:
        (finding,) = OrgRequires2FA().run(ctx_for(gh, tmp_path))
    assert finding.outcome is Outcome.NOT_AVAILABLE and "not found" in finding.message


def test_branch_protection_per_repo(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        by_repo = {f.subject: f for f in DefaultBranchProtected().run(ctx_for(gh, tmp_path))}
    assert by_repo["acme/acme"].outcome is Outcome.TRUE
    assert "2 required review(s)" in by_repo["acme/acme"].message
    assert "signed commits required" in by_repo["acme/acme"].message
    assert by_repo["acme/community"].outcome is Outcome.FALSE


def test_classic_protection_counts(tmp_path: Path) -> None:
    data = acme_data()
    data["protected"] = {"acme/community"}
    with FakeGitHub(data) as gh:
        by_repo = {f.subject: f for f in DefaultBranchProtected().run(ctx_for(gh, tmp_path))}
    assert by_repo["acme/community"].outcome is Outcome.TRUE
    assert "classic branch protection" in by_repo["acme/community"].message


def test_private_vulnerability_reporting(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        by_repo = {f.subject: f for f in PrivateVulnerabilityReporting().run(ctx_for(gh, tmp_path))}
    assert by_repo["acme/acme"].outcome is Outcome.TRUE
    assert by_repo["acme/community"].outcome is Outcome.NOT_AVAILABLE


def test_offline_is_not_available_without_requests(tmp_path: Path) -> None:
    with FakeGitHub(acme_data(True)) as gh:
        ctx = ctx_for(gh, tmp_path, offline=True)
        findings = [
            *OrgRequires2FA().run(ctx),
            *DefaultBranchProtected().run(ctx),
            *PrivateVulnerabilityReporting().run(ctx),
        ]
        assert gh.total == 0
    assert len(findings) == 5
    assert all(f.outcome is Outcome.NOT_AVAILABLE and "offline" in f.message for f in findings)


def test_rate_limit_marks_only_the_affected_findings(tmp_path: Path) -> None:
    with FakeGitHub(acme_data(True)) as gh:
        gh.primary_rate_limit("/repos/acme/community/rules/branches/main", times=5)
        by_repo = {f.subject: f for f in DefaultBranchProtected().run(ctx_for(gh, tmp_path))}
    assert by_repo["acme/acme"].outcome is Outcome.TRUE
    assert by_repo["acme/community"].outcome is Outcome.NOT_AVAILABLE
    assert "rate limit" in by_repo["acme/community"].message


# -- sec-access-control: "2FA enforcement, and/or use of ACL tools", so mode any ---------------------------------
def _f(probe: str, subject: str, outcome: Outcome) -> Finding:
    return Finding(probe, subject, outcome, f"{probe} {outcome.value}")


@pytest.mark.parametrize(
    ("two_factor", "branches", "status"),
    [
        (Outcome.NOT_AVAILABLE, [Outcome.TRUE, Outcome.FALSE], CriterionStatus.MET),
        (Outcome.NOT_AVAILABLE, [Outcome.FALSE, Outcome.FALSE], CriterionStatus.UNKNOWN),
        (Outcome.TRUE, [Outcome.FALSE, Outcome.FALSE], CriterionStatus.MET),
        (Outcome.FALSE, [Outcome.FALSE, Outcome.FALSE], CriterionStatus.NOT_MET),
        (Outcome.FALSE, [Outcome.NOT_AVAILABLE, Outcome.FALSE], CriterionStatus.UNKNOWN),
    ],
)
def test_access_control_combines_2fa_and_branch_rules(
    two_factor: Outcome, branches: list[Outcome], status: CriterionStatus
) -> None:
    criterion = next(c for c in load_catalogue("graduation", None).criteria if c.id == "sec-access-control")
    by_probe = {
        "github.org_requires_2fa": [_f("github.org_requires_2fa", "acme", two_factor)],
        "github.default_branch_protected": [
            _f("github.default_branch_protected", f"acme/r{i}", o) for i, o in enumerate(branches)
        ],
    }
    assert evaluate(criterion, by_probe).status is status
