"""Markdown parsed, not grepped: headings and links with their 1-based line numbers (markdown-it-py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class Link:
    """A link or image in a document: target, visible text, and the line it starts on."""

    url: str
    text: str
    line: int
    image: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Document:
    """The parts of a markdown file that probes reason about."""

    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    line_count: int


@functools.cache
def _parser() -> MarkdownIt:
    # "gfm-like" adds tables and autolinks of bare URLs, as GitHub renders them.
    return MarkdownIt("gfm-like")


@functools.lru_cache(maxsize=128)
def tokens(text: str) -> tuple[Token, ...]:
    """The markdown-it token stream of ``text``, shared by every reader of the same text in a scan.

    Parsing is the costly step (a large file takes seconds), and several probes read the same documents.
    Callers must not mutate the tokens.
    """
    return tuple(_parser().parse(text))


def parse(text: str) -> Document:
    """Headings and links of a markdown text."""
    tokens_ = tokens(text)
    headings: list[Heading] = []
    links: list[Link] = []
    for index, token in enumerate(tokens_):
        if token.type == "heading_open" and token.map:
            inline = tokens_[index + 1]
            headings.append(Heading(int(token.tag[1:]), inline.content.strip(), token.map[0] + 1))
        if token.type == "inline" and token.map:
            links.extend(_inline_links(token, token.map[0] + 1))
    return Document(tuple(headings), tuple(links), text.count("\n") + 1)


def _inline_links(inline: Token, first_line: int) -> list[Link]:
    found: list[Link] = []
    line = first_line
    open_link: tuple[str, int] | None = None
    text_parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            open_link = (str(child.attrs.get("href", "")), line)
            text_parts = []
        elif child.type == "link_close" and open_link:
            found.append(Link(open_link[0], "".join(text_parts).strip(), open_link[1]))
            open_link = None
        elif child.type == "image":
            found.append(Link(str(child.attrs.get("src", "")), child.content, line, image=True))
            if open_link:
                text_parts.append(child.content)
        elif open_link and child.type in ("text", "code_inline"):
            text_parts.append(child.content)
    return found


def non_empty_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]
