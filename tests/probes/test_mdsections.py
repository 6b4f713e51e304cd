from __future__ import annotations

import pytest

from dd_evidence.mdsections import anchors, contacts, section_at, sections, sentences, slug

DOC = """# Handbook

Intro line.

## Joining

- **Becoming a Reviewer**
  - review ten changes over 4 months
  - ask two reviewers for a thumbs-up
- **Chat**: [room](https://chat.example)
- **Becoming a Lead**:

  Leads are picked by vote.

## Joining
### Leaving `early`!
Tell us.
"""


def test_sections_by_heading_and_bold_bullet() -> None:
    found = [(s.title, s.level, s.start, s.end, s.kind) for s in sections(DOC)]
    assert found == [
        ("Handbook", 1, 1, 17, "heading"),
        ("Joining", 2, 5, 13, "heading"),
        ("Becoming a Reviewer", 7, 7, 9, "bullet"),
        ("Becoming a Lead", 7, 11, 13, "bullet"),
        ("Joining", 2, 15, 17, "heading"),
        ("Leaving early!", 3, 16, 17, "heading"),
    ]
    lead = sections(DOC)[3]
    assert "picked by vote" in lead.text and lead.is_bullet


def test_bold_label_followed_by_text_is_not_a_heading() -> None:
    assert [s.title for s in sections("- **Chat**: see the room\n- **Mail** list\n")] == []


def test_section_at_picks_innermost() -> None:
    all_sections = sections(DOC)
    assert section_at(all_sections, 8).title == "Becoming a Reviewer"
    assert section_at(all_sections, 3).title == "Handbook"
    assert section_at(sections("plain\n"), 1) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Adding New Reviewer/Lead", "adding-new-reviewerlead"),
        ("What's `new`? (2024)", "whats-new-2024"),
        ("snake_case and-dash", "snake_case-and-dash"),
        ("Ünïcode Straße", "ünïcode-straße"),
    ],
)
def test_slug_follows_github_rules(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_anchors_number_duplicates_and_keep_html_anchors() -> None:
    found = anchors(DOC + '\n<a name="custom-spot"></a>\n')
    assert found == ["handbook", "joining", "joining-1", "leaving-early", "custom-spot"]


def test_sentences_keep_lines_and_blocks_apart() -> None:
    text = "## Title\nFirst one. Second\nwraps here.\n\n- item one\n- item two\n"
    assert [(s.line, s.text) for s in sentences(text, first_line=10)] == [
        (10, "## Title"),
        (11, "First one."),
        (11, "Second wraps here."),
        (14, "- item one"),
        (15, "- item two"),
    ]


def test_contacts_find_email_mailto_and_forms() -> None:
    text = (
        "Write to <conduct@example.org>.\n"
        "Or [mail](mailto:team@example.org?subject=hi).\n"
        "Or use [the form](https://forms.gle/abc123).\n"
        "Clone git@github.com:acme/acme.git\n"
    )
    assert [(c.kind, c.value, c.line) for c in contacts(text)] == [
        ("email", "conduct@example.org", 1),
        ("mailto", "team@example.org", 2),
        ("form", "https://forms.gle/abc123", 3),
    ]
    assert contacts("nothing here\n") == []
