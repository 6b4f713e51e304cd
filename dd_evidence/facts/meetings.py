"""Meeting notes as facts: dated notes files (a date in the path, or dates their lines start with) across every
scanned repository. Which paths are notes is the knowledge of ``data/documents.yaml`` (``meeting_notes``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from dd_evidence.facts.knowledge import load_data
from dd_evidence.facts.paths import excluded
from dd_evidence.repoview import RepoView

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext


@functools.cache
def _notes_path() -> re.Pattern[str]:
    words = load_data("documents.yaml").get("meeting_notes", {}).get("path_words") or ["meeting"]
    alternatives = "|".join("[-_ ]".join(re.escape(part) for part in str(w).split("-")) for w in words)
    return re.compile(rf"(^|/)[^/]*({alternatives})[^/]*(/|$)", re.IGNORECASE)


_PATH_DATE = re.compile(r"(20\d\d)[-_/.]?(0[1-9]|1[0-2])[-_/.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_TEXT_DATE = re.compile(
    rf"(20\d\d)[-/.](0[1-9]|1[0-2])[-/.](0[1-9]|[12]\d|3[01])(?!\d)|"
    rf"\b({_MONTHS})[a-z]*\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (20\d\d)\b",
    re.IGNORECASE,
)
# Trees whose files are never the project's meeting notes.
_NOT_NOTES = ("vendored", "test data", "examples", "templates")


@dataclass(frozen=True)
class MeetingNote:
    repo: RepoView
    path: str
    line: int
    day: date


def _text_dates(text: str) -> list[tuple[int, date]]:
    """(line, day) of every date in ``text``, lines numbered as ``splitlines`` numbers them.

    Every date holds a year ``20dd``, and none spans a line break (its characters are digits, letters, spaces and
    ``-/.,``): only lines with a "20" are searched. Meeting notes run to megabytes, and one search of the whole
    text tries the month names at every position (ten times slower on kubernetes/community's notes)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "20" not in line:
            continue
        for match in _TEXT_DATE.finditer(line):
            try:
                if match.group(1):
                    day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                else:
                    month = _MONTHS.split("|").index(match.group(4).lower()[:3]) + 1
                    day = date(int(match.group(6)), month, int(match.group(5)))
            except ValueError:
                continue
            found.append((number, day))
    return found


def meeting_notes(ctx: ScanContext) -> list[MeetingNote]:
    """Dated meeting notes: dates in notes paths (``meetings/2025-09-09/README.md``) or, for notes files
    without a dated path, the dates their lines start with or headings carry."""
    notes: list[MeetingNote] = []
    for repo in ctx.repos:
        for path in repo.files:
            if not _notes_path().search(path) or "release" in path.lower() or excluded(path) in _NOT_NOTES:
                continue
            match = _PATH_DATE.search(path)
            if match:
                try:
                    day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                except ValueError:
                    continue
                notes.append(MeetingNote(repo, path, 1, day))
            elif path.lower().endswith(".md"):
                text = repo.read(path) or ""
                notes.extend(MeetingNote(repo, path, n, d) for n, d in _text_dates(text))
    return notes
