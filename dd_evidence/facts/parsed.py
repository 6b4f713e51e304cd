"""Documents parsed once per scan: text, headings, links, sections and anchors, kept in the on-disk parse cache.

Every probe that reads a document's structure goes through :func:`parsed`, so the same file is parsed once per
scan whatever number of probes read it, and unchanged files are not parsed again on the next scan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dd_evidence import mdparts
from dd_evidence.markdown import Document, Heading, Link
from dd_evidence.mdsections import Section
from dd_evidence.parsecache import ParseCache, text_key
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
        data = _bulk_parts(ctx).get(text_key(text))  # parsed in bulk a moment ago (identical texts share it)
        cache = parse_cache(ctx)
        if data is None:
            data = cache.load(text)
        if data is not None:
            try:
                return ParsedDoc(repo, path, text, *_parts_from_json(data, text))
            except (KeyError, TypeError, ValueError):
                pass  # an entry of another shape: parse again and overwrite it
        data = mdparts.parts(text)
        cache.store(text, data)
        return ParsedDoc(repo, path, text, *_parts_from_json(data, text))

    return ctx.memo(("parsed-doc", repo.full_name, path), build)


def parse_in_bulk(ctx: ScanContext, docs: Iterable[tuple[RepoView, str]]) -> None:
    """Parse, on every core, the documents of ``docs`` that no reader has parsed yet and the parse cache does not
    hold; :func:`parsed` then finds them done. Worth it on a cold scan of a project with hundreds of community
    documents (markdown-it reads about a megabyte a second); below :data:`POOL_MIN_BYTES` in all, or on one core,
    it does nothing and readers parse as they read. A worker that fails costs nothing but the time: its documents
    are parsed by their readers."""
    cache = parse_cache(ctx)
    pending: dict[str, str] = {}
    for repo, path in docs:
        if ctx.remembers(("parsed-doc", repo.full_name, path)):
            continue
        text = repo.read(path) or ""
        if text and not cache.has(text):
            pending.setdefault(text_key(text), text)
    workers = min(_cores(), MAX_WORKERS, sum(map(len, pending.values())) // POOL_MIN_BYTES)
    if workers < 2:
        return
    # No worker outlives the probe that waits for it.
    results = _parse_in_workers(list(pending.values()), workers, ctx.config.probe_timeout)
    found = _bulk_parts(ctx)
    for (key, text), data in zip(pending.items(), results, strict=True):
        if data is not None:
            cache.store(text, data)
            found[key] = data


# Below this many bytes to parse per worker, starting Python processes (a tenth of a second each) costs more than
# it saves. At most MAX_WORKERS of them, however many cores there are.
POOL_MIN_BYTES = 256 * 1024
MAX_WORKERS = 4
_WORKER = "from dd_evidence.mdparts import serve; serve()"


def _parse_in_workers(texts: list[str], workers: int, timeout: float) -> list[dict[str, Any] | None]:
    """The parts of ``texts``, computed by ``workers`` processes of this Python (None where a worker failed)."""
    shares: list[list[int]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for index in sorted(range(len(texts)), key=lambda i: -len(texts[i])):  # largest first, to the lightest share
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += len(texts[index])
    results: list[dict[str, Any] | None] = [None] * len(texts)

    def run(share: list[int]) -> None:
        answer = _run_worker([texts[i] for i in share], timeout)
        if answer is not None and len(answer) == len(share):
            for index, data in zip(share, answer, strict=True):
                results[index] = data if isinstance(data, dict) else None

    threads = [threading.Thread(target=run, args=(share,), daemon=True) for share in shares if share]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _run_worker(texts: list[str], timeout: float) -> list[Any] | None:
    # The package's own folder first on the path, so the worker imports this very code, installed or not.
    root = str(Path(mdparts.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _WORKER],
            input=json.dumps(texts).encode(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None  # no process (resources), a worker killed or timed out, an answer cut short
    return answer if isinstance(answer, list) else None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _bulk_parts(ctx: ScanContext) -> dict[str, dict[str, Any]]:
    """Parts computed by :func:`parse_in_bulk`, by the text's SHA-256 (kept for the scan: identical documents in
    several repositories share one parse even when the parse cache is off)."""
    return ctx.memo("parsed-in-bulk", dict)


def parse_cache(ctx: ScanContext) -> ParseCache:
    """The scan's parse cache (in the scan's cache directory; off when the configuration says so)."""
    return ctx.memo("parse-cache", lambda: ParseCache(ctx.config.cache_dir if ctx.config.parse_cache else None))


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
