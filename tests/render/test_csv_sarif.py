"""CSV of findings and SARIF 2.1.0 for code scanning, over the Acme report."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from types import SimpleNamespace

from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec, Report
from dd_evidence.render import FORMATS
from dd_evidence.render.csv_findings import CSV_COLUMNS, render_csv
from dd_evidence.render.sarif import parse_permalink, render_sarif


def test_csv_one_row_per_finding_with_criteria(report: Report, acme: SimpleNamespace) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(report.findings)
    governance = rows[0]
    assert governance["probe"] == "governance.docs_discoverable"
    assert governance["evidence_url"] == acme.governance_url
    assert governance["criteria"] == "gov-docs-discoverable"
    hostile = next(r for r in rows if r["probe"] == "people.maintainers_listed")
    assert hostile["message"] == acme.hostile_message  # quoting keeps commas, pipes and quotes intact
    assert next(r for r in rows if r["probe"] == "security.policy_present")["evidence_url"] == ""
    assert FORMATS["csv"].extension == "csv"


def test_csv_defuses_spreadsheet_formulas(report: Report) -> None:
    finding = Finding("x.y", "acme", Outcome.FALSE, '=HYPERLINK("http://evil")')
    rows = list(csv.DictReader(io.StringIO(render_csv(replace(report, findings=(finding,))))))
    assert rows[0]["message"].startswith("'=")


def test_parse_permalink() -> None:
    line = parse_permalink("https://github.com/o/r/blob/abc123/docs/A%20B.md#L10-L14")
    assert (line.owner, line.repo, line.sha, line.path, line.start, line.end) == (
        "o",
        "r",
        "abc123",
        "docs/A B.md",
        10,
        14,
    )
    assert parse_permalink("https://github.com/o/r/blob/abc/README.md#L7").end == 7
    assert parse_permalink("https://github.com/o/r/blob/abc/README.md") is None
    assert parse_permalink("https://github.com/o/r/tree/abc") is None
    assert parse_permalink("javascript:alert(1)//blob/x/y#L1") is None


SPECS = {
    "ownership.codeowners_present": ProbeSpec(
        id="ownership.codeowners_present",
        title="Does every repository declare code owners?",
        motivation="Ownership should match governance.",
        remediation="Add a CODEOWNERS file.",
    )
}


def _sarif(report: Report) -> dict:
    return json.loads(render_sarif(report, specs=SPECS))


def test_sarif_structure_and_locations(report: Report, acme: SimpleNamespace) -> None:
    line_evidence = Evidence(
        url=f"https://github.com/acme/acme/blob/{acme.acme_sha}/.github/CODEOWNERS#L3-L5", source="git"
    )
    other_sha = Evidence(url="https://github.com/acme/acme/blob/0000000/README.md#L1", source="git")
    false_with_line = Finding(
        "ownership.codeowners_present",
        "acme/acme",
        Outcome.FALSE,
        "owners do not match",
        evidence=(line_evidence, other_sha),
    )
    error_with_line = Finding(
        "links.relative_links_resolve", "acme", Outcome.ERROR, "probe failed", evidence=(line_evidence,)
    )
    report = replace(report, findings=report.findings + (false_with_line, error_with_line))
    log = _sarif(report)

    assert log["version"] == "2.1.0" and "$schema" in log
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dd-evidence" and driver["version"] == report.tool_version
    # Only false/error findings with a line in a scanned repo at the scanned sha become results; the Acme
    # report's own false findings have no line evidence.
    assert [r["ruleId"] for r in run["results"]] == ["ownership.codeowners_present", "links.relative_links_resolve"]
    first = run["results"][0]
    assert first["level"] == "warning" and first["message"]["text"] == "owners do not match"
    assert "relatedLocations" not in first  # the README line is at another sha: not a location in this scan
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ".github/CODEOWNERS"
    assert location["region"] == {"startLine": 3, "endLine": 5}
    base = location["artifactLocation"]["uriBaseId"]
    assert run["originalUriBaseIds"][base]["uri"] == "https://github.com/acme/acme/"
    assert run["versionControlProvenance"] == [
        {
            "repositoryUri": "https://github.com/acme/acme",
            "revisionId": acme.acme_sha,
            "branch": "main",
            "mappedTo": {"uriBaseId": base},
        }
    ]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert (
        rules["ownership.codeowners_present"]["shortDescription"]["text"] == SPECS["ownership.codeowners_present"].title
    )
    assert rules["ownership.codeowners_present"]["help"]["text"] == "Add a CODEOWNERS file."
    assert rules["links.relative_links_resolve"]["shortDescription"]["text"] == "links.relative_links_resolve"
    for result in run["results"]:
        assert set(result) >= {"ruleId", "ruleIndex", "level", "message", "locations"}
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert run["results"][1]["level"] == "error"


def test_sarif_without_line_evidence_has_no_results(report: Report) -> None:
    run = _sarif(report)["runs"][0]
    assert run["results"] == [] and run["versionControlProvenance"] == []
    assert FORMATS["sarif"].render(report)  # the registered renderer loads the real probe specs
