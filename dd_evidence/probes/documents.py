"""Are the project's key documents present somewhere in the org? One probe per document role.

Presence only: what each document says is judged by the governance, people and security probe families.
A stub that only points elsewhere counts as present when its target was found in the scan; otherwise the
finding says where the stub points so a reviewer can follow it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import Doc as DocHit
from dd_evidence.facts import locate, project_map, subject
from dd_evidence.facts.links import file_in
from dd_evidence.facts.projectmap import issue_templates
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe, unread_names
from dd_evidence.repoview import RepoView


class DocumentPresentValues(TypedDict, total=False):
    """What every document-presence probe's ``Finding.values`` hold: the documents found and the stubs pointing
    elsewhere (label -> where it points)."""

    found: list[str]
    stubs: dict[str, str]


class DocumentSectionsValues(DocumentPresentValues, total=False):
    """A presence probe that also counts a section of another document (``sections_count``)."""

    sections: list[str]


class _DocumentPresent(Probe):
    """An org-wide presence check for one document role."""

    role: str = ""
    noun: str = ""
    # A role that stands in when no document of ``role`` exists (a release runbook for a release process).
    fallback: str | None = None
    # Whether a section of another document (a "Release process" heading in CONTRIBUTING.md) counts when no
    # document of the role exists.
    sections_count: bool = False
    # Whether such a section counts only when it lists something (items, table rows, logos): a list role's
    # heading over prose is something else ("### Users" defining a role in a governance's "Project Roles").
    section_lists: bool = False

    @property
    def roles(self) -> list[str]:
        """The role, then the fallback role when there is one."""
        return [self.role, *([self.fallback] if self.fallback else [])]

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        hits = locate(ctx, self.role)
        if self.fallback and not any(not h.is_stub for h in hits):
            hits = locate(ctx, self.fallback) or hits
        if self.sections_count and not any(not h.is_stub for h in hits):
            found = self._sections(ctx)
            if found is not None:
                yield found
                return
        org = subject(ctx)
        # Shown strongest first: a GOVERNANCE.md before the SIG charters and the roster titled "Steering
        # Committee" that also hold the role (the map's own order puts the community repository first).
        roles = self.roles
        real = sorted((h for h in hits if not h.is_stub), key=lambda h: _signal_order(h, roles))
        stubs = [h for h in hits if h.is_stub]
        # Every stub has a target (``points_to`` is what makes it a stub); the test only narrows the type.
        values: DocumentPresentValues = {
            "found": [h.label for h in real],
            "stubs": {h.label: h.points_to for h in stubs if h.points_to is not None},
        }
        # A file that exists but could not be read (binary, over the size cap) is there, but nobody can tell from
        # here whether it is what its name says: alone, it answers neither way.
        unread = {d.key for role in roles for d in project_map(ctx).unread(role)}
        refused = unread_names(h for h in real if h.key in unread)
        if real and all(h.key in unread for h in real):
            yield self.finding(
                org,
                Outcome.NOT_AVAILABLE,
                f"{self.noun} found but not read: {refused}; a person must check it",
                values,
                [h.evidence() for h in real[:6]],
            )
        elif real:
            where = _describe(real)
            extra = f"; {len(stubs)} stub(s) point to it" if stubs else ""
            extra += f"; not read: {refused}" if refused else ""
            yield self.finding(
                org,
                True,
                f"{self.noun} found in {where}{extra}",
                values,
                [h.evidence() for h in (real + stubs)[:6]],
            )
        elif stubs:
            targets = ", ".join(sorted({h.points_to or "" for h in stubs}))
            yield self.finding(
                org,
                False,
                f"only stub {self.noun} found ({_describe(stubs)}), pointing to {targets} "
                "which is outside the scanned repositories",
                values,
                [h.evidence() for h in stubs[:6]],
            )
        else:
            yield self.finding(
                org, False, f"no {self.noun} in any of the {len(ctx.repos)} scanned repositories", values
            )

    def _sections(self, ctx: ScanContext) -> Finding | None:
        pmap = project_map(ctx)
        sections = [(doc, section) for role in self.roles for doc, section in pmap.sections(role)]
        if self.section_lists:
            sections = [(doc, section) for doc, section in sections if _LISTS.search(section.text)]
        if not sections:
            return None
        labels = [f"{doc.label}#L{section.start}: {section.title}" for doc, section in sections]
        values: DocumentSectionsValues = {"found": [], "stubs": {}, "sections": labels}
        evidence = [doc.repo.evidence(doc.path, s.start, s.end, excerpt=s.title) for doc, s in sections[:6]]
        message = f"{self.noun} found as a section: {labels[0]}"
        return self.finding(subject(ctx), True, message, values, evidence)


# A list item, a table row or an HTML logo wall entry.
# Blanks are spaces and tabs only: "\s*" after "^" would run over every following empty line from each one.
_LISTS = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+\S|\d{1,9}[.)][ \t]+\S|\|[^\n]*\|)|<(?:img|a|td|li)\b", re.MULTILINE | re.IGNORECASE
)


def _signal_order(doc: DocHit, roles: list[str]) -> tuple[int, int]:
    signal = next((doc.roles[r] for r in roles if r in doc.roles), None)
    return (signal.strength, signal.rank) if signal else (99, 0)


def _describe(hits: list[DocHit]) -> str:
    labels = [h.label for h in hits]
    return ", ".join(labels[:4]) + (f" and {len(labels) - 4} more" if len(labels) > 4 else "")


class GovernancePresentValues(DocumentPresentValues, total=False):
    """``Finding.values`` of ``documents.governance_present``."""


class GovernancePresent(_DocumentPresent):
    role, noun = "governance", "governance document"
    spec = ProbeSpec(
        id="documents.governance_present",
        title="Is there a governance document (GOVERNANCE.md or equivalent) in the project's repositories?",
        motivation="The TOC needs clear, discoverable governance; most projects keep it in GOVERNANCE.md.",
        remediation="Add GOVERNANCE.md to the main or community repository and link it from the main README.",
    )
    values_type = GovernancePresentValues


class ContributingPresentValues(DocumentPresentValues, total=False):
    """``Finding.values`` of ``documents.contributing_present``."""


class ContributingPresent(_DocumentPresent):
    role, noun = "contributing", "contributing guide"
    spec = ProbeSpec(
        id="documents.contributing_present",
        title="Is there a contributing guide (CONTRIBUTING.md)?",
        motivation="Contributors need to know how to submit issues and changes.",
        remediation="Add CONTRIBUTING.md describing how to file issues, propose changes and get them reviewed.",
    )
    values_type = ContributingPresentValues


class CodeOfConductPresentValues(DocumentSectionsValues, total=False):
    """``Finding.values`` of ``documents.coc_present``."""


class CodeOfConductPresent(_DocumentPresent):
    role, noun, sections_count = "code_of_conduct", "code of conduct", True
    spec = ProbeSpec(
        id="documents.coc_present",
        title="Is there a code of conduct (CODE_OF_CONDUCT.md)?",
        motivation="CNCF projects adopt the CNCF Code of Conduct and document it.",
        remediation="Add CODE_OF_CONDUCT.md adopting the CNCF Code of Conduct.",
    )
    values_type = CodeOfConductPresentValues


class MaintainersPresentValues(DocumentPresentValues, total=False):
    """``Finding.values`` of ``documents.maintainers_present``."""


class MaintainersPresent(_DocumentPresent):
    role, noun = "maintainers", "maintainer list"
    spec = ProbeSpec(
        id="documents.maintainers_present",
        title="Is there a maintainer list (MAINTAINERS.md, OWNERS or equivalent)?",
        motivation="The TOC checks the current maintainers, their affiliation and responsibilities.",
        remediation="Add MAINTAINERS.md listing every maintainer with contact, affiliation and area.",
    )
    values_type = MaintainersPresentValues


class RoadmapPresentValues(DocumentPresentValues, total=False):
    """``Finding.values`` of ``documents.roadmap_present``."""


class RoadmapPresent(_DocumentPresent):
    role, noun = "roadmap", "roadmap"
    spec = ProbeSpec(
        id="documents.roadmap_present",
        title="Is there a public roadmap (ROADMAP.md or equivalent)?",
        motivation="Projects document forward-looking plans publicly.",
        remediation="Add ROADMAP.md (or link a public project board) describing planned work.",
    )
    values_type = RoadmapPresentValues


class AdoptersPresentValues(DocumentSectionsValues, total=False):
    """``Finding.values`` of ``documents.adopters_present``."""


class AdoptersPresent(_DocumentPresent):
    role, noun, sections_count, section_lists = "adopters", "adopters list", True, True
    spec = ProbeSpec(
        id="documents.adopters_present",
        title="Is there a public list of adopters (ADOPTERS.md or equivalent)?",
        motivation="The TOC asks for a publicly documented list of adopters.",
        remediation="Add ADOPTERS.md listing organisations that use the project and how.",
    )
    values_type = AdoptersPresentValues


class ReleaseProcessPresentValues(DocumentSectionsValues, total=False):
    """``Finding.values`` of ``documents.release_process_present``."""


class ReleaseProcessPresent(_DocumentPresent):
    role, noun, fallback, sections_count = "release_process", "release process document", "release_procedure", True
    spec = ProbeSpec(
        id="documents.release_process_present",
        title="Is the release process documented (RELEASES.md or equivalent)?",
        motivation="Graduation requires a RELEASES.md or equivalent defining the release process.",
        remediation="Add RELEASES.md covering cadence, tagging, branches, support and artifacts.",
    )
    values_type = ReleaseProcessPresentValues


class SecurityPolicyPresentValues(DocumentPresentValues, total=False):
    """``Finding.values`` of ``documents.security_policy_present``."""


class SecurityPolicyPresent(_DocumentPresent):
    role, noun = "security_policy", "security policy"
    spec = ProbeSpec(
        id="documents.security_policy_present",
        title="Is there a security policy (SECURITY.md) for the project?",
        motivation="Reporters need a clearly defined and discoverable way to report vulnerabilities.",
        remediation="Add SECURITY.md with the reporting channel and the response process.",
    )
    values_type = SecurityPolicyPresentValues


class IssueTemplatesPresentValues(TypedDict, total=False):
    """``Finding.values`` of ``documents.issue_templates_present``."""

    files: list[str]


class IssueTemplatesPresent(Probe):
    spec = ProbeSpec(
        id="documents.issue_templates_present",
        title="Does the main repository (or the org's .github defaults) offer issue templates?",
        motivation="Issue templates make the process to submit issues clear.",
        remediation="Add .github/ISSUE_TEMPLATE/ with bug report and feature request templates.",
    )
    values_type = IssueTemplatesPresentValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        candidates = [r for r in (ctx.main_repo, *ctx.repos_with_role("org-profile")) if r is not None]
        for repo in dict.fromkeys(candidates):
            templates = issue_templates(repo)
            if templates:
                yield self.finding(
                    repo.full_name,
                    True,
                    f"{len(templates)} issue template file(s) in {repo.name}",
                    {"files": templates},
                    [repo.evidence(p) for p in templates[:5]],
                )
                return
        main = ctx.main_repo
        subject = main.full_name if main else ctx.project.name
        yield self.finding(subject, False, "no issue templates in the main repository or the org defaults")


class SecurityPolicyInEveryRepoValues(TypedDict, total=False):
    """``Finding.values`` of ``documents.security_policy_in_every_repo``."""

    path: str
    answered_by: str
    inherited: bool


class SecurityPolicyInEveryRepo(Probe):
    spec = ProbeSpec(
        id="documents.security_policy_in_every_repo",
        title="Does every repository have a security policy, an org default, or a README link to one?",
        motivation="Reporters land on any repo of the org; each should lead to the security policy. GitHub shows "
        "the org's .github repository's SECURITY.md for every repository without its own.",
        remediation="Add an org-wide default SECURITY.md in the org's .github repository.",
    )
    values_type = SecurityPolicyInEveryRepoValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        pmap = project_map(ctx)
        # Where the project's policy already is, so the remedy can say what to link to.
        home = next((d.label for d in pmap.documents("security_policy")), None)
        remedy = (
            f"Link the project's security policy ({home}) from each repository without one, in a SECURITY.md or the "
            "README, or add an org-wide default SECURITY.md to the org's .github repository."
            if home
            else None
        )
        for repo in ctx.repos:
            found = pmap.health_file(repo, "security_policy")
            if found is not None:
                doc, inherited = found
                values: SecurityPolicyInEveryRepoValues = {
                    "path": doc.path,
                    "answered_by": doc.repo.full_name,
                    "inherited": inherited,
                }
                message = (
                    f"{repo.name} inherits the org default {doc.label}" if inherited else f"{repo.name} has {doc.path}"
                )
                yield self.finding(repo.full_name, True, message, values, [doc.evidence()])
            elif (link := _linked_security_policy(ctx, repo)) is not None:
                path, line = link
                yield self.finding(
                    repo.full_name,
                    True,
                    f"{repo.name}'s {path.rsplit('/', 1)[-1]} links a security policy",
                    {"path": path, "answered_by": repo.full_name, "inherited": False},
                    [repo.evidence(path, line)],
                )
            else:
                yield self.finding(
                    repo.full_name,
                    False,
                    f"{repo.name} has no SECURITY.md, no org default and no README link to one",
                    remedy=remedy,
                )
        for name, reason in ctx.unreadable.items():
            yield self.not_available(name, f"repository could not be read: {reason}")


def _linked_security_policy(ctx: ScanContext, repo: RepoView) -> tuple[str, int] | None:
    """(document, line) of a link from the repo's README or contributing guide to a security policy: a document
    the map knows as one, or a URL that says "security"."""
    pmap = project_map(ctx)
    readme = pmap.readme(repo)
    places = [d for d in [readme, *pmap.in_repo(repo, "contributing")] if d is not None and d.read]
    for doc in places:
        for link in pmap.parsed(doc).document.links:
            # An in-page anchor ("#reporting-security-issues") or a mail address is not a policy document.
            if link.image or link.url.startswith(("#", "mailto:")):
                continue
            target = pmap.resolve_url(link.url, doc)
            path = file_in(target.repo, target.path) if target else None
            known = pmap.doc(target.repo, path) if target and path else None
            if (known is not None and known.has("security_policy")) or "security" in link.url.lower():
                return doc.path, link.line
    return None
