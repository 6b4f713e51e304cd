"""Small self-contained HTML for notebooks (``Report._repr_html_``, ``CriterionResult._repr_html_``).

Every piece of scan text goes through ``html.escape``; links are made only for http(s) URLs.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from dd_evidence.model import CriterionResult, CriterionStatus, Finding, Report
from dd_evidence.render.markdown import evidence_label, plain_text, status_label
from dd_evidence.scrub import terminal_safe

STATUS_COLOURS = {
    CriterionStatus.MET: "#c8e6c9",
    CriterionStatus.PARTIAL: "#fff3b0",
    CriterionStatus.NOT_MET: "#ffcdd2",
    CriterionStatus.UNKNOWN: "#e1d5f0",
    CriterionStatus.MANUAL: "#d6eaf8",
}
_CELL = "padding:2px 8px;text-align:left;border:1px solid #ddd"


def report_html(report: Report) -> str:
    """A heading, the status counts and one row per criterion with a coloured status cell."""
    counts = report.counts()
    totals = " · ".join(f"{counts[s.value]} {status_label(s)}" for s in CriterionStatus)
    as_of = report.as_of.isoformat() if report.as_of else "newest commits"
    rows = "".join(_criterion_row(result) for result in report.criteria)
    return (
        '<div class="dd-evidence-report">'
        f"<p><strong>{_e(report.project.display_name)}</strong> · {_e(report.level)} · as of {_e(as_of)}"
        f" · {_e(totals)}</p>"
        '<table style="border-collapse:collapse">'
        f"<thead><tr>{_th('Section')}{_th('Criterion')}{_th('Requirement')}{_th('Status')}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def criterion_html(result: CriterionResult) -> str:
    """One criterion: title, status, rationale, TODO and its findings with evidence links."""
    rows = [
        ("Criterion", _e(plain_text(result.title))),
        ("Id", f"<code>{_e(result.criterion)}</code>"),
        ("Section", _e(f"{result.section} ({result.requirement.value})")),
        ("Rationale", _e(result.rationale)),
    ]
    if result.todo:
        rows.append(("TODO", _e(result.todo)))
    if result.look_at:
        rows.append(("Reviewer", _e(result.look_at)))
    if result.findings:
        rows.append(("Findings", "<ul>" + "".join(_finding_item(f) for f in result.findings) + "</ul>"))
    body = f"<tr>{_th('Status')}{_status_cell(result.status)}</tr>"
    body += "".join(f'<tr>{_th(name)}<td style="{_CELL}">{value}</td></tr>' for name, value in rows)
    return f'<table class="dd-evidence-criterion" style="border-collapse:collapse">{body}</table>'


def _criterion_row(result: CriterionResult) -> str:
    cells = [
        _td(_e(result.section)),
        _td(f'<span title="{_e(result.criterion)}">{_e(plain_text(result.title))}</span>'),
        _td(_e(result.requirement.value)),
        _status_cell(result.status),
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _finding_item(finding: Finding) -> str:
    links = ", ".join(_link(evidence_label(e), e.url) for e in finding.evidence)
    tail = f" ({links})" if links else ""
    return f"<li>[{_e(finding.outcome.value)}] {_e(finding.message)}{tail}</li>"


def _status_cell(status: CriterionStatus) -> str:
    return f'<td style="{_CELL};background:{STATUS_COLOURS[status]}">{_e(status_label(status))}</td>'


def _link(label: str, url: str) -> str:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return _e(label)
    return f'<a href="{_e(url)}">{_e(label)}</a>'


def _th(text: str) -> str:
    return f'<th style="{_CELL}">{_e(text)}</th>'


def _td(content: str) -> str:
    return f'<td style="{_CELL}">{content}</td>'


def _e(text: str) -> str:
    return html.escape(terminal_safe(str(text)), quote=True)
