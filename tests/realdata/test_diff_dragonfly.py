"""The diff between the Dragonfly fixture scanned as of 2025-09-15 and at its newest commits.

The ground truth (``reference/dragonfly-ground-truth.md``) lists what the project fixed after the review: the
DingTalk invite links, the text on CNCF requests, the duplicated procedures and the subproject list; and what
went stale: the roadmap. The diff must show each. The scan runs through the CLI with ``--compare-to`` as a user
would. Skipped when ``../shared`` or git is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"

if not (SHARED / "tools" / "build-fixture-org").is_file() or shutil.which("git") is None:
    pytest.skip(f"{SHARED} or git is absent: no Dragonfly fixture to scan", allow_module_level=True)

from dd_evidence.cli import main  # noqa: E402
from dd_evidence.diff import ReportDiff, diff_reports, load_report_json  # noqa: E402
from dd_evidence.registry import load_probes  # noqa: E402

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("dragonfly-diff")
    org = root / "org"
    subprocess.run(
        [
            str(SHARED / "tools/build-fixture-org"),
            str(SHARED / "data/dragonfly-2025-09-15"),
            str(org),
            "--later",
            str(SHARED / "data/dragonfly-latest"),
            "--history",
            str(SHARED / "data/dragonfly-history"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    common = ["dragonfly", "--offline", "--git-url", f"file://{org}/{{owner}}/{{repo}}", "--no-progress"]
    common += ["--cache-dir", str(root / "cache")]
    old_dir, new_dir = root / "old", root / "new"
    assert main([*common, "--as-of", "2025-09-15", "--format", "json", "--out", str(old_dir)]) == 0
    old_json = old_dir / "dragonfly-graduation-2025-09-15.json"
    assert main([*common, "--format", "json", "--out", str(new_dir), "--compare-to", str(old_json)]) == 0
    return {
        "old": load_report_json(old_json),
        "new": load_report_json(new_dir / "dragonfly-graduation.json"),
        "diff_md": (new_dir / "dragonfly-graduation-diff.md").read_text(encoding="utf-8"),
    }


@pytest.fixture(scope="module")
def diff(scans: dict[str, Any]) -> ReportDiff:
    return diff_reports(scans["old"], scans["new"])


def test_reports_follow_the_template_in_force(diff: ReportDiff) -> None:
    assert diff.old["revision"] == "2025-08-19"
    assert diff.new["revision"] == "2026-06-29"


def test_dingtalk_links_fixed(diff: ReportDiff) -> None:
    change = diff.finding("links.no_expiring_invites")
    assert change is not None
    # A nydus Slack invite remains at the newest commits, so the outcome stays false; DingTalk is gone.
    assert "dingtalk" in change.old_values["by_service"]
    assert "dingtalk" not in change.new_values.get("by_service", {})
    assert "dingtalk" in change.old_message.lower() and "dingtalk" not in change.new_message.lower()


def test_cncf_requests_text_fixed(diff: ReportDiff) -> None:
    change = diff.finding("decisions.documents_cncf_requests")
    assert change is not None and (change.old_outcome, change.new_outcome) == ("false", "true")
    assert change.fixed


def test_roadmap_newly_stale(diff: ReportDiff) -> None:
    change = diff.finding("roadmap.is_current")
    assert change is not None and (change.old_outcome, change.new_outcome) == ("true", "false")
    assert change.regressed


def _registered(*fragments: str) -> list[str]:
    return [p.spec.id for p in load_probes().probes if any(f in p.spec.id for f in fragments)]


def test_duplicated_procedures_fixed(diff: ReportDiff) -> None:
    probes = _registered("duplicat", "single_source")
    if not probes:
        pytest.skip("no duplicated-procedures probe is registered yet")
    changes = [c for p in probes if (c := diff.finding(p)) is not None]
    assert any(c.fixed for c in changes), [c.to_dict() for c in changes]


def test_subproject_list_fixed(diff: ReportDiff) -> None:
    probes = _registered("subproject")
    if not probes:
        pytest.skip("no subproject-list probe is registered yet")
    changes = [c for p in probes if (c := diff.finding(p)) is not None]
    assert any(c.fixed for c in changes), [c.to_dict() for c in changes]


def test_compare_to_writes_the_markdown_diff(scans: dict[str, Any]) -> None:
    text = scans["diff_md"]
    assert text.startswith("# dragonfly graduation: what changed")
    assert "decisions.documents_cncf_requests" in text and "roadmap.is_current" in text
    # The written diff agrees with the one computed from the two JSON files.
    assert json.loads(json.dumps(diff_reports(scans["old"], scans["new"]).to_dict()))["counts"]["outcome_changed"] >= 2
