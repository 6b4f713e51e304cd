"""The due-diligence draft in the TOC template's own layout, pre-filled with what the scan found.

A reviewer pastes this draft into a cncf/toc pull request, so it is written to be short and true to its evidence:

- under each criterion the findings that decided its status come first, supporting context after;
- findings that say the same about several repositories collapse into one line naming the repositories (the
  reason of a "not read" said once);
- every fact gets one link: a URL already linked in the criterion, or listed with the scanned repositories at the
  top, is not linked again; a finding shown in full under one criterion is repeated elsewhere without its links;
  several commits of one repository become one link to its log;
- the TODO of a criterion is the remedies of the findings that failed it; a met criterion has none, and every
  remedy is written once in the criteria (and once in the summary);
- quotes end at a word, with "…";
- scan notes (timings, requests, options) are in the JSON and HTML reports, not here.

Criterion titles and sub-items are the template's markdown and are copied verbatim. Everything that comes from a
scan (finding messages, excerpts, labels, error lines) may quote repository content, so it is flattened to one
line and escaped: it can add text to the document, never structure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt

from dd_evidence.aggregate import short_subject
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
from dd_evidence.scrub import terminal_safe

NOTABLE_LIMIT = 5
"""How many strongly evidenced, met required criteria the summary calls out."""

REPEATED_TEXT = 90
SUPPORTING_TEXT = 140
"""Characters of a finding repeated under a second criterion (its evidence is linked under the first), and of
supporting context that holds (deciding and failing findings are written out in full)."""
"""Characters of a finding repeated under a second criterion (its evidence is linked under the first)."""

NOTABLE_TEXT = 100
"""Characters of the finding quoted for a noteworthy criterion (cut at a word)."""

LINES_LIMIT = 5
"""Finding lines shown under one criterion (after collapsing); the deciding ones are always shown."""

EXCERPT_LIMIT = 80
"""Characters of a quote shown inline; a longer one is cut at a word and ends with "…"."""

LONG_QUOTES_PER_LINE = 1
LONG_QUOTES_FAILING = 3
"""Long quotes under one finding line: one sample of prose; up to three link targets on a failing line (each is
what is wrong). Further evidence is linked without its quote."""

URL_LIMIT = 160
"""A quote without spaces (a link target) up to this length is shown whole."""

SHORT_QUOTE = 50
"""A quote this short (a link target, a heading) is shown beside its link rather than on a line of its own."""

QUOTES_SUPPORTING = 3
"""Quoted excerpts on one line of a finding that supports a criterion (a failing one quotes every place)."""

LINKS_PER_LINE = 3
LINKS_DECIDING = 5
"""Plain links listed on one failing line of supporting / deciding evidence (see ``_link_limit``); the rest are
counted, and every one of them is in the JSON report."""

SUBJECTS_NAMED = 8
"""Repositories a collapsed line names before it says "and N more"."""

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
_COMMIT_URL = re.compile(r"^(?P<base>https?://[^?#]+?/[^/?#]+/[^/?#]+)/commit/(?P<sha>[0-9a-fA-F]{7,40})$")
_PARTIAL_RATIONALE = re.compile(r"^(\d+ of \d+ checks pass); missing: (.*)$", re.DOTALL)
_MARK = "\0"  # stands for a finding's subject while findings are compared for collapsing
# A third-person verb right after a collapsed subject list turns plural: "api has no X" → "3 repos have no X".
_PLURAL_VERBS = {"has": "have", "is": "are", "does": "do", "was": "were"}


def render_markdown(report: Report) -> str:
    """The DD document: header, evaluation summary and every criterion in template order."""
    draft = _Draft(report)
    blocks = [*draft.header(), *draft.summary(), "### Criteria", *draft.sections()]
    return "\n\n".join(block for block in blocks if block).rstrip() + "\n"


def criterion_markdown(result: CriterionResult, project: str) -> str:
    """One criterion as a template checkbox item with its sub-items, evidence, TODO and reviewer hints."""
    return _Draft(None).criterion(result, project)


# -- the draft ---------------------------------------------------------------------------------------------------


@dataclass
class _Line:
    """One evidence bullet: one finding, or several of one probe that say the same about different subjects."""

    outcome: Outcome
    text: str
    findings: list[Finding]


@dataclass
class _Draft:
    """What has been written so far, so that links, findings and remedies are not repeated."""

    report: Report | None
    header_urls: set[str] = field(default_factory=set)
    linked: set[str] = field(default_factory=set)  # every URL linked so far in the criteria
    shown: set[Finding] = field(default_factory=set)
    advised: dict[str, str] = field(default_factory=dict)  # remedy -> title of the criterion it was written under
    repo_names: set[str] = field(default_factory=set)
    project_names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        report = self.report
        if report is None:
            return
        for repo in report.repos:
            web = _repo_web_url(repo, report.options)
            if web and repo.sha:
                self.header_urls.add(f"{web}/tree/{repo.sha}")
            self.repo_names |= {repo.full_name.lower(), repo.name.lower()}
        self.linked |= self.header_urls
        self.project_names = {o.lower() for o in report.project.orgs} | {report.project.name.lower()}

    # -- header ---------------------------------------------------------------------------------------------------

    def header(self) -> list[str]:
        report = self.report
        assert report is not None
        level = report.level.capitalize()
        catalogue = report.catalogue
        read_at = (
            f"as of {when_utc(report.as_of)}"
            if report.as_of
            else f"at their newest commits on {when_utc(report.generated_at)}"
        )
        provenance = (
            f"_Pre-filled by dd-evidence {escape_inline(report.tool_version)} from the repositories {read_at} "
            f"against the {escape_inline(catalogue.level)} template "
            f"revision {escape_inline(catalogue.revision)} ({escape_inline(catalogue.source)}). "
            f"{maturity_sentence(report)} {windows_sentence(report)} Every statement below links to the commit it "
            "was read from; the TOC member reviews and completes this draft._"
        )
        blocks = [
            f"# {escape_inline(report.project.display_name)} {level} Due Diligence",
            f"- Link to [{level} application issue]()",
            provenance,
            self._repo_list(),
        ]
        if report.warnings:
            # A cache made from another origin, a scan that ran out of a resource: said before the repo list.
            blocks.insert(3, "\n".join(f"> **Warning:** {escape_inline(w)}" for w in report.warnings))
        if report.errors:
            problems = "; ".join(escape_inline(e) for e in report.errors)
            blocks.append(f"> **Scan problems (check, then delete this note):** {problems}")
        return blocks

    def _repo_list(self) -> str:
        report = self.report
        assert report is not None
        if not report.repos:
            return "No repository was scanned."
        # One paragraph: the trees linked here stand for every history-wide finding below (activity, roster).
        items = "; ".join(_repo_line(repo, report.options) for repo in report.repos)
        return (
            f"Scanned repositories and the commits read (their history is the evidence of activity figures): {items}."
        )

    # -- evaluation summary ------------------------------------------------------------------------------------------

    def summary(self) -> list[str]:
        report = self.report
        assert report is not None
        level = report.level.capitalize()
        name = escape_inline(report.project.display_name)
        return [
            f"## {level} Evaluation Summary for {name}",
            "### Criteria Evaluation",
            f"_$TOCMEMBER conducted the due diligence of {name} who applied for {level}. **TOC member:** write the "
            "assessment here; the counts and lists below were pre-filled by dd-evidence from the criteria further "
            "down._",
            _counts_sentence(report),
            self._summary_lists(),
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

    def _summary_lists(self) -> str:
        report = self.report
        assert report is not None
        required = [r for r in report.criteria if r.requirement is Requirement.REQUIRED]
        suggested = [r for r in report.criteria if r.requirement is Requirement.SUGGESTED]
        written: set[str] = set()
        blocking = []
        for result in required:
            if result.status in _OPEN:
                # The TODO itself is written once, under the criterion, beside the evidence it answers.
                written.update(_todos(result))
                blocking.append(f"**{result.title}** — {status_tag(result)}{_checks_passed(result)}; TODO below.")
        advice = []
        for result in suggested:
            if result.status in _OPEN:
                todos = [t for t in _todos(result) if t not in written]
                written.update(todos)
                if todos:
                    advice.append(f"**{result.title}** — {status_tag(result)}. {_join(todos)}")
        for result in report.criteria:
            fixes = [r for r in result.recommendations if r not in written]
            written.update(fixes)
            if fixes:
                advice.append(f"**{result.title}** — {_join(fixes)}")
        groups = [
            ("The following criteria implementations are noteworthy to call out.", self._notables()),
            ("The following required criteria are not met or only partly met and would block the level.", blocking),
            (
                "The following recommendations (suggested criteria not met or only partly met, and fixes the "
                "findings suggest for criteria otherwise met) are non-blocking.",
                advice,
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

    def _notables(self) -> list[str]:
        """Met required criteria that every finding behind them supports, with the most evidence, in order."""
        report = self.report
        assert report is not None
        scored = []
        for position, result in enumerate(report.criteria):
            strength = self._strength(result)
            if result.requirement is Requirement.REQUIRED and result.status is CriterionStatus.MET and strength:
                scored.append((strength, position, result))
        chosen = sorted(scored, key=lambda item: (-item[0], item[1]))[:NOTABLE_LIMIT]
        return [self._notable_line(r) for _, _, r in sorted(chosen, key=lambda item: item[1])]

    def _strength(self, result: CriterionResult) -> int:
        """How much clean evidence a met criterion has; 0 when anything behind it asks for a fix.

        A criterion is praised only for findings that support it: one with a false finding, a true finding that
        still carries a remedy, or recommendations of its own is not noteworthy (it would be praised and blamed).
        """
        findings = result.findings
        if result.recommendations or any(f.remedy for f in findings):
            return 0
        if any(f.outcome not in (Outcome.TRUE, Outcome.NOT_APPLICABLE) for f in findings):
            return 0
        deciding = [f for f in _deciding(result) if f.outcome is Outcome.TRUE]
        return len({e.url for f in deciding for e in f.evidence if e.url not in self.header_urls})

    def _notable_line(self, result: CriterionResult) -> str:
        """The criterion and the deciding finding that makes it noteworthy, cut at a word, with one link."""
        finding = next(
            f
            for f in _deciding(result)
            if f.outcome is Outcome.TRUE and any(e.url not in self.header_urls for e in f.evidence)
        )
        evidence = next(e for e in finding.evidence if e.url not in self.header_urls)
        cited = link(evidence_label(evidence), evidence.url)
        return f"**{result.title}** — {escape_inline(clip(_clip_quotes(finding), NOTABLE_TEXT))} ({cited})"

    # -- criteria ------------------------------------------------------------------------------------------------------

    def sections(self) -> list[str]:
        report = self.report
        assert report is not None
        blocks: list[str] = []
        for section, results in _by_section(report.criteria).items():
            blocks.append(f"## {section}")
            for requirement in (Requirement.SUGGESTED, Requirement.REQUIRED):
                blocks.append(f"### {requirement.value.capitalize()}")
                chosen = [r for r in results if r.requirement is requirement]
                if not chosen:
                    blocks.append("N/A")
                # Each item ends with the TOC evaluation comment, which closes its list: the next item may follow
                # on the next line (no blank line needed, the draft stays short).
                project = escape_inline(report.project.display_name)
                if chosen:
                    blocks.append("\n".join(self.criterion(result, project) for result in chosen))
            if section.strip().lower() == "ecosystem":
                blocks += _adoption_placeholders()
        return blocks

    def criterion(self, result: CriterionResult, project: str) -> str:
        """A checkbox item: status, sub-items, evidence (deciding first), TODO, recommendations, reviewer hint."""
        box = "[x]" if result.status is CriterionStatus.MET else "[ ]"
        lines = [f"- {box} **{result.title}** — {status_tag(result)}{_checks_passed(result)}"]
        lines += _subitem_lines(result)
        if _shows_rationale(result):
            lines.append(f"  - _Why:_ {escape_inline(result.rationale)}")
        lines += self._finding_lines(result)
        if result.status in _OPEN:
            lines.append(f"  - **TODO for {project} team:** {self._todo_text(result)}")
        if result.status in (CriterionStatus.MANUAL, CriterionStatus.UNKNOWN):
            lines.append(f"  - _Reviewer: {_one_line(result.look_at or _default_look_at(result))}_")
        return "\n".join(lines) + "\n" + TOC_EVALUATION

    def _todo_text(self, result: CriterionResult) -> str:
        """The criterion's remedies; one already written under an earlier criterion is referred to, not repeated."""
        parts: list[str] = []
        earlier: list[str] = []
        for todo in _todos(result):
            if todo in self.advised:
                title = self.advised[todo]
                if title not in earlier:
                    earlier.append(title)
            else:
                self.advised[todo] = result.title
                parts.append(escape_inline(todo))
        parts += [f"as under “{_short_title(title)}” above." for title in earlier]
        return " ".join(parts) or escape_inline(_default_todo(result))

    def _finding_lines(self, result: CriterionResult) -> list[str]:
        decided = set(_deciding(result))
        # "Not applicable" says something only when it decided the criterion (nothing to apply it to).
        lines = [
            line
            for line in self._collapse(result.findings)
            if line.outcome is not Outcome.NOT_APPLICABLE or decided.intersection(line.findings)
        ]
        keep = [i for i, line in enumerate(lines) if decided.intersection(line.findings)]
        keep += [i for i in range(len(lines)) if i not in keep][: max(0, LINES_LIMIT - len(keep))]
        shown = [lines[i] for i in sorted(keep)]
        # One link per fact across the draft: a URL linked above (or in the repository list) is not linked again.
        seen_urls = self.linked
        out: list[str] = []
        for line in shown:
            out += self._line_markdown(line, seen_urls, deciding=bool(decided.intersection(line.findings)))
        hidden = sum(len(line.findings) for line in lines) - sum(len(line.findings) for line in shown)
        if hidden:
            out.append(f"  - … and {hidden} more finding{'s' if hidden > 1 else ''} in the JSON report")
        return out

    def _collapse(self, findings: Iterable[Finding]) -> list[_Line]:
        """Findings of one probe that say the same thing about different subjects become one line."""
        groups: dict[tuple[str, Outcome, str], list[Finding]] = {}
        for finding in findings:
            key = (finding.probe, finding.outcome, self._pattern(finding))
            groups.setdefault(key, []).append(finding)
        lines = []
        for (_, outcome, pattern), members in groups.items():
            if len(members) == 1:
                lines.append(_Line(outcome, _clip_quotes(members[0]), members))
            else:
                lines.append(_Line(outcome, self._group_text(pattern, members), members))
        return lines

    def _pattern(self, finding: Finding) -> str:
        """The message with its subject's name replaced by a mark, where that reads as a sentence about it."""
        message = _one_line(finding.message)
        name = self._short(finding.subject)
        if not name:
            return message
        spot = re.compile(rf"(?<![\w/.@-]){re.escape(name)}(?=$|[:)]|\s)")
        matches = list(spot.finditer(message))
        if len(matches) != 1:
            return message
        found = matches[0]
        after = message[found.end() :]
        if found.start() == 0 and not (after.startswith(":") or re.match(r" [a-z]", after)):
            return message
        return message[: found.start()] + _MARK + after

    def _group_text(self, pattern: str, members: list[Finding]) -> str:
        names = list(dict.fromkeys(self._short(f.subject) or f.subject for f in members))
        listed = ", ".join(names[:SUBJECTS_NAMED]) + (
            f" and {len(names) - SUBJECTS_NAMED} more" if len(names) > SUBJECTS_NAMED else ""
        )
        all_repos = all(n.lower() in self.repo_names for n in names)
        if _MARK not in pattern:
            where = f"{len(names)} repos: {listed}" if all_repos else listed
            return f"{pattern} ({where})"
        if pattern.startswith(_MARK):
            rest = pattern[len(_MARK) :]
            verb = re.match(r" (\w+)", rest)
            if verb:
                word = verb.group(1)
                plural = _PLURAL_VERBS.get(word) or (word[:-1] if word.endswith("s") and len(word) > 3 else word)
                rest = f" {plural}{rest[verb.end() :]}"
            subject = f"{len(names)} repos ({listed})" if all_repos else listed
            return subject + rest
        return pattern.replace(_MARK, listed)

    def _short(self, subject: str) -> str | None:
        return short_subject(subject, self.project_names)

    def _line_markdown(self, line: _Line, seen_urls: set[str], deciding: bool = True) -> list[str]:
        """The bullet of one line: mark, text, links (short quotes beside them); long quotes as sub-bullets.

        A file the text names ("stated at community/GOVERNANCE.md#L9") becomes the link itself, so the label is
        not written twice.
        """
        mark = f"  - {OUTCOME_MARKS[line.outcome]} "
        if all(f in self.shown for f in line.findings):
            # Shown in full (and linked) under an earlier criterion: here its gist is enough.
            return [mark + escape_inline(clip(line.text, REPEATED_TEXT))]
        self.shown.update(line.findings)
        # A collapsed line may link one file per subject (each repo's CODEOWNERS): one link per fact. A supporting
        # fact ("found in X") needs one link; what is wrong gets a link per place to fix.
        embedded, links, quoted = self._evidence(line, seen_urls, _link_limit(line, deciding), deciding)
        # Supporting context is kept short; the deciding evidence and what fails are written out in full.
        body = line.text if deciding or line.outcome is Outcome.FALSE else clip(line.text, SUPPORTING_TEXT)
        text = mark + _linked_text(body, embedded)
        if len(quoted) == 1 and not links:
            return [f"{text} — {quoted[0]}"]
        if links:
            text += " — " + ", ".join(links)
        return [text, *(f"    - {q}" for q in quoted)]

    def _evidence(
        self, line: _Line, seen_urls: set[str], link_limit: int, deciding: bool = True
    ) -> tuple[dict[str, str], list[str], list[str]]:
        """(labels the text names → their URL, links for the bullet, long quotes with their links), each URL once
        in the criterion.

        A short quote (a link target, a heading) stays beside its link; a long one gets a sub-bullet, at most
        ``LONG_QUOTES_PER_LINE`` of them. Plain links beyond ``link_limit`` are counted on a failing line (every
        one of them is in the JSON report), dropped on a supporting one.
        """
        evidence: list[Evidence] = []
        for finding in line.findings:
            evidence += [e for e in finding.evidence if e.url not in seen_urls]
        evidence = list({e.url: e for e in reversed(evidence)}.values())[::-1]  # first of each URL, in order
        in_message = " ".join(_one_line(f.message) for f in line.findings).casefold()
        # What is wrong is quoted in full (each broken link's target); what supports a criterion, a few times.
        quote_limit = (QUOTES_SUPPORTING if deciding else 1) if line.outcome is Outcome.TRUE else len(evidence)
        quotes = 0
        commits = self._commit_logs(evidence)
        long_quotes: dict[str, list[Evidence]] = {}
        embedded: dict[str, str] = {}
        links: list[str] = []
        plain = 0
        for item in evidence:
            if item.url in commits:
                continue
            label = evidence_label(item)
            excerpt = _one_line(item.excerpt or "")
            fresh = excerpt.casefold() not in in_message and excerpt not in label
            if excerpt and fresh and quotes < quote_limit:
                quotes += 1
                if len(excerpt) <= SHORT_QUOTE:
                    links.append(f"{link(label, item.url)} {code_span(excerpt)}")
                    seen_urls.add(item.url)
                    continue
                # A link target or URL is not prose: cut, it would lose the anchor that is the point.
                quote_text = (
                    excerpt if " " not in excerpt and len(excerpt) <= URL_LIMIT else clip(excerpt, EXCERPT_LIMIT)
                )
                # Prose gets one sample quote; each broken target on a failing line is a fact of its own.
                target = " " not in excerpt
                long_limit = LONG_QUOTES_FAILING if target and line.outcome is Outcome.FALSE else LONG_QUOTES_PER_LINE
                if quote_text in long_quotes or len(long_quotes) < long_limit:
                    long_quotes.setdefault(quote_text, []).append(item)
                    seen_urls.add(item.url)
                    continue
            # A "not read" line keeps its text as the source said it; a judged one links the files it names.
            embeddable = line.outcome.decided and link_limit and _linkable(item.url)
            if embeddable and label not in embedded and _mentions(line.text, label):
                embedded[label] = item.url
                seen_urls.add(item.url)
                continue
            plain += 1
            if plain <= link_limit:
                links.append(link(label, item.url))
                seen_urls.add(item.url)  # one not listed here may still be linked by a later line
        if plain > link_limit and line.outcome is not Outcome.TRUE:
            links.append(f"{plain - link_limit} more in the JSON report")
        for url in commits:
            seen_urls.add(url)
        links += [link(label, url) for url, label in dict.fromkeys(commits.values()) if url]
        quoted = [
            f"{', '.join(link(evidence_label(e), e.url) for e in items)}: {code_span(excerpt, URL_LIMIT)}"
            for excerpt, items in long_quotes.items()
        ]
        return embedded, links, quoted

    def _commit_logs(self, evidence: list[Evidence]) -> dict[str, tuple[str, str]]:
        """Commit links of a repository with several of them → one link to that repository's log (url → log)."""
        by_base: dict[str, list[Evidence]] = {}
        for item in evidence:
            match = _COMMIT_URL.match(item.url)
            if match:
                by_base.setdefault(match["base"], []).append(item)
        logs: dict[str, tuple[str, str]] = {}
        for base, items in by_base.items():
            if len(items) < 2:
                continue
            repo = base.rsplit("/", 1)[-1]
            sha = self._scanned_sha(base)
            log = (f"{base}/commits/{sha}" if sha else f"{base}/commits", f"{repo}: {len(items)} commits (log)")
            for item in items:
                logs[item.url] = log
        return {url: (log_url, label) for url, (log_url, label) in logs.items()}

    def _scanned_sha(self, base: str) -> str | None:
        if self.report is None:
            return None
        for repo in self.report.repos:
            if _repo_web_url(repo, self.report.options) == base:
                return repo.sha
        return None


# -- summary helpers -----------------------------------------------------------------------------------------------


def maturity_sentence(report: Report) -> str:
    """Where the project stood at the scanned instant: its CNCF level then, or a candidate applying."""
    project = report.project
    level = report.level
    day = (report.as_of or report.generated_at).date().isoformat()
    if not project.maturity:
        return (
            f"{escape_inline(project.display_name)} was not a CNCF project on {day}: scanned as a candidate "
            f"applying for {escape_inline(level)}."
        )
    since = f" since {escape_inline(project.maturity_since)}" if project.maturity_since else ""
    held = _MATURITY_RANK.get(project.maturity.lower(), 0)
    aim = f"applying for {escape_inline(level)}"
    if held >= _MATURITY_RANK.get(_LEVEL_MATURITY.get(level.lower(), ""), 99):
        aim = f"checked again against the {escape_inline(level)} criteria"
    return (
        f"On {day} {escape_inline(project.display_name)} was a CNCF {escape_inline(project.maturity)} "
        f"project{since}, {aim}."
    )


_MATURITY_RANK = {"sandbox": 1, "incubating": 2, "graduated": 3}
_LEVEL_MATURITY = {"incubation": "incubating", "graduation": "graduated"}


def windows_sentence(report: Report) -> str:
    """The windows every activity figure of the draft uses, named once."""
    windows = report.options.get("windows") if isinstance(report.options, Mapping) else None
    days = _int(windows.get("activity_days") if isinstance(windows, Mapping) else None)
    days = days or _int(report.options.get("window_days") if isinstance(report.options, Mapping) else None)
    if not days:
        return ""
    end = report.as_of or report.generated_at
    start = (end - timedelta(days=days)).date().isoformat()
    text = (
        f"Activity window: from {start} to {end.date().isoformat()} (exclusive), the {days} days before the scanned "
        "instant (`--window`)"
    )
    extra = []
    if isinstance(windows, Mapping):
        for key, what in (("releases_days", "release history"), ("governance_history_days", "governance history")):
            span = _int(windows.get(key))
            if span:
                extra.append(f"{what}: the {_span(span)} before it")
    return text + ("; " + "; ".join(extra) if extra else "") + "."


def _span(days: int) -> str:
    return f"{days // 365 * 12} months" if days % 365 == 0 else f"{days} days"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


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


def _unknown_line(result: CriterionResult) -> str:
    """The criterion and the first reason it stayed undecided; every reason is listed under the criterion."""
    silent = (Outcome.NOT_AVAILABLE, Outcome.ERROR)
    probes = _unique(f.probe for f in result.findings if f.outcome in silent)
    source = f" (from {', '.join(code_span(p) for p in probes)})" if probes else ""
    reasons = result.rationale.split("; ")
    more = f" and {len(reasons) - 1} more" if len(reasons) > 1 else ""
    return f"**{result.title}** — {escape_inline(reasons[0])}{more}{source}"


def _deciding(result: CriterionResult) -> tuple[Finding, ...]:
    """The findings that decided the result; a result built without ``decided_by`` (by hand, or read from an older
    report) is taken as decided by all of its findings."""
    if result.decided_by:
        return result.decided_by
    return result.findings if result.status is not CriterionStatus.MANUAL else ()


def _todos(result: CriterionResult) -> list[str]:
    todos = list(result.todos) or ([result.todo] if result.todo else [])
    return [_one_line(t) for t in todos] or [_default_todo(result)]


def _join(texts: Iterable[str]) -> str:
    return " ".join(escape_inline(_sentence(t)) for t in texts)


def _sentence(text: str) -> str:
    text = _one_line(text)
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _short_title(title: str, limit: int = 60) -> str:
    return clip(plain_text(title), limit)


def _by_section(results: Iterable[CriterionResult]) -> dict[str, list[CriterionResult]]:
    sections: dict[str, list[CriterionResult]] = {}
    for result in results:
        sections.setdefault(result.section, []).append(result)
    return sections


# -- criterion helpers ---------------------------------------------------------------------------------------------


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


def _checks_passed(result: CriterionResult) -> str:
    match = _PARTIAL_RATIONALE.match(result.rationale) if result.status is CriterionStatus.PARTIAL else None
    return f" ({match.group(1)})" if match else ""


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
    """Sub-item text → True when the findings say it is satisfied.

    A finding about one sub-item names it in ``values["subitem"]`` (its outcome decides the box); a finding about
    several gives ``values["subitems"]`` as a mapping of sub-item text to True/False. A box is ticked only when
    every finding about its sub-item says so.
    """
    checked: dict[str, bool] = {}

    def note(item: Any, done: bool) -> None:
        key = _one_line(str(item))
        checked[key] = checked.get(key, True) and done

    for finding in findings:
        single = finding.values.get("subitem")
        if isinstance(single, str) and finding.outcome.decided:
            note(single, finding.outcome is Outcome.TRUE)
        several = finding.values.get("subitems")
        if isinstance(several, Mapping):
            for item, done in several.items():
                note(item, done is True)
    return checked


def _shows_rationale(result: CriterionResult) -> bool:
    """Whether the "_Why:_" line adds something the tag and the finding lines do not say."""
    if result.status in (CriterionStatus.MANUAL, CriterionStatus.MET, CriterionStatus.PARTIAL):
        return False
    return not _rationale_repeats_findings(result)


def _rationale_repeats_findings(result: CriterionResult) -> bool:
    """True when the rationale only restates finding messages, which are listed anyway."""
    residue = result.rationale.removeprefix("could not tell:")
    messages = sorted({f.message for f in result.findings if f.message}, key=len, reverse=True)
    if not messages:
        return False
    for message in messages:
        residue = residue.replace(message, "")
    return not residue.strip(" ;")


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


def _link_limit(line: _Line, deciding: bool) -> int:
    """Plain links on one line, one per fact: a collapsed line links one file per subject (each repo's CODEOWNERS);
    a failing line the places to fix; a deciding true line its proof; a "not read" line where to look; supporting
    context that holds needs no link (its quotes, if any, are kept)."""
    members = len(line.findings) if len(line.findings) > 1 else 0
    if line.outcome is Outcome.FALSE:
        return max(LINKS_DECIDING if deciding else LINKS_PER_LINE, members)
    if line.outcome is Outcome.TRUE:
        return max(1 if deciding else 0, members)
    return max(1, min(members, LINKS_PER_LINE))


def _mentions(text: str, label: str) -> bool:
    return re.search(rf"(?<![\w/#.-]){re.escape(label)}(?![\w/#-])", text) is not None


def _linked_text(text: str, embedded: Mapping[str, str]) -> str:
    """``text`` escaped, with the first mention of each label turned into a link to its URL."""
    text = _one_line(text)
    if not embedded:
        return escape_inline(text)
    pattern = re.compile(
        "|".join(rf"(?<![\w/#.-]){re.escape(label)}(?![\w/#-])" for label in sorted(embedded, key=len, reverse=True))
    )
    out: list[str] = []
    done: set[str] = set()
    position = 0
    for match in pattern.finditer(text):
        label = match.group(0)
        if label in done:
            continue
        done.add(label)
        out.append(_escape_chars(text[position : match.start()]))
        out.append(link(label, embedded[label]))
        position = match.end()
    out.append(_escape_chars(text[position:]))
    return "".join(out)


def _linkable(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in _LINKABLE_SCHEMES or (not parts.scheme and not parts.netloc and bool(url))


def _clip_quotes(finding: Finding) -> str:
    """The message, with any long excerpt it quotes cut at a word (probes cut quotes at a fixed length)."""
    message = _one_line(finding.message)
    for evidence in finding.evidence:
        excerpt = _one_line(evidence.excerpt or "")
        if len(excerpt) > EXCERPT_LIMIT and excerpt in message:
            message = message.replace(excerpt, clip(excerpt, EXCERPT_LIMIT))
    return message


# -- repositories --------------------------------------------------------------------------------------------------


def _repo_line(repo: RepoScan, options: Mapping[str, Any]) -> str:
    """``[owner/name](tree) (role) at `sha` of YYYY-MM-DD``; the role only when it is not "other"."""
    role = f" ({escape_inline(repo.role)})" if repo.role != "other" else ""
    web = _repo_web_url(repo, options)
    if repo.error:
        return f"{escape_inline(repo.full_name)}{role}: _not read: {escape_inline(repo.error)}_"
    if not repo.sha:
        return f"{escape_inline(repo.full_name)}{role}: a working directory, no commit"
    name = link(repo.full_name, f"{web}/tree/{repo.sha}") if web else escape_inline(repo.full_name)
    line = f"{name}{role} at {code_span(repo.sha[:7])}"
    if repo.committed_at:
        line += f" of {when_utc(repo.committed_at)[:10]}"
    return line


def _repo_web_url(repo: RepoScan, options: Mapping[str, Any]) -> str | None:
    """The repository's web page: the scan's web URL template, else an http(s) clone URL; None for neither."""
    template = options.get("web_url") if isinstance(options, Mapping) else None
    if isinstance(template, str) and "{" not in template:
        # A self-check: the working copy's own web page, or "" when it has no forge remote.
        return template.rstrip("/") or None
    if isinstance(template, str) and "{owner}" in template and "{repo}" in template:
        return template.format(owner=repo.owner, repo=repo.name).rstrip("/")
    if urlsplit(repo.url).scheme in ("http", "https"):
        return repo.url.removesuffix(".git").rstrip("/")
    return None


# -- inline helpers --------------------------------------------------------------------------------------------


def escape_inline(text: str, line_start: bool = False) -> str:
    """Scan text as inert inline markdown: one line, with markup characters backslash-escaped.

    Underscores inside words (``CODE_OF_CONDUCT.md``) are left alone, as they cannot start emphasis. With
    ``line_start``, the text opens a list item, so what would start a block there (``#``, ``-``, ``1.``) is
    escaped too.
    """
    escaped = _escape_chars(_one_line(text))
    return _escape_leading(escaped) if line_start else escaped


def _escape_chars(flat: str) -> str:
    """``flat`` (already one line; spaces at its ends kept) with markup characters backslash-escaped."""
    out: list[str] = []
    for index, char in enumerate(flat):
        if char in _ALWAYS_ESCAPED or (char == "_" and not _intraword(flat, index)):
            out.append("\\" + char)
        elif char == "&" and _ENTITY.match(flat, index):
            out.append("\\&")
        else:
            out.append(char)
    return "".join(out)


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
    # Scan text (file names, commit subjects) may hold ESC or CR: dropped, so a terminal showing the file obeys
    # none of them; newlines collapse, so a crafted name cannot start a line (a forged bullet) of the draft.
    return " ".join(terminal_safe(str(text)).split())


def clip(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters: cut at the last word that fits, ending with "…"."""
    flat = _one_line(text)
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    cut = max(head.rfind(" "), head.rfind("\t"))
    if cut > limit // 3:
        head = head[:cut]
    # A word cut in the middle is dropped whole; trailing punctuation before the ellipsis goes too.
    elif flat[limit - 1 : limit].isalnum() and head[-1:].isalnum():
        # The cut word goes by a backwards walk: a ``\w+$`` search is quadratic on a long run of word characters.
        end = len(head)
        while end and (head[end - 1].isalnum() or head[end - 1] == "_"):
            end -= 1
        head = head[:end] or head
    return head.rstrip(" ,;:-–—([{/") + "…"


def code_span(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """Text as an inline code span (one line, cut at a word to ``limit``), fenced so backticks cannot close it."""
    flat = clip(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def link(label: str, url: str) -> str:
    """A markdown link with an escaped label.

    A relative path (a self-check without a forge remote) stays a relative link; a URL of any other scheme
    (``javascript:``, ``file:``) or a path from the root is shown as its label only, never linked.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in _LINKABLE_SCHEMES or (not scheme and not parts.netloc and url and not url.startswith("/")):
        return f"[{escape_inline(label)}]({_safe_url(url)})"
    if scheme and scheme not in ("file",):
        return f"{escape_inline(label)} ({code_span(url)})"
    return escape_inline(label)


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
