"""The assessments list parser and index lookups, on a tiny synthetic list."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dd_evidence.errors import BadInput
from dd_evidence.sources.assessments import AssessmentsIndex, load_bundled_index, parse_assessments_list

LIST = """# a comment
# Section 1 format: whatever
[assessments]
widget | Widget Engine (WE) (incubating) | joint,self | toc: p/w/self-assess.md; p/w/joint-review.md | tag-security: -
gizmo | (not in landscape projects) | self | toc: - | tag-security: c/gizmo/self-assessment.md
spaced | Spaced Out (sandbox) | self | toc: projects/spaced/security assessment/self-assessment.md | tag-security: -

[audits]
Widget Engine (WE) (incubating) | 2024-01-02 | security | Example Labs | https://example.org/widget-audit.pdf
"""


def test_parses_assessments_and_audits() -> None:
    index = parse_assessments_list(LIST)
    widget, gizmo, spaced = index.assessments
    assert widget.project_dir == "widget"
    assert (widget.landscape_name, widget.maturity) == ("Widget Engine (WE)", "incubating")
    assert widget.kinds == ("joint", "self")
    assert widget.tag_security_paths == ()
    assert gizmo.landscape_name is None and gizmo.toc_paths == ()
    (audit,) = index.audits
    assert (audit.project, audit.date, audit.vendor) == ("Widget Engine (WE)", "2024-01-02", "Example Labs")
    assert spaced.urls("self") == [
        "https://github.com/cncf/toc/blob/main/projects/spaced/security%20assessment/self-assessment.md"
    ]


def test_lookup_by_any_normalised_name() -> None:
    index = parse_assessments_list(LIST)
    for name in ("widget", "Widget Engine", "widget-engine-(we)", "WE"):
        entry = index.assessment_for([name])
        assert entry is not None and entry.project_dir == "widget", name
    assert index.assessment_for(["nothing"]) is None
    assert [a.url for a in index.audits_for(["Widget Engine"])] == ["https://example.org/widget-audit.pdf"]


def test_urls_by_kind() -> None:
    widget = parse_assessments_list(LIST).assessments[0]
    assert widget.urls("joint") == ["https://github.com/cncf/toc/blob/main/p/w/joint-review.md"]


def test_round_trip_through_dict() -> None:
    index = parse_assessments_list(LIST)
    again = AssessmentsIndex.from_dict(json.loads(json.dumps(index.to_dict())))
    assert again.assessments == tuple(sorted(index.assessments, key=lambda a: a.project_dir))
    assert again.audits == index.audits


@pytest.mark.parametrize(
    "bad",
    ["widget | x | self\n", "[assessments]\nwidget | W (sandbox) | self | toc - | tag-security: -\n"],
)
def test_malformed_lines_are_bad_input(bad: str) -> None:
    with pytest.raises(BadInput):
        parse_assessments_list(bad)


def test_bundled_index_loads() -> None:
    index = load_bundled_index()
    assert index.assessments and index.audits


def test_script_builds_and_checks(tmp_path: Path) -> None:
    source = tmp_path / "list.txt"
    source.write_text(LIST, encoding="utf-8")
    out = tmp_path / "index.json"
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_assessments_index.py"
    run = [sys.executable, str(script), "--list", str(source), "--out", str(out)]
    assert subprocess.run(run, capture_output=True, check=False).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [a["project_dir"] for a in data["assessments"]] == ["gizmo", "spaced", "widget"]
    assert data["generated_from"]["file"] == "list.txt"
    assert subprocess.run([*run, "--check"], capture_output=True, check=False).returncode == 0
