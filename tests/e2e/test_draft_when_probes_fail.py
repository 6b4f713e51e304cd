"""Issue 14 meets issue 15: when a built-in probe raises, or the facts layer under every document probe raises,
the DD draft is still written, with every criterion, the failing ones unknown (never not met) and the reason in
the draft, and every criterion the failure does not touch exactly as in a scan without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dd_evidence.facts import projectmap
from dd_evidence.model import CriterionStatus, Outcome, Report
from dd_evidence.probes.documents import GovernancePresent
from dd_evidence.render.markdown import render_markdown
from dd_evidence.scan import scan

FILES = {
    "README.md": "# Acme\n\nAcme builds widgets. Read the [governance](GOVERNANCE.md).\n",
    "GOVERNANCE.md": "# Governance\n\nDecisions are made by lazy consensus of the maintainers.\n",
    "MAINTAINERS.md": "# Maintainers\n\n| Name | GitHub | Company |\n|---|---|---|\n| Ann | @ann | Acme |\n",
    "SECURITY.md": "# Security Policy\n\nReport vulnerabilities to security@acme.example.\n",
    "CONTRIBUTING.md": "# Contributing\n\nOpen a pull request.\n",
}


def _scan(tmp_path: Path, label: str) -> tuple[Report, str]:
    """A self-check scan of a small local project (made once per test), offline, with a fresh cache."""
    project = tmp_path / "project"
    if not project.exists():
        project.mkdir()
        for path, text in FILES.items():
            (project / path).write_text(text)
    report = scan(str(project), level="incubation", offline=True, cache_dir=tmp_path / f"cache-{label}")
    return report, render_markdown(report)


@pytest.fixture
def baseline(tmp_path: Path) -> tuple[Report, str]:
    return _scan(tmp_path, "baseline")


def _statuses(report: Report) -> dict[str, CriterionStatus]:
    return {c.criterion: c.status for c in report.criteria}


def _uses(report: Report, criterion: str, probes: set[str]) -> bool:
    result = next(c for c in report.criteria if c.criterion == criterion)
    return any(f.probe in probes for f in result.findings)


def test_a_raising_probe_still_gives_the_whole_draft(
    baseline: tuple[Report, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def raises(self, ctx):  # noqa: ANN001, ARG001 - the probe's own signature
        raise RuntimeError("crafted content broke the probe")

    monkeypatch.setattr(GovernancePresent, "run", raises)
    report, draft = _scan(tmp_path, "raising")
    (failed,) = [f for f in report.findings if f.probe == "documents.governance_present"]
    assert failed.outcome is Outcome.ERROR and "RuntimeError: crafted content broke the probe" in failed.message
    before, after = _statuses(baseline[0]), _statuses(report)
    assert before.keys() == after.keys() and before["gov-docs-discoverable"] is CriterionStatus.MET
    assert after["gov-docs-discoverable"] is CriterionStatus.UNKNOWN
    changed = {c for c in after if after[c] != before[c]}
    assert changed and all(_uses(report, c, {"documents.governance_present"}) for c in changed)
    assert CriterionStatus.NOT_MET not in {after[c] for c in changed}
    # The draft has every criterion the baseline draft has, and says why this one is unknown.
    for result in baseline[0].criteria:
        assert result.title in draft
    assert "crafted content broke the probe" in draft


def test_a_raising_facts_layer_still_gives_the_whole_draft(
    baseline: tuple[Report, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project map (documents by role, sites) raises for every probe that reads documents: those become
    error findings, their criteria unknown, and the draft is still written with every criterion."""

    def broken_sites(repos, homepage=None):  # noqa: ANN001, ARG001
        raise ValueError("a site config the map could not read")

    monkeypatch.setattr(projectmap, "detect_sites", broken_sites)
    report, draft = _scan(tmp_path, "facts")
    errors = {f.probe for f in report.findings if f.outcome is Outcome.ERROR}
    assert {"documents.governance_present", "documents.maintainers_present"} <= errors
    assert all("a site config the map could not read" in f.message for f in report.findings if f.probe in errors)
    before, after = _statuses(baseline[0]), _statuses(report)
    assert before.keys() == after.keys()
    for criterion, status in after.items():
        if status != before[criterion]:
            assert status in (CriterionStatus.UNKNOWN, CriterionStatus.MANUAL), (criterion, before[criterion], status)
            assert _uses(report, criterion, errors), criterion
    assert after["gov-docs-discoverable"] is CriterionStatus.UNKNOWN
    assert all(c.title in draft for c in baseline[0].criteria)
    assert "a site config the map could not read" in draft
