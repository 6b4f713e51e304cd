"""The project map: every text document of every scanned repository, classified into roles once per scan.

Built lazily on the first probe's request (``project_map(ctx)``, memoised in the scan context), so a test that
builds a context by hand gets the same map a real scan does. Probes ask the map for documents by role
(:meth:`ProjectMap.documents`), for a repository's community health file with GitHub's org-default rule
(:meth:`ProjectMap.health_file`), for the website page behind a URL (:meth:`ProjectMap.resolve_url`), and for the
sections of a role inside other documents (:meth:`ProjectMap.sections`); none of them keeps a list of file names.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from dd_evidence.facts.documents import Doc, Signal, title_of
from dd_evidence.facts.knowledge import ROLES, TOP_FOLDERS, knowledge
from dd_evidence.facts.links import LinkTarget, file_in, github_repo_link, github_target, relative_target
from dd_evidence.facts.parsed import ParsedDoc, parse_in_bulk, parsed
from dd_evidence.facts.paths import (
    candidate_document_paths,
    excluded,
    is_candidate_path,
    is_text,
    path_roles,
    split_name,
)
from dd_evidence.facts.sites import Site, detect_sites, host_of, readme_website
from dd_evidence.mdsections import Section
from dd_evidence.repoview import RepoView

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

# The order repositories are searched in: where governance usually lives first.
REPO_ORDER = {"community": 0, "org-profile": 1, "main": 2, "website": 3, "other": 4}
# Documents whose extension says "documentation" (the stub rule looks for links to such files).
_DOC_URL = re.compile(r"\.(md|mdx|markdown|rst|adoc|txt)(#.*)?$|/(blob|tree)/", re.IGNORECASE)
README_NAMES = ("README.md", "README", "README.rst", "README.markdown", "README.adoc", "readme.md", "Readme.md")
# A "moved to" pointer document is still short: at most this many non-empty lines.
MOVED_MAX_LINES = 15
# How many stubs in a row are followed (a stub pointing at a stub...).
MAX_HOPS = 3


def readme_paths(repo: RepoView) -> list[str]:
    """Every README GitHub may show for ``repo``: the root one, ``.github/`` and ``docs/`` ones, and for the org's
    ``.github`` repository its org profile (``profile/README.md``)."""
    found = [p for p in repo.find(README_NAMES, dirs=("", ".github", "docs"))]
    if repo.role == "org-profile" or repo.name.lower() == ".github":
        found += [p for p in repo.find(README_NAMES, dirs=("profile", ".github/profile")) if p not in found]
    return found


def issue_templates(repo: RepoView) -> list[str]:
    """Issue templates GitHub offers in ``repo``: ``.github/ISSUE_TEMPLATE/*`` and an ``ISSUE_TEMPLATE.md`` in the
    root, ``.github/`` or ``docs/``."""
    found = [p for p in repo.files if p.lower().startswith(".github/issue_template/")]
    return found + [p for p in repo.find(["ISSUE_TEMPLATE.md"]) if p not in found]


# The memo keys of the map and of its bulk parse (the scan gives up on both when their preparation hangs).
MAP_KEY = "facts.project-map"
PARSED_AHEAD_KEY = "parsed-ahead"


def project_map(ctx: ScanContext) -> ProjectMap:
    """The scan's project map, built on first use."""
    return ctx.memo(MAP_KEY, lambda: ProjectMap(ctx))


class ProjectMap:
    """Documents by role across the scan, with the signal behind each role; see the module docstring."""

    def __init__(self, ctx: ScanContext):
        self.ctx = ctx
        self.repos: list[RepoView] = sorted(ctx.repos, key=lambda r: (REPO_ORDER.get(r.role, 5), r.name))
        self._rank = {r.full_name: i for i, r in enumerate(self.repos)}
        self._docs: dict[tuple[str, str], Doc] = {}
        self._texts: dict[tuple[str, str], str] = {}
        # Probes run in threads: every change to the documents (a lazy read) and every walk over them holds it.
        self._lock = threading.RLock()
        self._sections: dict[str, list[tuple[ParsedDoc, Section]]] = {}
        for repo in self.repos:
            self._classify_repo(repo)
        self.sites: list[Site] = detect_sites(self.repos, self._homepage())
        self._project_hosts = {h for s in self.sites for h in s.hosts} | {host_of(ctx.project.homepage or "")} - {""}
        self._find_stubs()

    # -- building ---------------------------------------------------------------------------------------------
    def _doc(self, repo: RepoView, path: str) -> Doc:
        key = (repo.full_name, path)
        with self._lock:
            doc = self._docs.get(key)
            if doc is None:
                doc = Doc(repo, path, excluded=excluded(path))
                self._docs[key] = doc
            return doc

    def _snapshot(self) -> list[Doc]:
        with self._lock:
            return list(self._docs.values())

    def _classify_repo(self, repo: RepoView) -> None:
        for path in repo.files:
            found = path_roles(path)
            if found:
                doc = self._doc(repo, path)
                for role, signal in found.items():
                    doc.roles[role] = Signal(signal.kind, signal.matched, None, signal.rank)
        readme = self._readme_path(repo)
        wanted = list(dict.fromkeys([*([readme] if readme else []), *self.candidates(repo)]))
        repo.preload(wanted)  # in bulk: a few cat-file runs, not two round trips per document
        for path in wanted:
            self._read(repo, path, is_readme=path == readme)

    def _read(self, repo: RepoView, path: str, is_readme: bool = False) -> Doc:
        doc = self._doc(repo, path)
        if doc.read or doc.refusal:
            return doc
        text = repo.read(path)
        if text is None:
            doc.refusal = repo.read_refusal(path) or "not readable"
            return doc
        doc.read = True
        self._texts[doc.key] = text
        doc.line_count = text.count("\n") + (0 if text.endswith("\n") else 1)
        ext = split_name(path)[2]
        if is_text(path) or not ext:
            found = title_of(text, ext)
            if found:
                doc.title, doc.title_line = found
        if doc.title and not is_readme and not doc.excluded:
            # A file named for one thing and titled with words of another ("Security Release Process") keeps
            # the role its name gives; a title only adds roles of the same family.
            named = {r for r, signal in doc.roles.items() if signal.kind in ("name", "folder")}
            for rules in knowledge().roles:
                if rules.role in doc.roles or (named and not knowledge().related(rules.role, named)):
                    continue
                hit = next((p for p in rules.titles if p.search(doc.title)), None)
                if hit is not None:
                    doc.roles[rules.role] = Signal("title", repr(doc.title), doc.title_line)
        return doc

    def _readme_path(self, repo: RepoView) -> str | None:
        return next((p for p in repo.find(README_NAMES, dirs=("",))), None)

    def _homepage(self) -> str | None:
        if self.ctx.project.homepage:
            return self.ctx.project.homepage
        main = self.ctx.main_repo
        if main is None:
            return None
        readme = self._readme_path(main)
        return readme_website(self.text(main, readme)) if readme else None

    def _find_stubs(self) -> None:
        info = knowledge()
        for doc in list(self._docs.values()):
            if not doc.roles or not doc.read:
                continue
            text = self._texts.get(doc.key, "")
            lines = [line for line in text.splitlines() if line.strip()]
            if len(lines) > MOVED_MAX_LINES or split_name(doc.path)[2] not in ("md", "markdown", "mdx", ""):
                continue
            parsed_text = self.parsed(doc).document  # through the parse cache: a warm scan parses nothing
            links = [link.url for link in parsed_text.links if not link.image]
            # A document with sections of its own (a second heading) says something itself, however short.
            short = len(lines) <= info.stub_max_lines and len(parsed_text.headings) <= 1
            moved = any(p.search(text) for p in info.moved_phrases)
            target = next((u for u in links if short and self._is_project_document_link(u)), None)
            if target is None and moved:
                target = next((u for u in links if u.startswith(("http://", "https://"))), None)
            if target is not None:
                doc.points_to = target
        for doc in list(self._docs.values()):
            if doc.points_to is not None:
                self._follow(doc)

    def _is_project_document_link(self, url: str) -> bool:
        """A link to another document of the project itself: relative, on GitHub under one of its orgs, or a
        page of one of its websites. A short file linking outside the project (say, to the CNCF Code of
        Conduct) is an adoption, not a stub."""
        if url.startswith(("#", "mailto:")):
            return False
        if url.startswith(("http://", "https://")):
            if github_repo_link(self.ctx, url):
                return bool(_DOC_URL.search(url.split("?", 1)[0]))
            return host_of(url) in self._project_hosts
        return bool(_DOC_URL.search(url.split("?", 1)[0]))

    def _follow(self, stub: Doc) -> None:
        doc = stub
        for _ in range(MAX_HOPS):
            if doc.points_to is None:
                return
            target = self.resolve_url(doc.points_to, doc)
            if target is None:
                return
            path = file_in(target.repo, target.path)
            if path is None or (target.repo.full_name, path) == doc.key:
                return
            found = self._read(target.repo, path)
            doc.target = found
            own = {r for r, s in found.roles.items() if s.kind != "pointer"}
            for role in stub.roles:
                if role not in found.roles and knowledge().related(role, own):
                    found.roles[role] = Signal("pointer", stub.label)
            doc = found

    # -- questions --------------------------------------------------------------------------------------------
    def text(self, repo: RepoView, path: str) -> str:
        """A document's text (read once per scan); empty when unreadable."""
        key = (repo.full_name, path)
        if key not in self._texts:
            self._texts[key] = repo.read(path) or ""
        return self._texts[key]

    def doc(self, repo: RepoView, path: str) -> Doc | None:
        return self._docs.get((repo.full_name, path))

    def read_document(self, repo: RepoView, path: str) -> Doc:
        """The map's document for ``repo``'s ``path``, read now if the map had not read it yet."""
        with self._lock:
            return self._read(repo, path)

    def all_documents(self) -> list[Doc]:
        """Every document the map knows (with a role, or read as a candidate), in search order."""
        return sorted(self._snapshot(), key=self._order)

    def _order(self, doc: Doc, role: str | None = None) -> tuple[int, int, int, int, int, str]:
        signal = doc.roles.get(role) if role else None
        folder = doc.folder.lower()
        location = TOP_FOLDERS.index(folder) if folder in TOP_FOLDERS else 3 + doc.depth
        return (
            self._rank.get(doc.repo.full_name, len(self._rank)),
            location,
            signal.strength if signal else 9,
            signal.rank if signal else 0,
            0,
            doc.path,
        )

    def hits(self, role: str) -> list[Doc]:
        """Every document holding ``role`` (stubs too): real documents first, then stubs; within each, the
        community repo before the org profile, the main repo and the rest, the root before deeper folders."""
        _check(role)
        found = [d for d in self._snapshot() if role in d.roles]
        return sorted(found, key=lambda d: (d.is_stub, *self._order(d, role)))

    def documents(self, role: str) -> list[Doc]:
        """The real documents of ``role`` (stubs followed to their targets); the stubs themselves only when no
        real document exists, so a caller can say where they point."""
        hits = self.hits(role)
        real = [d for d in hits if not d.is_stub]
        return real or hits

    def unread(self, role: str) -> list[Doc]:
        """Documents of ``role`` that exist but could not be read (binary, over the size cap...), each with its
        ``refusal``. A file over the cap is no candidate of the map, so it was never tried: trying it here costs
        a size lookup, never a load."""
        found = []
        for doc in self.hits(role):
            if not doc.read and not doc.refusal:
                # Only the refusal is recorded: classifying the text now would change roles while probes run.
                refusal = doc.repo.read_refusal(doc.path)
                with self._lock:
                    doc.refusal = doc.refusal or refusal
            if doc.refusal:
                found.append(doc)
        return found

    def in_repo(self, repo: RepoView, role: str) -> list[Doc]:
        return [d for d in self.hits(role) if d.repo is repo]

    def readme(self, repo: RepoView) -> Doc | None:
        path = self._readme_path(repo)
        if path is None:
            return None
        with self._lock:
            return self._read(repo, path, is_readme=True)

    def org_profile(self) -> RepoView | None:
        """The org's ``.github`` repository, when scanned."""
        return next((r for r in self.repos if r.role == "org-profile" or r.name.lower() == ".github"), None)

    def health_file(self, repo: RepoView, role: str) -> tuple[Doc, bool] | None:
        """``repo``'s community health file of ``role`` (root, ``.github/`` or ``docs/``), else the org
        ``.github`` repository's default that GitHub shows in its place: (document, inherited)."""
        info = knowledge()
        own = [d for d in self.in_repo(repo, role) if d.folder in info.health_folders and _named(d, role)]
        if own:
            return own[0], False
        profile = self.org_profile()
        if profile is None or profile is repo or role not in info.health_roles:
            return None
        default = [d for d in self.in_repo(profile, role) if d.folder in info.health_folders and _named(d, role)]
        return (default[0], True) if default else None

    def resolve_url(self, url: str, source: Doc | None = None) -> LinkTarget | None:
        """The scanned file a link leads to: relative to ``source``, a GitHub URL into a scanned repository of
        the project, or a page of a scanned website source."""
        url = url.strip()
        if source is not None:
            relative = relative_target(source.path, url)
            if relative is not None:
                return LinkTarget(source.repo, relative[0], relative[1], "relative")
        on_github = github_target(self.ctx, url)
        if on_github is not None:
            return LinkTarget(on_github[0], on_github[1], on_github[2], "github")
        host = host_of(url)
        for site in self.sites:
            if host and host in site.hosts:
                parsed_url = urlparse(url)
                path = site.source_of(parsed_url.path)
                if path is not None:
                    return LinkTarget(site.repo, path, parsed_url.fragment, "website")
        return None

    def site_of(self, repo: RepoView) -> Site | None:
        return next((s for s in self.sites if s.repo is repo), None)

    def sections(self, role: str) -> list[tuple[ParsedDoc, Section]]:
        """Sections (headings of level 2 or deeper) of ``role`` inside the documents the map read: the
        "Maintainers" table of a GOVERNANCE.md, the "Reporting a vulnerability" part of a README."""
        _check(role)
        with self._lock:
            if role in self._sections:
                return self._sections[role]
        rules = knowledge().rules(role)
        found: list[tuple[ParsedDoc, Section]] = []
        if rules.headings:
            self.parse_ahead()
            for doc in self.all_documents():
                if not doc.read or doc.excluded or not is_text(doc.path):
                    continue
                parsed_doc = self.parsed(doc)
                for section in parsed_doc.sections:
                    heading = section.kind == "heading" and section.level >= 2
                    if heading and any(p.search(section.title.strip()) for p in rules.headings):
                        found.append((parsed_doc, section))
        with self._lock:
            return self._sections.setdefault(role, found)

    def parsed(self, doc: Doc) -> ParsedDoc:
        return parsed(self.ctx, doc.repo, doc.path)

    def parse_ahead(self) -> None:
        """Parse, in bulk and on every core, the documents whose structure probes read: every file the map read
        and every community document (:func:`~dd_evidence.facts.parsed.parse_in_bulk`). Once per scan; the first
        probe to need them waits, the others find them parsed. Rosters and lists the map read (``OWNERS``,
        ``sigs.yaml``) are in: probes read their links too, and one left out is parsed by its reader alone."""

        def run() -> bool:
            docs = [d for d in self.all_documents() if d.read and not d.excluded]
            docs += self.community_documents()
            for repo in self.ctx.repos:
                repo.preload(d.path for d in docs if d.repo is repo)
            parse_in_bulk(self.ctx, [(d.repo, d.path) for d in docs])
            return True

        self.ctx.memo(PARSED_AHEAD_KEY, run)

    def community_documents(self) -> list[Doc]:
        """The Markdown documents people read for community and governance information: the root and
        ``.github/`` Markdown files of every repository, and every Markdown file of community repositories
        (records and copies left out: see :func:`is_community_document`)."""
        return [self._doc(r, p) for r in self.ctx.repos for p in r.files if is_community_document(p, r.role)]

    def candidates(self, repo: RepoView) -> list[str]:
        """The paths of ``repo`` the map reads (sizes asked, in one batch, of the paths that may qualify only)."""
        maybe = [p for p in repo.files if is_candidate_path(p)]
        sizes = repo.sizes(maybe)
        return candidate_document_paths((p, sizes.get(p)) for p in maybe)

    def roles_of(self, docs: Iterable[Doc]) -> dict[str, dict[str, str]]:
        """label -> role -> why, for a report's values."""
        return {d.label: {r: s.describe() for r, s in d.roles.items()} for d in docs}


# Of the trees and files the map never takes for governance, the one people still read to take part: translations
# (readers of other languages). The rest are records, copies or tool input nobody follows to join or to learn how the
# project runs today: release notes, blog posts and event pages, archives and old versions, dated notes, vendored,
# generated, test and example trees, issue and pull-request templates (GitHub resolves their relative links against
# the new issue's page, not the repository).
_READ_ALTHOUGH_EXCLUDED = ("translations",)


def is_community_document(path: str, repo_role: str) -> bool:
    """Whether :meth:`ProjectMap.community_documents` lists ``path`` of a repository of ``repo_role`` (the scan
    fetches these blobs up front, so reading them later never costs a round trip of its own)."""
    if not path.lower().endswith((".md", ".markdown")):
        return False
    top = "/" not in path or (path.lower().startswith(".github/") and path.count("/") == 1)
    if not (repo_role == "community" or top):
        return False
    why = excluded(path)
    return why is None or why in _READ_ALTHOUGH_EXCLUDED


def _named(doc: Doc, role: str) -> bool:
    signal = doc.roles.get(role)
    return signal is not None and signal.kind == "name"


def _check(role: str) -> None:
    if role not in ROLES:
        raise KeyError(f"unknown document role {role!r}")
