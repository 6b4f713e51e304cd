"""One text document of a scanned repository as the project map knows it: its roles, and the signal that
decided each one, so a report can say *why* a file was read as the governance or the maintainer list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dd_evidence.model import Evidence
from dd_evidence.repoview import RepoView

# Signal kinds, strongest first: a file's own name says most about what it is.
SIGNAL_KINDS = ("name", "folder", "pointer", "org-default", "title", "content")


@dataclass(frozen=True)
class Signal:
    """What made a document hold a role: its file ``name``, its ``folder``, its ``title``, its ``content``, a
    stub ``pointer`` to it, or the org's ``.github`` defaults."""

    kind: str
    detail: str
    line: int | None = None
    rank: int = 0

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        what = {
            "name": "file name",
            "folder": "folder",
            "title": "title",
            "content": "content:",
            "pointer": "pointed to by",
            "org-default": "org default from",
        }.get(self.kind, self.kind)
        return f"{what} {self.detail}{where}"

    @property
    def strength(self) -> int:
        return SIGNAL_KINDS.index(self.kind) if self.kind in SIGNAL_KINDS else len(SIGNAL_KINDS)


@dataclass(eq=False)
class Doc:
    """A document of the map. Identity is the object (one per repository path per scan).

    ``points_to`` is set for a stub (a short file that only points elsewhere), ``target`` when the pointer was
    followed to a document of the scan. ``refusal`` says why a document that exists was not read.
    """

    repo: RepoView
    path: str
    roles: dict[str, Signal] = field(default_factory=dict)
    title: str | None = None
    title_line: int | None = None
    line_count: int = 0
    read: bool = False
    refusal: str | None = None
    points_to: str | None = None
    target: Doc | None = None
    excluded: str | None = None

    @property
    def is_stub(self) -> bool:
        return self.points_to is not None

    @property
    def label(self) -> str:
        return f"{self.repo.name}/{self.path}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.repo.full_name, self.path)

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def has(self, role: str) -> bool:
        return role in self.roles

    def why(self, role: str) -> str | None:
        """The signal that gave this document ``role``, in words (for reports)."""
        signal = self.roles.get(role)
        return signal.describe() if signal else None

    def evidence(self) -> Evidence:
        return self.repo.evidence(self.path, 1, self.line_count or None)

    def final(self) -> Doc:
        """The document a chain of stubs ends at (itself when it is not a resolved stub)."""
        seen = {id(self)}
        doc = self
        while doc.target is not None and id(doc.target) not in seen:
            seen.add(id(doc.target))
            doc = doc.target
        return doc

    def __repr__(self) -> str:
        return f"Doc({self.label}, roles={sorted(self.roles)})"


_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Values and heading texts run to the end of the line; trailing blanks (and a heading's closing #s) are cut in
# Python. A lazy "(.+?)\s*$" tried the rest of the line after every character: minutes on a line of 300k blanks.
_FRONT_FIELD = re.compile(r"^(title|slug|url|permalink|linkTitle)\s*:\s*(.+)$", re.MULTILINE)
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+)$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ADOC_TITLE = re.compile(r"^=[ \t]+(.+)$")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}[ \t]*$")
# How far into a document its title may be (badges, HTML logos and comments often come first).
TITLE_WINDOW = 60


def front_matter(text: str) -> dict[str, str]:
    """The simple scalar fields of a YAML front matter block (title, slug, url, permalink), unquoted.

    Read with a pattern, not a YAML parser: front matter is untrusted, and only these fields matter here.
    """
    match = _FRONT_MATTER.match(text[:20_000])
    if not match:
        return {}
    found: dict[str, str] = {}
    for field_match in _FRONT_FIELD.finditer(match.group(1)):
        value = field_match.group(2).strip().strip("'\"").strip()
        found.setdefault(field_match.group(1).lower(), value)
    return found


def _without_closing_hashes(content: str) -> str:
    """An ATX heading's text without its optional closing sequence: ``#`` s at the end preceded by a blank (so
    ``## C#`` is "C#" and ``## Governance ##`` is "Governance"), in linear time."""
    content = content.rstrip(" \t")
    bare = content.rstrip("#")
    if bare != content and (not bare or bare[-1] in " \t"):
        return bare.rstrip(" \t")
    return content


def title_of(text: str, ext: str) -> tuple[str, int] | None:
    """(title, 1-based line): the front matter ``title``, else the first heading (Markdown ATX or setext,
    AsciiDoc ``= Title``, reStructuredText underlined), within the first lines of the document."""
    fields = front_matter(text)
    if fields.get("title"):
        return _clean(fields["title"]), 1
    lines = text.splitlines()[:TITLE_WINDOW]
    fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if fence:
            continue
        if ext in ("adoc", "asciidoc"):
            match = _ADOC_TITLE.match(line)
            if match:
                return _clean(match.group(1)), index + 1
            continue
        if ext == "rst":
            nxt = lines[index + 1] if index + 1 < len(lines) else ""
            if line.strip() and _RST_UNDERLINE.match(nxt) and not _RST_UNDERLINE.match(line):
                return _clean(line), index + 1
            continue
        atx = _ATX.match(line)
        if atx:
            return _clean(_without_closing_hashes(atx.group(2)) or atx.group(2)[:1]), index + 1
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if line.strip() and not line.startswith((" " * 4, "<", "[", "!")) and _SETEXT.match(nxt):
            return _clean(line), index + 1
    return None


def _clean(title: str) -> str:
    # A label stops at the next "[" and a target at the next "(": linear on a line of brackets.
    title = re.sub(r"!?\[([^\[\]]*)\]\([^()]*\)", r"\1", title)
    title = re.sub(r"<[^>]+>|[*_`]", "", title)
    return re.sub(r"\s+", " ", title).strip()[:200]
