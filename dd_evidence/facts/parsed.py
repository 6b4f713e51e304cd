"""Documents parsed once per scan: text, headings, links, sections and anchors, kept in the on-disk parse cache.

Every probe that reads a document's structure goes through :func:`parsed`, so the same file is parsed once per
scan whatever number of probes read it, and unchanged files are not parsed again on the next scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dd_evidence.markdown import Document, Heading, Link, parse, tokens
from dd_evidence.mdsections import Section, anchors, sections
from dd_evidence.parsecache import ParseCache
from dd_evidence.repoview import RepoView

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext


@dataclass(frozen=True)
class ParsedDoc:
    """A document's text, its links and its sections, read once per scan."""

    repo: RepoView
    path: str
    text: str
    document: Document
    sections: tuple[Section, ...]
    # Every anchor a link may target (heading slugs, explicit HTML anchors), lower case.
    anchors: frozenset[str]
    # Lines (1-based) inside fenced or indented code blocks: what a link there shows is an example.
    code_lines: frozenset[int] = frozenset()
    # The same anchors in document order, as ``mdsections.anchors`` lists them (heading slugs first, then explicit
    # HTML anchors), lower case: a link's anchor is matched to its heading without parsing the text again.
    anchor_order: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.repo.name}/{self.path}"


def parsed(ctx: ScanContext, repo: RepoView, path: str) -> ParsedDoc:
    """The parsed form of ``repo``'s ``path`` (empty when unreadable), memoised for the scan and kept in the
    on-disk parse cache across scans."""

    def build() -> ParsedDoc:
        text = repo.read(path) or ""
        cache = parse_cache(ctx)
        cached = cache.load(text)
        if cached is not None:
            try:
                return ParsedDoc(repo, path, text, *_parts_from_json(cached, text))
            except (KeyError, TypeError, ValueError):
                pass  # an entry of another shape: parse again and overwrite it
        order = tuple(a.lower() for a in anchors(text))
        doc = ParsedDoc(repo, path, text, parse(text), tuple(sections(text)), frozenset(order), code_lines(text), order)
        cache.store(text, _parts_to_json(doc))
        return doc

    return ctx.memo(("parsed-doc", repo.full_name, path), build)


def parse_cache(ctx: ScanContext) -> ParseCache:
    """The scan's parse cache (in the scan's cache directory; off when the configuration says so)."""
    return ctx.memo("parse-cache", lambda: ParseCache(ctx.config.cache_dir if ctx.config.parse_cache else None))


def _parts_to_json(doc: ParsedDoc) -> dict[str, Any]:
    # Section texts are lines of the document: kept as line ranges, so an entry stays a fraction of the text.
    return {
        "headings": [[h.level, h.text, h.line] for h in doc.document.headings],
        "links": [[k.url, k.text, k.line, k.image] for k in doc.document.links],
        "line_count": doc.document.line_count,
        "sections": [[x.title, x.level, x.start, x.end, x.kind] for x in doc.sections],
        "anchors": list(doc.anchor_order),  # in document order: the set is made from them
        "code": _ranges(doc.code_lines),
    }


def code_lines(text: str) -> frozenset[int]:
    """Lines (1-based) inside fenced or indented code blocks of a Markdown text."""
    found: set[int] = set()
    for token in tokens(text):
        if token.type in ("fence", "code_block") and token.map:
            found.update(range(token.map[0] + 1, token.map[1] + 1))
    return frozenset(found)


def _ranges(lines: frozenset[int]) -> list[list[int]]:
    """Sorted line numbers as [first, last] runs, so an entry stays small."""
    runs: list[list[int]] = []
    for line in sorted(lines):
        if runs and runs[-1][1] == line - 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return runs


def _parts_from_json(
    data: dict[str, Any], text: str
) -> tuple[Document, tuple[Section, ...], frozenset[str], frozenset[int], tuple[str, ...]]:
    document = Document(
        tuple(Heading(int(level), str(title), int(line)) for level, title, line in data["headings"]),
        tuple(Link(str(url), str(label), int(line), bool(image)) for url, label, line, image in data["links"]),
        int(data["line_count"]),
    )
    lines = text.splitlines()
    found = tuple(
        Section(str(title), int(level), int(start), int(end), "\n".join(lines[int(start) - 1 : int(end)]), str(kind))
        for title, level, start, end, kind in data["sections"]
    )
    code = frozenset(line for first, last in data["code"] for line in range(int(first), int(last) + 1))
    order = tuple(str(a) for a in data["anchors"])
    return document, found, frozenset(order), code, order
