"""GitHub org and repository settings that only the API knows: 2FA enforcement, branch rules, private
vulnerability reporting. Each answer the API withholds from this token is ``not_available`` with the reason,
never ``false``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe, ask_per_repo
from dd_evidence.repoview import RepoView
from dd_evidence.sources.github_access import github_source

OWNER_ONLY = (
    "needs an org owner's token (two_factor_requirement_enabled is visible only to org owners; "
    "a classic token needs admin:org)"
)


def _web(ctx: ScanContext, owner: str, repo: str) -> str:
    return ctx.config.web_url.format(owner=owner, repo=repo).rstrip("/")


class OrgRequires2FAValues(TypedDict, total=False):
    """``Finding.values`` of ``github.org_requires_2fa``."""

    visible: bool
    two_factor_requirement_enabled: bool


class OrgRequires2FA(Probe):
    """Org 2FA enforcement: true/false only when the API shows it to this token, else not_available."""

    spec = ProbeSpec(
        id="github.org_requires_2fa",
        title="Does the GitHub org require two-factor authentication of its members?",
        motivation="The TOC asks for enforced access control such as 2FA enforcement.",
        sources=("github",),
        remediation="Turn on 'Require two-factor authentication' in the org's security settings.",
    )
    values_type = OrgRequires2FAValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        for org in ctx.project.orgs:
            try:
                data = github_source(ctx).org(org)
            except SourceUnavailable as exc:
                yield self.not_available(org, f"org settings not read: {exc.reason}")
                continue
            enabled = data.get("two_factor_requirement_enabled")
            evidence = [
                Evidence(
                    url=f"{ctx.config.github_api.rstrip('/')}/orgs/{org}",
                    source="github",
                    retrieved_at=ctx.clock(),
                    label=f"GET /orgs/{org}",
                )
            ]
            if enabled is None:
                yield self.finding(
                    org,
                    Outcome.NOT_AVAILABLE,
                    f"2FA requirement of {org} unknown: {OWNER_ONLY}",
                    {"visible": False},
                    evidence,
                )
            else:
                state = "requires" if enabled else "does not require"
                yield self.finding(
                    org,
                    bool(enabled),
                    f"{org} {state} two-factor authentication",
                    {"visible": True, "two_factor_requirement_enabled": bool(enabled)},
                    evidence,
                )


class DefaultBranchProtectedValues(TypedDict, total=False):
    """``Finding.values`` of ``github.default_branch_protected``."""

    branch: str
    rule_types: list[str]
    required_reviews: int
    code_owner_review: bool
    pull_request_required: bool
    required_status_checks: bool
    blocks_force_push: bool
    blocks_deletion: bool
    signed_commits: bool
    protected: bool | None


class DefaultBranchProtected(Probe):
    """Per repo: do active rules (rulesets or classic protection) guard the default branch?"""

    spec = ProbeSpec(
        id="github.default_branch_protected",
        title="Is each repository's default branch protected by rules (reviews, no force pushes)?",
        motivation="Branch rules are the ACL tools that keep unreviewed code out of the default branch.",
        sources=("github",),
        remediation="Add a ruleset or branch protection on the default branch requiring reviews and "
        "blocking force pushes.",
    )
    values_type = DefaultBranchProtectedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        return ask_per_repo(ctx, self._judge)

    def _judge(self, ctx: ScanContext, repo: RepoView) -> Finding:
        branch = repo.scan.default_branch or "main"
        try:
            rules = github_source(ctx).branch_rules(repo.owner, repo.name, branch)
        except SourceUnavailable as exc:
            return self.not_available(repo.full_name, f"branch rules of {branch} not read: {exc.reason}")
        # Reviews or a block on force pushes is what keeps history from being rewritten unreviewed. Classic
        # protection counts too: the public API shows only that it exists, and it blocks force pushes by default.
        protected = bool(rules["protected"] or rules["pull_request_required"] or rules["blocks_force_push"])
        parts = (
            (f"{rules['required_reviews']} required review(s)", rules["required_reviews"] > 0),
            ("pull requests required", rules["pull_request_required"] and not rules["required_reviews"]),
            ("force pushes blocked", rules["blocks_force_push"]),
            ("status checks required", rules["required_status_checks"]),
            ("signed commits required", rules["signed_commits"]),
            ("classic branch protection", bool(rules["protected"])),
        )
        what = ", ".join(part for part, on in parts if on)
        message = (
            f"{repo.name}: {branch} is protected ({what})"
            if protected
            else f"{repo.name}: no branch protection or ruleset on {branch}"
        )
        url = f"{_web(ctx, repo.owner, repo.name)}/rules?ref=refs/heads/{branch}"
        evidence = [Evidence(url=url, source="github", retrieved_at=ctx.clock())]
        return self.finding(repo.full_name, protected, message, {"branch": branch, **rules}, evidence)


class PrivateVulnerabilityReportingValues(TypedDict, total=False):
    """``Finding.values`` of ``github.private_vulnerability_reporting``."""

    enabled: bool


class PrivateVulnerabilityReporting(Probe):
    """Per repo: is GitHub private vulnerability reporting on? Supporting evidence for sec-reporting-process."""

    spec = ProbeSpec(
        id="github.private_vulnerability_reporting",
        title="Is GitHub private vulnerability reporting enabled on each repository?",
        motivation="It gives reporters a private channel on every repo, even where SECURITY.md is missing.",
        sources=("github",),
        remediation="Enable private vulnerability reporting in each repository's security settings.",
    )
    values_type = PrivateVulnerabilityReportingValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        return ask_per_repo(ctx, self._judge)

    def _judge(self, ctx: ScanContext, repo: RepoView) -> Finding:
        try:
            enabled = github_source(ctx).private_vulnerability_reporting(repo.owner, repo.name)
        except SourceUnavailable as exc:
            return self.not_available(repo.full_name, f"not read: {exc.reason}")
        if enabled is None:
            return self.not_available(repo.full_name, "the API does not tell this token (needs repo access)")
        state = "enabled" if enabled else "disabled"
        message = f"{repo.name}: private vulnerability reporting {state}"
        return self.finding(repo.full_name, enabled, message, {"enabled": enabled})
