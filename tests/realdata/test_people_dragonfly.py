"""Maintainers, affiliations and activity on the Dragonfly fixture org, against the reviewer's ground truth
(../shared/reference/dragonfly-ground-truth.md rows 4, 13-16 and "Committer statistics")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dd_evidence.model import Outcome, Report
from dd_evidence.scan import scan

SHARED = Path(__file__).resolve().parents[3] / "shared"
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is absent"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is missing"),
]
PROBES = [
    "maintainers.roster_complete",
    "maintainers.org_diversity",
    "maintainers.within_representation_cap",
    "maintainers.foundation_csv_agrees",
    "activity.top_committers_include_maintainers",
    "activity.maintainers_active",
    "activity.new_contributors",
]


@pytest.fixture(scope="module")
def org(dragonfly_org: Path) -> Path:
    return dragonfly_org  # built once per session (tests/realdata/conftest.py)


def _scan(org: Path, tmp: Path, as_of: str | None, window_days: int = 180) -> Report:
    return scan(
        "dragonfly",
        as_of=as_of,
        offline=True,
        git_url=f"file://{org}/{{owner}}/{{repo}}",
        cache_dir=tmp / "cache",
        probes=PROBES,
        window_days=window_days,
    )


@pytest.fixture(scope="module")
def at_review(org: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    mp = pytest.MonkeyPatch()
    mp.setenv("DD_EVIDENCE_CNCF_DATA", str(SHARED / "data/cncf"))
    try:
        return _scan(org, tmp_path_factory.mktemp("scan"), "2025-09-15")
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def latest(org: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    mp = pytest.MonkeyPatch()
    mp.setenv("DD_EVIDENCE_CNCF_DATA", str(SHARED / "data/cncf"))
    try:
        return _scan(org, tmp_path_factory.mktemp("scan"), None)
    finally:
        mp.undo()


def one(report: Report, probe: str):  # type: ignore[no-untyped-def]
    (finding,) = report.findings_of(probe)
    return finding


def test_roster_lacks_responsibilities(at_review: Report) -> None:
    (finding,) = [f for f in at_review.findings_of("maintainers.roster_complete") if f.outcome is Outcome.FALSE]
    assert finding.values["file"] == "community/MAINTAINERS.md"
    assert finding.values["count"] == 13
    assert finding.values["columns_missing"] == ["areas"]
    assert finding.values["subproject_rosters"] == ["nydus/MAINTAINERS.md"]
    assert "/MAINTAINERS.md#L7" in finding.evidence[0].url
    assert "Company" in (finding.evidence[0].excerpt or "")


def test_eight_affiliations_ant_group_at_cap(at_review: Report) -> None:
    diversity = one(at_review, "maintainers.org_diversity")
    assert diversity.outcome is Outcome.TRUE
    assert diversity.values["maintainers"] == 13
    assert diversity.values["organisations"] == 8
    by_org = diversity.values["by_org"]
    assert (by_org["Ant Group"], by_org["Alibaba Group"]) == (4, 3)
    assert sorted(by_org.values()) == [1, 1, 1, 1, 1, 1, 3, 4]
    assert diversity.values["subprojects"]["nydus/MAINTAINERS.md"]["maintainers"] == 7
    cap = one(at_review, "maintainers.within_representation_cap")
    assert cap.outcome is Outcome.TRUE
    assert cap.values["cap"] == 4
    assert cap.values["at_cap"] == ["Ant Group"]
    assert cap.values["source"]["file"] == "community/COMMUNITY_MEMBERSHIP.md"


def test_foundation_csv_shown_beside_roster(at_review: Report) -> None:
    finding = one(at_review, "maintainers.foundation_csv_agrees")
    assert finding.outcome is Outcome.FALSE
    assert finding.values["csv_rows"] >= 13
    differs = {d["handle"] for d in finding.values["company_differs"]}
    csv_only = {d["handle"] for d in finding.values["in_csv_only"]}
    roster_only = {d["handle"] for d in finding.values["in_roster_only"]}
    # The CSV was updated after the review: people who left are only in the roster, newer ones only in the CSV.
    assert {"akashhr", "jim3ma"} <= roster_only
    assert "CooooolFrog" in csv_only
    assert "gaius-qi" in differs


def test_top_committers_and_idle_maintainers(at_review: Report) -> None:
    top = one(at_review, "activity.top_committers_include_maintainers")
    assert top.values["window_start"] == "2025-03-19"
    assert top.values["maintainers_in_top10"] == 5
    assert top.values["top10"][0]["login"] == "gaius-qi"
    assert top.values["top10"][0]["commits"] == 309
    active = one(at_review, "activity.maintainers_active")
    assert sorted(active.values["inactive"]) == sorted(
        ["akashhr", "allencloud", "jim3ma", "hyy0322", "yyzai384", "garfield009"]
    )
    assert active.values["active"] == 7


def test_ground_truth_window_gives_the_same_answer(org: Path, tmp_path: Path) -> None:
    """The reviewer's LFX window 2025-03-18..2025-09-14 is 181 days when both ends are included."""
    report = _scan(org, tmp_path, "2025-09-15", window_days=181)
    top = one(report, "activity.top_committers_include_maintainers")
    assert top.values["window_start"] == "2025-03-18"
    assert top.values["human_commits"] == 603
    assert top.values["maintainers_in_top10"] == 5


def test_latest_roster_moved(latest: Report) -> None:
    (roster,) = [f for f in latest.findings_of("maintainers.roster_complete") if f.outcome is Outcome.FALSE]
    assert roster.values["file"] == "community/roles/Maintainers.md"
    assert roster.values["count"] == 13
    diversity = one(latest, "maintainers.org_diversity")
    assert diversity.values["organisations"] == 9
    assert diversity.values["by_org"]["Ant Group"] == 3
