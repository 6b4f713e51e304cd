"""Scan-to-scan diffs over synthetic report dicts, their renderers and the ``diff`` CLI command."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from dd_evidence.cli import main
from dd_evidence.diff import diff_reports, load_report_json, render_diff
from dd_evidence.errors import BadInput


def _finding(probe: str, subject: str, outcome: str, message: str, **values: Any) -> dict[str, Any]:
    return {"probe": probe, "subject": subject, "outcome": outcome, "message": message, "values": values}


def _criterion(criterion: str, status: str, requirement: str = "required") -> dict[str, Any]:
    return {
        "criterion": criterion,
        "title": f"Title of {criterion} | with a pipe",
        "section": "Governance and Maintainers",
        "requirement": requirement,
        "status": status,
    }


OLD: dict[str, Any] = {
    "project": {"name": "acme"},
    "level": "graduation",
    "as_of": "2025-09-15T00:00:00+00:00",
    "generated_at": "2025-09-16T10:00:00+00:00",
    "catalogue": {"revision": "2025-08-19"},
    "tool": {"version": "0.1.0"},
    "criteria": [
        _criterion("gov-decision-making", "partial"),
        _criterion("eng-roadmap", "met"),
        _criterion("gov-docs", "met"),
        _criterion("app-old-only", "manual"),
    ],
    "findings": [
        _finding("decisions.documents_cncf_requests", "acme", "false", "no wording on CNCF requests"),
        _finding("roadmap.is_current", "acme", "true", "ROADMAP calls 2.3 current", roadmap_current="2.3"),
        _finding(
            "links.no_expiring_invites",
            "acme",
            "false",
            "invites (dingtalk, slack) in 3 files",
            services=["dingtalk", "slack"],
        ),
        _finding("documents.governance_present", "acme", "true", "GOVERNANCE.md found"),
        _finding("ownership.codeowners_present", "acme/gone", "false", "gone has no CODEOWNERS"),
    ],
}
NEW: dict[str, Any] = {
    **copy.deepcopy(OLD),
    "as_of": None,
    "generated_at": "2026-07-01T10:00:00+00:00",
    "catalogue": {"revision": "2026-06-29"},
    "criteria": [
        _criterion("app-new-only", "manual"),
        _criterion("gov-decision-making", "met"),
        _criterion("eng-roadmap", "partial"),
        _criterion("gov-docs", "met"),
    ],
    "findings": [
        _finding("decisions.documents_cncf_requests", "acme", "true", "CNCF requests covered in MEMBERSHIP.md"),
        _finding("roadmap.is_current", "acme", "false", "ROADMAP is behind 2.5", roadmap_current="2.3"),
        _finding("links.no_expiring_invites", "acme", "false", "invites (slack) in 1 file", services=["slack"]),
        _finding("documents.governance_present", "acme", "true", "GOVERNANCE.md found"),
        _finding("ownership.codeowners_present", "acme/new", "false", "new has no CODEOWNERS"),
    ],
}


def test_status_changes_in_template_order_with_direction() -> None:
    diff = diff_reports(OLD, NEW)
    assert [(c.criterion, c.old, c.new, c.direction) for c in diff.criteria] == [
        ("app-new-only", None, "manual", "changed"),
        ("gov-decision-making", "partial", "met", "better"),
        ("eng-roadmap", "met", "partial", "worse"),
        ("app-old-only", "manual", None, "changed"),
    ]
    assert diff.criterion("gov-docs") is None


def test_findings_keyed_by_probe_and_subject() -> None:
    diff = diff_reports(OLD, NEW)
    cncf = diff.finding("decisions.documents_cncf_requests")
    assert cncf.kind == "outcome_changed" and cncf.fixed and not cncf.regressed
    roadmap = diff.finding("roadmap.is_current")
    assert (roadmap.old_outcome, roadmap.new_outcome) == ("true", "false") and roadmap.regressed
    invites = diff.finding("links.no_expiring_invites")
    assert invites.kind == "message_changed"
    assert invites.changed_values == ["services"]
    assert "dingtalk" in invites.old_values["services"] and "dingtalk" not in invites.new_values["services"]
    assert diff.finding("ownership.codeowners_present", "acme/gone").kind == "went_away"
    assert diff.finding("ownership.codeowners_present", "acme/gone").fixed
    appeared = diff.finding("ownership.codeowners_present", "acme/new")
    assert appeared.kind == "appeared" and appeared.regressed
    assert diff.finding("documents.governance_present") is None
    assert diff.old["revision"] == "2025-08-19" and diff.new["revision"] == "2026-06-29"


def test_identical_reports_have_an_empty_diff() -> None:
    diff = diff_reports(OLD, copy.deepcopy(OLD))
    assert diff.empty
    assert "no changes" in render_diff(diff, "terminal")
    assert "No criterion changed status" in render_diff(diff, "md")


def test_renderers() -> None:
    diff = diff_reports(OLD, NEW)
    text = render_diff(diff, "terminal")
    assert "gov-decision-making (required): partial → met" in text
    assert "was: no wording on CNCF requests" in text
    markdown = render_diff(diff, "md")
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    assert any(t.type == "table_open" for t in tokens)
    # A pipe in a title must not break the table: every body row keeps its five cells.
    rows = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert rows and all(line.count(" | ") == 4 for line in rows)
    assert "**fixed**" in markdown and "**regressed**" in markdown
    data = json.loads(render_diff(diff, "json"))
    assert data["counts"] == {
        "criteria_changed": 4,
        "appeared": 1,
        "went_away": 1,
        "outcome_changed": 2,
        "message_changed": 1,
    }
    with pytest.raises(BadInput):
        render_diff(diff, "html")


@pytest.mark.parametrize(
    "bad",
    [[], {"criteria": []}, {"criteria": [{}], "findings": []}, {"criteria": [], "findings": [{"probe": "x"}]}],
)
def test_non_reports_are_bad_input(bad: Any) -> None:
    with pytest.raises(BadInput):
        diff_reports(bad, NEW)


def test_load_report_json_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="cannot read"):
        load_report_json(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadInput, match="not JSON"):
        load_report_json(broken)


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_cli_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _write(tmp_path, "old.json", OLD), _write(tmp_path, "new.json", NEW)
    assert main(["diff", str(old), str(new)]) == 0
    assert "partial → met" in capsys.readouterr().out
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["project"] == "acme"
    assert main(["diff", str(old), str(new), "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# acme graduation: what changed")


def test_cli_diff_bad_input_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path, "old.json", OLD)
    not_a_report = _write(tmp_path, "list.json", [1, 2])
    for argv in (
        ["diff", str(old), str(tmp_path / "missing.json")],
        ["diff", str(old), str(not_a_report)],
        ["diff", str(old), str(old), "--format", "xml"],
        ["diff", str(old)],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("dd-evidence: error:") and "\n" not in err
