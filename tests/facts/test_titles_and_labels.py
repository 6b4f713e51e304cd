"""Titles, labelled roster lines and CODEOWNERS affiliation comments on ordinary text.

Their patterns were rewritten to run in linear time (``(.+?)\\s*$`` became ``(.+)$`` with the trailing blanks
cut in Python; tests/hostile/test_redos.py has the hostile inputs). These tables pin what they give on normal
input, and compare each with the lazy pattern it replaced, which on short lines is the reference.
"""

from __future__ import annotations

import re

import pytest

from dd_evidence.facts.documents import front_matter, title_of
from dd_evidence.facts.people import _AFFILIATION_COMMENT, _LABELLED, _parse_codeowners, _trailing_cut

# The patterns before the rewrite: quadratic on a long line of blanks, exact on short ones. The heading one is
# CommonMark's closing sequence (``#`` s after a blank), which the first rewrite had wrong ("## C#" gave "C").
OLD_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
OLD_FRONT_FIELD = re.compile(r"^(title|slug|url|permalink|linkTitle)\s*:\s*(.+?)\s*$", re.MULTILINE)
OLD_LABELLED = re.compile(r"^\s*([A-Za-z][\w /-]{0,30}?)\s*:\s*(.+?)\s*$")
OLD_AFFILIATION = re.compile(r"^\s*#\s*((?:@[\w.-]+[\s,]*)+)[-:–—]\s*(.+?)\s*$")

HEADINGS = [
    "# Governance",
    "#  Governance  ",
    "## Project Governance ##",
    "# Governance #  ",
    "### C#",
    "# C# ",
    "# #",
    "# a\t b \t",
    "   # Maintainers",
    "# [Acme](https://acme.io) Governance",
    "# The *Acme* `Project` Charter",
    "###### Six",
]


@pytest.mark.parametrize("line", HEADINGS)
def test_atx_title_is_what_the_lazy_pattern_gave(line: str) -> None:
    old = OLD_ATX.match(line)
    assert old is not None
    found = title_of(line + "\n\nText.\n", "md")
    assert found is not None and found[1] == 1
    expected = title_of(f"---\ntitle: {old.group(2)}\n---\n", "md")  # the same cleaning, applied to the old group
    assert expected is not None and found[0] == expected[0]


def test_a_hash_that_ends_a_word_is_part_of_the_title() -> None:
    assert title_of("## C#\n", "md") == ("C#", 1)
    assert title_of("# F# and C# #\n", "md") == ("F# and C#", 1)
    assert title_of("# Governance#\n", "md") == ("Governance#", 1)


def test_titles_on_ordinary_documents() -> None:
    assert title_of("# Project Governance ##\n\nRules.\n", "md") == ("Project Governance", 1)
    assert title_of("<img src=x>\n\n## Security  \n", "md") == ("Security", 3)
    assert title_of("---\ntitle:  'Maintainers'  \nslug: /m\n---\n# Other\n", "md") == ("Maintainers", 1)
    assert title_of("Acme Governance\n===============\n", "md") == ("Acme Governance", 1)
    assert title_of("= Security Policy\n", "adoc") == ("Security Policy", 1)
    assert title_of("Roadmap\n-------\n", "rst") == ("Roadmap", 1)
    assert title_of("```\n# not a title\n```\nplain text\n", "md") is None


@pytest.mark.parametrize(
    "block",
    [
        "title: Governance  \nslug: /governance/\t\n",
        'title:   "Code of Conduct"   \nurl: https://acme.io/coc/  \n',
        "linkTitle: Roles\npermalink: /roles/\n",
        "title:\n  Governance\n",
    ],
)
def test_front_matter_fields_are_what_the_lazy_pattern_gave(block: str) -> None:
    old = {}
    for match in OLD_FRONT_FIELD.finditer(block.rstrip("\n")):
        old.setdefault(match.group(1).lower(), match.group(2).strip().strip("'\"").strip())
    assert front_matter(f"---\n{block}---\n") == old
    assert old  # the table holds blocks with fields


LABELLED_LINES = [
    "Name: Ann Lee  ",
    "GitHub: @ann\t",
    "Organization:   Acme Corp   ",
    "  E-mail : ann@acme.io",
    "Name: x",
    "Name:  y \t ",
    "Company / Employer: Beta GmbH",
]


@pytest.mark.parametrize("line", LABELLED_LINES)
def test_labelled_line_value_is_what_the_lazy_pattern_gave(line: str) -> None:
    old, new = OLD_LABELLED.match(line), _LABELLED.match(line)
    assert old is not None and new is not None
    assert (new.group(1), _trailing_cut(new.group(2))) == (old.group(1), old.group(2))


AFFILIATION_LINES = [
    "# @ann @bo - Acme Corp  ",
    "# @cy: Gamma",
    "#@dee, @eve — Delta Inc.\t",
    "  # @fay – Epsilon ",
    "# @gus - x",
]


@pytest.mark.parametrize("line", AFFILIATION_LINES)
def test_codeowners_affiliation_is_what_the_lazy_pattern_gave(line: str) -> None:
    old, new = OLD_AFFILIATION.match(line), _AFFILIATION_COMMENT.match(line)
    assert old is not None and new is not None
    assert (new.group(1), _trailing_cut(new.group(2))) == (old.group(1), old.group(2))


def test_codeowners_affiliations_on_an_ordinary_file() -> None:
    text = "# @ann @bo - Acme Corp   \n# @cy: Gamma\t\n* @ann @bo @cy @acme/admins\n/docs/ @dee\n"
    people = {p.handle: p.affiliation for p in _parse_codeowners(text)}
    assert people == {"ann": "Acme Corp", "bo": "Acme Corp", "cy": "Gamma", "dee": None}
