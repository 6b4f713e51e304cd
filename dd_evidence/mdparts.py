"""The parsed parts of a Markdown text as plain JSON data (headings, links, sections, anchors, code lines), and a
worker that computes them for many texts in another process.

This is the shape the parse cache stores (:mod:`dd_evidence.parsecache`) and :mod:`dd_evidence.facts.parsed`
rebuilds documents from. It imports only the Markdown modules, so a worker process starts in a tenth of a second:
a cold scan of a project with hundreds of community documents parses them on every core instead of one.
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

from dd_evidence.markdown import parse, tokens
from dd_evidence.mdsections import anchors, sections


def parts(text: str) -> dict[str, Any]:
    """Everything probes read of a document's structure, as JSON data.

    Section texts are lines of the document: kept as line ranges, so an entry stays a fraction of the text.
    Anchors are in document order (heading slugs, then explicit HTML anchors), lower case.
    """
    document = parse(text)
    return {
        "headings": [[h.level, h.text, h.line] for h in document.headings],
        "links": [[k.url, k.text, k.line, k.image] for k in document.links],
        "line_count": document.line_count,
        "sections": [[x.title, x.level, x.start, x.end, x.kind] for x in sections(text)],
        "anchors": [a.lower() for a in anchors(text)],
        "code": ranges(code_lines(text)),
    }


def code_lines(text: str) -> frozenset[int]:
    """Lines (1-based) inside fenced or indented code blocks of a Markdown text."""
    found: set[int] = set()
    for token in tokens(text):
        if token.type in ("fence", "code_block") and token.map:
            found.update(range(token.map[0] + 1, token.map[1] + 1))
    return frozenset(found)


def ranges(lines: frozenset[int]) -> list[list[int]]:
    """Sorted line numbers as [first, last] runs, so an entry stays small."""
    runs: list[list[int]] = []
    for line in sorted(lines):
        if runs and runs[-1][1] == line - 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return runs


def serve() -> None:
    """A parsing worker: reads a JSON list of texts on stdin, writes the JSON list of their parts on stdout (both
    ASCII JSON, so no locale can garble them).

    A text the parser cannot handle gets ``null`` (its reader parses it again itself and meets the same error
    there, where it is reported); nothing the texts say is run or written anywhere else.
    """
    texts = json.load(sys.stdin)
    results: list[dict[str, Any] | None] = []
    # A parse makes hundreds of thousands of short-lived tokens, freed by reference counting; the collector's
    # automatic passes over them cost a tenth of the parse. In this process of its own, it collects once per
    # document instead, so whatever cycles a document leaves are still freed before the next one.
    gc.disable()
    for text in texts:
        try:
            results.append(parts(text) if isinstance(text, str) else None)
        except Exception:  # noqa: BLE001 - one bad document must not cost the others their parse
            results.append(None)
        gc.collect(0)
    json.dump(results, sys.stdout)  # ASCII, whatever the locale's encoding
    sys.stdout.flush()
