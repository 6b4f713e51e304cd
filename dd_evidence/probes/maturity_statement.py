"""The CNCF maturity level a project states about itself, checked against the CNCF's record at the scan date.

READMEs and org profiles say "a CNCF incubating project" or carry a "CNCF Status: Graduated" badge. After a move
to the next level such sentences are easy to forget, so a stale one is a cheap sign of whether the front page is
kept current. Read: the root README.md of the main and community repos and ``profile/README.md`` of the org's
``.github`` repo. A level word counts only in the same sentence as "CNCF" or "Cloud Native Computing Foundation"
(a badge's alt text and label count as one sentence), and not when the nearest project named before it is another
CNCF project ("works with Harbor, a CNCF graduated project").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict
from urllib.parse import parse_qs, unquote, urlsplit

from markdown_it.token import Token

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, parsed, readmes, subject
from dd_evidence.facts.cncfnames import cncf_names
from dd_evidence.facts.projectmap import readme_paths
from dd_evidence.markdown import tokens as md_tokens
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.resolve import load_index

# Levels in the order a project moves through them; on the same date the later one wins (a project accepted
# straight into incubation has equal ``accepted`` and ``incubating`` dates).
LEVELS = ("sandbox", "incubating", "graduated", "archived")
# CNCF record field behind each level (``accepted`` is the date a project entered, i.e. its sandbox date).
RECORD_FIELDS = {"sandbox": "accepted", "incubating": "incubating", "graduated": "graduated", "archived": "archived"}
MAX_EVIDENCE = 10

_CNCF = re.compile(r"\bCNCF\b|\bCloud\s+Native\s+Computing\s+Foundation\b", re.IGNORECASE)
# "graduated from sandbox to incubating" names a move, not the graduated level.
_LEVEL = re.compile(
    r"\b(?:(?P<sandbox>sandbox)|(?P<incubating>incubating|incubation)"
    r"|(?P<graduated>graduated(?!\s+from\s+(?:the\s+)?(?:cncf\s+)?(?:sandbox|incubat))))\b",
    re.IGNORECASE,
)
# Sentence ends in visible text (markup already dropped): ". " before a capital letter or digit.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(alt|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")  # not "[^>]": each "<" of "<<<<..." would rescan the rest
_SHIELDS_HOSTS = ("img.shields.io", "shields.io")


@dataclass(frozen=True)
class TextUnit:
    """A run of visible text (a paragraph, heading, table cell, HTML block or one image) and its first line.

    Newlines inside ``text`` are the source's line breaks, so a position in it maps back to a line.
    """

    line: int
    text: str


@dataclass(frozen=True)
class Statement:
    """One sentence of a document stating the project's CNCF maturity level."""

    doc: ParsedDoc
    line: int
    level: str
    text: str

    def to_value(self) -> dict[str, object]:
        """The statement as a finding value: file label, line, level and the sentence."""
        return {"file": self.doc.label, "line": self.line, "level": self.level, "text": self.text}


# -- visible text -------------------------------------------------------------------------------------------------


def shields_text(url: str) -> str:
    """The label and message of a shields.io badge URL ("CNCF Status: Graduated"), else ""."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in _SHIELDS_HOSTS:
        return ""
    query = parse_qs(parts.query)
    if "message" in query:
        return ": ".join(v[0] for v in (query.get("label"), query["message"]) if v and v[0])
    if not parts.path.startswith("/badge/"):
        return ""
    # Static badge path: label-message-color, where "--" is a dash, "__" an underscore and "_" a space.
    raw = unquote(parts.path.removeprefix("/badge/")).replace("--", "\0").replace("__", "\1")
    fields = [f.replace("\0", "-").replace("_", " ").replace("\1", "_").strip() for f in raw.split("-")]
    fields = fields[:-1] if len(fields) >= 2 else fields  # the last field is the colour
    return ": ".join(f for f in fields if f)


def _image_unit(line: int, alt: str, src: str) -> TextUnit:
    badge = shields_text(src)
    return TextUnit(line, f"{alt} ({badge})" if alt and badge else alt or badge)


def _inline_units(inline: Token, line: int) -> list[TextUnit]:
    """The prose of an inline token (link text kept, targets dropped) plus one unit per image."""
    units: list[TextUnit] = []
    text = ""
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            text += "\n"
        elif child.type in ("text", "code_inline"):
            text += child.content
        elif child.type == "image":
            units.append(_image_unit(line + text.count("\n"), child.content, str(child.attrs.get("src", ""))))
            text += " "
        elif child.type == "html_inline":
            units += _img_tag_units(child.content, line + text.count("\n"))
            text += " "
    return [TextUnit(line, text), *units]


def _attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR.finditer(tag)
    }


def _img_tag_units(markup: str, line: int) -> list[TextUnit]:
    units = []
    for match in _IMG_TAG.finditer(markup):
        attrs = _attrs(match.group(0))
        units.append(
            _image_unit(line + markup[: match.start()].count("\n"), attrs.get("alt", ""), attrs.get("src", ""))
        )
    return units


def _html_units(markup: str, line: int) -> list[TextUnit]:
    """An HTML block: its text with tags dropped (line breaks kept) and its ``<img>`` tags."""
    text = _TAG.sub(lambda m: "\n" * m.group(0).count("\n") or " ", markup)
    return [TextUnit(line, html.unescape(text)), *_img_tag_units(markup, line)]


def text_units(text: str) -> list[TextUnit]:
    """The visible text of a Markdown document, unit by unit; code blocks are left out."""
    units: list[TextUnit] = []
    for token in md_tokens(text):
        if not token.map:
            continue
        if token.type == "inline":
            units += _inline_units(token, token.map[0] + 1)
        elif token.type == "html_block":
            units += _html_units(token.content, token.map[0] + 1)
    return units


def _sentences(unit: TextUnit) -> Iterable[tuple[int, str]]:
    """``(offset, sentence)`` pairs of a unit; offsets index ``unit.text``."""
    start = 0
    for end in _SENTENCE_END.finditer(unit.text):
        yield start, unit.text[start : end.start()]
        start = end.end()
    yield start, unit.text[start:]


# -- statements ---------------------------------------------------------------------------------------------------


def _other_project_before(sentence: str, position: int, other: re.Pattern[str] | None, own: re.Pattern[str]) -> bool:
    """Whether the project named last before ``position`` is another CNCF project rather than this one."""
    last_other = max((m.end() for m in other.finditer(sentence, 0, position)), default=-1) if other else -1
    last_own = max((m.end() for m in own.finditer(sentence, 0, position)), default=-1)
    return last_other > last_own


def stated_levels(
    text: str, other: re.Pattern[str] | None = None, own: re.Pattern[str] | None = None
) -> list[tuple[int, str, str]]:
    """``(line, level, sentence)`` for every sentence of ``text`` that states a CNCF maturity level.

    ``other`` finds other CNCF projects' names and ``own`` this project's: a level word whose nearest preceding
    project name is another project's describes that project. A sentence naming several levels ("moved from
    sandbox to incubating") states the highest; the line is that of its level word.
    """
    found = []
    for unit in text_units(text):
        for offset, sentence in _sentences(unit):
            if not _CNCF.search(sentence):
                continue
            hits = [
                m
                for m in _LEVEL.finditer(sentence)
                if not (other and own and _other_project_before(sentence, m.start(), other, own))
            ]
            if not hits:
                continue
            best = max(hits, key=lambda m: LEVELS.index(m.lastgroup or "sandbox"))
            line = unit.line + unit.text[: offset + best.start()].count("\n")
            found.append((line, best.lastgroup or "sandbox", " ".join(sentence.split())[:200]))
    return found


def _own_names(ctx: ScanContext) -> re.Pattern[str]:
    project = ctx.project
    entry = load_index().get(project.name) if project.in_index else None
    names = {project.name, project.display_name, *((entry or {}).get("aliases") or [])}
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if len(n) >= 2)
    return re.compile(rf"(?<![\w-])(?:{alternation}|this project|we|our|it)(?![\w-])", re.IGNORECASE)


def statements(ctx: ScanContext, doc: ParsedDoc) -> list[Statement]:
    """The statements of a CNCF maturity level in one document."""
    other = cncf_names(ctx).pattern
    own = _own_names(ctx)
    return [Statement(doc, line, level, text) for line, level, text in stated_levels(doc.text, other, own)]


def stating_documents(ctx: ScanContext) -> list[ParsedDoc]:
    """Where a project states its level: main and community READMEs, then the org profile README."""
    docs = readmes(ctx, "main", "community")
    for repo in ctx.repos_with_role("org-profile"):
        docs += [parsed(ctx, repo, path) for path in readme_paths(repo) if path.lower().startswith("profile/")]
    return docs


# -- the CNCF record ----------------------------------------------------------------------------------------------


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def cncf_record(ctx: ScanContext) -> dict[str, date]:
    """The date the project reached each level, from its ProjectRef, else from the bundled CNCF index."""
    project = ctx.project
    entry: Mapping[str, object] = (load_index().get(project.name) or {}) if project.in_index else {}
    record = {}
    for level, field in RECORD_FIELDS.items():
        day = _date(getattr(project, field, None) or entry.get(field))
        if day:
            record[level] = day
    return record


def level_at(record: Mapping[str, date], day: date) -> tuple[str | None, date | None]:
    """The level in force on ``day`` and since when: the latest level reached on or before it."""
    reached = [(since, LEVELS.index(level), level) for level, since in record.items() if since <= day]
    if not reached:
        return None, None
    since, _, level = max(reached)
    return level, since


# -- the probe ----------------------------------------------------------------------------------------------------


class MaturityStatementCurrentValues(TypedDict, total=False):
    """``Finding.values`` of ``docs.maturity_statement_current``."""

    statements: list[dict[str, Any]]
    checked_files: list[str]
    cncf_level: str | None
    since: str | None
    stale: int


class MaturityStatementCurrent(Probe):
    spec = ProbeSpec(
        id="docs.maturity_statement_current",
        title="Does the CNCF maturity level the project states in its README and org profile match the CNCF's "
        "record at the scan date?",
        motivation="A README still saying 'incubating' after graduation (or claiming a level not reached) "
        "misinforms adopters and shows whether the project's front page is kept current.",
        sources=("git", "cncf"),
        remediation="Update the maturity level in the README, the org profile and any CNCF status badge.",
    )
    values_type = MaturityStatementCurrentValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = stating_documents(ctx)
        found = [s for doc in docs for s in statements(ctx, doc)]
        values: MaturityStatementCurrentValues = {
            "statements": [s.to_value() for s in found],
            "checked_files": [d.label for d in docs],
            "cncf_level": None,
            "since": None,
        }
        evidence = [s.doc.repo.evidence(s.doc.path, s.line, excerpt=s.text[:160]) for s in found[:MAX_EVIDENCE]]
        if not found:
            where = ", ".join(d.label for d in docs) or "no README"
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, f"no CNCF maturity level stated ({where})", values)
            return
        record = cncf_record(ctx)
        if not record:
            reason = f"the CNCF record has no maturity dates for {ctx.project.display_name}"
            yield self.finding(subject(ctx), Outcome.NOT_AVAILABLE, reason, values, evidence)
            return
        level, since = level_at(record, ctx.as_of.date())
        values["cncf_level"], values["since"] = level, since.isoformat() if since else None
        yield self._judge(ctx, found, level, since, record, values, evidence)

    def _judge(
        self,
        ctx: ScanContext,
        found: list[Statement],
        level: str | None,
        since: date | None,
        record: Mapping[str, date],
        values: MaturityStatementCurrentValues,
        evidence: list[Evidence],
    ) -> Finding:
        stale = [s for s in found if s.level != level]
        if level is None:
            first = min(record.values()).isoformat()
            record_says = f"the project was not yet in the CNCF (accepted {first})"
        else:
            record_says = f"the CNCF record says {level} since {since.isoformat() if since else '?'}"
        if not stale:
            message = f"{len(found)} statement(s) of the CNCF maturity level match the CNCF record: {level} since "
            message += f"{since.isoformat() if since else '?'} (e.g. {_where(found[0])})"
            return self.finding(subject(ctx), True, message, values, evidence)
        more = f" (and {len(stale) - 1} more)" if len(stale) > 1 else ""
        message = f"{_where(stale[0])} says {stale[0].level}, {record_says}{more}"
        values["stale"] = len(stale)
        return self.finding(subject(ctx), False, message, values, evidence)


def _where(statement: Statement) -> str:
    return f"{statement.doc.label} L{statement.line}"
