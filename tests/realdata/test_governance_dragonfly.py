"""Governance probes against the Dragonfly fixture org, compared with ``reference/dragonfly-ground-truth.md``.

Rows checked: 1 (DingTalk invite links), 2 (CNCF requests and goal changes), 5 (no CoC reporting contact),
8 (release document sub-items), 9 (roadmap change process and staleness); plus the broken anchors the ground
truth lists under "should also find". Skipped when ``../shared`` or git is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"

if not (SHARED / "tools" / "build-fixture-org").is_file() or shutil.which("git") is None:
    pytest.skip(f"{SHARED} or git is absent: no Dragonfly fixture to scan", allow_module_level=True)

from dd_evidence.model import Finding, Outcome, Report  # noqa: E402
from dd_evidence.scan import scan  # noqa: E402

pytestmark = pytest.mark.realdata

PROBES = [
    "conduct.coc_adopts_cncf",
    "conduct.coc_has_reporting_contact",
    "conduct.coc_crosslinked",
    "decisions.documents_leadership",
    "decisions.documents_contribution_acceptance",
    "decisions.documents_cncf_requests",
    "decisions.documents_governance_changes",
    "decisions.documents_goal_changes",
    "releases.process_documented",
    "roadmap.change_process_documented",
    "roadmap.is_current",
    "links.no_expiring_invites",
    "links.relative_links_resolve",
    "documents.coc_present",
    "documents.roadmap_present",
    "documents.release_process_present",
    "documents.governance_present",
]


@pytest.fixture(scope="module")
def fixture_org(dragonfly_org: Path) -> Path:
    return dragonfly_org  # built once per session (tests/realdata/conftest.py)


def _scan(org: Path, as_of: str | None, cache: Path) -> Report:
    return scan(
        "dragonfly",
        as_of=as_of,
        offline=True,
        git_url=f"file://{org}/{{owner}}/{{repo}}",
        cache_dir=cache,
        probes=PROBES,
    )


@pytest.fixture(scope="module")
def at_review(fixture_org: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _scan(fixture_org, "2025-09-15", tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def latest(fixture_org: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _scan(fixture_org, None, tmp_path_factory.mktemp("cache"))


def _one(report: Report, probe: str) -> Finding:
    (finding,) = report.findings_of(probe)
    return finding


def _release_items(report: Report) -> dict[str, Finding]:
    return {f.subject.removeprefix("release-process: "): f for f in report.findings_of("releases.process_documented")}


# Row 1: the same DingTalk invite in 7 files across 6 repos, then in none.
def test_row1_dingtalk_invites_at_review(at_review: Report) -> None:
    finding = _one(at_review, "links.no_expiring_invites")
    assert finding.outcome is Outcome.FALSE
    dingtalk = finding.values["by_service"]["dingtalk"]
    assert sorted(dingtalk) == [
        "api/README.md",
        "client/README.md",
        "community/GOVERNANCE.md",
        "community/README.md",
        "console/README.md",
        "helm-charts/README.md",
        "nydus/README.md",
    ]
    assert len({path.split("/")[0] for path in dingtalk}) == 6
    assert "dragonfly/README.md" not in dingtalk  # fixed on 2025-09-03
    labels = {e.label for e in finding.evidence}
    assert {"community/README.md#L74", "community/GOVERNANCE.md#L41"} <= labels


def test_row1_no_dingtalk_invites_at_latest(latest: Report) -> None:
    finding = _one(latest, "links.no_expiring_invites")
    assert "dingtalk" not in finding.values["by_service"]
    # nydus still links its own Slack workspace through a shared_invite URL (row 7); that one remains.
    assert finding.values["by_service"].get("slack") == ["nydus/README.md"]


# Row 2: no CNCF-requests or goal-changes text, then both sections in COMMUNITY_MEMBERSHIP.md.
def test_row2_cncf_requests_and_goal_changes(at_review: Report, latest: Report) -> None:
    assert _one(at_review, "decisions.documents_cncf_requests").outcome is Outcome.FALSE
    assert _one(at_review, "decisions.documents_goal_changes").outcome is Outcome.FALSE
    # Amending GOVERNANCE.md by a two-thirds vote was documented all along.
    governance = _one(at_review, "decisions.documents_governance_changes")
    assert governance.outcome is Outcome.TRUE
    assert governance.evidence[0].label == "community/GOVERNANCE.md#L24"

    cncf = _one(latest, "decisions.documents_cncf_requests")
    goals = _one(latest, "decisions.documents_goal_changes")
    assert cncf.outcome is Outcome.TRUE and goals.outcome is Outcome.TRUE
    assert cncf.evidence[0].label == "community/COMMUNITY_MEMBERSHIP.md#L147"
    assert goals.evidence[0].label == "community/COMMUNITY_MEMBERSHIP.md#L173"
    assert at_review.criterion("gov-decision-making").status.value == "partial"


# Row 5: the CoC adopts the CNCF's but gives no reporting contact, in either snapshot.
@pytest.mark.parametrize("which", ["at_review", "latest"])
def test_row5_no_coc_reporting_contact(which: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(which)
    assert _one(report, "conduct.coc_adopts_cncf").outcome is Outcome.TRUE
    contact = _one(report, "conduct.coc_has_reporting_contact")
    assert contact.outcome is Outcome.FALSE
    assert contact.values["contacts"] == []
    assert "community/CODE_OF_CONDUCT.md#L1-L4" in contact.values["checked"]
    assert any(c.startswith("community/GOVERNANCE.md#L") for c in contact.values["checked"])
    # Adoption decides; the missing contact is the reviewer's non-blocking suggestion (a recommendation).
    assert report.criterion("gov-coc-adoption").status.value == "met"
    assert any("contact" in advice for advice in report.criterion("gov-coc-adoption").recommendations)


# Row 8: community/RELEASE.md found; it touches 4 of the 5 sub-items, and misses security tagging, platforms
# and the artifact list. With "all parts needed", 2 sub-items are fully met.
@pytest.mark.parametrize("which", ["at_review", "latest"])
def test_row8_release_document_subitems(which: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(which)
    items = _release_items(report)
    assert set(items) == {"expectations", "tagging", "branches", "support", "artifacts"}
    assert all(f.values["documents"] == ["community/RELEASE.md"] for f in items.values())
    touched = [k for k, f in items.items() if f.values["covered"]]
    assert touched == ["expectations", "tagging", "branches", "support"]
    assert items["tagging"].values["missing"] == ["security"]
    assert items["support"].values["missing"] == ["platforms"]
    assert items["artifacts"].values["missing"] == ["artifact kinds"]
    met = sorted(k for k, f in items.items() if f.outcome is Outcome.TRUE)
    assert met == ["branches", "expectations"]
    assert report.criterion("eng-release-process").status.value == "partial"


# Row 9: no roadmap change process at either date; current at review (v2.3 vs v2.3.x), stale later (v2.5.x).
def test_row9_roadmap(at_review: Report, latest: Report) -> None:
    for report in (at_review, latest):
        assert _one(report, "roadmap.change_process_documented").outcome is Outcome.FALSE
    early = _one(at_review, "roadmap.is_current")
    assert early.outcome is Outcome.TRUE
    assert early.values["newest_stable_minor"] == "2.3"
    late = _one(latest, "roadmap.is_current")
    assert late.outcome is Outcome.FALSE
    assert late.values["roadmap_current"] == "2.3"
    assert late.values["newest_stable_minor"] == "2.5"
    assert late.evidence[0].label == "community/ROADMAP.md#L13"


# "Should also find": broken anchors and paths at 2025-09-15.
def test_broken_links_at_review(at_review: Report) -> None:
    broken = _one(at_review, "links.relative_links_resolve").values["broken"]
    expected = [
        "community/COMMUNITY_MEMBERSHIP.md:5 #adding-new-members",
        "community/COMMUNITY_MEMBERSHIP.md:6 #removing-inactive-members",
        "community/MAINTAINERS.md:3 ./COMMUNITY_MEMBERSHIP.md#maintainer",
        "community/COMMUNITY_LADDER.md:139 ladder/members.yaml",
        "client/CONTRIBUTING.md:255 MAINTAINERS.md",
    ]
    for prefix in expected:
        assert any(b.startswith(prefix) for b in broken), prefix
    assert any("roles/Security-Team.md" in b and "#security-response-team" in b for b in broken)
