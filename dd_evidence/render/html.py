"""A self-contained HTML report: header, status matrix, filters, expandable criteria and inline SVG charts.

The page needs nothing from the network to be viewed: CSS and the small filter script are inline, charts are SVG
drawn here in Python, and a Content-Security-Policy forbids loading anything else. Every piece of scan text goes
through ``html.escape``; evidence becomes a link only for http(s) and file URLs, so a hostile finding can neither
inject markup nor a ``javascript:`` link.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from dd_evidence.model import CriterionResult, CriterionStatus, Evidence, Finding, Report, RepoScan
from dd_evidence.render.markdown import (
    STATUS_ORDER,
    evidence_label,
    maturity_sentence,
    plain_text,
    status_label,
    windows_sentence,
)
from dd_evidence.scrub import terminal_safe
from dd_evidence.values import (
    CommitsByOrganisation,
    ReleaseTimeline,
    SeatsByOrganisation,
    TopCommitters,
    first_with_shape,
)

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

ORG_BARS_LIMIT = 10
"""Organisations shown by name in the commit-share chart; the rest are one "others" bar, unknown commits another."""

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
figure.chart.wide { grid-column: 1 / -1; }
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
        organisations_chart(report),
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
    # One as-of truth: the instant, the maturity then, the template revision then and the windows, as in the draft.
    as_of = _when(report.as_of) if report.as_of else f"the newest commits on {_when(report.generated_at)}"
    repos = "".join(_repo_item(repo) for repo in report.repos)
    catalogue = report.catalogue
    return (
        '<header><div class="inner">'
        f"<h1>{_e(report.project.display_name)} — {_e(report.level)} due diligence evidence</h1>"
        f'<p class="meta">As of <strong>{_e(as_of)}</strong> · TOC template <strong>{_e(catalogue.level)} '
        f"revision {_e(catalogue.revision)}</strong> ({_e(catalogue.source)}) · dd-evidence {_e(report.tool_version)}"
        f" · generated {_e(_when(report.generated_at))}</p>"
        f'<p class="meta">{_e(_plain(maturity_sentence(report)))} {_e(_plain(windows_sentence(report)))}</p>'
        f'<p class="meta">Organisations: {_e(", ".join(report.project.orgs))}'
        + f' · {len(report.repos)} repositories scanned:</p><ul class="repos">{repos}</ul>'
        + "".join(f'<p class="meta"><strong>Warning:</strong> {_e(w)}</p>' for w in report.warnings)
        + "</div></header>"
    )


def _plain(markdown_text: str) -> str:
    """A sentence the Markdown draft shares, without its backslash escapes and code ticks."""
    return markdown_text.replace("\\", "").replace("`", "")


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
    return (
        f"<footer>{_scan_notes(report)}<p>Generated by dd-evidence {_e(report.tool_version)}. Every status is derived "
        "from the findings listed under it; manual criteria need a person to judge them.</p></footer>"
    )


def _scan_notes(report: Report) -> str:
    """Appendix: how the scan ran (errors, timings, requests, options). Kept out of the pasteable Markdown draft."""
    errors = "".join(f"<li>{_e(error)}</li>" for error in report.errors) or "<li>None.</li>"
    phases = [(k, v) for k, v in report.timings.items() if not k.startswith("probe:")]
    probes = sorted(
        ((k.removeprefix("probe:"), v) for k, v in report.timings.items() if k.startswith("probe:")),
        key=lambda item: -item[1],
    )
    timings = "; ".join(f"{_e(k)} {v:.1f} s" for k, v in phases) or "not recorded"
    if probes:
        timings += "; slowest probes: " + ", ".join(f"<code>{_e(k)}</code> {v:.1f} s" for k, v in probes[:5])
    requests = ", ".join(f"{_e(k)} {v}" for k, v in report.requests.items()) or "none recorded"
    secret = ("token", "secret", "password")
    options = " ".join(
        f"<code>{_e(k)}={_e(_option(v))}</code>"
        for k, v in report.options.items()
        if v not in (None, [], {}, "") and not any(word in k.lower() for word in secret)
    )
    return (
        '<details id="scan-notes"><summary>Appendix: scan notes</summary>'
        f"<p>Probe errors and unreadable sources:</p><ul>{errors}</ul>"
        f"<p>Timings: {timings}</p><p>Requests: {requests}</p><p>Options: {options}</p></details>"
    )


def _option(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Mapping):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


# Charts --------------------------------------------------------------------------------------------------------


def maintainers_chart(report: Report) -> str:
    """Maintainers per organisation, from the org-diversity finding; "no data" when the probe did not run."""
    values = first_with_shape(report.findings, SeatsByOrganisation)
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
    values = first_with_shape(report.findings, TopCommitters)
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
    """Every release of the last 24 months, one row per repository on a shared time axis.

    Drawn from the release-history finding's ``release_timeline`` (a capped, dated list per repo with version
    tags); stable releases are filled dots, pre-releases hollow diamonds, each with a ``<title>``.
    """
    values = first_with_shape(report.findings, ReleaseTimeline)
    timeline = values.get("release_timeline") if values else None
    if not isinstance(timeline, Mapping):
        return _figure("Release timeline", None, "", wide=True)
    main = str(values.get("repo") or "") if values else ""
    rows = _timeline_rows(timeline.get("repos"), main)
    start, end = _parse_time(timeline.get("start")), _parse_time(timeline.get("end"))
    times = [release.when for row in rows for release in row.releases]
    if not rows or ((start is None or end is None) and not times):
        return _figure("Release timeline", None, "", wide=True)
    start = start or min(times)
    end = end or max(times)
    omitted = ", ".join(f"{row.omitted} in {row.name}" for row in rows if row.omitted)
    note = (
        f"Version tags of the {timeline.get('months', 24)} months before {end:%Y-%m-%d}, up to "
        f"{timeline.get('cap_per_repo', '?')} newest per repository"
        + (f"; older ones left out (grey band): {omitted}" if omitted else "")
        + ". Filled dot: stable release; hollow diamond: pre-release."
    )
    return _figure("Release timeline", _timeline(rows, start, end), note, wide=True)


def organisations_chart(report: Report) -> str:
    """Share of the window's human commits by organisation: the top ten, the rest as "others", and the commits
    no organisation could be attributed to as their own bar. Solid segments rest on roster affiliations, hatched
    ones on the e-mail domain (a weak attribution); the caption says which basis carried how many commits."""
    values = first_with_shape(report.findings, CommitsByOrganisation)
    total = values.get("human_commits") if values else None
    by_org = _numeric_items(values.get("by_organisation")) if values else []
    unknown = values.get("unknown_commits", 0) if values else 0
    if not values or not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        return _figure("Commits by organisation", None, "")
    basis = values.get("by_organisation_basis")
    bars = _organisation_bars(by_org, basis if isinstance(basis, Mapping) else {})
    if isinstance(unknown, (int, float)) and not isinstance(unknown, bool) and unknown > 0:
        bars.append(_ShareBar("unknown (not attributed)", float(unknown), 0.0, kind="unknown"))
    attributed = values.get("attributed_by")
    attributed = attributed if isinstance(attributed, Mapping) else {}
    note = (
        f"{total} human commits from {values.get('window_start', '?')} to {values.get('window_end_exclusive', '?')} "
        f"(exclusive), from git history. Attributed by roster affiliation: {attributed.get('roster', '?')} commits "
        f"(solid); by e-mail domain, weak: {attributed.get('email_domain (weak)', '?')} commits (hatched); "
        f"unknown: {unknown} commits (grey). Dashed line: half of all commits."
    )
    return _figure("Commits by organisation", _share_chart(bars, total), note)


def _numeric_items(mapping: Any) -> list[tuple[str, float]]:
    if not isinstance(mapping, Mapping):
        return []
    items = [(str(k), float(v)) for k, v in mapping.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sorted(items, key=lambda item: (-item[1], item[0]))


def _figure(caption: str, chart: str | None, note: str, wide: bool = False) -> str:
    content = chart if chart is not None else '<p class="nodata">no data</p>'
    note_html = f'<div class="note">{_e(note)}</div>' if note else ""
    classes = "chart wide" if wide else "chart"
    return f'<figure class="{classes}"><figcaption>{_e(caption)}</figcaption>{content}{note_html}</figure>'


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


@dataclass(frozen=True)
class _DatedRelease:
    tag: str
    when: datetime
    stable: bool


@dataclass(frozen=True)
class _TimelineRow:
    name: str
    releases: tuple[_DatedRelease, ...]
    omitted: int


def _timeline_rows(repos: Any, main: str) -> list[_TimelineRow]:
    """One row per repository in the timeline values: the main repository first, then the most recent releasers."""
    rows = []
    for full_name, entry in repos.items() if isinstance(repos, Mapping) else ():
        if not isinstance(entry, Mapping):
            continue
        releases = []
        for item in entry.get("releases") or ():
            when = _parse_time(item.get("date")) if isinstance(item, Mapping) else None
            if when is not None:
                releases.append(_DatedRelease(str(item.get("tag", "")), when, bool(item.get("stable"))))
        omitted = entry.get("omitted")
        count = omitted if isinstance(omitted, int) and not isinstance(omitted, bool) else 0
        rows.append((str(full_name), _TimelineRow(str(full_name).split("/")[-1], tuple(releases), count)))

    def order(item: tuple[str, _TimelineRow]) -> tuple[bool, float, str]:
        newest = max((r.when.timestamp() for r in item[1].releases), default=0.0)
        return item[0] != main, -newest, item[0]

    return [row for _, row in sorted(rows, key=order)]


def _month_starts(start: datetime, end: datetime) -> list[datetime]:
    """The first instant of every month that falls within [start, end]."""
    month = datetime(start.year, start.month, 1, tzinfo=UTC)
    if month < start:
        month = _next_month(month)
    months = []
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(month: datetime) -> datetime:
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def _timeline(rows: list[_TimelineRow], start: datetime, end: datetime) -> str:
    """One row per repository, a mark per release on a shared time axis with month ticks and labelled quarters."""
    span = (end - start).total_seconds() or 1.0
    label_width, axis_width, right, row, top = 120, 640, 180, 22, 44
    width = label_width + axis_width + right
    height = top + row * len(rows) + 6

    def x_of(when: datetime) -> float:
        return label_width + axis_width * min(max((when - start).total_seconds() / span, 0.0), 1.0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {width} {height}" '
        'aria-label="release timeline">',
        f'<g class="legend"><circle cx="{label_width + 5}" cy="9" r="4.5" fill="#2e7d32"/>'
        f'<text x="{label_width + 14}" y="13">stable release</text>'
        f'<path d="{_diamond(label_width + 125, 9)}" fill="#fff" stroke="#e65100" stroke-width="1.5"/>'
        f'<text x="{label_width + 134}" y="13">pre-release</text></g>',
    ]
    months = _month_starts(start, end)
    step = next((n for n in (1, 2, 3, 6, 12) if len(months) / n <= 10), 12)
    for month in months:
        x = x_of(month)
        labelled = (month.year * 12 + month.month - 1) % step == 0
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 4}" '
            f'stroke="{"#c3c9d2" if labelled else "#eceff1"}"/>'
        )
        if labelled:
            parts.append(f'<text class="month" x="{x:.1f}" y="{top - 12}" text-anchor="middle">{month:%b %Y}</text>')
    for index, timeline_row in enumerate(rows):
        parts.append(_timeline_row(timeline_row, top + index * row + 11, label_width, axis_width, x_of))
    parts.append("</svg>")
    return "".join(parts)


def _timeline_row(
    row: _TimelineRow, y: int, label_width: int, axis_width: int, x_of: Callable[[datetime], float]
) -> str:
    """A repository's label, its baseline, its release counts at the right and one mark per release."""
    stable = [r for r in row.releases if r.stable]
    pre = [r for r in row.releases if not r.stable]
    summary = f"{len(stable)} stable, {len(pre)} pre" if row.releases else "none in the window"
    band = ""
    if row.omitted:
        summary += f", +{row.omitted} older"
        # The list holds the newest releases, so everything before its first entry is the stretch it leaves out.
        edge = x_of(min(r.when for r in row.releases)) - 6 if row.releases else label_width + axis_width
        band = (
            f'<rect class="not-listed" x="{label_width}" y="{y - 6}" width="{max(edge - label_width, 0):.1f}" '
            f'height="12" fill="#eceff1" stroke="#b0b7c3" stroke-dasharray="2 2">'
            f"<title>{_e(row.name)}: {row.omitted} older releases in the window not listed</title></rect>"
        )
    # Pre-releases first, so the stable dots are drawn over them where they coincide.
    marks = "".join(
        f'<path class="mark pre" d="{_diamond(x_of(r.when), y)}" fill="#fff" stroke="#e65100" stroke-width="1.5">'
        f"<title>{_e(row.name)} {_e(r.tag)} {r.when:%Y-%m-%d} (pre-release)</title></path>"
        for r in pre
    ) + "".join(
        f'<circle class="mark stable" cx="{x_of(r.when):.1f}" cy="{y}" r="4.5" fill="#2e7d32">'
        f"<title>{_e(row.name)} {_e(r.tag)} {r.when:%Y-%m-%d} (stable)</title></circle>"
        for r in stable
    )
    return (
        f"<g><title>{_e(row.name)}: {_e(summary)}</title>"
        f'<text x="{label_width - 6}" y="{y + 4}" text-anchor="end">{_e(_shorten(row.name, 16))}</text>'
        f'<line x1="{label_width}" y1="{y}" x2="{label_width + axis_width}" y2="{y}" stroke="#dde1e6"/>'
        f'<text x="{label_width + axis_width + 8}" y="{y + 4}">{_e(summary)}</text></g>{band}{marks}'
    )


def _diamond(x: float, y: float, r: float = 5.0) -> str:
    return f"M{x:.1f},{y - r:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{y + r:.1f}L{x - r:.1f},{y:.1f}Z"


@dataclass(frozen=True)
class _ShareBar:
    label: str
    strong: float
    weak: float
    kind: str = "organisation"

    @property
    def commits(self) -> float:
        return self.strong + self.weak


def _organisation_bars(by_org: list[tuple[str, float]], basis: Mapping[str, Any]) -> list[_ShareBar]:
    """The top organisations by commits, the rest folded into one "others" bar; each split by attribution basis."""

    def split(name: str, commits: float) -> tuple[float, float]:
        entry = basis.get(name)
        weak = entry.get("email_domain (weak)") if isinstance(entry, Mapping) else None
        weak = float(weak) if isinstance(weak, (int, float)) and not isinstance(weak, bool) else 0.0
        return commits - min(weak, commits), min(weak, commits)

    bars = [_ShareBar(name, *split(name, commits)) for name, commits in by_org[:ORG_BARS_LIMIT]]
    rest = by_org[ORG_BARS_LIMIT:]
    if rest:
        parts = [split(name, commits) for name, commits in rest]
        bars.append(
            _ShareBar(
                f"{len(rest)} other organisations",
                sum(strong for strong, _ in parts),
                sum(weak for _, weak in parts),
                kind="others",
            )
        )
    return bars


def _share_chart(bars: list[_ShareBar], total: float) -> str:
    """Horizontal bars on a 0-100 % scale of ``total``: a solid (roster) and a hatched (e-mail domain) segment per
    organisation, a grey bar with a dashed outline for unknown commits, and a dashed line at one half."""
    label_width, bar_width, row, top = 190, 170, 22, 4
    width = label_width + bar_width + 60
    height = top + row * len(bars) + 4
    half = label_width + bar_width / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {width} {height}" '
        'aria-label="commit share by organisation">'
        '<defs><pattern id="weak-hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="5" height="5" fill="#e3f2fd"/>'
        '<line x1="0" y1="0" x2="0" y2="5" stroke="#1565c0" stroke-width="2"/></pattern></defs>',
        # The half-way line goes first, so bars and their labels are drawn over it.
        f'<line x1="{half}" y1="{top}" x2="{half}" y2="{height - 2}" stroke="#c62828" stroke-dasharray="4 3"/>',
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        strong = bar_width * bar.strong / total
        weak = bar_width * bar.weak / total
        share = bar.commits / total
        if bar.kind == "unknown":
            rects = (
                f'<rect class="bar unknown" x="{label_width}" y="{y + 3}" width="{max(1.0, strong):.1f}" '
                f'height="{row - 6}" fill="#cfd3d9" stroke="#6b7484" stroke-dasharray="3 2"/>'
            )
        else:
            colour = "#1565c0" if bar.kind == "organisation" else "#64b5f6"
            rects = (
                f'<rect class="bar strong" x="{label_width}" y="{y + 3}" width="{strong:.1f}" height="{row - 6}" '
                f'fill="{colour}"/>'
                + (
                    f'<rect class="bar weak" x="{label_width + strong:.1f}" y="{y + 3}" width="{weak:.1f}" '
                    f'height="{row - 6}" fill="url(#weak-hatch)" stroke="#1565c0" stroke-width=".5"/>'
                    if bar.weak
                    else ""
                )
            )
        parts.append(
            f'<g class="share {bar.kind}"><title>{_e(_share_title(bar, total))}</title>'
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{_e(_shorten(bar.label, 27))}</text>'
            f"{rects}"
            f'<text x="{label_width + max(strong + weak, 1.0) + 4:.1f}" y="{y + 15}">{_percent(share)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _share_title(bar: _ShareBar, total: float) -> str:
    text = f"{bar.label}: {bar.commits:g} of {total:g} human commits ({_percent(bar.commits / total)})"
    if bar.kind == "unknown":
        return text + ", no organisation known"
    how = []
    if bar.strong:
        how.append(f"{bar.strong:g} by roster affiliation")
    if bar.weak:
        how.append(f"{bar.weak:g} by e-mail domain (weak)")
    return text + (f", {' and '.join(how)}" if how else "")


def _percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.1 or share == 0 else f"{share:.1%}"


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
    return html.escape(terminal_safe(str(value)), quote=True)


__all__ = ["committers_chart", "maintainers_chart", "organisations_chart", "releases_chart", "render_html", "safe_url"]
