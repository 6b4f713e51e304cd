"""Community, subproject, adopter and docs probes against the Dragonfly fixture org, compared with
``reference/dragonfly-ground-truth.md`` rows 6 (subprojects), 7 (subproject channels), 19 (adopters) and
20 (integrations), at 2025-09-15 and at the latest snapshot. Skipped when ``../shared`` or git is absent.
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
    "channels.public_channel_documented",
    "channels.all_channels_listed",
    "channels.meeting_schedule_published",
    "subprojects.listed",
    "subprojects.governance_documented",
    "adopters.list_published",
    "adopters.levels_stated",
    "adopters.no_duplicates",
    "docs.readme_explains_project",
    "docs.architecture_documented",
    "docs.integrations_documented",
    "docs.user_docs_published",
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


def _by_subject(report: Report, probe: str) -> dict[str, Finding]:
    return {f.subject: f for f in report.findings_of(probe)}


# Row 6: at review only an inline sentence (a partial list) and nydus with its own MAINTAINERS.md.
def test_row6_subprojects_partial_inline_list_at_review(at_review: Report) -> None:
    finding = _one(at_review, "subprojects.listed")
    assert finding.outcome is Outcome.FALSE
    assert finding.values["kind"] == "inline"
    assert "partial" in finding.message
    assert finding.values["list"] == "community/COMMUNITY_MEMBERSHIP.md#L14"
    assert {"nydus", "api", "console", "client"} <= set(finding.values["named"])
    assert "own roster nydus/MAINTAINERS.md" in finding.values["likely_subprojects"]["nydus"]
    assert [e.label for e in finding.evidence] == ["community/COMMUNITY_MEMBERSHIP.md#L14"]
    nydus = _by_subject(at_review, "subprojects.governance_documented")["dragonflyoss/nydus"]
    assert nydus.outcome is Outcome.FALSE
    assert nydus.values["leadership"] == "own roster nydus/MAINTAINERS.md"
    assert "add_remove_process" in nydus.values["missing"]


def test_row6_subprojects_listed_at_latest(latest: Report) -> None:
    finding = _one(latest, "subprojects.listed")
    assert finding.outcome is Outcome.TRUE
    assert finding.values["list"] == "community/REPOSITORIES.md#L1"
    assert finding.values["scanned_not_named"] == []
    governance = _by_subject(latest, "subprojects.governance_documented")
    assert governance["dragonflyoss/nydus"].outcome is Outcome.TRUE
    assert governance["dragonflyoss/nydus"].values["add_remove_process"].startswith("community/SUBPROJECTS.md")


# Row 7: nydus's own Slack workspace and DingTalk group are missing from community/README.md; plus the
# announcement list named only in the release documents (row 8's dragonfly-discuss).
@pytest.mark.parametrize("report_name", ["at_review", "latest"])
def test_row7_subproject_channels_not_listed(report_name: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(report_name)
    finding = _one(report, "channels.all_channels_listed")
    assert finding.outcome is Outcome.FALSE
    assert finding.values["main_list"] == "community/README.md"
    assert list(finding.values["extra"]) == ["nydus"]
    keys = [entry.split(" ")[0] for entry in finding.values["extra"]["nydus"]]
    assert keys == ["slack:nydusimageservice", "dingtalk:34971767"]
    lonely = finding.values["unlisted_mailing_lists"]["list:dragonfly-discuss@googlegroups.com"]
    assert "community/RELEASE.md#L70" in lonely
    assert _one(report, "channels.public_channel_documented").outcome is Outcome.TRUE


def test_meetings_recent_at_review(at_review: Report) -> None:
    finding = _one(at_review, "channels.meeting_schedule_published")
    assert finding.outcome is Outcome.TRUE
    assert finding.values["last_notes"] == "2025-09-09"


def test_meetings_at_latest_follow_the_clock(latest: Report) -> None:
    finding = _one(latest, "channels.meeting_schedule_published")
    assert finding.values["last_notes"] == "2026-06-30"
    recent = finding.values["last_notes_age_days"] <= 90
    assert finding.outcome is (Outcome.TRUE if recent else Outcome.FALSE)


# Row 19: 4 cloud providers + 34 organisations (one more later), no levels, Huya twice; nydus separate.
@pytest.mark.parametrize(("report_name", "organisations"), [("at_review", 34), ("latest", 35)])
def test_row19_adopters(report_name: str, organisations: int, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(report_name)
    listed = _one(report, "adopters.list_published")
    assert listed.outcome is Outcome.TRUE
    sections = listed.values["by_section"]["dragonfly/ADOPTERS.md"]
    assert sections == {"Public Cloud Providers": 4, "Organizations": organisations}
    assert "nydus/ADOPTERS.md" in listed.values["files"]
    levels = _by_subject(report, "adopters.levels_stated")
    assert levels["dragonfly/ADOPTERS.md"].outcome is Outcome.FALSE
    assert levels["dragonfly/ADOPTERS.md"].values["with_level"] == 0
    duplicates = _by_subject(report, "adopters.no_duplicates")
    assert duplicates["dragonfly/ADOPTERS.md"].outcome is Outcome.FALSE
    assert duplicates["dragonfly/ADOPTERS.md"].values["duplicates"] == {"Huya": [73, 91]}
    assert duplicates["nydus/ADOPTERS.md"].outcome is Outcome.TRUE


# Row 20: integrations documented in the website repo, naming CNCF projects.
@pytest.mark.parametrize("report_name", ["at_review", "latest"])
def test_row20_integrations(report_name: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(report_name)
    finding = _one(report, "docs.integrations_documented")
    assert finding.outcome is Outcome.TRUE
    pages = finding.values["pages"]
    assert "d7y.io/docs/operations/integrations/harbor.md" in pages
    assert "d7y.io/docs/operations/integrations/container-runtime/containerd.md" in pages
    cncf = finding.values["cncf_projects"]
    assert {"Harbor", "containerd", "CRI-O", "Podman Container Tools", "Prometheus", "Jaeger"} <= set(cncf)
    assert "d7y.io/docs/operations/integrations/harbor.md" in cncf["Harbor"]
    assert {"git-lfs", "hugging-face", "torchserve", "triton-server", "docker"} <= set(finding.values["non_cncf"])
    for probe in ("docs.architecture_documented", "docs.user_docs_published", "docs.readme_explains_project"):
        assert _one(report, probe).outcome is Outcome.TRUE
