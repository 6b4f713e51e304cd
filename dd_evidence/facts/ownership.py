"""Code ownership files as facts: GitHub's CODEOWNERS and Kubernetes-style OWNERS / OWNERS_ALIASES, parsed once
here for every probe (presence, ownership vs roster, roster history). No judging.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from dd_evidence import yamlio
from dd_evidence.facts.knowledge import load_data
from dd_evidence.facts.paths import excluded, split_name
from dd_evidence.repoview import RepoView

# Kubernetes-style repos keep one OWNERS per directory; a cap keeps huge trees cheap.
MAX_OWNERS_FILES = 200
# An e-mail starts only where a run of address characters starts (linear on "+++...", no "@").
_OWNER = re.compile(r"(?<![\w/])@[\w.-]+(?:/[\w.-]+)?|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+")
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
_TEAM = re.compile(r"^@([\w.-]+)/([\w.-]+)$")


CODEOWNERS_REMEDY = "Add a .github/CODEOWNERS naming the maintainers' team to each repository without one."


@functools.cache
def codeowners_locations() -> tuple[str, ...]:
    """Where GitHub reads CODEOWNERS from, first match wins (``data/documents.yaml``)."""
    return tuple(load_data("documents.yaml").get("codeowners_locations") or ())


@dataclass(frozen=True)
class CodeOwner:
    """One owner a CODEOWNERS line names: ``@user``, ``@org/team`` or an e-mail address, and its line."""

    value: str
    line: int

    @property
    def kind(self) -> str:
        if self.value.startswith("@"):
            return "team" if "/" in self.value else "user"
        return "email"

    @property
    def login(self) -> str:
        return self.value.lstrip("@")


def parse_codeowners(text: str) -> list[CodeOwner]:
    """Every owner named on a rule line of a CODEOWNERS file (comments and path patterns ignored)."""
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        for token in line.split()[1:]:
            if _OWNER.fullmatch(token):
                found.append(CodeOwner(token, number))
    return found


def owners_named(text: str) -> set[str]:
    """The @users, @org/teams and e-mail addresses a CODEOWNERS file names."""
    return {o.value for o in parse_codeowners(text)}


def team_parts(team: str) -> tuple[str, str]:
    """(org, slug) of an ``@org/team`` owner."""
    match = _TEAM.match(team)
    return (match.group(1), match.group(2)) if match else (team.lstrip("@"), "")


def codeowners_path(repo: RepoView) -> str | None:
    """The CODEOWNERS file GitHub uses for ``repo``, if any."""
    return next((p for p in codeowners_locations() if repo.exists(p)), None)


def owners_files(repo: RepoView) -> list[str]:
    """Kubernetes-style OWNERS files of ``repo`` (vendored copies left out), the root first, capped."""
    found = [
        p
        for p in repo.files
        if p.rsplit("/", 1)[-1] == "OWNERS" and excluded(p) not in ("vendored", "examples", "templates")
    ]
    return sorted(found, key=lambda p: (p.count("/"), p))[:MAX_OWNERS_FILES]


@dataclass(frozen=True)
class OwnersEntry:
    """One person of an OWNERS file: which list they are on, and the line. Generated OWNERS listings may write
    an entry as "name,company,handle,email"; then name, affiliation and e-mail are known too."""

    login: str
    list_name: str  # approvers, reviewers, emeritus_approvers, emeritus_reviewers
    line: int
    name: str | None = None
    affiliation: str | None = None
    email: str | None = None

    @property
    def emeritus(self) -> bool:
        return self.list_name.startswith("emeritus")

    @property
    def role(self) -> str:
        return "reviewer" if "reviewer" in self.list_name else "maintainer"


OWNERS_LISTS = ("approvers", "reviewers", "emeritus_approvers", "emeritus_reviewers")


def parse_owners(text: str, aliases: dict[str, list[str]] | None = None, name: str | None = None) -> list[OwnersEntry]:
    """The approvers, reviewers and emeritus lists of an OWNERS file; alias names expand through ``aliases``."""
    data = _yaml_mapping(text, name)
    lines = text.splitlines()
    found = []
    for key in OWNERS_LISTS:
        items = data.get(key)
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, str):
                continue
            name = item.strip().lstrip("@")
            if "," in name:
                entry = _described_entry(name, key, _line_of(lines, name))
                if entry is not None:
                    found.append(entry)
                continue
            members = (aliases or {}).get(name)
            for login in members if members is not None else [name]:
                if _LOGIN.fullmatch(login):
                    found.append(OwnersEntry(login, key, _line_of(lines, login)))
    return found


# Bounded parts and a start only where a run of address characters starts: linear on hostile runs.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


def _described_entry(text: str, list_name: str, line: int) -> OwnersEntry | None:
    """An entry written as comma-separated fields: the e-mail is the field with an "@", the handle the login-like
    field next to it, the name the first field and the affiliation what is left."""
    fields = [f.strip() for f in text.split(",") if f.strip()]
    email = next((f for f in fields if _EMAIL.fullmatch(f)), None)
    rest = [f for f in fields if f != email]
    logins = [f for f in rest[1:] if _LOGIN.fullmatch(f.lstrip("@"))]
    if not logins:
        return None
    login = logins[-1].lstrip("@")
    others = [f for f in rest if f.lstrip("@") != login]
    name = others[0] if others else None
    affiliation = ", ".join(others[1:]) or None
    return OwnersEntry(login, list_name, line, name, affiliation, email)


def parse_owners_aliases(text: str, name: str | None = None) -> dict[str, list[str]]:
    """alias -> logins of an OWNERS_ALIASES file."""
    data = _yaml_mapping(text, name)
    aliases = data.get("aliases")
    if not isinstance(aliases, dict):
        return {}
    return {
        str(name): [str(m).strip().lstrip("@") for m in members if isinstance(m, str)]
        for name, members in aliases.items()
        if isinstance(members, list)
    }


def _yaml_mapping(text: str, name: str | None = None) -> dict[str, object]:
    """A YAML mapping, {} for malformed YAML; a hostile document (alias bomb, deep nesting) raises
    :class:`~dd_evidence.yamlio.YAMLRefused` (not available), never reads as an empty file."""
    try:
        data = yamlio.safe_load(text, name=name)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _line_of(lines: list[str], needle: str) -> int:
    return next((i for i, line in enumerate(lines, start=1) if needle and needle in line), 0)


@dataclass
class RepoOwners:
    """What one repository's ownership files declare."""

    repo: RepoView
    paths: list[str] = field(default_factory=list)
    handles: set[str] = field(default_factory=set)  # "@alice", casing as written
    teams: set[str] = field(default_factory=set)  # "@org/team"
    emails: set[str] = field(default_factory=set)
    docs_only: bool = False

    @property
    def has_owners(self) -> bool:
        return bool(self.paths)


def repo_owners(repo: RepoView) -> RepoOwners:
    """CODEOWNERS (where GitHub reads it) plus every OWNERS file, with OWNERS_ALIASES expanded."""
    found = RepoOwners(repo, docs_only=docs_only(repo.files))
    codeowners = codeowners_path(repo)
    if codeowners is not None:
        found.paths.append(codeowners)
        for owner in parse_codeowners(repo.read(codeowners) or ""):
            if owner.kind == "team":
                found.teams.add(owner.value)
            elif owner.kind == "user":
                found.handles.add(owner.value)
            else:
                found.emails.add(owner.value.casefold())
    aliases = (
        parse_owners_aliases(repo.read("OWNERS_ALIASES") or "", f"{repo.name}/OWNERS_ALIASES")
        if repo.exists("OWNERS_ALIASES")
        else {}
    )
    for path in owners_files(repo):
        found.paths.append(path)
        for entry in parse_owners(repo.read(path) or "", aliases, f"{repo.name}/{path}"):
            if entry.list_name in ("approvers", "reviewers"):
                found.handles.add("@" + entry.login)
    return found


# Files that make a repository "docs only": text, images and repository housekeeping. A repo with nothing else
# (a community, governance or website-content repo) has no code to own.
_DOC_SUFFIXES = frozenset(
    ("md", "markdown", "mdx", "rst", "txt", "adoc", "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "pdf", "pptx")
    + ("key",)
)
_HOUSEKEEPING = {"license", "notice", "authors", "owners", "owners-aliases", "codeowners", "maintainers", "copying",
                 "security", "security-contacts", "dco", "cname"}  # fmt: skip


def docs_only(files: Iterable[str]) -> bool:
    """Whether a tree holds only documents, images, data and housekeeping (no source code to own)."""
    for path in files:
        folder, stem, ext = split_name(path)
        name = path.rsplit("/", 1)[-1].lower()
        if path.startswith(".github/") or name.startswith("."):
            continue  # CI and editor configuration is housekeeping, not code to own
        if ext in _DOC_SUFFIXES or stem.lower().replace("_", "-").split(".")[0] in _HOUSEKEEPING:
            continue
        return False
    return True


# Repositories that hold the project's documents or website rather than code.
NO_CODE_ROLES = ("community", "website", "org-profile")


def needs_owners(repo: RepoView) -> bool:
    """Whether a repository has code whose ownership the governance should declare: not a community, website or
    org-profile repository, and not a tree of documents only."""
    return repo.role not in NO_CODE_ROLES and not docs_only(repo.files)
