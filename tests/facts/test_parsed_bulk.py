"""Documents parsed in bulk by worker processes: the same parsed form readers get, and nothing lost when a worker
cannot run."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from memrepo import context

from dd_evidence.facts.parsed import parse_in_bulk, parsed

# The module (the package's attribute of that name is its function ``parsed``).
parsed_module = importlib.import_module("dd_evidence.facts.parsed")

DOCS = {
    "GOVERNANCE.md": "# Governance\n\nSee the [ladder](LADDER.md#maintainers) and https://example.org/join.\n\n"
    "## How decisions are made\n\n- **Voting**: a majority.\n\n```\n[not a link](x.md)\n```\n",
    "LADDER.md": '# Ladder\n\n## Maintainers\n\n<a name="old-name"></a>\n\n| Name | Handle |\n|---|---|\n'
    "| Ann | [@ann](https://github.com/ann) |\n",
    "docs/guide.md": "Guide\n=====\n\n    indented code\n\n![logo](logo.png) [Ünïcode](ü.md)\n",
    "empty.md": "",
}


def _fields(doc: object) -> tuple[object, ...]:
    return tuple(
        getattr(doc, name) for name in ("text", "document", "sections", "anchors", "code_lines", "anchor_order")
    )


def _parsed_by_readers() -> dict[str, tuple[object, ...]]:
    ctx = context({"acme": DOCS})
    repo = ctx.repos[0]
    return {path: _fields(parsed(ctx, repo, path)) for path in DOCS}


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers for the few bytes of these documents, on two cores; the list counts the workers started."""
    started: list[int] = []
    run_worker = parsed_module._run_worker

    def counted(texts: list[str], timeout: float) -> object:
        started.append(len(texts))
        return run_worker(texts, timeout)

    monkeypatch.setattr(parsed_module, "POOL_MIN_BYTES", 1)
    monkeypatch.setattr(parsed_module, "_cores", lambda: 2)
    monkeypatch.setattr(parsed_module, "_run_worker", counted)
    return started


def test_workers_parse_what_readers_would(small_pool: list[int], tmp_path: Path) -> None:
    ctx = context({"acme": DOCS})
    ctx.config.parse_cache, ctx.config.cache_dir = True, tmp_path
    repo = ctx.repos[0]
    parse_in_bulk(ctx, [(repo, path) for path in DOCS])
    assert sorted(small_pool) == [1, 2]  # two workers for the three texts (the empty one is nobody's work)
    assert len(list(tmp_path.rglob("*.json"))) == 3  # kept for the next scan, as a reader's parse is
    expected = _parsed_by_readers()
    assert {path: _fields(parsed(ctx, repo, path)) for path in DOCS} == expected


def test_documents_parsed_already_or_cached_are_no_work(small_pool: list[int], tmp_path: Path) -> None:
    ctx = context({"acme": DOCS})
    ctx.config.parse_cache, ctx.config.cache_dir = True, tmp_path
    repo = ctx.repos[0]
    parsed(ctx, repo, "GOVERNANCE.md")
    parse_in_bulk(ctx, [(repo, "GOVERNANCE.md")])
    assert small_pool == []
    again = context({"acme": DOCS})
    again.config.parse_cache, again.config.cache_dir = True, tmp_path
    parse_in_bulk(again, [(again.repos[0], "GOVERNANCE.md")])
    assert small_pool == []  # the parse cache holds it from the first scan


def test_a_worker_that_cannot_start_costs_only_time(small_pool: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = context({"acme": DOCS})
    repo = ctx.repos[0]
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    parse_in_bulk(ctx, [(repo, path) for path in DOCS])
    assert small_pool and not parsed_module._bulk_parts(ctx)
    monkeypatch.undo()
    assert {path: _fields(parsed(ctx, repo, path)) for path in DOCS} == _parsed_by_readers()


def test_answers_of_another_length_or_shape_are_not_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed_module, "POOL_MIN_BYTES", 1)
    monkeypatch.setattr(parsed_module, "_cores", lambda: 2)
    monkeypatch.setattr(parsed_module, "_run_worker", lambda texts, timeout: [{}] * (len(texts) - 1))
    ctx = context({"acme": DOCS})
    parse_in_bulk(ctx, [(ctx.repos[0], path) for path in DOCS])
    assert not parsed_module._bulk_parts(ctx)
    # One answer per text, but not a parsed form: the reader parses the document itself.
    monkeypatch.setattr(parsed_module, "_run_worker", lambda texts, timeout: [{"headings": "?"}] * len(texts))
    ctx = context({"acme": DOCS})
    repo = ctx.repos[0]
    parse_in_bulk(ctx, [(repo, path) for path in DOCS])
    assert len(parsed_module._bulk_parts(ctx)) == 3
    assert {path: _fields(parsed(ctx, repo, path)) for path in DOCS} == _parsed_by_readers()


def test_below_the_threshold_or_on_one_core_nothing_is_started(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(texts: list[str], timeout: float) -> None:
        raise AssertionError("no worker for a few documents")

    monkeypatch.setattr(parsed_module, "_run_worker", refuse)
    ctx = context({"acme": DOCS})
    parse_in_bulk(ctx, [(ctx.repos[0], path) for path in DOCS])  # a few hundred bytes: not worth a process
    monkeypatch.setattr(parsed_module, "POOL_MIN_BYTES", 1)
    monkeypatch.setattr(parsed_module, "_cores", lambda: 1)
    parse_in_bulk(ctx, [(ctx.repos[0], path) for path in DOCS])


def test_identical_documents_share_one_parse(small_pool: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    text = DOCS["GOVERNANCE.md"]
    ctx = context({"acme": {"GOVERNANCE.md": text}, "widget": {"docs/GOVERNANCE.md": text}})
    pairs = [(ctx.repos[0], "GOVERNANCE.md"), (ctx.repos[1], "docs/GOVERNANCE.md")]
    parse_in_bulk(ctx, pairs)
    assert small_pool == [1]  # one text to parse

    def no_reader_parse(text: str) -> None:
        raise AssertionError("parsed in bulk already")

    monkeypatch.setattr(parsed_module.mdparts, "parts", no_reader_parse)
    first, second = (parsed(ctx, repo, path) for repo, path in pairs)
    assert first.document == second.document and first.anchors == second.anchors


def test_a_stuck_worker_is_stopped_at_the_probe_deadline(
    small_pool: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setattr(parsed_module, "_WORKER", "import time; time.sleep(60)")
    ctx = context({"acme": DOCS})
    ctx.config.probe_timeout = 0.5
    repo = ctx.repos[0]
    started = time.monotonic()
    parse_in_bulk(ctx, [(repo, path) for path in DOCS])
    assert time.monotonic() - started < 10
    assert not parsed_module._bulk_parts(ctx)
    assert {path: _fields(parsed(ctx, repo, path)) for path in DOCS} == _parsed_by_readers()
