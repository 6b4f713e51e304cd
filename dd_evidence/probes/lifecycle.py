"""Roles and their lifecycle: which roles the governance defines, how people join and leave them, emeritus status,
function-based teams (security response, release, community managers, SIGs) and the contributor ladder.

Procedures are found by section titles (headings and bold bullet items, see :mod:`dd_evidence.mdsections`) such as
"Adding New Member/Approver/Maintainer", "How to Become a Member" or "Removing Inactive Maintainers", normalised
to (action, role) pairs that :mod:`dd_evidence.probes.contradictions` compares across documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, documents, governance_documents, project_map, roles_of, subject
from dd_evidence.facts.governance import (
    NON_MAINTAINER_ROLES,
    ROLE_WORDS,
    procedures,
    role_sections,
)
from dd_evidence.mdsections import Section, Sentence, sentences
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents

_EMERITUS = re.compile(r"\b(emerit\w*|alumni|retired\s+maintainers?|former\s+maintainers?)\b", re.I)
_DURATION = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\+?\s*(months?|years?)\b", re.I
)
_INACTIVE_WORDING = re.compile(r"\b(inactiv\w*|not (been )?active|haven't participated|no (longer )?contribut)", re.I)
_REMOVAL_WORDING = re.compile(r"\b(remov\w*|step(ping)? down|offboard\w*|revok\w*|emerit\w*)\b", re.I)
_JOIN_WORDING = re.compile(r"\b(nominat\w*|vot(e|es|ing)|elect\w*|approv\w*|lgtm|sponsor\w*|appoint\w*)\b", re.I)


def _cite(doc: ParsedDoc, section: Section) -> Evidence:
    return doc.repo.evidence(doc.path, section.start, section.end, excerpt=section.title)


class _DocsProbe(Probe):
    """Shared "no governance documents" handling."""

    def docs_or_none(self, ctx: ScanContext) -> list[ParsedDoc]:
        return governance_documents(ctx)


class RolesDefinedValues(TypedDict, total=False):
    """``Finding.values`` of ``lifecycle.roles_defined``."""

    roles: list[str]
    sections: list[str]
    checked: list[str]


class RolesDefined(_DocsProbe):
    spec = ProbeSpec(
        id="lifecycle.roles_defined",
        title="Does the governance define its roles (maintainer, approver, member...) by heading?",
        motivation="The maintainer lifecycle starts with roles whose responsibilities are written down.",
        remediation="Add a section per role with its responsibilities, requirements and privileges.",
    )
    values_type = RolesDefinedValues

    @reads_documents("governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = self.docs_or_none(ctx)
        if not docs:
            yield self.finding(subject(ctx), False, "no governance, ladder or membership document found")
            return
        found = [(doc, role, section) for doc in docs for role, section in role_sections(doc)]
        roles = sorted({role for _, role, _ in found}, key=ROLE_WORDS.index)
        values: RolesDefinedValues = {
            "roles": roles,
            "sections": [f"{d.label}#L{s.start}: {s.title}" for d, _, s in found],
            "checked": [d.label for d in docs],
        }
        if found:
            yield self.finding(
                subject(ctx),
                True,
                f"{len(roles)} roles defined by heading: {', '.join(roles)}",
                values,
                [_cite(d, s) for d, _, s in found[:8]],
            )
        else:
            yield self.finding(
                subject(ctx), False, f"no section defines a role in {', '.join(values['checked'])}", values
            )


class OnboardingDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``lifecycle.onboarding_documented``."""

    procedures: list[str]
    roles: list[str]
    by: str | None


class OnboardingDocumented(_DocsProbe):
    spec = ProbeSpec(
        id="lifecycle.onboarding_documented",
        title="Does the governance say how people become maintainers (and other roles)?",
        motivation="Contributors need a documented, open path to maintainership.",
        remediation="Add a section on how maintainers are nominated and approved (who votes, what threshold).",
    )
    values_type = OnboardingDocumentedValues

    @reads_documents("governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = self.docs_or_none(ctx)
        if not docs:
            yield self.finding(subject(ctx), False, "no governance, ladder or membership document found")
            return
        joins = [p for p in procedures(docs) if p.canonical == "join"]
        values: OnboardingDocumentedValues = {
            "procedures": [f"{p.cite}: {p.section.title}" for p in joins],
            "roles": sorted({r for p in joins for r in p.roles}, key=ROLE_WORDS.index),
            "by": "heading" if joins else None,
        }
        evidence = [p.evidence() for p in joins[:8]]
        if not joins:
            hits = _wording(docs, re.compile(r"\bbecom\w* an? (maintainer|approver|member)|new maintainers?", re.I))
            hits = [(d, s) for d, s in hits if _JOIN_WORDING.search(s.text)]
            values["by"] = "wording" if hits else None
            values["procedures"] = [f"{d.label}#L{s.line}: {s.text[:120]}" for d, s in hits]
            evidence = [d.repo.evidence(d.path, s.line, excerpt=s.text[:160]) for d, s in hits[:6]]
        ok = bool(values["procedures"])
        count = len(values["procedures"])
        message = (
            f"how to join is documented in {count} place{'' if count == 1 else 's'}, first {values['procedures'][0]}"
            if ok
            else "no section or wording says how people become maintainers"
        )
        yield self.finding(subject(ctx), ok, message, values, evidence)


def _wording(docs: list[ParsedDoc], pattern: re.Pattern[str]) -> list[tuple[ParsedDoc, Sentence]]:
    return [(d, s) for d in docs for s in sentences(d.text) if pattern.search(s.text)]


class OffboardingDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``lifecycle.offboarding_documented``."""

    procedures: list[str]
    inactivity_periods: list[str]


class OffboardingDocumented(_DocsProbe):
    spec = ProbeSpec(
        id="lifecycle.offboarding_documented",
        title="Does the governance say how maintainers leave (removal, stepping down, inactivity)?",
        motivation="The maintainer lifecycle includes offboarding; an inactivity period is the concrete trigger "
        "that keeps rosters honest, reported when given.",
        remediation="Add a section on removing inactive maintainers that names a period (for example 6 months).",
    )
    values_type = OffboardingDocumentedValues

    @reads_documents("governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = self.docs_or_none(ctx)
        if not docs:
            yield self.finding(subject(ctx), False, "no governance, ladder or membership document found")
            return
        removals = [p for p in procedures(docs) if p.canonical == "remove"]
        durations = []
        for proc in removals:
            for sentence in sentences(proc.section.text, proc.section.start):
                for match in _DURATION.finditer(sentence.text):
                    durations.append(f"{proc.doc.label}#L{sentence.line}: {match.group(0)}")
        # Wording outside a removal section still counts when it ties inactivity to a period.
        if not durations:
            for doc in docs:
                for sentence in sentences(doc.text):
                    if _INACTIVE_WORDING.search(sentence.text) and _DURATION.search(sentence.text):
                        durations.append(f"{doc.label}#L{sentence.line}: {sentence.text[:120]}")
        procedures_found = [f"{p.cite}: {p.section.title}" for p in removals]
        evidence = [p.evidence() for p in removals[:6]]
        if not removals:
            # No section of its own: a sentence saying how maintainers are removed or step down still documents it.
            wording = [
                (d, x)
                for d in docs
                for x in sentences(d.text)
                if _REMOVAL_WORDING.search(x.text) and re.search(r"\bmaintainers?\b", x.text, re.I)
            ]
            procedures_found = [f"{d.label}#L{x.line}: {x.text[:120]}" for d, x in wording]
            evidence = [d.repo.evidence(d.path, x.line, excerpt=x.text[:160]) for d, x in wording[:6]]
        values: OffboardingDocumentedValues = {"procedures": procedures_found, "inactivity_periods": durations}
        if not procedures_found:
            message = "no section or wording on removing maintainers or inactivity"
            yield self.finding(subject(ctx), False, message, values)
            return
        period = f"with an inactivity period ({durations[0]})" if durations else "but names no inactivity period"
        message = f"removal is documented ({procedures_found[0]}) {period}"
        yield self.finding(subject(ctx), True, message, values, evidence)


class EmeritusDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``lifecycle.emeritus_documented``."""

    found: list[str]
    by: str | None


class EmeritusDocumented(_DocsProbe):
    spec = ProbeSpec(
        id="lifecycle.emeritus_documented",
        title="Does the governance define an emeritus (alumni) status for people who step down?",
        motivation="An emeritus status lets people step down gracefully and keeps the roster current.",
        remediation="Say in the governance that maintainers who step down or are removed become emeritus.",
    )
    values_type = EmeritusDocumentedValues

    @reads_documents("governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = self.docs_or_none(ctx)
        if not docs:
            yield self.finding(subject(ctx), False, "no governance, ladder or membership document found")
            return
        by_heading = [(d, s) for d in docs for s in d.sections if _EMERITUS.search(s.title)]
        hits = [f"{d.label}#L{s.start}: {s.title}" for d, s in by_heading]
        evidence = [_cite(d, s) for d, s in by_heading[:6]]
        if not hits:
            wording = _wording(docs, _EMERITUS)
            hits = [f"{d.label}#L{s.line}: {s.text[:120]}" for d, s in wording]
            evidence = [d.repo.evidence(d.path, s.line, excerpt=s.text[:160]) for d, s in wording[:6]]
        values: EmeritusDocumentedValues = {
            "found": hits,
            "by": ("heading" if by_heading else "wording") if hits else None,
        }
        if hits:
            yield self.finding(subject(ctx), True, f"emeritus status is described at {hits[0]}", values, evidence)
        else:
            yield self.finding(subject(ctx), False, "no emeritus, alumni or retired status is described", values)


# -- function-based teams ---------------------------------------------------------------------------------------

TEAMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("security response team", re.compile(r"\bsecurity(\s+response)?\s+(team|committee|group)\b|\bPSIRT\b", re.I)),
    ("release team", re.compile(r"\brelease\s+(team|managers?|leads?|shepherds?)\b", re.I)),
    ("community managers", re.compile(r"\bcommunity\s+(managers?|team)\b", re.I)),
    ("steering committee", re.compile(r"\b(steering|technical oversight)\s+(committee|council|group)\b", re.I)),
    ("special interest groups", re.compile(r"\b(SIGs?|special interest groups?)\b")),
    ("working groups", re.compile(r"\b(working groups?|WGs?)\b")),
)
_TEAM_JOIN = re.compile(
    r"\b(nominat\w*|appoint\w*|elect\w*|join\w*|select\w*|chosen|onboard\w*|vot(e|ed|ing)|added|volunteer\w*|"
    r"rotat\w*)\b|\bact(s)? as\b|\bserve(s)? as\b|\bconsists? of\b|\bcomposed of\b|\bmade up of\b",
    re.I,
)
_TEAM_LEAVE = re.compile(r"\b(remov\w*|step(s|ping)? down|offboard\w*|leav\w*|retir\w*|emerit\w*|term\s+ends?)\b", re.I)
# "The maintainers act as the security team": membership follows the maintainer lifecycle.
_EX_OFFICIO = re.compile(r"\b(maintainers?|approvers?|steering committee)\b[^.]{0,40}\b(act|serve)s?\s+as\b", re.I)


# Team pages count from the project's own repos; a subproject's team is its own business.
_PROJECT_REPOS = ("community", "main", "org-profile", "website")


def _team_docs(ctx: ScanContext) -> list[ParsedDoc]:
    """Governance documents, security policies and response processes, and the project's team pages."""
    docs = documents(ctx, "governance", "contributor_ladder", "security_policy", "security_response")
    seen = {(d.repo.full_name, d.path) for d in docs}
    pmap = project_map(ctx)
    for doc in pmap.documents("teams"):
        if doc.repo.role in _PROJECT_REPOS and doc.key not in seen and not doc.is_stub:
            seen.add(doc.key)
            docs.append(pmap.parsed(doc))
    return docs


class SubteamRolesDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``lifecycle.subteam_roles_documented``."""

    teams: dict[str, dict[str, list[str]]]
    documented: list[str]
    checked: list[str]


class SubteamRolesDocumented(Probe):
    spec = ProbeSpec(
        id="lifecycle.subteam_roles_documented",
        title="Does the governance say how members of function-based teams (security, release...) are chosen "
        "and removed?",
        motivation="The TOC asks how people join and leave teams such as the security response team.",
        remediation="For each team (security response, release, community managers, SIGs) document how members "
        "are chosen, onboarded and removed.",
    )
    values_type = SubteamRolesDocumentedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = _team_docs(ctx)
        if not docs:
            yield self.finding(subject(ctx), False, "no governance, security or team document found")
            return
        teams: dict[str, dict[str, list[str]]] = {}
        evidence: list[Evidence] = []
        for doc in docs:
            candidates = [s for s in doc.sections if s.level > 1 or len(doc.sections) == 1]
            for team, pattern in TEAMS:
                for section in candidates:
                    if not pattern.search(section.title):
                        continue
                    entry = teams.setdefault(team, {"sections": [], "join": [], "leave": [], "ex_officio": []})
                    where = f"{doc.label}#L{section.start}"
                    entry["sections"].append(f"{where}: {section.title}")
                    for sentence in sentences(section.text, section.start):
                        cite = f"{doc.label}#L{sentence.line}"
                        if _EX_OFFICIO.search(sentence.text):
                            entry["ex_officio"].append(f"{cite}: {sentence.text[:120]}")
                        elif _TEAM_JOIN.search(sentence.text):
                            entry["join"].append(f"{cite}: {sentence.text[:120]}")
                        if _TEAM_LEAVE.search(sentence.text):
                            entry["leave"].append(f"{cite}: {sentence.text[:120]}")
                    if len(evidence) < 8:
                        evidence.append(_cite(doc, section))
        documented = [t for t, e in teams.items() if e["join"] or e["ex_officio"]]
        values: SubteamRolesDocumentedValues = {
            "teams": teams,
            "documented": documented,
            "checked": [d.label for d in docs],
        }
        if not teams:
            yield self.finding(
                subject(ctx), False, "no function-based team (security, release, SIG...) is named", values
            )
            return
        parts = []
        for team, entry in teams.items():
            how = (
                "membership follows the maintainer role"
                if entry["ex_officio"]
                else ("join" if entry["join"] else "no join rule")
                + (" and leave rules" if entry["leave"] else ", no removal rule")
            )
            parts.append(f"{team} ({how})")
        yield self.finding(subject(ctx), bool(documented), "teams: " + "; ".join(parts), values, evidence)


# -- contributor ladder -----------------------------------------------------------------------------------------


class ContributorLadderValues(TypedDict, total=False):
    """``Finding.values`` of ``lifecycle.contributor_ladder``."""

    file: str
    roles: list[str]
    non_maintainer_roles: list[str]
    checked: list[str]


class ContributorLadder(Probe):
    spec = ProbeSpec(
        id="lifecycle.contributor_ladder",
        title="Is there a contributor ladder with at least two roles below maintainer?",
        motivation="A ladder shows contributors how to grow toward maintainership.",
        remediation="Publish a contributor ladder (CONTRIBUTOR_LADDER.md) with roles such as contributor, "
        "member, reviewer and approver, and what each requires and grants.",
    )
    values_type = ContributorLadderValues

    @reads_documents("governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = governance_documents(ctx)
        best: tuple[ParsedDoc, list[tuple[str, int]]] | None = None
        for doc in docs:
            roles = _ladder_roles(doc)
            below = [(r, line) for r, line in roles if r in NON_MAINTAINER_ROLES]
            # A ladder is a document named or titled so, or a governance text that defines roles below maintainer
            # one section each (many projects keep their ladder inside GOVERNANCE.md).
            ladder_like = (
                "contributor_ladder" in roles_of(ctx, doc)
                or any(re.search(r"ladder", s.title, re.I) for s in doc.sections)
                or len({r for r, _ in below}) >= 2
            )
            if not ladder_like:
                continue
            if best is None or len(below) > len([r for r, _ in best[1] if r in NON_MAINTAINER_ROLES]):
                best = (doc, roles)
        if best is None:
            yield self.finding(
                subject(ctx), False, "no contributor ladder document found", {"checked": [d.label for d in docs]}
            )
            return
        doc, roles = best
        lower = [r for r, _ in roles if r in NON_MAINTAINER_ROLES]
        values: ContributorLadderValues = {
            "file": doc.label,
            "roles": [r for r, _ in roles],
            "non_maintainer_roles": lower,
        }
        evidence = [doc.repo.evidence(doc.path, line, excerpt=role) for role, line in roles[:8]]
        ok = len(lower) >= 2
        message = f"{doc.label} defines {len(roles)} roles ({', '.join(r for r, _ in roles)})" + (
            "" if ok else f"; only {len(lower)} below maintainer"
        )
        yield self.finding(subject(ctx), ok, message, values, evidence)


# A role defined in a paragraph led by its bold name: "**Committers**: Committers are ..."
_BOLD_ROLE = re.compile(r"^\s*\*\*([A-Za-z ]+?)\*\*\s*:")


def _ladder_roles(doc: ParsedDoc) -> list[tuple[str, int]]:
    """Roles a ladder defines: by role headings/bold bullets, else the first column of a roles table or the bold
    name leading a paragraph."""
    found: dict[str, int] = {}
    for role, section in role_sections(doc):
        found.setdefault(role, section.start)
    if len(found) < 2:
        for number, line in enumerate(doc.text.splitlines(), start=1):
            lead = re.match(r"^\s*\|\s*\**([A-Za-z ]+?)\**\s*\|", line) or _BOLD_ROLE.match(line)
            if lead:
                role = lead.group(1).strip().lower().rstrip("s")
                if role in ROLE_WORDS:
                    found.setdefault(role, number)
    return sorted(found.items(), key=lambda item: item[1])


__all__ = [
    "RolesDefined",
    "OnboardingDocumented",
    "OffboardingDocumented",
    "EmeritusDocumented",
    "SubteamRolesDocumented",
    "ContributorLadder",
]
