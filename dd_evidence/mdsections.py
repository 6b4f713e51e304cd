"""Sections, anchors, sentences and contacts of a markdown text, on top of markdown-it.

Governance documents structure their procedures two ways: headings, and bold bullet items used as headings
(``- **How to Become a Member**`` followed by nested text). Both become :class:`Section` objects here, so probes
can ask "which part of which file talks about X" and cite its lines. Anchors follow GitHub's slug rules so
links such as ``GOVERNANCE.md#amending-this-document`` can be checked offline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from dd_evidence.markdown import tokens as md_tokens

# Bold bullet items rank below every heading level, so a heading always closes them.
BULLET_LEVEL = 7


@dataclass(frozen=True)
class Section:
    """A heading or a bold bullet item and the text it governs; lines are 1-based and inclusive."""

    title: str
    level: int
    start: int
    end: int
    text: str
    kind: str = "heading"

    @property
    def is_bullet(self) -> bool:
        return self.kind == "bullet"


@dataclass(frozen=True)
class Sentence:
    """A sentence (or list item fragment) of a text and the line it starts on."""

    line: int
    text: str


@dataclass(frozen=True)
class Contact:
    """A way to reach someone: an e-mail address, a ``mailto:`` link or a web form URL."""

    kind: str
    value: str
    line: int


def _plain(inline: Token) -> str:
    """The visible text of an inline token (markup and link targets dropped), as GitHub renders it."""
    parts = [c.content for c in inline.children or [] if c.type in ("text", "code_inline", "html_inline")]
    return "".join(p for p in parts if not p.startswith("<")).strip()


def sections(text: str) -> list[Section]:
    """Headings and bold-bullet headings of ``text``, in document order, each with the lines it covers."""
    tokens = md_tokens(text)
    lines = text.splitlines()
    last = len(lines)
    starts: list[tuple[int, int, str, str, int | None]] = []  # start, level, title, kind, hard end
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            starts.append((token.map[0] + 1, int(token.tag[1:]), _plain(tokens[index + 1]), "heading", None))
        elif token.type == "list_item_open" and token.map:
            title = _bold_lead(tokens, index)
            if title:
                starts.append((token.map[0] + 1, BULLET_LEVEL, title, "bullet", token.map[1]))
    found = []
    for position, (start, level, title, kind, hard_end) in enumerate(starts):
        end = last
        for later in starts[position + 1 :]:
            if later[1] <= level:
                end = later[0] - 1
                break
        if hard_end is not None:
            end = min(end, hard_end)
        end = max(start, _trim_blank(lines, start, end))
        found.append(Section(title, level, start, end, "\n".join(lines[start - 1 : end]), kind))
    return found


def _bold_lead(tokens: Sequence[Token], index: int) -> str | None:
    """The title of a list item whose first paragraph is only a bold phrase (optionally ending in ':')."""
    if index + 2 >= len(tokens) or tokens[index + 1].type != "paragraph_open":
        return None
    children = tokens[index + 2].children or []
    first_line = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            break
        # markdown-it puts empty text tokens around markup; they carry nothing.
        if not (child.type == "text" and not child.content):
            first_line.append(child)
    if len(first_line) < 3 or first_line[0].type != "strong_open":
        return None
    close = next((i for i, c in enumerate(first_line) if c.type == "strong_close"), None)
    if close is None:
        return None
    rest = "".join(c.content for c in first_line[close + 1 :]).strip()
    if rest not in ("", ":"):
        return None
    title = "".join(c.content for c in first_line[1:close] if c.type in ("text", "code_inline")).strip()
    return title.rstrip(":").strip() or None


def _trim_blank(lines: list[str], start: int, end: int) -> int:
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def section_at(all_sections: Iterable[Section], line: int) -> Section | None:
    """The innermost section containing ``line`` (the one that starts last), or None before any heading."""
    inside = [s for s in all_sections if s.start <= line <= s.end]
    return max(inside, key=lambda s: (s.start, s.level)) if inside else None


# GitHub keeps letters, digits, '_', '-' and spaces (which become '-'); everything else is dropped.
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def slug(title: str) -> str:
    """GitHub's anchor slug of a heading text, without the duplicate suffix."""
    return _SLUG_DROP.sub("", title.strip().lower()).replace(" ", "-")


_HTML_ANCHOR = re.compile(r"""<a\s[^>]*?(?:name|id)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def anchors(text: str) -> list[str]:
    """Every anchor a link may target in ``text``: heading slugs (duplicates get ``-1``, ``-2``...) and
    explicit HTML anchors (``<a name=...>``, ``id=...``)."""
    seen: dict[str, int] = {}
    found: list[str] = []
    tokens = md_tokens(text)
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        base = slug(_plain(tokens[index + 1]))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.append(base if count == 0 else f"{base}-{count}")
    found.extend(m.group(1) for m in _HTML_ANCHOR.finditer(text))
    return found


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[*`])")


def sentences(text: str, first_line: int = 1) -> list[Sentence]:
    """Split ``text`` into sentences; paragraphs, headings and list items never run together."""
    found: list[Sentence] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if block:
            found.extend(_split_block(block))
            block.clear()

    for offset, line in enumerate(text.splitlines()):
        number = first_line + offset
        if not line.strip():
            flush()
            continue
        if line.lstrip().startswith("#") or _LIST_MARK.match(line) or line.lstrip().startswith("|"):
            flush()
        block.append((number, line.strip()))
        if line.lstrip().startswith("#"):
            flush()
    flush()
    return found


def _split_block(block: list[tuple[int, str]]) -> list[Sentence]:
    joined = ""
    line_of: list[int] = []
    for number, line in block:
        piece = line + " "
        joined += piece
        line_of.extend([number] * len(piece))
    result = []
    position = 0
    for part in _SENTENCE_END.split(joined):
        index = joined.find(part, position)
        if part.strip():
            result.append(Sentence(line_of[max(index, 0)], part.strip()))
        position = index + len(part)
    return result


# Parts bounded as RFC 5321 bounds them (64-character local part, 63-character labels): unbounded, every start
# in a long run of address characters with no "@" ("a." * 400000) rescans to the end, quadratic.
_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,63})"
)
_MAILTO = re.compile(r"mailto:([^\s)\]>\"'?]+)", re.IGNORECASE)
_FORM = re.compile(
    r"https?://(?:forms\.gle/[^\s)\]>]+|docs\.google\.com/forms/[^\s)\]>]+|forms\.office\.com/[^\s)\]>]+"
    r"|[\w.-]*typeform\.com/[^\s)\]>]+|[\w.-]*jotform\.com/[^\s)\]>]+|[^\s)\]>]*/(?:report|contact)[-_]?form"
    r"[^\s)\]>]*)",
    re.IGNORECASE,
)


def contacts(text: str, first_line: int = 1) -> list[Contact]:
    """E-mail addresses, ``mailto:`` links and web forms in ``text``, with their lines."""
    found: list[Contact] = []
    for offset, line in enumerate(text.splitlines()):
        number = first_line + offset
        mailtos = {m.group(1) for m in _MAILTO.finditer(line)}
        found.extend(Contact("mailto", m, number) for m in sorted(mailtos))
        for match in _EMAIL.finditer(line):
            # git@github.com-style clone URLs are not contacts.
            address = match.group(1)
            if not any(m.startswith(address) for m in mailtos) and not address.startswith("git@"):
                found.append(Contact("email", address, number))
        found.extend(Contact("form", m.group(0).rstrip(".,"), number) for m in _FORM.finditer(line))
    return found


# Counts written as words in governance prose ("no more than four", "at least two months").
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip


def count_value(raw: str) -> int:
    """``"4"`` or ``"four"`` as an int (KeyError for other words)."""
    return int(raw) if raw.isdigit() else NUMBER_WORDS[raw.lower()]
