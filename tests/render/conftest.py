"""A hand-built Report for the renderer tests: the fake project "Acme", two repos, every status, two sections.

Governance and Maintainers has a suggested (manual) criterion and required met / partial / not met ones; Security
has no suggested criterion (the draft must say N/A) and required unknown / met-with-sub-items ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from dd_evidence.model import (
    CatalogueInfo,
    CriterionResult,
    CriterionStatus,
    Evidence,
    Finding,
    Outcome,
    ProjectInfo,
    Report,
    RepoScan,
    Requirement,
)

ACME_SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
COMMUNITY_SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f012345678"
GOVERNANCE_URL = f"https://github.com/acme/community/blob/{COMMUNITY_SHA}/GOVERNANCE.md#L1-L5"
CODEOWNERS_URL = f"https://github.com/acme/acme/blob/{ACME_SHA}/.github/CODEOWNERS"
RELEASES_URL = f"https://github.com/acme/acme/blob/{ACME_SHA}/RELEASES.md#L3-L20"
HOSTILE_MESSAGE = "# Owned | by `x <!-- hidden [link](javascript:alert(1)) *bold*"

VENDOR_NEUTRAL_TITLE = (
    "Governance clearly documents [vendor-neutral](https://contribute.cncf.io/maintainers/community/"
    "vendor-neutrality/) of project direction."
)
RELEASE_SUBITEMS = (
    "Release expectations (scheduled or based on feature implementation)",
    "Tagging as stable, unstable, and security related releases",
)

GOVERNANCE = Finding(
    probe="governance.docs_discoverable",
    subject="acme/community",
    outcome=Outcome.TRUE,
    message="acme/community has GOVERNANCE.md, linked from the README — mañana",
    values={"maintainers": 13, "organizations": 7, "top_share": 0.54},
    evidence=(
        Evidence(
            url=GOVERNANCE_URL,
            source="git",
            excerpt="Acme is governed by its `maintainers`.",
            label="community/GOVERNANCE.md#L1-L5",
        ),
    ),
)
CODEOWNERS_YES = Finding(
    probe="ownership.codeowners_present",
    subject="acme/acme",
    outcome=Outcome.TRUE,
    message="acme declares owners in .github/CODEOWNERS (@acme/maintainers)",
    values={"path": ".github/CODEOWNERS", "owners": ["@acme/maintainers"]},
    evidence=(Evidence(url=CODEOWNERS_URL, source="git"),),
)
CODEOWNERS_NO = Finding(
    probe="ownership.codeowners_present",
    subject="acme/community",
    outcome=Outcome.FALSE,
    message="community has no CODEOWNERS or OWNERS file",
)
MAINTAINERS_NO = Finding(
    probe="people.maintainers_listed",
    subject="acme/community",
    outcome=Outcome.FALSE,
    message=HOSTILE_MESSAGE,
)
SECURITY_GAP = Finding(
    probe="security.policy_present",
    subject="acme",
    outcome=Outcome.NOT_AVAILABLE,
    message="github: rate limit exceeded; resets in 60 s",
)
RELEASES_YES = Finding(
    probe="releases.process_documented",
    subject="acme/acme",
    outcome=Outcome.TRUE,
    message="acme documents its release process in RELEASES.md",
    values={"subitems": {RELEASE_SUBITEMS[0]: True, RELEASE_SUBITEMS[1]: False}, "releases_last_year": 9},
    evidence=(Evidence(url=RELEASES_URL, source="git", label="acme/RELEASES.md#L3-L20"),),
)
FINDINGS = (GOVERNANCE, CODEOWNERS_YES, CODEOWNERS_NO, MAINTAINERS_NO, SECURITY_GAP, RELEASES_YES)

GOV = "Governance and Maintainers"
SEC = "Security"


def _criteria() -> tuple[CriterionResult, ...]:
    return (
        CriterionResult(
            criterion="gov-review-done",
            title="Complete a Governance Review with the Project Reviews subproject",
            section=GOV,
            requirement=Requirement.SUGGESTED,
            status=CriterionStatus.MANUAL,
            rationale="a person must judge this criterion; no probe decides it",
            look_at="the Governance Review issue in cncf/toc",
        ),
        CriterionResult(
            criterion="gov-docs-discoverable",
            title="Clear and discoverable project governance documentation.",
            section=GOV,
            requirement=Requirement.REQUIRED,
            status=CriterionStatus.MET,
            rationale=GOVERNANCE.message,
            findings=(GOVERNANCE,),
        ),
        CriterionResult(
            criterion="gov-vendor-neutral",
            title=VENDOR_NEUTRAL_TITLE,
            section=GOV,
            requirement=Requirement.REQUIRED,
            status=CriterionStatus.PARTIAL,
            rationale=f"1 of 2 checks pass; missing: {CODEOWNERS_NO.message}",
            findings=(CODEOWNERS_YES, CODEOWNERS_NO),
            todo="Add a CODEOWNERS file to every repository.",
        ),
        CriterionResult(
            criterion="gov-maintainers-listed",
            title="Document complete list of current maintainers, including names, contact information, domain "
            "of responsibility, and affiliation.",
            section=GOV,
            requirement=Requirement.REQUIRED,
            status=CriterionStatus.NOT_MET,
            rationale=MAINTAINERS_NO.message,
            findings=(MAINTAINERS_NO,),
            todo="List every maintainer with their affiliation in MAINTAINERS.md.",
        ),
        CriterionResult(
            criterion="sec-report-process",
            title="Clearly defined and discoverable process to report security issues.",
            section=SEC,
            requirement=Requirement.REQUIRED,
            status=CriterionStatus.UNKNOWN,
            rationale=f"could not tell: {SECURITY_GAP.message}",
            findings=(SECURITY_GAP,),
            look_at="SECURITY.md in the main repository",
        ),
        CriterionResult(
            criterion="sec-release-process",
            title="Document the project's release process and guidelines publicly in a RELEASES.md or equivalent "
            "file that defines:",
            section=SEC,
            requirement=Requirement.REQUIRED,
            status=CriterionStatus.MET,
            rationale=RELEASES_YES.message,
            findings=(RELEASES_YES,),
            subitems=RELEASE_SUBITEMS,
        ),
    )


def build_report(**changes: Any) -> Report:
    """The Acme report; keyword arguments replace Report fields."""
    fields: dict[str, Any] = {
        "project": ProjectInfo(name="acme", display_name="Acme", orgs=("acme",), maturity="incubating"),
        "level": "graduation",
        "as_of": datetime(2025, 9, 15, tzinfo=UTC),
        "generated_at": datetime(2025, 9, 16, 10, 30, tzinfo=UTC),
        "tool_version": "0.1.0",
        "catalogue": CatalogueInfo(level="graduation", revision="2025-06-01", source="template-dd-pr-graduation.md"),
        "repos": (
            RepoScan(
                "acme",
                "acme",
                "main",
                "https://github.com/acme/acme.git",
                ACME_SHA,
                datetime(2025, 9, 14, 8, 0, tzinfo=UTC),
                "main",
            ),
            RepoScan(
                "acme",
                "community",
                "community",
                "https://github.com/acme/community.git",
                COMMUNITY_SHA,
                datetime(2025, 9, 1, 12, 0, tzinfo=UTC),
                "main",
            ),
        ),
        "criteria": _criteria(),
        "findings": FINDINGS,
        "errors": ("security.policy_present (acme): github: rate limit exceeded",),
        "timings": {"repos": 1.25, "probe:governance.docs_discoverable": 0.5, "total": 3.5},
        "requests": {"github": 12, "http": 3},
        "options": {
            "level": "graduation",
            "offline": False,
            "web_url": "https://github.com/{owner}/{repo}",
            "window_days": 180,
        },
    }
    fields.update(changes)
    return Report(**fields)


@pytest.fixture
def report() -> Report:
    return build_report()


@pytest.fixture
def make_report() -> Callable[..., Report]:
    return build_report


@pytest.fixture
def acme() -> SimpleNamespace:
    """The pieces of the Acme report the tests compare against (test modules do not import conftest)."""
    return SimpleNamespace(
        acme_sha=ACME_SHA,
        community_sha=COMMUNITY_SHA,
        governance_url=GOVERNANCE_URL,
        codeowners_url=CODEOWNERS_URL,
        releases_url=RELEASES_URL,
        hostile_message=HOSTILE_MESSAGE,
        vendor_neutral_title=VENDOR_NEUTRAL_TITLE,
        release_subitems=RELEASE_SUBITEMS,
        findings=FINDINGS,
        governance=GOVERNANCE,
        codeowners_no=CODEOWNERS_NO,
        maintainers_no=MAINTAINERS_NO,
        security_gap=SECURITY_GAP,
    )
