"""Billion-laughs and deeply nested YAML in a scanned repository: refused up front, reported as not available."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hostile_limits import killed_by_limit, plain_project, run_cli, run_python

from dd_evidence import yamlio


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """A document of a few hundred bytes whose aliases expand to ``width ** levels`` scalars."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_with_the_reason() -> None:
    with pytest.raises(yamlio.YAMLRefused) as refused:
        yamlio.safe_load(billion_laughs(), name="acme/OWNERS")
    assert "acme/OWNERS not read" in str(refused.value)
    assert "billion laughs" in str(refused.value)


def test_many_aliases_are_refused_even_when_small() -> None:
    text = "base: &b x\nitems:\n" + "".join("  - *b\n" for _ in range(yamlio.MAX_ALIASES + 1))
    with pytest.raises(yamlio.YAMLRefused, match="aliases"):
        yamlio.safe_load(text)


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200))])
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises((yamlio.YAMLRefused, yaml.YAMLError)):
        yamlio.safe_load(text)
    if text.startswith("["):
        with pytest.raises(yamlio.YAMLRefused, match="nested"):
            yamlio.safe_load(text)


def test_ordinary_documents_with_a_few_aliases_still_load() -> None:
    text = "defaults: &d {role: maintainer}\nalice: *d\nbob: {<<: *d, area: docs}\nlist: [1, 2, 3]\n"
    assert yamlio.safe_load(text) == {
        "defaults": {"role": "maintainer"},
        "alice": {"role": "maintainer"},
        "bob": {"role": "maintainer", "area": "docs"},
        "list": [1, 2, 3],
    }
    with pytest.raises(yaml.YAMLError):  # malformed stays malformed (a "false" for the probes), not refused
        yamlio.safe_load("key: [unclosed\n")


def test_loading_and_walking_a_billion_laughs_stays_small() -> None:
    """Under a 512 MB address-space limit: the roster and OWNERS parsers see the refusal, not the expansion."""
    proc = run_python(
        f"""
        from dd_evidence import yamlio
        from dd_evidence.facts.ownership import parse_owners
        from dd_evidence.facts.people import _parse_yaml_roster
        text = {billion_laughs()!r} + "maintainers:\\n  - github: alice\\n"
        for parse in (_parse_yaml_roster, lambda text, name: parse_owners(text, None, name)):
            try:
                parse(text, "acme/maintainers.yaml")
            except yamlio.YAMLRefused as exc:
                print("refused:", exc.reason)
        """,
        cpu_seconds=20,
        memory_mb=512,
    )
    assert not killed_by_limit(proc), proc.stderr[-500:]
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.count("refused: acme/maintainers.yaml not read") == 2


def test_scan_of_a_repo_full_of_billion_laughs_reports_not_available(tmp_path: Path) -> None:
    """SECURITY-INSIGHTS.yml, .project/maintainers.yaml and OWNERS all hostile: the report is written, each
    finding that needed them says why it could not tell, none says false, and memory stays under 2 GB."""
    lol = billion_laughs()
    project = plain_project(
        tmp_path / "lolproj",
        {
            "SECURITY-INSIGHTS.yml": "header:\n  schema-version: 1.0.0\n" + lol,
            ".project/maintainers.yaml": lol + "maintainers:\n  - github: alice\n",
            "OWNERS": lol + "approvers:\n  - alice\n",
        },
    )
    out = tmp_path / "out"
    proc = run_cli(
        str(project),
        "--offline",
        "--no-progress",
        "--probes",
        "security.insights_file_valid,maintainers.roster_complete,ownership.matches_roster",
        "--format",
        "json",
        "--out",
        str(out),
        cpu_seconds=60,
        memory_mb=2048,
    )
    assert not killed_by_limit(proc), proc.stderr[-500:]
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next(out.glob("*.json")).read_text())
    findings = {f["probe"]: f for f in report["findings"]}
    insights = findings["security.insights_file_valid"]
    assert insights["outcome"] == "not_available"
    assert "SECURITY-INSIGHTS.yml not read" in insights["message"]
    assert "billion laughs" in insights["message"]
    for probe in ("maintainers.roster_complete", "ownership.matches_roster"):
        assert findings[probe]["outcome"] == "not_available", findings[probe]
        assert "not read" in findings[probe]["message"]
    assert all(f["outcome"] != "false" for f in report["findings"])
    assert proc.stdout == ""  # json to a file: nothing on stdout
