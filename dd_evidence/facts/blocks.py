"""Markdown split into blocks (paragraphs, list items, headings) with their lines and the heading above them, so a
phrase wrapped over two lines is still found and every match cites the lines of its block."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """A paragraph, list item or heading of a policy, with its 1-based first and last line."""

    text: str
    start: int
    end: int
    heading: str


def blocks(text: str) -> list[Block]:
    """Split markdown into blocks: blank lines, headings and list items start a new block. Each block
    remembers the heading it sits under, so a match can be judged by its section."""
    found: list[Block] = []
    current: list[str] = []
    start = 0
    heading = ""

    def flush(last: int) -> None:
        if current:
            found.append(Block(" ".join(s.strip() for s in current), start, last, heading))
            current.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        is_heading = stripped.startswith("#")
        is_item = bool(re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", line))
        if not stripped or is_heading or is_item:
            flush(number - 1)
        if is_heading:
            heading = stripped.lstrip("#").strip()
            found.append(Block(heading, number, number, heading))
            continue
        if stripped:
            if not current:
                start = number
            current.append(stripped)
    flush(len(text.splitlines()))
    return found
