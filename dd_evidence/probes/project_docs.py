"""Project documentation: does the README explain the project, is the architecture documented, are
integrations with CNCF and other projects documented, and are user docs (install, quick start) published?

Paths are read from every scanned repo's tree (the website repo usually holds the docs); headings from the
README and from the documentation files themselves.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, parsed, project_map, subject
from dd_evidence.facts.cncfnames import CncfNames, cncf_names
from dd_evidence.facts.paths import excluded
from dd_evidence.facts.projectmap import readme_paths
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView

DOC_EXT = (".md", ".mdx", ".rst", ".adoc", ".txt", ".html")
IMAGE_EXT = (".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp")
# Generated or vendored trees say nothing about the project's own docs.
_SKIP_DIRS = re.compile(r"(^|/)(node_modules|vendor|third_party|\.git|build|dist|target)/", re.IGNORECASE)
_BADGE_LINE = re.compile(r"^\s*(\[!\[|!\[|<a\s|<img\s|<p\s|</?div|</p>|<!--|\[!\[)", re.IGNORECASE)
_INSTALL_HEADING = re.compile(r"install|quick ?start|getting started|get started|usage|build|setup|set up", re.I)
_FEATURES_HEADING = re.compile(
    r"feature|use[- ]cases?|why\b|what is|overview|introduction|about|highlights|capabilit|benefit|key concepts|"
    r"goals?|motivation|how it works",
    re.IGNORECASE,
)
_ARCH = re.compile(r"architecture|design|internals|how[- ]it[- ]works|components", re.IGNORECASE)
_ARCH_PATH = re.compile(r"(^|[/_.-])(architecture|arch|design)([/_.-]|$)", re.IGNORECASE)
_INTEGRATION_DIR = re.compile(
    r"(^|/)(integrations?|container-runtimes?|runtimes?|ecosystem|observability|compatibility)/", re.I
)
# Folders whose file names are the names of the integrated projects (harbor.md, containerd.md).
_NAMED_DIR = re.compile(r"(^|/)(integrations?|container-runtimes?|runtimes?|ecosystem|compatibility)/[^/]+$", re.I)
# Older doc versions, translations and blog posts repeat or date the current docs.
_COPIES = re.compile(r"(^|/)(versioned_docs|i18n|blog|archived?)/", re.IGNORECASE)
# "Integration tests" and "Continuous integration" are about the project's own testing, not other projects.
_INTEGRATION_HEADING = re.compile(
    r"(?<!continuous )(?<!continuous-)integrat(?!ions?[\s_-]*test)|compatib|works with|ecosystem|plugins?", re.I
)
_USER_DOC_PATH = re.compile(
    r"(^|/|[-_])(install(ation|ing)?|quick[-_]?start|getting[-_]started|get[-_]started|user[-_]?guide|"
    r"tutorials?|usage|setup)([/_.-]|$)",
    re.IGNORECASE,
)
_DOCS_LINK_TEXT = re.compile(r"\b(documentation|docs|user guide|quick ?start|getting started|install)", re.I)
_DOCS_URL = re.compile(r"readthedocs\.io|/docs?(/|$)|docs\.|/documentation|/guide", re.IGNORECASE)
# File names in integration folders that name no other project.
_NOT_NAMES = {"index", "readme", "overview", "introduction", "intro", "upgrade", "faq", "_category_", "category"}


def _doc_files(repo: RepoView) -> list[str]:
    return [p for p in repo.files if not _SKIP_DIRS.search(p)]


def _main_readme(ctx: ScanContext) -> ParsedDoc | None:
    repo = ctx.main_repo
    if repo is None:
        return None
    pmap = project_map(ctx)
    readme = pmap.readme(repo)
    return pmap.parsed(readme) if readme is not None else None


class ReadmeExplainsProjectValues(TypedDict, total=False):
    """``Finding.values`` of ``docs.readme_explains_project``."""

    intro_line: int | None
    intro: str | None
    feature_sections: list[str]


class ReadmeExplainsProject(Probe):
    spec = ProbeSpec(
        id="docs.readme_explains_project",
        title="Does the main README open with an introduction and have a features or use-cases section?",
        motivation="The TOC asks projects to document what they do and why, with cloud native use cases.",
        remediation="Open the README with a paragraph on what the project does and why, and add a use-cases or "
        "features section.",
    )
    values_type = ReadmeExplainsProjectValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        readme = _main_readme(ctx)
        if readme is None:
            yield self.finding(subject(ctx), False, "the main repository has no README")
            return
        lines = readme.text.splitlines()
        install_line = next(
            (h.line for h in readme.document.headings if h.level >= 2 and _INSTALL_HEADING.search(h.text)),
            len(lines) + 1,
        )
        intro = self._intro(lines, install_line)
        features = [h for h in readme.document.headings if h.level >= 2 and _FEATURES_HEADING.search(h.text)]
        values: ReadmeExplainsProjectValues = {
            "intro_line": intro[0] if intro else None,
            "intro": intro[1][:200] if intro else None,
            "feature_sections": [f"L{h.line}: {h.text}" for h in features],
        }
        evidence: list[Evidence] = []
        if intro:
            evidence.append(readme.repo.evidence(readme.path, intro[0], excerpt=intro[1][:160]))
        evidence += [readme.repo.evidence(readme.path, h.line, excerpt=h.text) for h in features[:3]]
        if intro is not None and features:
            message = f"{readme.label} opens with an introduction (L{intro[0]}) and has {features[0].text!r}"
            yield self.finding(readme.label, True, message, values, evidence)
        else:
            missing = [name for name, ok in (("introduction", intro), ("features/use cases", features)) if not ok]
            yield self.finding(
                readme.label, False, f"{readme.label} has no {' and no '.join(missing)} section", values, evidence
            )

    @staticmethod
    def _intro(lines: list[str], before: int) -> tuple[int, str] | None:
        """The first prose paragraph (at least 12 words, not badges, not a heading) before ``before``."""
        block: list[str] = []
        start = 0
        for number, line in enumerate(lines[: before - 1], start=1):
            stripped = line.strip()
            prose = stripped and not stripped.startswith(("#", "|", "```", ">")) and not _BADGE_LINE.match(stripped)
            if prose:
                if not block:
                    start = number
                block.append(re.sub(r"!?\[([^\[\]]*)\]\([^()]*\)", r"\1", stripped))  # linear on "[[[["
                continue
            if block and len(" ".join(block).split()) >= 12:
                return start, " ".join(block)
            block = []
        if block and len(" ".join(block).split()) >= 12:
            return start, " ".join(block)
        return None


@dataclass(frozen=True)
class _PathHit:
    repo: RepoView
    path: str

    @property
    def label(self) -> str:
        return f"{self.repo.name}/{self.path}"


class ArchitectureDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``docs.architecture_documented``."""

    documents: list[str]
    diagrams: list[str]
    readme_sections: list[str]
    document_count: int
    diagram_count: int


class ArchitectureDocumented(Probe):
    spec = ProbeSpec(
        id="docs.architecture_documented",
        title="Is the architecture documented (an architecture or design document, section or diagram)?",
        motivation="Graduation asks for an overview of the architecture and software design in the docs.",
        remediation="Add an architecture page with a diagram to the documentation.",
    )
    values_type = ArchitectureDocumentedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs: list[_PathHit] = []
        images: list[_PathHit] = []
        for repo in ctx.repos:
            for path in _doc_files(repo):
                parent, _, name = path.rpartition("/")  # strings, not Path objects: every doc file passes here
                if not _ARCH_PATH.search(posixpath.splitext(name)[0]) and not _ARCH_PATH.search(parent or "."):
                    continue
                if excluded(path):
                    continue  # a copy (old version, translation, blog), a template, an example's or a test's diagram
                lower = path.lower()
                if lower.endswith(DOC_EXT):
                    docs.append(_PathHit(repo, path))
                elif lower.endswith(IMAGE_EXT):
                    images.append(_PathHit(repo, path))
        readme = _main_readme(ctx)
        headings = [h for h in readme.document.headings if _ARCH.search(h.text)] if readme else []
        values: ArchitectureDocumentedValues = {
            "documents": [d.label for d in docs[:20]],
            "diagrams": [i.label for i in images[:20]],
            "readme_sections": [f"{readme.label}#L{h.line}: {h.text}" for h in headings] if readme else [],
            "document_count": len(docs),
            "diagram_count": len(images),
        }
        evidence = [d.repo.evidence(d.path, 1) for d in docs[:3]] + [i.repo.evidence(i.path) for i in images[:2]]
        if readme:
            evidence += [readme.repo.evidence(readme.path, h.line, excerpt=h.text) for h in headings[:2]]
        if docs or headings:
            if docs:
                where = docs[0].label
            elif readme is not None:  # headings come from the README
                where = f"{readme.label}#L{headings[0].line}"
            else:
                where = ""
            message = f"architecture documented: {len(docs)} document(s), {len(images)} diagram(s), " \
                f"{len(headings)} README section(s); e.g. {where}"  # fmt: skip
            yield self.finding(subject(ctx), True, message, values, evidence)
        elif images:
            yield self.finding(subject(ctx), False, f"only architecture diagrams ({images[0].label}), no document or "
                               "section explaining them", values, evidence)  # fmt: skip
        else:
            yield self.finding(subject(ctx), False, "no architecture or design document, section or diagram", values)


class IntegrationsDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``docs.integrations_documented``."""

    pages: list[str]
    page_count: int
    cncf_projects: dict[str, list[str]]
    non_cncf: dict[str, list[str]]
    readme_sections: list[str]


class IntegrationsDocumented(Probe):
    spec = ProbeSpec(
        id="docs.integrations_documented",
        title="Are integrations with other projects documented, and which CNCF projects do they name?",
        motivation="Graduation asks for clearly documented integrations with CNCF and non-CNCF projects.",
        remediation="Add integration guides (one page per integrated project) to the documentation.",
    )
    values_type = IntegrationsDocumentedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        names = cncf_names(ctx)
        cncf: dict[str, list[str]] = {}
        other: dict[str, list[str]] = {}
        pages: list[_PathHit] = []
        for repo in ctx.repos:
            for path in _doc_files(repo):
                if not _INTEGRATION_DIR.search(path) or not path.lower().endswith(DOC_EXT):
                    continue
                if _COPIES.search(path):
                    continue
                hit = _PathHit(repo, path)
                pages.append(hit)
                stem = PurePosixPath(path).stem.lower()
                project = names.match(stem, whole=True)
                if project:
                    cncf.setdefault(project, []).append(hit.label)
                elif stem not in _NOT_NAMES and _NAMED_DIR.search(path):
                    other.setdefault(stem, []).append(hit.label)
                for heading in parsed(ctx, repo, path).document.headings:
                    project = names.match(heading.text, whole=False)
                    if project and hit.label not in cncf.get(project, []):
                        cncf.setdefault(project, []).append(f"{hit.label}#L{heading.line}")
        sections = self._readme_sections(ctx, names, cncf)
        values: IntegrationsDocumentedValues = {
            "pages": [p.label for p in pages[:40]],
            "page_count": len(pages),
            "cncf_projects": {k: v[:5] for k, v in sorted(cncf.items())},
            "non_cncf": {k: v[:3] for k, v in sorted(other.items())},
            "readme_sections": sections,
        }
        evidence = [p.repo.evidence(p.path, 1) for p in pages[:6]]
        if pages or sections:
            found = f"{len(pages)} integration page(s)" + (
                f", {len(sections)} README section(s) (first {sections[0]})" if sections else ""
            )
            message = (
                f"{found}; CNCF projects named: {', '.join(sorted(cncf)) or 'none'}; "
                f"others: {', '.join(sorted(other)[:10]) or 'none'}"
            )
            yield self.finding(subject(ctx), True, message, values, evidence)
        else:
            yield self.finding(subject(ctx), False, "no integration documentation (integrations/ docs folder or an "
                               "Integrations section)", values)  # fmt: skip

    @staticmethod
    def _readme_sections(ctx: ScanContext, names: CncfNames, cncf: dict[str, list[str]]) -> list[str]:
        found = []
        for repo in ctx.repos:
            for path in readme_paths(repo):
                doc = parsed(ctx, repo, path)
                for section in doc.sections:
                    if section.kind != "heading" or not _INTEGRATION_HEADING.search(section.title):
                        continue
                    found.append(f"{doc.label}#L{section.start}: {section.title}")
                    for offset, line in enumerate(section.text.splitlines()):
                        project = names.match(line, whole=False)
                        if project:
                            cncf.setdefault(project, []).append(f"{doc.label}#L{section.start + offset}")
        return found


class UserDocsPublishedValues(TypedDict, total=False):
    """``Finding.values`` of ``docs.user_docs_published``."""

    pages: list[str]
    page_count: int
    readme_links: list[str]


class UserDocsPublished(Probe):
    spec = ProbeSpec(
        id="docs.user_docs_published",
        title="Are user docs (installation, quick start, user guide) published in a docs tree, the website repo "
        "or a docs site linked from the README?",
        motivation="The TOC asks for documentation suited to the project type: installation, user docs, samples.",
        remediation="Publish installation and quick-start guides and link them from the README.",
    )
    values_type = UserDocsPublishedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        hits: list[_PathHit] = []
        for repo in ctx.repos:
            for path in _doc_files(repo):
                lower = path.lower()
                in_docs = lower.startswith(("docs/", "doc/", "documentation/", "content/")) or repo.role == "website"
                if in_docs and lower.endswith(DOC_EXT) and _USER_DOC_PATH.search(path) and not _COPIES.search(path):
                    hits.append(_PathHit(repo, path))
        readme = _main_readme(ctx)
        links = []
        if readme:
            links = [
                link
                for link in readme.document.links
                if not link.image and _DOCS_LINK_TEXT.search(link.text) and _DOCS_URL.search(link.url)
            ]
        values: UserDocsPublishedValues = {
            "pages": [h.label for h in hits[:20]],
            "page_count": len(hits),
            "readme_links": [f"{readme.label}#L{link.line}: {link.url}" for link in links[:5]] if readme else [],
        }
        evidence = [h.repo.evidence(h.path, 1) for h in hits[:4]]
        if readme:
            evidence += [readme.repo.evidence(readme.path, link.line, excerpt=link.url) for link in links[:2]]
        if hits or links:
            first = hits[0].label if hits else links[0].url
            message = f"user documentation found: {len(hits)} install/quick-start/guide page(s), " \
                f"{len(links)} docs link(s) in the README; e.g. {first}"  # fmt: skip
            yield self.finding(subject(ctx), True, message, values, evidence)
        else:
            yield self.finding(subject(ctx), False, "no installation, quick-start or user-guide documentation and "
                               "no docs link in the README", values)  # fmt: skip
