"""Whole-text searches that stand in for line-by-line ones must find the same things on the same line numbers,
whatever the line breaks (``str.splitlines`` knows more than ``\\n``)."""

from __future__ import annotations

from datetime import date

from memrepo import context

from dd_evidence.facts import parsed
from dd_evidence.facts.channels import expiring_invites
from dd_evidence.facts.meetings import _TEXT_DATE, _text_dates
from dd_evidence.probes.links import invite_links

BREAKS = ["\n", "\r\n", "\r", "\x0c", "\u2028", "\x85"]


def line_by_line_dates(text: str) -> list[tuple[int, date]]:
    """The reference: each line on its own."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _TEXT_DATE.finditer(line):
            if match.group(1):
                try:
                    found.append((number, date(int(match.group(1)), int(match.group(2)), int(match.group(3)))))
                except ValueError:
                    continue
            else:
                months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
                try:
                    day = date(int(match.group(6)), months.index(match.group(4).lower()[:3]) + 1, int(match.group(5)))
                except ValueError:
                    continue
                found.append((number, day))
    return found


def test_dates_are_found_on_the_lines_splitlines_gives() -> None:
    lines = [
        "# Meeting notes",
        "2024-03-05",
        "## March 7, 2024 and 2024/02/30 (no such day) then 2024.04.01",
        "",
        "Sept 9th 2024? no: Sep 9th, 2024 yes",
        "x2024-01-0123 is no date; 2025-12-31",
    ]
    for glue in BREAKS:
        text = glue.join(lines) + glue
        assert _text_dates(text) == line_by_line_dates(text), repr(glue)
    assert _text_dates("\n".join(lines)) == [
        (2, date(2024, 3, 5)),
        (3, date(2024, 3, 7)),
        (3, date(2024, 4, 1)),
        (5, date(2024, 9, 9)),  # "Sept 9th 2024"
        (5, date(2024, 9, 9)),  # "Sep 9th, 2024"
        (6, date(2025, 12, 31)),  # not the digits glued to "x2024-01-0123"
    ]


def test_invite_links_are_found_on_the_lines_splitlines_gives() -> None:
    lines = [
        "# Join us",
        "Slack: https://join.slack.com/t/acme/shared_invite/zt-abc) and discord.gg/acme",
        "nothing here",
        "WeChat: https://u.wechat.com/xyz",
    ]
    for glue in BREAKS:
        text = glue.join(lines)
        ctx = context({"acme": {"README.md": text}})
        doc = parsed(ctx, ctx.repos[0], "README.md")
        expected = []
        for number, line in enumerate(text.splitlines(), start=1):
            for service, pattern in expiring_invites():
                match = pattern.search(line)
                if match:
                    expected.append((number, service, match.group(0).rstrip(").,>]")))
        assert [(h.line, h.service, h.url) for h in invite_links(doc)] == expected, repr(glue)
        assert [h.line for h in invite_links(doc)] == [2, 2, 4]
    ctx = context({"acme": {"README.md": "no invites at all\n"}})
    assert invite_links(parsed(ctx, ctx.repos[0], "README.md")) == []
