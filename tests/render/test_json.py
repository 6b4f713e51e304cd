"""The JSON report against its schema, finding indices, and the format registry that writes report files."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest

from dd_evidence.errors import BadInput
from dd_evidence.model import CriterionStatus, Finding, Outcome
from dd_evidence.render import FORMATS, parse_formats, report_filename, write_reports
from dd_evidence.render.json_report import SCHEMA_VERSION, load_schema, render_json, report_to_dict

TOP_LEVEL_KEYS = [
    "schema_version",
    "tool",
    "project",
    "level",
    "as_of",
    "generated_at",
    "catalogue",
    "repos",
    "summary",
    "criteria",
    "findings",
    "errors",
    "timings",
    "requests",
    "options",
    "warnings",
    "incomplete",
]


def _validate(document: dict) -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)


def test_document_validates_against_the_schema(report):
    _validate(json.loads(render_json(report)))


def test_keys_in_a_stable_order(report):
    document = json.loads(render_json(report))
    assert list(document) == TOP_LEVEL_KEYS
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["tool"] == {"name": "dd-evidence", "version": "0.1.0"}


def test_round_trip_and_report_methods(report):
    text = render_json(report)
    assert json.loads(text) == report_to_dict(report)
    assert report.to_json() == text
    assert report.to_dict() == report_to_dict(report)
    assert json.loads(render_json(report, indent=None)) == json.loads(text)


def test_non_ascii_is_kept(report):
    assert "mañana" in render_json(report)


def test_finding_indices_resolve_to_the_right_findings(report):
    document = report_to_dict(report)
    assert len(document["findings"]) == len(report.findings)
    for result, entry in zip(report.criteria, document["criteria"], strict=True):
        assert [document["findings"][i] for i in entry["findings"]] == [f.to_dict() for f in result.findings]


def test_equal_copy_resolves_to_the_listed_finding(make_report, report, acme):
    copy = replace(acme.governance)  # equal, not identical
    criteria = tuple(
        replace(r, findings=(copy,)) if r.criterion == "gov-docs-discoverable" else r for r in report.criteria
    )
    document = report_to_dict(make_report(criteria=criteria))
    entry = next(c for c in document["criteria"] if c["criterion"] == "gov-docs-discoverable")
    assert entry["findings"] == [list(report.findings).index(acme.governance)]


def test_unlisted_finding_is_appended_so_its_index_resolves(make_report, report):
    stray = Finding("extra.probe", "acme", Outcome.TRUE, "only the criterion holds me")
    criteria = tuple(
        replace(r, findings=(*r.findings, stray)) if r.criterion == "gov-docs-discoverable" else r
        for r in report.criteria
    )
    document = report_to_dict(make_report(criteria=criteria))
    entry = next(c for c in document["criteria"] if c["criterion"] == "gov-docs-discoverable")
    assert document["findings"][entry["findings"][-1]]["message"] == "only the criterion holds me"
    assert len(document["findings"]) == len(report.findings) + 1
    _validate(json.loads(json.dumps(document)))


def test_summary_counts_overall_and_per_section(report):
    summary = report_to_dict(report)["summary"]
    assert summary["total"] == 6
    assert summary["counts"] == {"met": 2, "not_met": 1, "partial": 1, "unknown": 1, "manual": 1}
    assert list(summary["sections"]) == ["Governance and Maintainers", "Security"]
    assert summary["sections"]["Security"] == {"met": 1, "not_met": 0, "partial": 0, "unknown": 1, "manual": 0}
    assert summary["required_not_met"] == ["gov-vendor-neutral", "gov-maintainers-listed"]
    assert summary["required_unknown"] == ["sec-report-process"]


def test_schema_rejects_a_bad_status(report):
    document = json.loads(render_json(report))
    document["criteria"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        _validate(document)


def test_schema_enums_match_the_model():
    defs = load_schema()["$defs"]
    assert set(defs["status"]["enum"]) == {s.value for s in CriterionStatus}
    assert set(defs["outcome"]["enum"]) == {o.value for o in Outcome}


def test_every_schema_property_is_described():
    undocumented: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if "description" not in sub and "$ref" not in sub:
                    undocumented.append(f"{path}.{name}")
            for key, sub in node.items():
                walk(sub, f"{path}.{key}")
        elif isinstance(node, list):
            for index, sub in enumerate(node):
                walk(sub, f"{path}[{index}]")

    walk(load_schema(), "$")
    assert undocumented == []


def test_options_with_paths_are_serialised(make_report, tmp_path):
    document = json.loads(render_json(make_report(options={"probes_dirs": [tmp_path], "as_of": None})))
    assert document["options"] == {"probes_dirs": [str(tmp_path)], "as_of": None}


# -- format registry -------------------------------------------------------------------------------------------


def test_formats_registry():
    assert list(FORMATS) == ["md", "json", "html", "csv", "sarif", "terminal"]
    assert FORMATS["md"].extension == "md"
    assert FORMATS["json"].extension == "json"


def test_every_format_renders_text(report):
    for renderer in FORMATS.values():
        text = renderer.render(report)
        assert isinstance(text, str) and text
        assert "\x1b[" not in text


def test_parse_formats():
    assert parse_formats("terminal,md,json") == ["terminal", "md", "json"]
    assert parse_formats(" MD , json,md ") == ["md", "json"]


@pytest.mark.parametrize("text", ["pdf", "md,pdf", "", " , "])
def test_parse_formats_rejects_unknown_or_empty(text):
    with pytest.raises(BadInput) as caught:
        parse_formats(text)
    assert "md, json, html, csv, sarif, terminal" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_write_reports_writes_one_file_per_file_format(report, tmp_path):
    out = tmp_path / "new" / "dir"
    written = write_reports(report, ["terminal", "md", "json"], out)
    assert [p.name for p in written] == ["acme-graduation-2025-09-15.md", "acme-graduation-2025-09-15.json"]
    assert written[0].read_text(encoding="utf-8") == report.to_markdown()
    _validate(json.loads(written[1].read_text(encoding="utf-8")))


def test_file_name_without_as_of(make_report):
    assert report_filename(make_report(as_of=None), "md") == "acme-graduation.md"


def test_write_reports_into_a_path_under_a_file_is_bad_input(report, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(BadInput) as caught:
        write_reports(report, ["md"], blocker / "out")
    assert "\n" not in str(caught.value)
    with pytest.raises(BadInput):
        write_reports(report, ["md"], blocker)


def test_write_reports_rejects_an_unknown_format(report, tmp_path):
    with pytest.raises(BadInput):
        write_reports(report, ["md", "docx"], tmp_path)
    assert list(tmp_path.iterdir()) == []
