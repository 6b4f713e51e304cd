"""The on-disk parse cache: a re-scan reads parsed documents back instead of parsing them again."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from memrepo import context

from dd_evidence.facts import parse_cache, parsed
from dd_evidence.mdsections import anchors
from dd_evidence.parsecache import ParseCache, code_fingerprint

TEXT = """# Governance

See the [ladder](LADDER.md#maintainers) and <https://example.org/join>.

## How decisions are made

- **Voting**: a majority of maintainers.

<a name="legacy-anchor"></a>

## How decisions are made
"""


def ctx_with_cache(cache: Path):
    ctx = context({"acme": {"GOVERNANCE.md": TEXT}})
    ctx.config.cache_dir = cache
    ctx.config.parse_cache = True
    return ctx


def test_a_second_scan_reads_the_same_parsed_document_back(tmp_path: Path) -> None:
    first_ctx = ctx_with_cache(tmp_path)
    first = parsed(first_ctx, first_ctx.repos[0], "GOVERNANCE.md")
    assert parse_cache(first_ctx).misses == 1 and parse_cache(first_ctx).hits == 0
    second_ctx = ctx_with_cache(tmp_path)
    second = parsed(second_ctx, second_ctx.repos[0], "GOVERNANCE.md")
    assert parse_cache(second_ctx).hits == 1
    assert second.document == first.document and second.sections == first.sections
    assert (
        second.anchors
        == first.anchors
        == {
            "governance",
            "how-decisions-are-made",
            "how-decisions-are-made-1",
            "legacy-anchor",
        }
    )
    assert [link.url for link in second.document.links] == ["LADDER.md#maintainers", "https://example.org/join"]
    # In document order, as anchors() lists them: a link's anchor is matched to its heading by position.
    expected = ("governance", "how-decisions-are-made", "how-decisions-are-made-1", "legacy-anchor")
    assert second.anchor_order == first.anchor_order == tuple(a.lower() for a in anchors(TEXT)) == expected


def test_a_corrupt_entry_is_parsed_again_and_replaced(tmp_path: Path) -> None:
    ctx = ctx_with_cache(tmp_path)
    parsed(ctx, ctx.repos[0], "GOVERNANCE.md")
    (entry,) = (tmp_path / "parsed").rglob("*.json")
    entry.write_text('{"headings": "not a list"')
    again_ctx = ctx_with_cache(tmp_path)
    again = parsed(again_ctx, again_ctx.repos[0], "GOVERNANCE.md")
    assert [h.text for h in again.document.headings][:2] == ["Governance", "How decisions are made"]
    assert '"headings":[[' in entry.read_text()


def test_entries_are_keyed_by_the_parsing_code(tmp_path: Path) -> None:
    """An edit to the parser lands in another folder, so old answers are never served."""
    assert ParseCache(tmp_path).root == tmp_path / "parsed" / code_fingerprint()
    assert ParseCache(None).load(TEXT) is None  # disabled: always a miss, nothing written


def test_probe_tables_never_write_a_cache(tmp_path: Path) -> None:
    ctx = context({"acme": {"GOVERNANCE.md": TEXT}})
    parsed(ctx, ctx.repos[0], "GOVERNANCE.md")
    assert parse_cache(ctx).root is None


ROSTER = """# Maintainers

| Name | GitHub | Company |
| --- | --- | --- |
| Ada Example | @ada | Acme |
| Bo Example | @bo | Beta |

## Emeritus maintainers

| Name | GitHub |
| --- | --- |
| Cy Example | @cy |
"""


def test_roster_versions_are_read_back_from_the_roster_cache(tmp_path: Path) -> None:
    """Who a roster version lists is parsed once: the next scan reads it back, the same people and emeriti."""
    from dd_evidence.facts.history import _people_in, _people_in_cached
    from dd_evidence.facts.people import roster_cache

    first_ctx = ctx_with_cache(tmp_path)
    repo = first_ctx.repos[0]
    first = _people_in_cached(first_ctx, repo, "MAINTAINERS.md", ROSTER)
    assert roster_cache(first_ctx).misses == 1
    second_ctx = ctx_with_cache(tmp_path)
    second = _people_in_cached(second_ctx, second_ctx.repos[0], "MAINTAINERS.md", ROSTER)
    assert roster_cache(second_ctx).hits == 1
    direct = _people_in(repo, "MAINTAINERS.md", ROSTER)
    assert second.active == first.active == direct.active
    assert second.active["ada"] == ("ada", frozenset({"ada", "ada example"})) and set(second.active) == {"ada", "bo"}
    assert second.emeritus == first.emeritus == direct.emeritus == {"cy": ("cy", frozenset({"cy", "cy example"}))}
    # The entry is keyed by the file name too: the same text under another name is another entry.
    _people_in_cached(second_ctx, second_ctx.repos[0], "docs/MAINTAINERS", ROSTER)
    assert roster_cache(second_ctx).misses == 1


def test_an_owners_file_is_never_taken_from_the_roster_cache(tmp_path: Path) -> None:
    """An OWNERS file's people depend on the OWNERS_ALIASES beside it, not on its text alone."""
    from dd_evidence.facts.history import _people_in_cached
    from dd_evidence.facts.people import roster_cache

    ctx = ctx_with_cache(tmp_path)
    _people_in_cached(ctx, ctx.repos[0], "OWNERS", "approvers:\n- ada\n")
    cache = roster_cache(ctx)
    assert cache.hits == cache.misses == 0
    assert cache.root is not None and not cache.root.exists()


def test_a_markdown_roster_is_read_back_whole_from_the_roster_cache(tmp_path: Path) -> None:
    """The current roster, as every roster probe reads it: the same people, lines, scopes and columns."""
    from dataclasses import replace

    from dd_evidence.facts.people import parse_roster, parse_roster_cached, roster_cache

    first_ctx = ctx_with_cache(tmp_path)
    first = parse_roster_cached(first_ctx, first_ctx.repos[0], "MAINTAINERS.md", ROSTER)
    second_ctx = ctx_with_cache(tmp_path)
    repo = second_ctx.repos[0]
    second = parse_roster_cached(second_ctx, repo, "MAINTAINERS.md", ROSTER)
    assert roster_cache(first_ctx).misses == 1 and roster_cache(second_ctx).hits == 1
    direct = parse_roster(repo, "MAINTAINERS.md", ROSTER)
    assert second == direct == replace(first, repo=repo)
    assert [(p.handle, p.affiliation, p.line, p.emeritus) for p in second.people] == [
        ("ada", "Acme", 5, False),
        ("bo", "Beta", 6, False),
        ("cy", None, 12, True),
    ]


def test_code_block_lines_are_read_back(tmp_path: Path) -> None:
    """The lines inside code blocks (links there are examples) come back from the cache as they were parsed."""
    text = "# Docs\n\nSee [a](a.md).\n\n```\n[b](b.md)\nmore\n```\n\n    indented [c](c.md)\n\nEnd.\n"

    def ctx_for(cache: Path):
        ctx = context({"acme": {"DOC.md": text}})
        ctx.config.cache_dir = cache
        ctx.config.parse_cache = True
        return ctx

    first_ctx = ctx_for(tmp_path)
    first = parsed(first_ctx, first_ctx.repos[0], "DOC.md")
    second_ctx = ctx_for(tmp_path)
    second = parsed(second_ctx, second_ctx.repos[0], "DOC.md")
    assert parse_cache(second_ctx).hits == 1
    assert first.code_lines == second.code_lines == frozenset({5, 6, 7, 8, 10})


def test_a_roster_version_known_by_its_blob_id_is_not_even_read_again(tmp_path: Path) -> None:
    """History versions are keyed by blob id (a hash of the content): a warm scan neither reads nor parses them.
    A version read as nothing (perhaps only out of reach this time) is never kept under its id."""
    from dd_evidence.facts.history import _people_of

    reads: list[str] = []

    def read(text: str):
        return lambda: reads.append(text) or text

    blob, empty_blob = "a" * 40, "b" * 40
    first_ctx = ctx_with_cache(tmp_path)
    first = _people_of(first_ctx, first_ctx.repos[0], "MAINTAINERS.md", read(ROSTER), blob)
    _people_of(first_ctx, first_ctx.repos[0], "MAINTAINERS.md", read(""), empty_blob)
    assert len(reads) == 2
    second_ctx = ctx_with_cache(tmp_path)
    second = _people_of(second_ctx, second_ctx.repos[0], "MAINTAINERS.md", read(ROSTER), blob)
    assert len(reads) == 2 and second.active == first.active and set(second.emeritus) == {"cy"}
    _people_of(second_ctx, second_ctx.repos[0], "MAINTAINERS.md", read(""), empty_blob)
    assert len(reads) == 3  # the empty read was asked again


ADOPTERS = """# Adopters

| Organization | Contact | Level |
| --- | --- | --- |
| Acme Corp | @ada | Production |

## Others

- **Beta Inc**: evaluating it.
"""


def test_adopter_entries_are_read_back_from_the_parse_cache(tmp_path: Path) -> None:
    from dd_evidence.probes.adopters import cached_entries, entries

    first_ctx = ctx_with_cache(tmp_path)
    first = cached_entries(first_ctx, ADOPTERS)
    assert first == entries(ADOPTERS) and [e.name for e in first] == ["Acme Corp", "Beta Inc"]
    (entry,) = (tmp_path / "adopters").rglob("*.json")
    second_ctx = ctx_with_cache(tmp_path)
    assert cached_entries(second_ctx, ADOPTERS) == first
    assert second_ctx.memo("adopters-cache", lambda: None).hits == 1
    # An entry is served only for the text it was computed from: another text under its name is parsed anew.
    other = ADOPTERS.replace("Acme Corp", "Gamma LLC")
    key = hashlib.sha256(other.encode()).hexdigest()
    moved = entry.parent.parent / key[:2] / f"{key}.json"
    moved.parent.mkdir(exist_ok=True)
    entry.rename(moved)
    third_ctx = ctx_with_cache(tmp_path)
    assert [e.name for e in cached_entries(third_ctx, other)] == ["Gamma LLC", "Beta Inc"]
    assert third_ctx.memo("adopters-cache", lambda: None).misses == 1


def test_other_versions_unused_for_a_month_are_removed_and_nothing_else(tmp_path: Path) -> None:
    import os

    from dd_evidence.parsecache import STALE_VERSION_DAYS, prune_other_versions

    kind = tmp_path / "cache" / "parsed"
    old, recent, notes = kind / "0123456789abcdef", kind / "fedcba9876543210", kind / "notes"
    outside = tmp_path / "outside"
    for folder in (old / "ab", recent / "cd", notes, outside):
        folder.mkdir(parents=True)
        (folder / "entry.json").write_text("{}")
    (kind / "00000000000000aa").symlink_to(outside, target_is_directory=True)
    month_ago = time.time() - (STALE_VERSION_DAYS + 10) * 86400
    for path in (old, old / "ab", notes, outside):
        os.utime(path, (month_ago, month_ago))
    (recent / ".used").touch()
    os.utime(recent / ".used", (month_ago + 20 * 86400,) * 2)  # used ten days ago

    prune_other_versions.cache_clear()
    cache = ParseCache(tmp_path / "cache")
    cache.store("# A\n", {"headings": []})

    assert cache.root is not None and cache.root.is_dir()
    assert not old.exists()
    assert recent.exists() and notes.exists()  # used lately; not a version folder
    assert (kind / "00000000000000aa").is_symlink() and (outside / "entry.json").exists()
    # The other version, scanning now, keeps this one's folder: its marker was touched by this scan.
    prune_other_versions(recent, now=time.time())
    assert cache.root.exists()
