"""Adopters: is a list published (entries counted), does each entry state its adoption level, and is any
organisation listed twice?

Adopter files come in four shapes, all parsed here into :class:`AdopterEntry` facts: table rows, bullet items,
paragraphs led by a bold name (``**[Acme](https://acme.example)** - what they do``) and logo links; a file
with none of these but one heading per adopter is read by its headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from markdown_it.token import Token

from dd_evidence import markdown
from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, hit_doc, locate, project_map, subject
from dd_evidence.markdown import tokens as md_tokens
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.parsecache import ParseCache
from dd_evidence.probes.base import Probe

LEVEL = re.compile(
    r"\b(production|prod|in[- ]prod|testing|test(?:ing)? environments?|evaluation|evaluating|dev|development|"
    r"dev/test|trial(?:ing)?|pilot|poc|proof of concept|staging|experiment(?:al|ing))\b",
    re.IGNORECASE,
)
_LEVEL_HEADER = re.compile(r"level|stage|status|maturity|usage|environment|adoption", re.IGNORECASE)
MAX_NAME = 200
_LEGAL_SUFFIX = re.compile(r"\b(inc|incorporated|ltd|limited|llc|corp|corporation|co|gmbh|plc|ag|sa|bv)\b\.?$")
# Headings over instructions rather than adopters ("How to add your organisation").
_NOT_ADOPTERS = re.compile(r"\b(add|how to|contribut|format|template|instructions?|example)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AdopterEntry:
    """One adopter as a file lists it; ``line`` is 1-based, ``section`` the heading above it."""

    name: str
    line: int
    text: str
    kind: str  # "table", "bullet", "paragraph", "logo" or "heading"
    section: str = ""

    @property
    def key(self) -> str:
        return adopter_key(self.name)

    @property
    def level(self) -> str | None:
        match = LEVEL.search(self.text) or LEVEL.search(self.section)
        return match.group(0).lower() if match else None


def adopter_key(name: str) -> str:
    """An organisation name compared case- and punctuation-insensitively, legal suffixes dropped."""
    # Bounded: no organisation's name is longer, and the suffix loop below makes one pass per suffix. "[^()]" keeps
    # the parenthesis scan linear on a name of 100k "(".
    plain = re.sub(r"\([^()]*\)", " ", name[:MAX_NAME].lower())
    plain = re.sub(r"[^\w\s]", " ", plain)
    plain = re.sub(r"\s+", " ", plain).strip()
    previous = None
    while previous != plain:
        previous = plain
        plain = _LEGAL_SUFFIX.sub("", plain).strip()
    return plain.replace(" ", "")


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline")).strip()


def _lead_name(inline: Token) -> str | None:
    """The bold (or bold-italic) phrase an inline starts with, or its first link's text."""
    children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
    if not children:
        return None
    opening = 0
    while opening < len(children) and children[opening].type in ("em_open", "strong_open"):
        opening += 1
    if opening and any(c.type == "strong_open" for c in children[:opening]):
        parts = []
        for child in children[opening:]:
            if child.type in ("strong_close", "em_close"):
                break
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
        name = "".join(parts).strip(" :-–")
        return name or None
    return None


def entries(text: str) -> list[AdopterEntry]:
    """The adopter entries of a markdown adopters file, in document order."""
    tokens = md_tokens(text)
    lines = text.splitlines()
    found: list[AdopterEntry] = []
    headings: list[tuple[int, str, int]] = []  # (level, title, line)
    section = ""
    index = 0
    depth = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.map:
            title = _inline_text(tokens[index + 1])
            level = int(token.tag[1:])
            headings.append((level, title, token.map[0] + 1))
            section = title
        elif token.type == "table_open":
            index = _table(tokens, index, lines, section, found)
            continue
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open" and depth == 1 and token.map and not _NOT_ADOPTERS.search(section):
            inline = next((t for t in tokens[index:] if t.type == "inline"), None)
            if inline is not None:
                name = _lead_name(inline) or _first_link_text(inline) or inline.content.split(" - ")[0]
                name = re.sub(r"[*_\[\]`]", "", name).split("](")[0].strip(" :-–")
                if name and len(name) <= 80:
                    start, end = token.map[0] + 1, token.map[1]
                    found.append(AdopterEntry(name, start, " ".join(lines[start - 1 : end]), "bullet", section))
        elif token.type == "paragraph_open" and depth == 0 and token.map and not _NOT_ADOPTERS.search(section):
            inline = tokens[index + 1]
            start, end = token.map[0] + 1, token.map[1]
            lead = _lead_name(inline)
            if lead:
                found.append(AdopterEntry(lead, start, " ".join(lines[start - 1 : end]), "paragraph", section))
            else:
                for child in inline.children or []:
                    if child.type == "image" and _in_link(inline, child):
                        alt = child.content or str(child.attrs.get("alt", ""))
                        if alt and not re.search(r"badge|shield|logo of", alt, re.IGNORECASE):
                            found.append(AdopterEntry(alt, start, lines[start - 1], "logo", section))
        index += 1
    if not found:
        # One heading per adopter: every heading at the deepest level used below the title.
        deepest = max((level for level, _, _ in headings), default=0)
        if deepest >= 2:
            for level, title, line in headings:
                if level == deepest and not _NOT_ADOPTERS.search(title):
                    found.append(AdopterEntry(title, line, lines[line - 1], "heading", title))
    return found


def _first_link_text(inline: Token) -> str | None:
    children = inline.children or []
    for position, child in enumerate(children):
        if child.type == "link_open" and position + 1 < len(children):
            return children[position + 1].content or None
    return None


def _in_link(inline: Token, image: Token) -> bool:
    depth = 0
    for child in inline.children or []:
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            depth -= 1
        elif child is image:
            return depth > 0
    return False


def _table(tokens: Sequence[Token], index: int, lines: list[str], section: str, found: list[AdopterEntry]) -> int:
    """Read a table starting at ``tokens[index]``; each body row is an entry named by its first cell."""
    header: list[str] = []
    level_column: int | None = None
    row: list[str] = []
    row_line = 0
    in_head = False
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
            level_column = next((i for i, h in enumerate(header) if _LEVEL_HEADER.search(h)), None)
        elif token.type == "tr_open":
            row = []
            row_line = token.map[0] + 1 if token.map else 0
        elif token.type == "inline":
            row.append(re.sub(r"[*_`]", "", _inline_text(token) or _first_link_text(token) or token.content))
        elif token.type == "tr_close":
            if in_head:
                header = row
            elif row and row[0].strip():
                text = lines[row_line - 1] if 0 < row_line <= len(lines) else " | ".join(row)
                if level_column is not None and level_column < len(row):
                    text = f"{text} {header[level_column]}: {row[level_column]}" if row[level_column] else text
                name = re.sub(r"\[([^\[\]]*)\]\([^()]*\)", r"\1", row[0]).strip()
                found.append(AdopterEntry(name, row_line, text, "table", section))
        index += 1
    return index + 1


def adopter_docs(ctx: ScanContext) -> list[ParsedDoc]:
    """Every adopters file that is not a stub, in every repo; when there is none, the documents with an adopters
    section (a README's "Project Adopters" table), whose entries are read from that section only."""
    docs = [hit_doc(ctx, hit) for hit in locate(ctx, "adopters") if not hit.is_stub]
    if docs:
        return docs
    return list(dict.fromkeys(doc for doc, _ in project_map(ctx).sections("adopters")))


def _section_ranges(ctx: ScanContext, doc: ParsedDoc) -> list[tuple[int, int]]:
    """The line ranges of ``doc``'s adopters sections, when the document is not an adopters file itself."""
    found = project_map(ctx).doc(doc.repo, doc.path)
    if found is not None and found.has("adopters"):
        return []
    here = (doc.repo.full_name, doc.path)
    return [(s.start, s.end) for d, s in project_map(ctx).sections("adopters") if (d.repo.full_name, d.path) == here]


# The code that turns an adopters file into entries: its cached entries are keyed by it (and the text's hash).
_ENTRIES_CODE = (Path(__file__).resolve(), Path(str(markdown.__file__)).resolve())


def cached_entries(ctx: ScanContext, text: str) -> list[AdopterEntry]:
    """:func:`entries` of ``text``, kept in the scan's parse cache (folder ``adopters``): an unchanged adopters file
    is not parsed again on the next scan. An entry is served only for the text it was computed from."""
    cache = ctx.memo(
        "adopters-cache",
        lambda: ParseCache(ctx.config.cache_dir if ctx.config.parse_cache else None, "adopters", _ENTRIES_CODE),
    )
    data = cache.load(text)
    if data is not None:
        try:
            return [AdopterEntry(str(n), int(line), str(t), str(k), str(s)) for n, line, t, k, s in data["entries"]]
        except (KeyError, TypeError, ValueError):
            pass  # an entry of another shape: parse again and overwrite it
    found = entries(text)
    cache.store(text, {"entries": [[e.name, e.line, e.text, e.kind, e.section] for e in found]})
    return found


def _entries_of(ctx: ScanContext, doc: ParsedDoc) -> list[AdopterEntry]:
    def compute() -> list[AdopterEntry]:
        found = cached_entries(ctx, doc.text)
        ranges = _section_ranges(ctx, doc)
        return [e for e in found if any(a <= e.line <= b for a, b in ranges)] if ranges else found

    return ctx.memo(("adopters.entries", doc.repo.full_name, doc.path), compute)


class AdoptersListPublishedValues(TypedDict, total=False):
    """``Finding.values`` of ``adopters.list_published``."""

    count: int
    files: dict[str, int]
    by_section: dict[str, dict[str, Any]]
    file: str


class AdoptersListPublished(Probe):
    spec = ProbeSpec(
        id="adopters.list_published",
        title="Is a list of adopters published (an ADOPTERS file with at least one entry)?",
        motivation="Graduation asks for a publicly documented list of adopters.",
        remediation="Publish an ADOPTERS.md with one entry per adopting organisation.",
    )
    values_type = AdoptersListPublishedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = adopter_docs(ctx)
        if not docs:
            yield self.finding(subject(ctx), False, "no ADOPTERS file in any scanned repository")
            return
        counts = {}
        by_section: dict[str, dict[str, int]] = {}
        for doc in docs:
            found = _entries_of(ctx, doc)
            counts[doc.label] = len(found)
            sections_count: dict[str, int] = {}
            for entry in found:
                sections_count[entry.section or "(top)"] = sections_count.get(entry.section or "(top)", 0) + 1
            by_section[doc.label] = sections_count
        total = sum(counts.values())
        values: AdoptersListPublishedValues = {
            "count": total,
            "files": counts,
            "by_section": by_section,
            "file": docs[0].label,
        }
        evidence = [d.repo.evidence(d.path, 1, max(1, d.text.count("\n"))) for d in docs]
        summary = ", ".join(f"{label}: {n}" for label, n in counts.items())
        if total:
            yield self.finding(subject(ctx), True, f"{total} adopter entries ({summary})", values, evidence)
        else:
            yield self.finding(subject(ctx), False, f"adopters file(s) with no entries ({summary})", values, evidence)


# The same text for every list, so a TODO names the lists once (subjects are appended by the aggregator).
_LEVEL_REMEDY = "State the adoption level (evaluation, dev/test or production) of each adopter entry."


class AdoptionLevelsStatedValues(TypedDict, total=False):
    """``Finding.values`` of ``adopters.levels_stated``."""

    entries: int
    with_level: int
    share: float
    levels: list[str]
    without_level: list[str]


class AdoptionLevelsStated(Probe):
    spec = ProbeSpec(
        id="adopters.levels_stated",
        title="Does each adopter entry state its adoption level (production, testing, evaluation...)?",
        motivation="The template suggests that the adopters list indicates each adopter's level (dev/trial, prod).",
        remediation="Add the adoption level (evaluation, dev/test, production) to each ADOPTERS.md entry.",
    )
    values_type = AdoptionLevelsStatedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = [d for d in adopter_docs(ctx) if _entries_of(ctx, d)]
        if not docs:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "no adopters list with entries")
            return
        for doc in docs:
            found = _entries_of(ctx, doc)
            with_level = [e for e in found if e.level]
            share = round(len(with_level) / len(found), 3)
            values: AdoptionLevelsStatedValues = {
                "entries": len(found),
                "with_level": len(with_level),
                "share": share,
                "levels": sorted({e.level for e in with_level if e.level}),
                "without_level": [f"{e.name} (L{e.line})" for e in found if not e.level][:20],
            }
            evidence = [doc.repo.evidence(doc.path, e.line, excerpt=e.text[:160]) for e in (with_level or found)[:3]]
            if not with_level:
                message = f"none of the {len(found)} entries in {doc.label} states an adoption level"
                yield self.finding(doc.label, False, message, values, evidence, remedy=_LEVEL_REMEDY)
            elif len(with_level) < len(found):
                message = f"{len(with_level)} of {len(found)} entries in {doc.label} state an adoption level"
                yield self.finding(doc.label, False, message, values, evidence, remedy=_LEVEL_REMEDY)
            else:
                yield self.finding(doc.label, True, f"every entry in {doc.label} states its level", values, evidence)


class AdoptersNoDuplicatesValues(TypedDict, total=False):
    """``Finding.values`` of ``adopters.no_duplicates``."""

    duplicates: dict[str, list[int]]
    entries: int


class AdoptersNoDuplicates(Probe):
    spec = ProbeSpec(
        id="adopters.no_duplicates",
        title="Is every organisation listed once in the adopters list?",
        motivation="A duplicate entry inflates the adopter count a reviewer reads.",
        remediation="Remove the repeated entries from ADOPTERS.md.",
    )
    values_type = AdoptersNoDuplicatesValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = [d for d in adopter_docs(ctx) if _entries_of(ctx, d)]
        if not docs:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "no adopters list with entries")
            return
        for doc in docs:
            groups: dict[str, list[AdopterEntry]] = {}
            for entry in _entries_of(ctx, doc):
                if entry.key:
                    groups.setdefault(entry.key, []).append(entry)
            duplicates = {g[0].name: [e.line for e in g] for g in groups.values() if len(g) > 1}
            values: AdoptersNoDuplicatesValues = {
                "duplicates": duplicates,
                "entries": sum(len(g) for g in groups.values()),
            }
            if duplicates:
                evidence = [
                    doc.repo.evidence(doc.path, e.line, excerpt=e.text[:120])
                    for g in groups.values()
                    if len(g) > 1
                    for e in g
                ]
                listed = "; ".join(f"{name} (L{', L'.join(map(str, lines))})" for name, lines in duplicates.items())
                yield self.finding(doc.label, False, f"{doc.label} lists the same organisation twice: {listed}",
                                   values, evidence[:10], remedy=f"Remove the repeated entries from {doc.label}: "
                                   f"{listed}.")  # fmt: skip
            else:
                evidence = [doc.repo.evidence(doc.path, 1)]
                yield self.finding(doc.label, True, f"no organisation listed twice in {doc.label}", values, evidence)
