"""People as facts: one roster model from every source, with who is listed, in which role and scope, active or
emeritus, and the line that says so. No judging here.

Rosters come in many shapes: markdown tables with any column names, one or many per document (a table per
subproject, a steering-committee table beside a maintainer table, approvers and reviewers under their headings),
bullet lists ("Name (@handle), Company", "[Name](https://github.com/handle) - Company"), Kubernetes-style
``OWNERS`` YAML with ``OWNERS_ALIASES`` expanded (entries may carry "name,company,handle,email"), a CNCF
``.project`` ``maintainers.yaml``, a CSV, a plain-text ``MAINTAINERS`` file, or, when nothing else names the
maintainers, GitHub's ``CODEOWNERS`` (users, with affiliations from its comments). Each parser returns the same
:class:`Roster` of :class:`Person`; ``rosters(ctx)`` finds them through the project map and marks subprojects'.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from markdown_it.token import Token

from dd_evidence import yamlio
from dd_evidence.context import ScanContext
from dd_evidence.facts.ownership import codeowners_path, parse_codeowners, parse_owners, parse_owners_aliases
from dd_evidence.markdown import tokens as md_tokens
from dd_evidence.parsecache import PACKAGE, ParseCache
from dd_evidence.repoview import RepoView

# The details a roster may give per person, in the order the TOC criterion names them.
FIELDS = ("name", "handle", "email", "affiliation", "areas")

# Header text -> field. Checked in this order, so "GitHub Name" is a handle and "Company Email" an e-mail.
_HEADER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("handle", re.compile(r"github|handle|login|user ?name|\bid\b|slack|account", re.I)),
    ("email", re.compile(r"e-?mail|contact|mail", re.I)),
    ("affiliation", re.compile(r"compan|affiliat|organi[sz]ation|employer|\borg\b|vendor", re.I)),
    (
        "areas",
        re.compile(r"area|responsib|focus|component|scope|repo|subproject|project|domain|role|team|dut(?:y|ies)", re.I),
    ),
    ("name", re.compile(r"name|maintainer|person|who", re.I)),
)

# Section headings that say which role the people below hold; the first that matches wins. Anything else that a
# heading names (a subproject, a team) becomes the people's scope.
_HEADING_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("steering", re.compile(r"steering|\bTSC\b|\bboard\b|council|committee", re.I)),
    ("maintainer", re.compile(r"maintainer|\bowners?\b|\bleads?\b", re.I)),
    ("approver", re.compile(r"approver", re.I)),
    ("reviewer", re.compile(r"reviewer", re.I)),
    ("committer", re.compile(r"committer", re.I)),
    ("member", re.compile(r"\bmembers?\b", re.I)),
    ("contributor", re.compile(r"contributor", re.I)),
)
_ROLE_ONLY_HEADING = re.compile(
    # Each qualifier is atomic: "project" is both a qualifier and the end of "<name> project", and trying both ways
    # for every word of "project project project..." would be exponential.
    r"^(?:(?>(?:the|our|current|active|core|project|org(?:anization)?|all|list of|emeritus|former|\w+\s+project)\s+))*"
    r"(?:maintainers?|owners?|approvers?|reviewers?|committers?|members?|contributors?|leads?|team|people)"
    r"(?:\s+(?:list|team|and\s+\w+))*\s*:?$",
    re.I,
)
# A heading with one of these words starts the part of a roster listing people who stepped down.
_EMERITUS = re.compile(r"emerit|former|alumn|inactive|retired|past\b|previous", re.I)
# Sentences saying there are no per-person areas because everyone covers everything.
_SHARED_AREAS = re.compile(
    r"\ball (?:of (?:the|our) |the )?maintainers\b[^.\n]{0,80}?\b(?:all|every|entire|whole|any)\b"
    r"[^.\n]{0,40}?\b(?:areas?|components?|repositor(?:y|ies)|parts?|project|code ?base|subprojects?)\b"
    r"|\bno (?:specific|individual|assigned|dedicated) (?:areas?|responsibilit)"
    r"|\bshared? (?:responsibility|ownership) (?:for|of) (?:all|the whole|the entire)",
    re.I,
)
# Bounded parts (RFC 5321 lengths) and a start only where a run of address characters starts: linear on a cell
# of "a." * 100000 with no "@".
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_GITHUB_URL = re.compile(r"https?://(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/?(?:[)\s]|$)")
_AT_HANDLE = re.compile(r"(?<![\w.@/])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\b(?!\.\w)")
_MAILTO = re.compile(r"(?<=mailto:)[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A label stops at the next "[" and a target at the next "(": each character is scanned from one start only, so a
# line of 100k "[" is linear, not quadratic.
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\(([^()\s]*)[^()]*\)")


@dataclass(frozen=True)
class Person:
    """One person a roster lists. ``line`` is the 1-based line in the roster file."""

    name: str | None
    handle: str | None
    email: str | None
    affiliation: str | None
    areas: tuple[str, ...] = ()
    line: int = 0
    emeritus: bool = False
    role: str = "maintainer"
    # The subproject, team or area a roster section is about ("Nydus maintainers", "Host"), when it says so.
    scope: str | None = None

    @property
    def label(self) -> str:
        return self.handle or self.name or self.email or "?"

    @property
    def key(self) -> str:
        """One identity per person within a roster: the handle, else the e-mail, else the name (case-folded)."""
        return (self.handle or self.email or self.name or "?").casefold().lstrip("@")


@dataclass(frozen=True)
class Roster:
    """One roster file: the people it lists and which details it gives."""

    repo: RepoView
    path: str
    people: tuple[Person, ...]
    columns_present: tuple[str, ...]
    columns_missing: tuple[str, ...]
    states_shared_areas: bool = False
    header_line: int | None = None
    header_text: str | None = None
    subproject: bool = False
    format: str = "markdown"
    shared_areas_line: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> list[Person]:
        """Current maintainers (not emeritus, not reviewers or committee seats), each person once."""
        seen: set[str] = set()
        found = []
        for person in self.people:
            if not person.emeritus and person.role == "maintainer" and person.key not in seen:
                seen.add(person.key)
                found.append(person)
        return found

    @property
    def scopes(self) -> list[str]:
        """The subprojects, teams or areas the roster's sections are about."""
        return list(dict.fromkeys(p.scope for p in self.people if p.scope))

    @property
    def emeritus(self) -> list[Person]:
        return [p for p in self.people if p.emeritus]

    @property
    def label(self) -> str:
        return f"{self.repo.name}/{self.path}"


# -- parsing ------------------------------------------------------------------------------------------------


def parse_roster(repo: RepoView, path: str, text: str) -> Roster:
    """Parse one roster file by its name and content."""
    name = path.rsplit("/", 1)[-1].lower()
    if name == "codeowners":
        return _from_people(repo, path, text, _parse_codeowners(text), "codeowners")
    if name == "owners" or (name.endswith("owners") and "." not in name):
        return _from_people(
            repo, path, text, _parse_owners(text, _aliases_near(repo, path), f"{repo.name}/{path}"), "owners-yaml"
        )
    if name.endswith((".yaml", ".yml")):
        return _from_people(repo, path, text, _parse_yaml_roster(text, f"{repo.name}/{path}"), "yaml")
    if name.endswith(".csv"):
        people, columns, header_line = _parse_csv(text)
        return _from_people(repo, path, text, people, "csv", columns, header_line)
    return _parse_markdown(repo, path, text)


# The code and data that read who a roster lists (the roster cache's entries are kept per version of these).
ROSTER_CODE = tuple(
    PACKAGE / name
    for name in (
        "facts/history.py",
        "facts/people.py",
        "facts/ownership.py",
        "repoview.py",  # what a read gives (binary files, the size cap)
        "sources/git.py",
        "markdown.py",
        "yamlio.py",
        "data/documents.yaml",
    )
)


def roster_cache(ctx: ScanContext) -> ParseCache:
    """Rosters read, kept on disk by text: who each version of the history window lists, and the current Markdown
    rosters (:func:`parse_roster_cached`); a warm scan reads them back instead of
    parsing them again (most of a warm scan's Markdown parsing)."""
    root = ctx.config.cache_dir if ctx.config.parse_cache else None
    return ctx.memo("roster-cache", lambda: ParseCache(root, "rosters", ROSTER_CODE))


def parse_roster_cached(ctx: ScanContext, repo: RepoView, path: str, text: str) -> Roster:
    """:func:`parse_roster`, with a Markdown roster's answer kept in the scan's roster cache (by file name and
    text), so a warm scan does not parse the rosters again; other formats are cheap and read as they are."""
    name = path.rsplit("/", 1)[-1].lower()
    if name == "codeowners" or name.endswith(("owners", ".yaml", ".yml", ".csv")):
        return parse_roster(repo, path, text)
    cache = roster_cache(ctx)
    key = f"roster\0{name}\0{text}"
    data = cache.load(key)
    if data is not None:
        try:
            return _roster_from_json(repo, path, data)
        except (KeyError, TypeError, ValueError):
            pass  # an entry of another shape: parse again and overwrite it
    roster = parse_roster(repo, path, text)
    if not roster.extra:
        cache.store(key, _roster_to_json(roster))
    return roster


_PERSON_FIELDS = ("name", "handle", "email", "affiliation", "areas", "line", "emeritus", "role", "scope")


def _roster_to_json(roster: Roster) -> dict[str, Any]:
    return {
        "people": [[getattr(p, f) for f in _PERSON_FIELDS] for p in roster.people],
        "columns_present": list(roster.columns_present),
        "columns_missing": list(roster.columns_missing),
        "states_shared_areas": roster.states_shared_areas,
        "header_line": roster.header_line,
        "header_text": roster.header_text,
        "format": roster.format,
        "shared_areas_line": roster.shared_areas_line,
    }


def _roster_from_json(repo: RepoView, path: str, data: dict[str, Any]) -> Roster:
    def text_or_none(value: Any) -> str | None:
        return None if value is None else str(value)

    def int_or_none(value: Any) -> int | None:
        return None if value is None else int(value)

    people = tuple(
        Person(
            text_or_none(name),
            text_or_none(handle),
            text_or_none(email),
            text_or_none(affiliation),
            tuple(str(a) for a in areas),
            int(line),
            bool(emeritus),
            str(role),
            text_or_none(scope),
        )
        for name, handle, email, affiliation, areas, line, emeritus, role, scope in data["people"]
    )
    return Roster(
        repo=repo,
        path=path,
        people=people,
        columns_present=tuple(str(c) for c in data["columns_present"]),
        columns_missing=tuple(str(c) for c in data["columns_missing"]),
        states_shared_areas=bool(data["states_shared_areas"]),
        header_line=int_or_none(data["header_line"]),
        header_text=text_or_none(data["header_text"]),
        format=str(data["format"]),
        shared_areas_line=int_or_none(data["shared_areas_line"]),
    )


def _from_people(
    repo: RepoView,
    path: str,
    text: str,
    people: list[Person],
    fmt: str,
    columns: Iterable[str] | None = None,
    header_line: int | None = None,
) -> Roster:
    present = set(columns) if columns is not None else {f for f in FIELDS for p in people if _has(p, f)}
    shared = _SHARED_AREAS.search(text)
    lines = text.splitlines()
    return Roster(
        repo=repo,
        path=path,
        people=tuple(people),
        columns_present=tuple(f for f in FIELDS if f in present),
        columns_missing=tuple(f for f in FIELDS if f not in present),
        states_shared_areas=shared is not None,
        shared_areas_line=text.count("\n", 0, shared.start()) + 1 if shared else None,
        header_line=header_line,
        header_text=lines[header_line - 1].strip() if header_line and header_line <= len(lines) else None,
        format=fmt,
    )


def _has(person: Person, field_name: str) -> bool:
    value = getattr(person, field_name)
    return bool(value)


def map_header(headers: list[str]) -> dict[int, str]:
    """Column index -> field for a table header, by fuzzy match; each field is taken by its first column."""
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        clean = _plain(header)
        for field_name, pattern in _HEADER_RULES:
            if pattern.search(clean) and field_name not in mapping.values():
                mapping[index] = field_name
                break
    return mapping


def _parse_markdown(repo: RepoView, path: str, text: str) -> Roster:
    tokens = md_tokens(text)
    headings: list[tuple[int, str]] = []  # (level, text) stack of the current section
    people: list[Person] = []
    columns: set[str] = set()
    header_line: int | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = int(token.tag[1:])
            headings = [h for h in headings if h[0] < level] + [(level, tokens[index + 1].content)]
        emeritus = any(_EMERITUS.search(h[1]) for h in headings)
        role, scope = _heading_role(headings)
        if token.type == "table_open":
            rows, end = _table_rows(tokens, index)
            index = end
            if not rows:
                continue
            (head_line, header), body = rows[0], rows[1:]
            mapping = map_header(header)
            if not ({"name", "handle", "email"} & set(mapping.values())):
                continue  # a table, but not of people
            if not emeritus:
                columns |= set(mapping.values())
                header_line = header_line or head_line
            people.extend(
                replace(_row_person(cells, mapping, line, emeritus), role=role, scope=scope) for line, cells in body
            )
            continue
        if token.type == "list_item_open" and token.map:
            inline = next((t for t in tokens[index:] if t.type == "inline"), None)
            person = _bullet_person(inline.content if inline else "", token.map[0] + 1, emeritus)
            if person is not None:
                people.append(replace(person, role=role, scope=scope))
        elif token.type == "paragraph_open" and token.map and index + 1 < len(tokens):
            found = _labelled_person(tokens[index + 1].content, token.map[0] + 1, emeritus)
            if found is not None:
                person, fields = found
                people.append(replace(person, role=role, scope=scope))
                if not emeritus:
                    columns |= fields
                    header_line = header_line or person.line
        index += 1
    if not people and path.rsplit("/", 1)[-1].upper() == "MAINTAINERS":
        # A plain-text MAINTAINERS file: one person per line.
        for number, line in enumerate(text.splitlines(), start=1):
            person = _bullet_person(line, number, False)
            if person is not None:
                people.append(person)
    people = [p for p in people if p.name or p.handle or p.email]
    roster = _from_people(repo, path, text, people, "markdown", columns or None, header_line)
    return roster


def _heading_role(headings: list[tuple[int, str]]) -> tuple[str, str | None]:
    """(role, scope) of the people under ``headings`` (outermost first): the innermost heading naming a role gives
    the role (maintainer by default: the document is a roster), the innermost heading that is more than a role or
    emeritus title gives the scope."""
    role = "maintainer"
    for _, text in headings:
        found = next((name for name, pattern in _HEADING_ROLES if pattern.search(text)), None)
        role = found or role
    scope = None
    for level, text in headings:
        clean = _plain(text).strip()
        if level > 1 and clean and not _ROLE_ONLY_HEADING.match(clean) and not _EMERITUS.fullmatch(clean):
            scope = clean
    return role, scope


def _table_rows(tokens: Sequence[Token], start: int) -> tuple[list[tuple[int, list[str]]], int]:
    """The rows of the table starting at ``tokens[start]`` as (line, cells), and the index after it."""
    rows: list[tuple[int, list[str]]] = []
    index = start
    current: list[str] | None = None
    line = 0
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            current, line = [], (token.map[0] + 1 if token.map else 0)
        elif token.type == "inline" and current is not None:
            current.append(token.content)
        elif token.type == "tr_close" and current is not None:
            rows.append((line, current))
            current = None
        index += 1
    return rows, index + 1


def _row_person(cells: list[str], mapping: dict[int, str], line: int, emeritus: bool) -> Person:
    values: dict[str, str] = {}
    handle = None
    for index, cell in enumerate(cells):
        field_name = mapping.get(index)
        if field_name is None:
            continue
        handle = handle or _handle_in(cell)
        values[field_name] = _plain(cell)
    email = _EMAIL.search(values.get("email", "")) if values.get("email") else None
    if email is None:
        # A name written as a mail link ("[Ann Lee](mailto:ann@acme.example)") gives the contact too.
        email = next((m for cell in cells if (m := _MAILTO.search(cell))), None)
    handle_value = values.get("handle", "")
    if handle is None and handle_value and re.fullmatch(r"@?[A-Za-z0-9-]{1,39}", handle_value):
        handle = handle_value.lstrip("@")
    areas = tuple(a.strip() for a in re.split(r"[,;/]| and ", values.get("areas", "")) if a.strip())
    return Person(
        name=values.get("name") or None,
        handle=handle,
        email=email.group(0) if email else None,
        affiliation=values.get("affiliation") or None,
        areas=areas,
        line=line,
        emeritus=emeritus,
    )


# The value runs to the end of the line and its trailing blanks are cut in Python: "(.+?)\s*$" tried the rest of
# the line after every character, quadratic on a line of 300k blanks.
_LABELLED = re.compile(r"^\s*([A-Za-z][\w /-]{0,30}?)\s*:\s*(.+)$")


def _trailing_cut(value: str) -> str:
    """``value`` without trailing blanks (one character stays), what a lazy ``(.+?)\\s*$`` group held."""
    return value.rstrip() or value[:1]


def _labelled_person(content: str, line: int, emeritus: bool) -> tuple[Person, set[str]] | None:
    """A person written as a paragraph of labelled lines ("Name: Ann Lee", "GitHub: @ann", "Organization: Acme"),
    and the fields the labels give; None unless at least two lines are labelled and one names the person."""
    labels: list[str] = []
    cells: list[str] = []
    for text in content.splitlines():
        match = _LABELLED.match(text)
        if match:
            labels.append(match.group(1))
            cells.append(_trailing_cut(match.group(2)))
    if len(labels) < 2:
        return None
    mapping = map_header(labels)
    if not ({"name", "handle", "email"} & set(mapping.values())):
        return None
    return _row_person(cells, mapping, line, emeritus), set(mapping.values())


def _bullet_person(content: str, line: int, emeritus: bool) -> Person | None:
    """A person from one list item or text line, or None when the line names no handle or e-mail.

    Understood shapes: ``Name (@handle), Company``, ``[Name](https://github.com/handle) - Company``,
    ``Name <mail@x.org> (@handle) Company``, ``@handle - Name, Company``.
    """
    handle = _handle_in(content)
    email_match = _EMAIL.search(content)
    if handle is None and email_match is None:
        return None
    link = _MD_LINK.search(content)
    rest = content
    name = None
    if link and _GITHUB_URL.search(link.group(2) + " "):
        text = link.group(1).strip().lstrip("@")
        name = text if text and text.lower() != (handle or "").lower() else None
        rest = content[: link.start()] + " " + content[link.end() :]
    rest = _MD_LINK.sub(lambda m: m.group(1), rest)
    rest = _EMAIL.sub(" ", rest)
    rest = re.sub(r"https?://\S+", " ", rest)
    rest = _AT_HANDLE.sub(" ", rest)
    rest = re.sub(r"[<>()\[\]*`]", " ", rest)
    parts = [p.strip(" -–—:|,") for p in re.split(r"\s[-–—|:]\s|,|\s{2,}", rest)]
    parts = [p for p in parts if p]
    if name is None and parts:
        name = parts.pop(0)
    affiliation = parts[0] if parts else None
    return Person(
        name=name or None,
        handle=handle,
        email=email_match.group(0) if email_match else None,
        affiliation=affiliation,
        line=line,
        emeritus=emeritus,
    )


def _handle_in(text: str) -> str | None:
    url = _GITHUB_URL.search(text + " ")
    if url and url.group(1).lower() not in ("orgs", "sponsors", "apps"):
        return url.group(1)
    at = _AT_HANDLE.search(_EMAIL.sub(" ", text))
    return at.group(1) if at else None


def _plain(cell: str) -> str:
    """Markdown cell text without links, emphasis and code marks."""
    text = _MD_LINK.sub(lambda m: m.group(1), cell)
    return re.sub(r"[*_`]+", "", text).strip()


def _aliases_near(repo: RepoView, path: str) -> dict[str, list[str]]:
    """The OWNERS_ALIASES beside an OWNERS file, else the repository root's."""
    folder = path.rpartition("/")[0]
    for candidate in dict.fromkeys([f"{folder}/OWNERS_ALIASES".lstrip("/"), "OWNERS_ALIASES"]):
        if repo.exists(candidate):
            return parse_owners_aliases(repo.read(candidate) or "", f"{repo.name}/{candidate}")
    return {}


def _parse_owners(text: str, aliases: dict[str, list[str]] | None = None, name: str | None = None) -> list[Person]:
    """Kubernetes-style OWNERS: approvers are maintainers, reviewers reviewers, the emeritus lists emeritus."""
    return [
        Person(e.name, e.login, e.email, e.affiliation, (), e.line, e.emeritus, e.role)
        for e in parse_owners(text, aliases, name)
    ]


_AFFILIATION_COMMENT = re.compile(r"^\s*#\s*((?:@[\w.-]+[\s,]*)+)[-:–—]\s*(.+)$")  # trailing blanks: _trailing_cut


def _parse_codeowners(text: str) -> list[Person]:
    """The users a CODEOWNERS file names (teams are not people), with affiliations from comment lines that list
    handles and a company ("# @ana @bo - Acme")."""
    affiliation: dict[str, str] = {}
    for line in text.splitlines():
        match = _AFFILIATION_COMMENT.match(line)
        if match:
            for handle in re.findall(r"@([\w.-]+)", match.group(1)):
                affiliation[handle.casefold()] = _trailing_cut(match.group(2))
    people: dict[str, Person] = {}
    for owner in parse_codeowners(text):
        if owner.kind == "user" and owner.login.casefold() not in people:
            people[owner.login.casefold()] = Person(
                None, owner.login, None, affiliation.get(owner.login.casefold()), (), owner.line
            )
    return list(people.values())


def _parse_yaml_roster(text: str, name: str | None = None) -> list[Person]:
    """A ``.project/maintainers.yaml`` or similar: lists of handles or of person mappings, at any depth.

    A key containing an emeritus word marks everything below it as emeritus.
    """
    try:
        data = yamlio.safe_load(text, name=name)
    except yaml.YAMLError:
        return []
    lines = text.splitlines()
    people: list[Person] = []

    def walk(node: Any, emeritus: bool, area: str | None) -> None:
        if isinstance(node, dict):
            person = _yaml_person(node, lines, emeritus, area)
            if person is not None:
                people.append(person)
                return
            team = node.get("name") if isinstance(node.get("name"), str) else area
            for key, value in node.items():
                walk(value, emeritus or bool(_EMERITUS.search(str(key))), team)
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, str):
                    handle = item.strip().lstrip("@")
                    areas = (area,) if area else ()
                    people.append(Person(None, handle, None, None, areas, _line_of(lines, handle), emeritus))
                else:
                    walk(item, emeritus, area)

    walk(data, False, None)
    return people


def _yaml_person(node: dict[str, Any], lines: list[str], emeritus: bool, area: str | None) -> Person | None:
    keys = {str(k).lower(): v for k, v in node.items() if isinstance(v, (str, int))}
    handle = next((str(keys[k]) for k in ("github", "handle", "login", "github_id", "username") if k in keys), None)
    email = next((str(keys[k]) for k in ("email", "e-mail", "contact") if k in keys), None)
    if handle is None and email is None:
        return None
    affiliation = next(
        (str(keys[k]) for k in ("company", "affiliation", "organization", "employer") if k in keys), None
    )
    own_areas = node.get("areas") or node.get("area") or node.get("responsibilities") or ()
    areas = tuple(own_areas) if isinstance(own_areas, list) else ((str(own_areas),) if own_areas else ())
    return Person(
        name=str(keys["name"]) if "name" in keys else None,
        handle=handle.lstrip("@") if handle else None,
        email=email,
        affiliation=affiliation,
        areas=areas or ((area,) if area else ()),
        line=_line_of(lines, handle or email or ""),
        emeritus=emeritus,
    )


def _parse_csv(text: str) -> tuple[list[Person], set[str], int | None]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], set(), None
    mapping = map_header(rows[0])
    people = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [f"[{c}](https://github.com/{c})" if mapping.get(i) == "handle" and c else c for i, c in enumerate(row)]
        person = _row_person(cells, mapping, number, False)
        if person.name or person.handle:
            people.append(person)
    return people, set(mapping.values()), 1


def _line_of(lines: list[str], needle: str) -> int:
    return next((i for i, line in enumerate(lines, start=1) if needle and needle in line), 0)


# -- finding rosters across the org -------------------------------------------------------------------------

# Rosters in these repositories are the project's own; elsewhere they belong to a subproject.
PROJECT_ROLES = ("community", "main", "org-profile", "website")


def rosters(ctx: ScanContext) -> list[Roster]:
    """Every roster of the scan that lists at least one person, the project's own first.

    Rosters are the documents the project map gives the maintainers role (by name, folder, title, or a stub
    pointing at them). Those in repos other than the project's own (community, main, org profile, website) are
    marked ``subproject``. Stubs and prose files that list nobody are left out. When no project repository has a
    roster, the main repository's CODEOWNERS stands in (its users, with affiliations its comments give).
    """
    return ctx.memo("roster.rosters", lambda: _rosters(ctx))


def _rosters(ctx: ScanContext) -> list[Roster]:
    from dd_evidence.facts.projectmap import project_map

    pmap = project_map(ctx)
    found: list[Roster] = []
    seen: set[tuple[str, str]] = set()
    for hit in pmap.hits("maintainers"):
        if hit.key in seen or hit.is_stub:
            continue
        seen.add(hit.key)
        text = pmap.text(hit.repo, hit.path)
        if not text:
            continue
        roster = parse_roster_cached(ctx, hit.repo, hit.path, text)
        if not roster.people:
            continue
        found.append(replace(roster, subproject=hit.repo.role not in PROJECT_ROLES))
    main = ctx.main_repo
    if main is not None and not any(not r.subproject and r.active for r in found):
        path = codeowners_path(main)
        if path is not None:
            roster = parse_roster(main, path, main.read(path) or "")
            if roster.people:
                found.append(roster)
    return sorted(found, key=lambda r: r.subproject)


# The details the TOC criterion asks for, as groups of fields: a roster that gives more of them is the better one.
DETAIL_GROUPS = (("name",), ("email", "handle"), ("affiliation",), ("areas",))


def completeness(roster: Roster) -> int:
    """How many of the criterion's details (name, contact, affiliation, area) a roster gives."""
    return sum(any(f in roster.columns_present for f in group) for group in DETAIL_GROUPS)


def project_roster(ctx: ScanContext) -> Roster | None:
    """The project's own roster: of the rosters with active maintainers outside the subproject repos, the one
    giving most of the details the criterion asks for (the first one found on a tie)."""
    own = [r for r in rosters(ctx) if not r.subproject and r.active]
    if not own:
        return None
    return max(own, key=lambda r: (completeness(r), -own.index(r)))


def subproject_rosters(ctx: ScanContext) -> list[Roster]:
    return [r for r in rosters(ctx) if r.subproject and r.active]
