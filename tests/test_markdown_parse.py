from __future__ import annotations

from dd_evidence.facts.paths import excluded
from dd_evidence.markdown import parse, tokens


def test_headings_and_links_with_lines() -> None:
    text = "# Title\n\nSee [the guide](CONTRIBUTING.md) and\nhttps://example.org/x.\n\n## Next\n"
    doc = parse(text)
    assert [(h.level, h.text, h.line) for h in doc.headings] == [(1, "Title", 1), (2, "Next", 6)]
    assert [(link.url, link.line) for link in doc.links] == [("CONTRIBUTING.md", 3), ("https://example.org/x", 4)]


def test_token_stream_is_shared_between_readers() -> None:
    text = "# Shared\n\ntext\n"
    assert tokens(text) is tokens(text)


def test_generated_logs() -> None:
    assert excluded("CHANGELOG.md") == excluded("docs/History.md") == "release notes"
    assert excluded("GOVERNANCE.md") is None and excluded("RELEASE.md") is None
