"""Findings as CSV: one row per finding, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import io

from dd_evidence.model import Report

CSV_COLUMNS = ("probe", "subject", "outcome", "message", "evidence_url", "criteria")
"""``evidence_url`` is the first evidence link; ``criteria`` the ids of the criteria the finding informs (``;``)."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_csv(report: Report) -> str:
    """The report's findings as CSV with a header row (RFC 4180 quoting, ``\\r\\n`` line ends)."""
    informs: dict[tuple[str, str], list[str]] = {}
    for result in report.criteria:
        for finding in result.findings:
            ids = informs.setdefault((finding.probe, finding.subject), [])
            if result.criterion not in ids:
                ids.append(result.criterion)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for finding in report.findings:
        writer.writerow(
            [
                finding.probe,
                _cell(finding.subject),
                finding.outcome.value,
                _cell(finding.message),
                _cell(finding.evidence[0].url) if finding.evidence else "",
                ";".join(informs.get((finding.probe, finding.subject), [])),
            ]
        )
    return buffer.getvalue()


def _cell(text: str) -> str:
    # Repository text is untrusted: a cell starting with "=" or "+" would run as a formula in a spreadsheet.
    return "'" + text if text.startswith(_FORMULA_START) else text


__all__ = ["CSV_COLUMNS", "render_csv"]
