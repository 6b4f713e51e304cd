"""A self-contained HTML report: header, status matrix, filters, expandable criteria and inline SVG charts.

The page needs nothing from the network to be viewed: CSS and the small filter script are inline, charts are SVG
drawn here in Python, and a Content-Security-Policy forbids loading anything else. Every piece of scan text goes
through ``html.escape``; evidence becomes a link only for http(s) and file URLs, so a hostile finding can neither
inject markup nor a ``javascript:`` link.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from dd_evidence.model import CriterionResult, CriterionStatus, Evidence, Finding, Report, RepoScan
from dd_evidence.render.markdown import STATUS_ORDER, evidence_label, plain_text, status_label

STATUS_COLOURS = {
    CriterionStatus.MET: "#2e7d32",
    CriterionStatus.PARTIAL: "#f9a825",
    CriterionStatus.NOT_MET: "#c62828",
    CriterionStatus.UNKNOWN: "#6a1b9a",
    CriterionStatus.MANUAL: "#1565c0",
}
STATUS_SYMBOLS = {
    CriterionStatus.MET: "✔",
    CriterionStatus.PARTIAL: "◐",
    CriterionStatus.NOT_MET: "✘",
    CriterionStatus.UNKNOWN: "?",
    CriterionStatus.MANUAL: "✎",
}
OUTCOME_CLASSES = {
    "true": "ok",
    "false": "bad",
    "not_applicable": "na",
    "not_available": "gap",
    "error": "bad",
}
LINKABLE_SCHEMES = ("http", "https", "file")
CHART_BARS_LIMIT = 12
"""Bars shown per chart; the rest are summed into one "others" bar so a chart stays readable."""

MAINTAINERS_PROBE = "maintainers.org_diversity"
COMMITTERS_PROBE = "activity.top_committers_include_maintainers"
RELEASES_PROBE = "releases.regular_history"

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { --met:#2e7d32; --partial:#f9a825; --not_met:#c62828; --unknown:#6a1b9a; --manual:#1565c0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2330;
       background: #f6f7f9; }
header, main { max-width: 1200px; margin: 0 auto; padding: 12px 24px; }
header { background: #fff; border-bottom: 1px solid #dde1e6; max-width: none; }
header .inner { max-width: 1152px; margin: 0 auto; }
h1 { font-size: 22px; margin: 4px 0; }
h2 { font-size: 18px; margin: 22px 0 8px; border-bottom: 1px solid #dde1e6; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
.meta { color: #4a5363; margin: 2px 0; }
.repos { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0; padding: 0; list-style: none; }
.repos code { color: #4a5363; }
.counts { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
.pill { display: inline-block; border-radius: 10px; padding: 1px 9px; color: #fff; font-size: 12px;
        white-space: nowrap; }
.pill.met { background: var(--met); } .pill.partial { background: var(--partial); color: #222; }
.pill.not_met { background: var(--not_met); } .pill.unknown { background: var(--unknown); }
.pill.manual { background: var(--manual); }
.req { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #4a5363; border: 1px solid #c3c9d2;
       border-radius: 4px; padding: 0 4px; white-space: nowrap; }
table.matrix { border-collapse: collapse; background: #fff; width: 100%; }
table.matrix th, table.matrix td { border: 1px solid #dde1e6; padding: 4px 8px; text-align: left;
                                   vertical-align: top; }
table.matrix td.cells { display: flex; flex-wrap: wrap; gap: 3px; border: 0; }
a.cell { display: inline-block; width: 26px; height: 26px; border-radius: 4px; color: #fff; text-align: center;
         line-height: 26px; text-decoration: none; font-size: 13px; }
a.cell.suggested { opacity: .55; }
a.cell.met { background: var(--met); } a.cell.partial { background: var(--partial); color: #222; }
a.cell.not_met { background: var(--not_met); } a.cell.unknown { background: var(--unknown); }
a.cell.manual { background: var(--manual); }
a.cell.filtered-out { opacity: .12; }
.filters { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 8px 12px; margin: 12px 0;
           display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; position: sticky; top: 0; z-index: 2; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; gap: 10px; align-items: center;
                    flex-wrap: wrap; }
.filters legend { font-weight: 600; float: left; margin-right: 6px; }
.filters label { white-space: nowrap; cursor: pointer; }
.filters button { font: inherit; padding: 2px 10px; cursor: pointer; }
#visible-count { color: #4a5363; }
details.criterion { background: #fff; border: 1px solid #dde1e6; border-left: 6px solid #999; border-radius: 4px;
                    margin: 6px 0; padding: 6px 10px; }
details.criterion.met { border-left-color: var(--met); }
details.criterion.partial { border-left-color: var(--partial); }
details.criterion.not_met { border-left-color: var(--not_met); }
details.criterion.unknown { border-left-color: var(--unknown); }
details.criterion.manual { border-left-color: var(--manual); }
details.criterion > summary { cursor: pointer; display: flex; gap: 8px; align-items: baseline; }
details.criterion > summary .title { flex: 1; }
details.criterion .body { margin: 6px 0 2px 4px; }
.todo { background: #fff4e5; border-left: 3px solid #f57c00; padding: 4px 8px; margin: 6px 0; }
.look { background: #eef4fb; border-left: 3px solid #1565c0; padding: 4px 8px; margin: 6px 0; }
ul.findings { padding-left: 18px; margin: 4px 0; }
ul.findings li { margin: 3px 0; }
.outcome { font-family: ui-monospace, monospace; font-size: 12px; padding: 0 4px; border-radius: 3px; }
.outcome.ok { background: #e3f2e5; color: #1b5e20; } .outcome.bad { background: #fde4e4; color: #8e1616; }
.outcome.gap { background: #efe5f7; color: #4a148c; } .outcome.na { background: #eceff1; color: #455a64; }
.subject { color: #4a5363; }
blockquote { margin: 2px 0 2px 8px; padding: 2px 8px; border-left: 3px solid #c3c9d2; color: #4a5363;
             white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 12px; }
figure.chart { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; margin: 0; padding: 8px 12px; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart .note { color: #4a5363; font-size: 12px; }
.nodata { color: #6b7484; font-style: italic; padding: 16px 0; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2330; }
[hidden] { display: none !important; }
footer { color: #6b7484; font-size: 12px; max-width: 1200px; margin: 20px auto; padding: 0 24px; }
"""

# The filters hide criteria whose status / requirement / section is unchecked, dim the matching matrix cells and
# keep a count, so a reader (and the browser test) can see the effect.
_JS = """
(function () {
  'use strict';
  function checked(name) {
    var values = {};
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      values[box.value] = box.checked;
    });
    return values;
  }
  function apply() {
    var status = checked('status'), requirement = checked('requirement');
    var section = document.getElementById('filter-section').value;
    var shown = 0, total = 0;
    document.querySelectorAll('details.criterion').forEach(function (item) {
      var visible = status[item.dataset.status] && requirement[item.dataset.requirement] &&
        (section === '' || item.dataset.section === section);
      item.hidden = !visible;
      total += 1;
      if (visible) { shown += 1; }
      var cell = document.getElementById('cell-' + item.id);
      if (cell) { cell.classList.toggle('filtered-out', !visible); }
    });
    document.querySelectorAll('section.crit-section').forEach(function (block) {
      block.hidden = block.querySelector('details.criterion:not([hidden])') === null;
    });
    document.getElementById('visible-count').textContent = shown + ' of ' + total + ' criteria shown';
  }
  function expandAll(open) {
    document.querySelectorAll('details.criterion:not([hidden])').forEach(function (item) { item.open = open; });
  }
  document.querySelectorAll('.filters input, .filters select').forEach(function (control) {
    control.addEventListener('change', apply);
  });
  document.getElementById('expand-all').addEventListener('click', function () { expandAll(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { expandAll(false); });
  document.querySelectorAll('a.cell').forEach(function (cell) {
    cell.addEventListener('click', function () {
      var target = document.getElementById(cell.getAttribute('href').slice(1));
      if (target) { target.open = true; }
    });
  });
  apply();
}());
"""


def render_html(report: Report) -> str:
    """The whole report as one HTML document that needs no network to be viewed."""
    sections = _sections(report.criteria)
    section_ids = {name: f"s{index}" for index, name in enumerate(sections)}
    body = [
        _header(report),
        "<main>",
        _counts(report),
        "<h2>Status by section</h2>",
        _matrix(sections, section_ids),
        "<h2>Charts</h2>",
        '<div class="charts">',
        maintainers_chart(report),
        committers_chart(report),
        releases_chart(report),
        "</div>",
        "<h2>Criteria</h2>",
        _filters(sections, section_ids),
        *(_section_block(name, results, section_ids[name], report) for name, results in sections.items()),
        _all_findings(report),
        "</main>",
        _footer(report),
    ]
    title = f"{report.project.display_name} {report.level} due diligence evidence"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + f"\n<script>{_JS}</script>\n</body></html>\n"
    )


def _header(report: Report) -> str:
    as_of = _when(report.as_of) if report.as_of else "the newest commits"
    repos = "".join(_repo_item(repo) for repo in report.repos)
    catalogue = report.catalogue
    return (
        '<header><div class="inner">'
        f"<h1>{_e(report.project.display_name)} — {_e(report.level)} due diligence evidence</h1>"
        f'<p class="meta">As of <strong>{_e(as_of)}</strong> · TOC template <strong>{_e(catalogue.level)} '
        f"revision {_e(catalogue.revision)}</strong> ({_e(catalogue.source)}) · dd-evidence {_e(report.tool_version)}"
        f" · generated {_e(_when(report.generated_at))}</p>"
        f'<p class="meta">Organisations: {_e(", ".join(report.project.orgs))}'
        + (f" · maturity {_e(report.project.maturity)}" if report.project.maturity else "")
        + f' · {len(report.repos)} repositories scanned:</p><ul class="repos">{repos}</ul>'
        "</div></header>"
    )


def _repo_item(repo: RepoScan) -> str:
    sha = f" <code>{_e(repo.sha[:10])}</code>" if repo.sha else " <em>not read</em>"
    error = f' <span class="outcome bad">{_e(repo.error)}</span>' if repo.error else ""
    return f"<li>{_e(repo.full_name)} <span class='subject'>({_e(repo.role)})</span>{sha}{error}</li>"


def _counts(report: Report) -> str:
    counts = report.counts()
    pills = "".join(
        f'<span class="pill {status.value}">{STATUS_SYMBOLS[status]} {counts[status.value]} '
        f"{_e(status_label(status))}</span>"
        for status in STATUS_ORDER
    )
    return f'<div class="counts" id="counts">{pills}</div>'


def _sections(results: Iterable[CriterionResult]) -> dict[str, list[CriterionResult]]:
    sections: dict[str, list[CriterionResult]] = {}
    for result in results:
        sections.setdefault(result.section, []).append(result)
    return sections


def _matrix(sections: Mapping[str, Sequence[CriterionResult]], section_ids: Mapping[str, str]) -> str:
    rows = []
    for name, results in sections.items():
        cells = "".join(
            f'<a class="cell {r.status.value} {r.requirement.value}" id="cell-{_anchor(r)}" href="#{_anchor(r)}" '
            f'title="{_e(r.criterion)} ({r.requirement.value}): {_e(status_label(r.status))} — '
            f'{_e(plain_text(r.title))}">{STATUS_SYMBOLS[r.status]}</a>'
            for r in results
        )
        counts = {status: sum(1 for r in results if r.status is status) for status in STATUS_ORDER}
        summary = " ".join(
            f'<span class="pill {s.value}">{counts[s]} {_e(status_label(s))}</span>' for s in STATUS_ORDER if counts[s]
        )
        rows.append(
            f'<tr data-section="{section_ids[name]}"><th>{_e(name)}</th>'
            f'<td class="cells">{cells}</td><td>{summary}</td></tr>'
        )
    return (
        '<table class="matrix"><thead><tr><th>Section</th><th>Criteria (faded: suggested)</th><th>Counts</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _filters(sections: Mapping[str, Sequence[CriterionResult]], section_ids: Mapping[str, str]) -> str:
    statuses = "".join(
        f'<label><input type="checkbox" name="status" value="{s.value}" checked> '
        f'<span class="pill {s.value}">{_e(status_label(s))}</span></label>'
        for s in STATUS_ORDER
    )
    requirements = "".join(
        f'<label><input type="checkbox" name="requirement" value="{value}" checked> {value}</label>'
        for value in ("required", "suggested")
    )
    options = '<option value="">all sections</option>' + "".join(
        f'<option value="{section_ids[name]}">{_e(name)}</option>' for name in sections
    )
    return (
        '<form class="filters" id="filters" onsubmit="return false">'
        f"<fieldset><legend>Status</legend>{statuses}</fieldset>"
        f"<fieldset><legend>Level requirement</legend>{requirements}</fieldset>"
        f'<fieldset><legend>Section</legend><select id="filter-section">{options}</select></fieldset>'
        '<button type="button" id="expand-all">expand all</button>'
        '<button type="button" id="collapse-all">collapse all</button>'
        '<span id="visible-count"></span></form>'
    )


def _section_block(name: str, results: Sequence[CriterionResult], section_id: str, report: Report) -> str:
    items = "".join(_criterion(result, section_id, report.project.display_name) for result in results)
    return f'<section class="crit-section" data-section="{section_id}"><h3>{_e(name)}</h3>{items}</section>'


def _criterion(result: CriterionResult, section_id: str, project: str) -> str:
    status = result.status
    parts = [f"<p><strong>Why:</strong> {_e(result.rationale)}</p>"]
    if result.subitems:
        parts.append("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in result.subitems) + "</ul>")
    if result.todo and status in (CriterionStatus.NOT_MET, CriterionStatus.PARTIAL):
        parts.append(f'<p class="todo"><strong>TODO for {_e(project)} team:</strong> {_e(result.todo)}</p>')
    elif result.todo:
        parts.append(f'<p class="todo"><strong>If not met:</strong> {_e(result.todo)}</p>')
    for fix in result.recommendations:
        parts.append(f'<p class="todo"><strong>Recommended for {_e(project)} team:</strong> {_e(fix)}</p>')
    if result.look_at:
        parts.append(f'<p class="look"><strong>Reviewer, look at:</strong> {_e(result.look_at)}</p>')
    if result.findings:
        parts.append('<ul class="findings">' + "".join(_finding_item(f) for f in result.findings) + "</ul>")
    return (
        f'<details class="criterion {status.value}" id="{_anchor(result)}" data-status="{status.value}" '
        f'data-requirement="{result.requirement.value}" data-section="{section_id}">'
        f'<summary><span class="pill {status.value}">{STATUS_SYMBOLS[status]} {_e(status_label(status))}</span>'
        f'<span class="req">{result.requirement.value}</span>'
        f'<span class="title">{_e(plain_text(result.title))}</span><code>{_e(result.criterion)}</code></summary>'
        f'<div class="body">{"".join(parts)}</div></details>'
    )


def _finding_item(finding: Finding) -> str:
    outcome = finding.outcome.value
    links = ", ".join(_evidence_link(e) for e in finding.evidence)
    excerpts = "".join(f"<blockquote>{_e(e.excerpt)}</blockquote>" for e in finding.evidence[:2] if e.excerpt)
    return (
        f'<li><span class="outcome {OUTCOME_CLASSES.get(outcome, "na")}">{_e(outcome)}</span> '
        f'<code>{_e(finding.probe)}</code> <span class="subject">{_e(finding.subject)}</span>: {_e(finding.message)}'
        + (f" — {links}" if links else "")
        + f"{excerpts}</li>"
    )


def _evidence_link(evidence: Evidence) -> str:
    label = _e(evidence_label(evidence))
    if safe_url(evidence.url):
        return f'<a href="{_e(evidence.url)}" rel="noopener noreferrer">{label}</a>'
    return label


def safe_url(url: str) -> bool:
    """True when a URL may become a link: http(s) or file only, never ``javascript:`` or ``data:``."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in LINKABLE_SCHEMES


def _all_findings(report: Report) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(f.probe)}</code></td><td>{_e(f.subject)}</td>"
        f'<td><span class="outcome {OUTCOME_CLASSES.get(f.outcome.value, "na")}">{_e(f.outcome.value)}</span></td>'
        f"<td>{_e(f.message)}</td><td>{', '.join(_evidence_link(e) for e in f.evidence)}</td></tr>"
        for f in sorted(report.findings, key=lambda f: (f.probe, f.subject))
    )
    return (
        f'<h2>All findings</h2><details id="all-findings"><summary>{len(report.findings)} findings from '
        f'{len({f.probe for f in report.findings})} probes</summary><table class="matrix">'
        "<thead><tr><th>Probe</th><th>Subject</th><th>Outcome</th><th>Message</th><th>Evidence</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details>"
    )


def _footer(report: Report) -> str:
    errors = "".join(f"<li>{_e(error)}</li>" for error in report.errors)
    listing = f"<p>Scan notes:</p><ul>{errors}</ul>" if errors else ""
    return (
        f"<footer>{listing}<p>Generated by dd-evidence {_e(report.tool_version)}. Every status is derived from the "
        "findings listed under it; manual criteria need a person to judge them.</p></footer>"
    )


# Charts --------------------------------------------------------------------------------------------------------


def maintainers_chart(report: Report) -> str:
    """Maintainers per organisation, from the org-diversity finding; "no data" when the probe did not run."""
    values = _values_of(report, MAINTAINERS_PROBE)
    by_org = values.get("by_org") if values else None
    bars = _numeric_items(by_org)
    note = ""
    if values and bars:
        note = f"{values.get('maintainers', sum(v for _, v in bars))} maintainers"
        if values.get("file"):
            note += f" listed in {values['file']}"
    return _figure("Maintainers by organisation", _bar_chart(bars, "maintainers") if bars else None, note)


def committers_chart(report: Report) -> str:
    """Commits of the top committers over the activity window; maintainers in a darker colour."""
    values = _values_of(report, COMMITTERS_PROBE)
    rows = values.get("top10") if values else None
    bars: list[tuple[str, float]] = []
    highlight: set[str] = set()
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, Mapping) and isinstance(row.get("commits"), (int, float)):
            name = str(row.get("login") or row.get("name") or "?")
            bars.append((name, float(row["commits"])))
            if row.get("maintainer") or row.get("subproject_maintainer"):
                highlight.add(name)
    note = ""
    if values and bars:
        window = f"{values.get('window_start', '?')} to {values.get('window_end_exclusive', '?')}"
        total = values.get("human_commits")
        note = f"{window}; dark bars: listed maintainers" + (f"; {total} human commits in all" if total else "")
    chart = _bar_chart(bars, "commits", highlight=highlight) if bars else None
    return _figure("Commits by contributor (top 10)", chart, note)


def releases_chart(report: Report) -> str:
    """The latest stable release of each repository on the 12-month window, with its stable-release count.

    The release-history finding carries dates only for each repository's last (stable) release, so the chart
    shows those points rather than every tag.
    """
    values = _values_of(report, RELEASES_PROBE)
    points: list[tuple[str, datetime, str, int | None]] = []
    start = end = None
    if values:
        start, end = _parse_time(values.get("window_start")), _parse_time(values.get("window_end"))
        per_repo: list[tuple[str, Mapping[str, Any]]] = [(str(values.get("repo") or "main"), values)]
        others = values.get("other_repos")
        if isinstance(others, Mapping):
            per_repo += [(str(name), v) for name, v in others.items() if isinstance(v, Mapping)]
        for name, data in per_repo:
            last = data.get("last_stable") or data.get("last_release")
            when = _parse_time(last.get("date")) if isinstance(last, Mapping) else None
            counts = data.get("releases_last_12_months")
            stable = counts.get("stable") if isinstance(counts, Mapping) else None
            if when is not None:
                points.append((name.split("/")[-1], when, str(last.get("name", "")), stable))
    chart = _timeline(points, start, end) if points else None
    note = "dot: latest stable release; number: stable releases in the last 12 months" if points else ""
    return _figure("Release timeline", chart, note)


def _values_of(report: Report, probe: str) -> Mapping[str, Any] | None:
    """The values of the first decided finding of a probe (any finding when none is decided)."""
    findings = report.findings_of(probe)
    decided = [f for f in findings if f.outcome.decided] or findings
    return decided[0].values if decided else None


def _numeric_items(mapping: Any) -> list[tuple[str, float]]:
    if not isinstance(mapping, Mapping):
        return []
    items = [(str(k), float(v)) for k, v in mapping.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sorted(items, key=lambda item: (-item[1], item[0]))


def _figure(caption: str, chart: str | None, note: str) -> str:
    content = chart if chart is not None else '<p class="nodata">no data</p>'
    note_html = f'<div class="note">{_e(note)}</div>' if note else ""
    return f'<figure class="chart"><figcaption>{_e(caption)}</figcaption>{content}{note_html}</figure>'


def _bar_chart(bars: list[tuple[str, float]], unit: str, highlight: set[str] | None = None) -> str:
    """A horizontal bar chart as SVG; long lists fold their tail into one "others" bar."""
    if len(bars) > CHART_BARS_LIMIT:
        rest = sum(value for _, value in bars[CHART_BARS_LIMIT - 1 :])
        bars = bars[: CHART_BARS_LIMIT - 1] + [(f"{len(bars) - CHART_BARS_LIMIT + 1} others", rest)]
    label_width, bar_width, row, top = 180, 180, 22, 4
    width = label_width + bar_width + 50
    height = top + row * len(bars) + 4
    peak = max((value for _, value in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {width} {height}" '
        f'aria-label="{_e(unit)} bar chart">'
    ]
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        length = max(1.0, bar_width * value / peak)
        colour = "#1565c0" if highlight is None or label in highlight else "#90caf9"
        shown = _shorten(label, 26)
        parts.append(
            f"<g><title>{_e(label)}: {value:g} {_e(unit)}</title>"
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{_e(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" rx="2" fill="{colour}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 15}">{value:g}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _timeline(points: list[tuple[str, datetime, str, int | None]], start: datetime | None, end: datetime | None) -> str:
    """One row per repository, a dot at the date of its latest stable release on a shared time axis."""
    times = [when for _, when, _, _ in points]
    start = min([start, *times] if start else times)
    end = max([end, *times] if end else times)
    span = (end - start).total_seconds() or 1.0
    label_width, axis_width, row, top = 120, 250, 22, 20
    width = label_width + axis_width + 90
    height = top + row * len(points) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {width} {height}" '
        'aria-label="release timeline">',
        f'<text x="{label_width}" y="12">{_e(start.strftime("%Y-%m-%d"))}</text>',
        f'<text x="{label_width + axis_width}" y="12" text-anchor="end">{_e(end.strftime("%Y-%m-%d"))}</text>',
    ]
    for index, (repo, when, tag, stable) in enumerate(sorted(points, key=lambda p: p[1], reverse=True)):
        y = top + index * row + 11
        x = label_width + axis_width * (when - start).total_seconds() / span
        count = f"{stable} stable" if stable is not None else ""
        parts.append(
            f"<g><title>{_e(repo)}: {_e(tag)} on {_e(when.strftime('%Y-%m-%d'))}</title>"
            f'<text x="{label_width - 6}" y="{y + 4}" text-anchor="end">{_e(_shorten(repo, 16))}</text>'
            f'<line x1="{label_width}" y1="{y}" x2="{label_width + axis_width}" y2="{y}" stroke="#dde1e6"/>'
            f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="#2e7d32"/>'
            f'<text x="{label_width + axis_width + 8}" y="{y + 4}">{_e(count)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _parse_time(value: Any) -> datetime | None:
    """A datetime from finding values: probes hand datetimes, reports loaded from JSON hand ISO strings."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _when(value: datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _anchor(result: CriterionResult) -> str:
    # Criterion ids are catalogue data ([a-z0-9-]), but escape anyway: the id lands inside attributes.
    return "c-" + _e(result.criterion)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


__all__ = ["committers_chart", "maintainers_chart", "releases_chart", "render_html", "safe_url"]
