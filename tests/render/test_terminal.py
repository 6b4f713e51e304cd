"""The terminal summary (rich) and the notebook HTML snippets."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from dd_evidence.model import CriterionStatus
from dd_evidence.render import FORMATS
from dd_evidence.render.html_snippets import criterion_html, report_html
from dd_evidence.render.terminal import render_terminal, status_symbol, summary_table

ANSI = re.compile(r"\x1b\[")


def _console(**options) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    settings = {"file": buffer, "width": 140, "color_system": None, "force_terminal": False}
    settings.update(options)
    return Console(**settings), buffer


def _render(report, verbose: bool = False, **options) -> str:
    console, buffer = _console(**options)
    render_terminal(report, console, verbose=verbose)
    return buffer.getvalue()


def _row(text: str, label: str) -> list[str]:
    line = next(line for line in text.splitlines() if label in line)
    return re.findall(r"\b\d+\b", line)


@pytest.mark.parametrize(
    ("status", "symbol"),
    [
        (CriterionStatus.MET, "✔"),
        (CriterionStatus.PARTIAL, "◐"),
        (CriterionStatus.NOT_MET, "✘"),
        (CriterionStatus.UNKNOWN, "?"),
        (CriterionStatus.MANUAL, "✎"),
        ("not_met", "✘"),
    ],
)
def test_status_symbol(status, symbol):
    assert status_symbol(status) == symbol


def test_table_has_a_row_per_section_and_a_total(report):
    text = _render(report)
    lines = text.splitlines()
    header = lines.index(next(line for line in lines if "Section" in line))
    symbols, labels = lines[header - 1], lines[header]
    assert symbols.split() == ["✔", "◐", "✘", "?", "✎"]
    assert labels.split() == ["Section", "met", "partial", "not", "met", "unknown", "manual"]
    assert _row(text, "Governance and Maintainers") == ["1", "1", "1", "0", "1"]
    assert _row(text, "Security") == ["1", "0", "0", "1", "0"]
    assert _row(text, "Total") == ["2", "1", "1", "1", "1"]


def test_summary_table_columns(report):
    table = summary_table(report)
    assert len(table.columns) == 6
    assert table.row_count == 3


def test_required_criteria_needing_attention_one_line_each(report):
    lines = _render(report).splitlines()
    attention = [line for line in lines if re.match(r"^\s+[✘◐?] ", line)]
    assert [line.split()[1] for line in attention] == [
        "gov-vendor-neutral",
        "gov-maintainers-listed",
        "sec-report-process",
    ]
    assert "Add a CODEOWNERS file to every repository." in attention[0]
    assert "Governance clearly documents vendor-" in attention[0]  # the markdown link is flattened
    assert "rate limit exceeded" in attention[2]
    assert not any("gov-review-done" in line for line in lines)  # suggested, manual


def test_no_ansi_codes_when_colours_are_off(report):
    assert not ANSI.search(_render(report, verbose=True))


def test_fits_an_80_column_terminal(report):
    text = _render(report, width=80)
    assert "Governance and Maintainers" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_colours_follow_the_console(report):
    assert ANSI.search(_render(report, force_terminal=True, color_system="truecolor"))


def test_verbose_lists_every_finding(report, acme):
    quiet, verbose = _render(report), _render(report, verbose=True)
    assert "people.maintainers_listed" not in quiet
    for finding in acme.findings:
        line = next(line for line in verbose.splitlines() if finding.probe in line and finding.subject in line)
        assert finding.message.split()[0] in line
    assert "[link](javascript:alert(1))" in verbose  # scan text is printed, not parsed as rich markup


def test_scan_errors_are_shown(report):
    assert "security.policy_present (acme): github: rate limit exceeded" in _render(report)


def test_terminal_format_renders_plain_text(report):
    text = FORMATS["terminal"].render(report)
    assert "Governance and Maintainers" in text
    assert not ANSI.search(text)
    assert FORMATS["terminal"].writes_file is False


def test_report_html_escapes_and_colours(report):
    html = report._repr_html_()
    assert html == report_html(report)
    assert html.count("<tr>") == 1 + len(report.criteria)
    assert "background:#ffcdd2" in html  # not met
    assert "Governance clearly documents vendor-neutral of project direction." in html
    assert "<script" not in html


def test_criterion_html_escapes_findings(report, acme):
    result = report.criterion("gov-maintainers-listed")
    html = result._repr_html_()
    assert html == criterion_html(result)
    assert "&lt;!-- hidden" in html
    assert "<!--" not in html
    assert "not met" in html
    governance = criterion_html(report.criterion("gov-docs-discoverable"))
    assert f'<a href="{acme.governance_url}">community/GOVERNANCE.md#L1-L5</a>' in governance
