"""The due-diligence draft in the TOC template's own layout, pre-filled with what the scan found.

Criterion titles and sub-items are the template's markdown and are copied verbatim. Everything that comes from a
scan (finding messages, excerpts, labels, error lines) may quote repository content, so it is flattened to one
line and escaped: it can add text to the document, never structure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt

from dd_evidence.model import (
    CriterionResult,
    CriterionStatus,
    Evidence,
    Finding,
    Outcome,
    Report,
    RepoScan,
    Requirement,
)

NOTABLE_LIMIT = 5
"""How many strongly evidenced, met required criteria the summary calls out."""

FINDINGS_LIMIT = 12
"""Findings shown under one criterion; the JSON report always has them all."""

EXCERPT_LIMIT = 200
"""Characters of an evidence excerpt shown inline."""

TOC_EVALUATION = "<!-- (TOC Evaluation goes here) -->"

OUTCOME_MARKS = {
    Outcome.TRUE: "✔",
    Outcome.FALSE: "✘",
    Outcome.NOT_APPLICABLE: "–",
    Outcome.NOT_AVAILABLE: "?",
    Outcome.ERROR: "⚠",
}

STATUS_ORDER = (
    CriterionStatus.MET,
    CriterionStatus.PARTIAL,
    CriterionStatus.NOT_MET,
    CriterionStatus.UNKNOWN,
    CriterionStatus.MANUAL,
)
"""The order statuses are counted in: the good news first, then what needs work, then what needs a person."""

_OPEN = (CriterionStatus.NOT_MET, CriterionStatus.PARTIAL)
_ALWAYS_ESCAPED = frozenset("\\`*[]<>|~$")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_LEADING_ORDERED = re.compile(r"^(\d{1,9})([.)])")
_LINKABLE_SCHEMES = ("http", "https", "mailto")


def render_markdown(report: Report) -> str:
    """The DD document: header, evaluation summary, every criterion in template order, scan notes."""
    blocks = [
        *_header(report),
        *_summary(report),
        "### Criteria",
        *_sections(report),
        *_scan_notes(report),
    ]
    return "\n\n".join(blocks).rstrip() + "\n"


# -- header ----------------------------------------------------------------------------------------------------


def _header(report: Report) -> list[str]:
    level = report.level.capitalize()
    catalogue = report.catalogue
    newest = f"at their newest commits on {when_utc(report.generated_at)}"
    read_at = f"as of {when_utc(report.as_of)}" if report.as_of else newest
    provenance = (
        f"_Pre-filled by dd-evidence {escape_inline(report.tool_version)} from the repositories {read_at} "
        f"(generated {when_utc(report.generated_at)}), against the {escape_inline(catalogue.level)} template "
        f"revision {escape_inline(catalogue.revision)} ({escape_inline(catalogue.source)}). Every statement below "
        "links to the commit it was read from; the TOC member reviews and completes this draft._"
    )
    warnings = [f"> **Warning:** {escape_inline(w)}" for w in report.warnings]
    return [
        f"# {report.project.display_name} {level} Due Diligence",
        f"- Link to [{level} application issue]()",
        provenance,
        *(["\n".join(warnings)] if warnings else []),
        _repo_list(report),
    ]


def _repo_list(report: Report) -> str:
    if not report.repos:
        return "No repository was scanned."
    lines = ["Scanned repositories:", ""]
    lines += [f"- {_repo_line(repo, report.options)}" for repo in report.repos]
    return "\n".join(lines)


def _repo_line(repo: RepoScan, options: Mapping[str, Any]) -> str:
    role = f"({escape_inline(repo.role)})"
    web = _repo_web_url(repo, options)
    if repo.error:
        return f"{escape_inline(repo.full_name)} {role}: _not read: {escape_inline(repo.error)}_"
    if not repo.sha:
        return f"{escape_inline(repo.full_name)} {role}: a working directory, no commit"
    name = link(repo.full_name, f"{web}/tree/{repo.sha}") if web else escape_inline(repo.full_name)
    line = f"{name} {role} at {code_span(repo.sha[:7])}"
    if repo.committed_at:
        line += f", committed {when_utc(repo.committed_at)}"
    return line


def _repo_web_url(repo: RepoScan, options: Mapping[str, Any]) -> str | None:
    """The repository's web page: the scan's web URL template, else an http(s) clone URL."""
    template = options.get("web_url")
    if isinstance(template, str) and "{owner}" in template and "{repo}" in template:
        return template.format(owner=repo.owner, repo=repo.name).rstrip("/")
    if urlsplit(repo.url).scheme in ("http", "https"):
        return repo.url.removesuffix(".git").rstrip("/")
    return None


# -- evaluation summary ----------------------------------------------------------------------------------------


def _summary(report: Report) -> list[str]:
    level = report.level.capitalize()
    name = report.project.display_name
    return [
        f"## {level} Evaluation Summary for {name}",
        "### Criteria Evaluation",
        f"_$TOCMEMBER conducted the due diligence of {name} who applied for {level}. **TOC member:** write the "
        "assessment here; the counts and lists below were pre-filled by dd-evidence from the criteria further "
        "down._",
        _counts_sentence(report),
        _summary_lists(report),
        "### Adoption Evaluation",
        "> **Placeholder for the TOC member:** dd-evidence does not assess adoption. Summarise the adopter "
        "interviews here.",
        "_The adopter interviews reflect a project [in use/too early] for the level which the project applied. "
        "They show ... $INTERVIEWSUMMARY._",
        "### Final Assessment",
        "> **Placeholder for the TOC member:** the final assessment is the TOC's judgement, not the tool's.",
        f"_[The TOC has found the project to have satisfied the criteria for {level}/ The TOC's evaluation of the "
        "project shows a needed focus to complete the outstanding blockers and reapply when the following "
        "conditions are met ... $CONDITIONS]._",
    ]


def _counts_sentence(report: Report) -> str:
    counts = report.counts()
    required = [r for r in report.criteria if r.requirement is Requirement.REQUIRED]
    open_required = [r for r in required if r.status in _OPEN]
    parts = ", ".join(f"**{counts[s.value]}** {status_label(s)}" for s in STATUS_ORDER)
    manual = counts[CriterionStatus.MANUAL.value]
    return (
        f"dd-evidence evaluated {len(report.criteria)} criteria of the {escape_inline(report.level)} template: "
        f"{parts}. Of the {len(required)} required criteria, {len(open_required)} "
        f"{'is' if len(open_required) == 1 else 'are'} not met or only partly met; {manual} "
        f"{'criterion needs' if manual == 1 else 'criteria need'} a person's judgement (marked _manual_ below)."
    )


def _summary_lists(report: Report) -> str:
    name = report.project.display_name
    required = [r for r in report.criteria if r.requirement is Requirement.REQUIRED]
    suggested = [r for r in report.criteria if r.requirement is Requirement.SUGGESTED]
    groups = [
        ("The following criteria implementations are noteworthy to call out.", _notables(report)),
        (
            "The following required criteria are not met or only partly met and would block the level.",
            [_open_line(r, name) for r in required if r.status in _OPEN],
        ),
        (
            "The following recommendations (suggested criteria not met or only partly met, and fixes the "
            "findings suggest for criteria otherwise met) are non-blocking.",
            [_open_line(r, name) for r in suggested if r.status in _OPEN]
            + [_recommendation_line(r, name) for r in report.criteria if r.status not in _OPEN and r.recommendations],
        ),
        (
            "The following criteria could not be decided because a source did not answer; check them by hand.",
            [_unknown_line(r) for r in report.criteria if r.status is CriterionStatus.UNKNOWN],
        ),
    ]
    lines: list[str] = []
    for heading, items in groups:
        lines.append(f"- {heading}")
        lines += [f"  - {item}" for item in items] or ["  - None."]
    return "\n".join(lines)


def _notables(report: Report) -> list[str]:
    """Met required criteria with the most evidence behind them, in template order."""
    scored = [
        (_evidence_strength(r), position, r)
        for position, r in enumerate(report.criteria)
        if r.requirement is Requirement.REQUIRED and r.status is CriterionStatus.MET and _evidence_strength(r)
    ]
    chosen = sorted(scored, key=lambda item: (-item[0], item[1]))[:NOTABLE_LIMIT]
    return [_notable_line(r) for _, _, r in sorted(chosen, key=lambda item: item[1])]


def _evidence_strength(result: CriterionResult) -> int:
    return sum(len(f.evidence) for f in result.findings if f.outcome is Outcome.TRUE)


def _notable_line(result: CriterionResult) -> str:
    finding = next(f for f in result.findings if f.outcome is Outcome.TRUE and f.evidence)
    return f"**{result.title}** — {escape_inline(finding.message)} ({evidence_links(finding.evidence)})"


def _open_line(result: CriterionResult, project: str) -> str:
    todo = result.todo or _default_todo(result)
    return f"**{result.title}** — {status_tag(result)}. **TODO for {project} team:** {_one_line(todo)}"


def _recommendation_line(result: CriterionResult, project: str) -> str:
    fixes = " ".join(_one_line(r) for r in result.recommendations)
    return f"**{result.title}** — {status_tag(result)}. **Recommended for {project} team:** {escape_inline(fixes)}"


def _unknown_line(result: CriterionResult) -> str:
    probes = _unique(f.probe for f in result.findings if not f.outcome.decided)
    source = f" (from {', '.join(code_span(p) for p in probes)})" if probes else ""
    return f"**{result.title}** — {escape_inline(result.rationale)}{source}"


# -- criteria --------------------------------------------------------------------------------------------------


def _sections(report: Report) -> list[str]:
    blocks: list[str] = []
    for section, results in _by_section(report.criteria).items():
        blocks.append(f"## {section}")
        for requirement in (Requirement.SUGGESTED, Requirement.REQUIRED):
            blocks.append(f"### {requirement.value.capitalize()}")
            chosen = [r for r in results if r.requirement is requirement]
            if not chosen:
                blocks.append("N/A")
            for result in chosen:
                blocks += [criterion_markdown(result, report.project.display_name), TOC_EVALUATION]
        if section.strip().lower() == "ecosystem":
            blocks += _adoption_placeholders()
    return blocks


def _by_section(results: Iterable[CriterionResult]) -> dict[str, list[CriterionResult]]:
    sections: dict[str, list[CriterionResult]] = {}
    for result in results:
        sections.setdefault(result.section, []).append(result)
    return sections


def criterion_markdown(result: CriterionResult, project: str) -> str:
    """One criterion as a template checkbox item with its sub-items, evidence, TODO and reviewer hints."""
    box = "[x]" if result.status is CriterionStatus.MET else "[ ]"
    lines = [f"- {box} **{result.title}** — {status_tag(result)}"]
    lines += _subitem_lines(result)
    if result.status is not CriterionStatus.MANUAL and not _rationale_repeats_findings(result):
        lines.append(f"  - _Why:_ {escape_inline(result.rationale)}")
    lines += _finding_lines(result.findings)
    if result.status in _OPEN:
        lines.append(f"  - **TODO for {project} team:** {_one_line(result.todo or _default_todo(result))}")
    lines += [f"  - **Recommended for {project} team:** {escape_inline(_one_line(r))}" for r in result.recommendations]
    if result.status in (CriterionStatus.MANUAL, CriterionStatus.UNKNOWN):
        lines.append(f"  - _Reviewer: {_one_line(result.look_at or _default_look_at(result))}_")
    return "\n".join(lines)


def status_label(status: CriterionStatus) -> str:
    """The status as words: ``not_met`` → "not met"."""
    return status.value.replace("_", " ")


def status_tag(result: CriterionResult) -> str:
    """The italic tag after a criterion's title: ``_partial_``, ``_unknown: a source did not answer_``..."""
    if result.status is CriterionStatus.UNKNOWN:
        return f"_unknown: {_unknown_reason(result)}_"
    if result.status is CriterionStatus.MANUAL:
        return "_manual: a person must judge_"
    return f"_{status_label(result.status)}_"


def _unknown_reason(result: CriterionResult) -> str:
    outcomes = {f.outcome for f in result.findings}
    if Outcome.NOT_AVAILABLE in outcomes:
        return "a source did not answer"
    if Outcome.ERROR in outcomes:
        return "a probe failed"
    return "no probe answered"


def _subitem_lines(result: CriterionResult) -> list[str]:
    checked = _checked_subitems(result.findings)
    return [f"  - [{'x' if checked.get(item) else ' '}] {_one_line(item)}" for item in result.subitems]


def _checked_subitems(findings: Iterable[Finding]) -> dict[str, bool]:
    """Sub-item text → True when a finding's ``values["subitems"]`` says it is satisfied."""
    checked: dict[str, bool] = {}
    for finding in findings:
        reported = finding.values.get("subitems")
        if isinstance(reported, Mapping):
            for item, done in reported.items():
                checked[str(item)] = checked.get(str(item), False) or done is True
    return checked


def _rationale_repeats_findings(result: CriterionResult) -> bool:
    """True when the rationale only restates finding messages, which are listed anyway."""
    residue = result.rationale.removeprefix("could not tell:")
    messages = sorted({f.message for f in result.findings if f.message}, key=len, reverse=True)
    if not messages:
        return False
    for message in messages:
        residue = residue.replace(message, "")
    return not residue.strip(" ;")


def _finding_lines(findings: tuple[Finding, ...]) -> list[str]:
    shown = _findings_to_show(findings)
    lines: list[str] = []
    for finding in shown:
        lines += finding_markdown(finding)
    hidden = len(findings) - len(shown)
    if hidden:
        lines.append(f"  - … and {hidden} more findings, all in the JSON report")
    return lines


def _findings_to_show(findings: tuple[Finding, ...]) -> list[Finding]:
    """All findings when few; otherwise the ones that are not true first, keeping their order."""
    if len(findings) <= FINDINGS_LIMIT:
        return list(findings)
    not_true = [i for i, f in enumerate(findings) if f.outcome is not Outcome.TRUE]
    true = [i for i, f in enumerate(findings) if f.outcome is Outcome.TRUE]
    chosen = sorted((not_true + true)[:FINDINGS_LIMIT])
    return [findings[i] for i in chosen]


def finding_markdown(finding: Finding, indent: str = "  ") -> list[str]:
    """A finding as a bullet (outcome mark, message, evidence links) with excerpts and figures below it."""
    line = f"{indent}- {OUTCOME_MARKS[finding.outcome]} {escape_inline(finding.message)}"
    if finding.evidence:
        line += f" — {evidence_links(finding.evidence)}"
    lines = [line]
    several = len(finding.evidence) > 1
    for evidence in finding.evidence:
        if evidence.excerpt and evidence.excerpt.strip():
            prefix = f"{escape_inline(evidence_label(evidence))}: " if several else ""
            lines.append(f"{indent}  - {prefix}{code_span(evidence.excerpt)}")
    figures = figures_text(finding.values)
    if figures:
        lines.append(f"{indent}  - {figures}")
    return lines


def _default_todo(result: CriterionResult) -> str:
    return "close the gaps listed above."


def _default_look_at(result: CriterionResult) -> str:
    if result.status is CriterionStatus.MANUAL:
        return "judge this criterion from the project's documents and history."
    return "check this by hand, or scan again when the source answers."


def _adoption_placeholders() -> list[str]:
    note = "_If the Adopting organization needs to remain anonymous, stating the industry vertical is sufficient._"
    blocks = ["#### Adoption"]
    for number in (1, 2, 3):
        blocks += [f"##### Adopter {number} - $COMPANY/$INDUSTRY", f"{note}\nMONTH YEAR"]
    return blocks


# -- scan notes ------------------------------------------------------------------------------------------------


def _scan_notes(report: Report) -> list[str]:
    lines = ["- Probe errors and unreadable sources:"]
    lines += [f"  - {escape_inline(error, line_start=True)}" for error in report.errors] or ["  - None."]
    lines.append(f"- Timings: {_timings_text(report.timings)}")
    lines.append(f"- Requests: {_requests_text(report.requests)}")
    options = _options_text(report.options)
    if options:
        lines.append(f"- Options: {options}")
    return ["## Scan notes", "\n".join(lines)]


def _timings_text(timings: Mapping[str, float]) -> str:
    phases = [(k, v) for k, v in timings.items() if not k.startswith("probe:")]
    probes = sorted(
        ((k.removeprefix("probe:"), v) for k, v in timings.items() if k.startswith("probe:")), key=lambda item: -item[1]
    )
    parts = [f"{escape_inline(k)} {v:.1f} s" for k, v in phases]
    if probes:
        slowest = ", ".join(f"{code_span(k)} {v:.1f} s" for k, v in probes[:5])
        parts.append(f"slowest probes: {slowest}")
    return "; ".join(parts) or "not recorded."


def _requests_text(requests: Mapping[str, int]) -> str:
    if not requests:
        return "none recorded."
    return ", ".join(f"{escape_inline(k)} {v}" for k, v in requests.items())


def _options_text(options: Mapping[str, Any]) -> str:
    shown = [
        f"{k}={_option_value(v)}"
        for k, v in options.items()
        if v not in (None, [], {}, "") and not any(word in k.lower() for word in ("token", "secret", "password"))
    ]
    return " ".join(code_span(item) for item in shown)


def _option_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


# -- inline helpers --------------------------------------------------------------------------------------------


def escape_inline(text: str, line_start: bool = False) -> str:
    """Scan text as inert inline markdown: one line, with markup characters backslash-escaped.

    Underscores inside words (``CODE_OF_CONDUCT.md``) are left alone, as they cannot start emphasis. With
    ``line_start``, the text opens a list item, so what would start a block there (``#``, ``-``, ``1.``) is
    escaped too.
    """
    flat = _one_line(text)
    out: list[str] = []
    for index, char in enumerate(flat):
        if char in _ALWAYS_ESCAPED or (char == "_" and not _intraword(flat, index)):
            out.append("\\" + char)
        elif char == "&" and _ENTITY.match(flat, index):
            out.append("\\&")
        else:
            out.append(char)
    escaped = "".join(out)
    return _escape_leading(escaped) if line_start else escaped


def _intraword(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


def _escape_leading(text: str) -> str:
    """Neutralise what would start a block at the start of a list item: ``#``, ``-``, ``+``, ``=``, ``1.``."""
    if text[:1] in ("#", "-", "+", "="):
        return "\\" + text
    ordered = _LEADING_ORDERED.match(text)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{text[ordered.end() :]}"
    return text


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def code_span(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """Text as an inline code span (one line, shortened to ``limit``), fenced so backticks inside cannot close it."""
    flat = _one_line(text)
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def link(label: str, url: str) -> str:
    """A markdown link with an escaped label; a URL that is not http(s)/mailto is shown as code, not linked."""
    if urlsplit(url).scheme.lower() not in _LINKABLE_SCHEMES:
        return f"{escape_inline(label)} ({code_span(url)})"
    return f"[{escape_inline(label)}]({_safe_url(url)})"


def _safe_url(url: str) -> str:
    # Spaces, angle brackets and parentheses would end or break the link destination.
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def evidence_label(evidence: Evidence) -> str:
    """A short name for a link: the evidence's label, else the file path of a permalink, else the URL."""
    if evidence.label:
        return evidence.label
    parts = urlsplit(evidence.url)
    match = re.match(r"^/[^/]+/[^/]+/(?:blob|tree)/[^/]+/(.+)$", parts.path)
    if match:
        return match.group(1) + (f"#{parts.fragment}" if parts.fragment else "")
    return evidence.url


def evidence_links(evidence: Iterable[Evidence]) -> str:
    """Evidence as comma-separated markdown links."""
    return ", ".join(link(evidence_label(e), e.url) for e in evidence)


def figures_text(values: Mapping[str, Any]) -> str:
    """The numbers among a finding's values, compactly: ``maintainers 13 · organizations 7 · top share 54%``."""
    parts = [
        f"{escape_inline(str(key).replace('_', ' '))} {_figure(str(key), value)}"
        for key, value in values.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    return " · ".join(parts)


def _figure(key: str, value: float) -> str:
    lowered = key.lower()
    if lowered.endswith(("percent", "percentage", "pct")):
        return f"{value:.4g}%"
    if isinstance(value, float) and any(w in lowered for w in ("share", "ratio", "fraction")) and 0 <= value <= 1:
        return f"{value * 100:.0f}%"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def plain_text(markdown: str) -> str:
    """Inline markdown (a template title) as plain text: links become their text, emphasis disappears."""
    tokens = _inline_parser().parseInline(markdown)
    children = (tokens[0].children or []) if tokens else []
    pieces: list[str] = []
    for token in children:
        if token.type in ("text", "code_inline"):
            pieces.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
    return _one_line("".join(pieces))


@functools.cache
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def when_utc(value: datetime) -> str:
    """A time as ``2025-09-15T00:00:00Z`` (UTC; a naive time is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
