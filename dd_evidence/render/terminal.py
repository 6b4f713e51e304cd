"""A rich summary for the terminal: counts by section, then what blocks the level.

Colour is the Console's business: the CLI builds it (NO_COLOR, a TTY or not) and this module only styles text.
Scan text goes into ``rich.text.Text`` objects, never through console markup, so a message cannot inject markup,
and loses its control characters first (rich keeps ESC), so a repo name or commit message cannot drive the terminal.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dd_evidence.model import CriterionResult, CriterionStatus, Finding, Outcome, Report, Requirement
from dd_evidence.render.markdown import STATUS_ORDER, plain_text, status_label, when_utc
from dd_evidence.scrub import terminal_safe

STATUS_SYMBOLS = {
    CriterionStatus.MET: "✔",
    CriterionStatus.PARTIAL: "◐",
    CriterionStatus.NOT_MET: "✘",
    CriterionStatus.UNKNOWN: "?",
    CriterionStatus.MANUAL: "✎",
}
STATUS_STYLES = {
    CriterionStatus.MET: "green",
    CriterionStatus.PARTIAL: "yellow",
    CriterionStatus.NOT_MET: "red",
    CriterionStatus.UNKNOWN: "magenta",
    CriterionStatus.MANUAL: "cyan",
}
OUTCOME_SYMBOLS = {
    Outcome.TRUE: ("✔", "green"),
    Outcome.FALSE: ("✘", "red"),
    Outcome.NOT_APPLICABLE: ("–", "dim"),
    Outcome.NOT_AVAILABLE: ("?", "magenta"),
    Outcome.ERROR: ("⚠", "red"),
}
TABLE_STATUSES = STATUS_ORDER
_ATTENTION = (CriterionStatus.NOT_MET, CriterionStatus.PARTIAL, CriterionStatus.UNKNOWN)


def status_symbol(status: CriterionStatus | str) -> str:
    """The one-character symbol of a status: ✔ met, ◐ partial, ✘ not met, ? unknown, ✎ manual."""
    return STATUS_SYMBOLS[CriterionStatus(status)]


def summary_table(report: Report) -> Table:
    """Criteria counts per section and status, with a total row."""
    table = Table(
        title=Text(_one_line(f"{report.project.display_name}: {report.level} criteria")),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    # Section names stay whole; the count headers take two lines so the table fits 80 columns.
    table.add_column("Section", no_wrap=True)
    for status in TABLE_STATUSES:
        table.add_column(
            f"{status_symbol(status)}\n{status_label(status)}",
            justify="right",
            header_style=f"bold {STATUS_STYLES[status]}",
        )
    sections: dict[str, dict[CriterionStatus, int]] = {}
    for result in report.criteria:
        counts = sections.setdefault(result.section, dict.fromkeys(TABLE_STATUSES, 0))
        counts[result.status] += 1
    for number, (section, counts) in enumerate(sections.items(), start=1):
        table.add_row(Text(section), *_count_cells(counts), end_section=number == len(sections))
    totals = {status: sum(counts[status] for counts in sections.values()) for status in TABLE_STATUSES}
    table.add_row(Text("Total", style="bold"), *_count_cells(totals))
    return table


def _count_cells(counts: dict[CriterionStatus, int]) -> list[Text]:
    return [
        Text(str(counts[status]), style=STATUS_STYLES[status] if counts[status] else "dim") for status in TABLE_STATUSES
    ]


def render_terminal(report: Report, console: Console, verbose: bool = False) -> None:
    """Print the summary to ``console``: a header line, the table, the required criteria needing attention."""
    console.print(_header(report), overflow="fold")
    console.print(summary_table(report))
    attention = [r for r in report.criteria if r.requirement is Requirement.REQUIRED and r.status in _ATTENTION]
    if attention:
        console.print(Text("Required criteria not met, partly met or undecided:", style="bold"))
        for result in attention:
            # One line each: the Markdown report has the full TODO.
            console.print(criterion_line(result), no_wrap=True, overflow="ellipsis")
    else:
        console.print(Text("Every required criterion is met or left to a person's judgement.", style="green"))
    if verbose:
        console.print(Text(f"Findings ({len(report.findings)}):", style="bold"))
        for finding in report.findings:
            console.print(finding_line(finding))
    if report.errors:
        console.print(Text(f"{len(report.errors)} scan error(s):", style="bold red"))
        for error in report.errors:
            console.print(Text(f"  {_one_line(error)}"))


def _header(report: Report) -> Text:
    read_at = when_utc(report.as_of) if report.as_of else "newest commits"
    return Text.assemble(
        (_one_line(f"{report.project.display_name} {report.level} due diligence"), "bold"),
        f", as of {read_at}\n",
        (f"{report.catalogue.level} template {report.catalogue.revision} · dd-evidence {report.tool_version}", "dim"),
        *((f"\nwarning: {w}", "yellow") for w in report.warnings),
    )


def criterion_line(result: CriterionResult) -> Text:
    """One line for a criterion: symbol, id, plain title and what to do (or why it is undecided)."""
    style = STATUS_STYLES[result.status]
    why = result.todo if result.status is not CriterionStatus.UNKNOWN and result.todo else result.rationale
    return Text.assemble(
        ("  " + status_symbol(result.status) + " ", style),
        (result.criterion, "bold"),
        " ",
        _shorten(_one_line(plain_text(result.title)), 40),
        (f" — {_one_line(why)}", "dim"),
    )


def finding_line(finding: Finding) -> Text:
    """One line for a finding: outcome symbol, probe id, subject and message."""
    symbol, style = OUTCOME_SYMBOLS[finding.outcome]
    return Text.assemble(
        (f"  {symbol} ", style),
        (_one_line(finding.probe), "bold"),
        f" {_one_line(finding.subject)}: ",
        _one_line(finding.message),
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _one_line(text: str) -> str:
    """``text`` on one line, without control characters (they come from scanned repositories and services)."""
    return " ".join(terminal_safe(text).split())
