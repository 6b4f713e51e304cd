"""What the security policy says: how to report a vulnerability, who responds and how, how it is disclosed.

Presence is ``documents.security_policy_present``'s job; these probes read the real policy text. A stub
SECURITY.md (a few lines pointing at the community repo's policy) is followed through :func:`locate`, so the
text judged is the one a reporter ends up reading. The text is split into blocks (paragraphs, list items,
headings) so a phrase wrapped over two lines is still found and every match cites the lines of its block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts import Doc as DocHit
from dd_evidence.facts import locate
from dd_evidence.facts.blocks import Block, blocks
from dd_evidence.facts.security import linked_policies
from dd_evidence.markdown import parse
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents

# Parts bounded as RFC 5321 bounds them (64-character local part, 63-character labels): unbounded, every word
# boundary in "a." * 400000 starts a scan to the end of the text, quadratic.
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,63}\b")
# Hosted intake forms and bug-bounty platforms: a private channel that is not e-mail.
_FORM_URL = re.compile(
    r"docs\.google\.com/forms|forms\.gle/|forms\.office\.com|hackerone\.com|bugcrowd\.com|intigriti\.com"
    r"|huntr\.(?:dev|com)|/security/report|/report-?a-?vulnerability|typeform\.com|jotform\.com",
    re.IGNORECASE,
)
_ADVISORY_URL = re.compile(r"github\.com/[^/\s]+/[^/\s]+/security/advisories(?:/new)?", re.IGNORECASE)
# GitHub private vulnerability reporting, described in words rather than linked.
_ADVISORY_TEXT = re.compile(
    r"private vulnerability reporting|security advisor(?:y|ies)\b.*report|report a vulnerability"
    r"|security\W+tab|advisories\W+tab",
    re.IGNORECASE,
)
_REPORT_HEADING = re.compile(r"report|disclos|contact|vulnerabilit", re.IGNORECASE)

_TEAM = re.compile(
    r"security (?:response )?(?:team|committee|group|contacts?|officers?|champions?)|product security committee"
    r"|\bPSC\b|\bPSIRT\b|security response|(?:maintainers|committers) (?:act|serve|form) as"
    r"|security advisors?",
    re.IGNORECASE,
)
_STEPS: dict[str, re.Pattern[str]] = {
    "acknowledgement": re.compile(r"acknowledg|(?:respond|response|reply|hear back)[^.]{0,40}within", re.IGNORECASE),
    "triage": re.compile(
        r"triag|diagnos|assess(?:ed|es|ing)? the|confirm(?:s|ed)? (?:that )?the report|severity", re.IGNORECASE
    ),
    "fix": re.compile(r"\bpatch|\bfix(?:es|ed)?\b|remediat|mitigat", re.IGNORECASE),
    "disclosure": re.compile(r"disclos|advisory|\bCVE\b|announce", re.IGNORECASE),
}
# A response time: a number of hours or days close after a word about acknowledging or answering the report
# (not "publish an advisory within 90 days", which is a disclosure timeline).
_TIMELINE = re.compile(
    # "\w{0,30}+" (possessive), not "\w*": from each "acknowledg" of a long word the scan went to its end.
    r"(?:acknowledg|respond|response|reply|hear back)\w{0,30}+[^.]{0,60}?\b(\d+)\s*"
    r"(business days|working days|hours|days)\b",
    re.IGNORECASE,
)

_DISCLOSURE: dict[str, re.Pattern[str]] = {
    "embargo": re.compile(r"embargo", re.IGNORECASE),
    "coordinated": re.compile(r"coordinated (?:vulnerability )?disclosure|responsible(?:ly)? disclos", re.IGNORECASE),
    "public_disclosure": re.compile(r"public(?:ly)?\s+disclos|disclos\w{0,30}\s+(?:date|publicly)", re.IGNORECASE),
    "timeline": re.compile(
        r"disclos\w{0,30}+[^.]{0,80}(?:\d+\s*(?:days|weeks)|timeline|date)"
        r"|(?:(?<!\d)\d+\s*(?:days|weeks)|timeline)[^.]{0,80}disclos",
        re.IGNORECASE,
    ),
}


def policy_documents(ctx: ScanContext) -> tuple[list[DocHit], list[DocHit]]:
    """(the real security policies, the stubs) across the scanned repos, governance repos first.

    The map's security policies include the org's ``.github`` default; when there are none, a document the
    project links as its security policy from a README, contributing guide or contact page stands in.
    """
    hits = locate(ctx, "security_policy")
    real, stubs = [h for h in hits if not h.is_stub], [h for h in hits if h.is_stub]
    return (real or linked_policies(ctx)), stubs


def _excerpt(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _PolicyProbe(Probe):
    """Reads each real security policy; subclasses judge one aspect of it."""

    @reads_documents(
        "security_policy",
    )
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = ctx.project.orgs[0] if ctx.project.orgs else ctx.project.name
        real, stubs = policy_documents(ctx)
        if not real and stubs:
            targets = ", ".join(sorted({h.points_to or "" for h in stubs}))
            yield self.not_available(
                subject, f"the security policy stubs point to {targets}, which is outside the scanned repositories"
            )
            return
        if not real:
            yield self.finding(subject, False, "there is no security policy to read (no SECURITY.md in any repo)")
            return
        yield self.judge(subject, real, stubs)

    def judge(self, subject: str, real: list[DocHit], stubs: list[DocHit]) -> Finding:
        raise NotImplementedError


def _stub_note(stubs: list[DocHit]) -> dict[str, str]:
    # A stub is a hit with ``points_to`` set (DocHit.is_stub); the test only narrows the type.
    return {h.label: h.points_to for h in stubs if h.points_to is not None}


class PolicyNamesReportingChannelValues(TypedDict, total=False):
    """``Finding.values`` of ``security.policy_names_reporting_channel``."""

    documents: list[str]
    stubs: dict[str, str]
    channels: list[dict[str, Any]]
    kinds: list[str]


class PolicyNamesReportingChannel(_PolicyProbe):
    spec = ProbeSpec(
        id="security.policy_names_reporting_channel",
        title="Does the security policy name a private channel to report vulnerabilities?",
        motivation=(
            "A reporter needs a private way in: a security e-mail address, a hosted form or bug-bounty page, or "
            "GitHub private vulnerability reporting (security advisories). Channels named in a reporting section "
            "count first; when the policy has no such section, the whole text is read."
        ),
        remediation=(
            "Say in SECURITY.md where to report: a monitored security e-mail address or GitHub private "
            "vulnerability reporting (Security tab → Report a vulnerability), and enable the latter."
        ),
    )
    values_type = PolicyNamesReportingChannelValues

    def judge(self, subject: str, real: list[DocHit], stubs: list[DocHit]) -> Finding:
        channels: list[dict[str, object]] = []
        evidence: list[Evidence] = []
        for hit in real:
            text = hit.repo.read(hit.path) or ""
            found = _channels(text, reporting_only=True) or _channels(text, reporting_only=False)
            for kind, address, block in found:
                channels.append({"kind": kind, "address": address, "document": hit.label, "line": block.start})
                evidence.append(hit.repo.evidence(hit.path, block.start, block.end, _excerpt(block.text)))
        values: PolicyNamesReportingChannelValues = {
            "documents": [h.label for h in real],
            "stubs": _stub_note(stubs),
            "channels": channels,
            "kinds": sorted({str(c["kind"]) for c in channels}),
        }
        if not channels:
            return self.finding(
                subject,
                False,
                f"{real[0].label} names no e-mail address, form or GitHub advisory link to report a vulnerability",
                values,
                [h.evidence() for h in real[:3]],
            )
        kinds = ", ".join(values["kinds"])
        return self.finding(
            subject, True, f"{real[0].label} names a reporting channel ({kinds})", values, _dedupe(evidence)[:6]
        )


def _channels(text: str, reporting_only: bool) -> list[tuple[str, str, Block]]:
    """(kind, address, block) for every channel in the policy; with ``reporting_only`` only those under a heading
    about reporting or disclosure (a mailing list for announcements elsewhere is not where to report)."""
    found: list[tuple[str, str, Block]] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, address: str, block: Block) -> None:
        if (kind, address.lower()) not in seen:
            seen.add((kind, address.lower()))
            found.append((kind, address, block))

    links = parse(text).links
    for block in blocks(text):
        if reporting_only and not _REPORT_HEADING.search(block.heading):
            continue
        block_links = [link for link in links if block.start <= link.line <= block.end and not link.image]
        for link in block_links:
            url = link.url
            if url.lower().startswith("mailto:"):
                add("email", url[7:].split("?", 1)[0], block)
            elif _ADVISORY_URL.search(url):
                add("github_advisories", url, block)
            elif _FORM_URL.search(url):
                add("form", url, block)
        for email in _EMAIL.findall(block.text):
            add("email", email, block)
        if _ADVISORY_TEXT.search(block.text) and not any(k == "github_advisories" for k, _, _ in found):
            add("github_advisories", "GitHub private vulnerability reporting", block)
    return found


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    return list({e.url: e for e in evidence}.values())


class PolicyNamesResponseTeamValues(TypedDict, total=False):
    """``Finding.values`` of ``security.policy_names_response_team``."""

    documents: list[str]
    stubs: dict[str, str]
    team: list[dict[str, Any]]
    steps: dict[str, dict[str, Any]]
    missing_steps: list[str]
    acknowledgement_timeline: list[str]


class PolicyNamesResponseTeam(_PolicyProbe):
    spec = ProbeSpec(
        id="security.policy_names_response_team",
        title="Does the security policy name who responds to reports and how a report is handled?",
        motivation=(
            "The TOC looks for a security response team (or the roles that act as one) and a handling process: "
            "acknowledgement with a target time, triage, a fix and disclosure. True when a team or role is named "
            "and at least two of those four steps are described."
        ),
        remediation=(
            "Name the security response team (or who acts as one) in SECURITY.md and describe how a report is "
            "acknowledged (within what time), triaged, fixed and disclosed."
        ),
    )
    values_type = PolicyNamesResponseTeamValues

    def judge(self, subject: str, real: list[DocHit], stubs: list[DocHit]) -> Finding:
        team: list[dict[str, object]] = []
        steps: dict[str, dict[str, object]] = {}
        timelines: list[str] = []
        evidence: list[Evidence] = []
        for hit in real:
            for block in blocks(hit.repo.read(hit.path) or ""):
                cited = False
                if _TEAM.search(block.text) and len(team) < 5:
                    team.append({"text": _excerpt(block.text, 160), "document": hit.label, "line": block.start})
                    cited = True
                for step, pattern in _STEPS.items():
                    if step not in steps and pattern.search(block.text):
                        steps[step] = {"document": hit.label, "line": block.start}
                        cited = True
                timelines += [f"{n} {unit}" for n, unit in _TIMELINE.findall(block.text)]
                if cited:
                    evidence.append(hit.repo.evidence(hit.path, block.start, block.end, _excerpt(block.text)))
        values: PolicyNamesResponseTeamValues = {
            "documents": [h.label for h in real],
            "stubs": _stub_note(stubs),
            "team": team,
            "steps": steps,
            "missing_steps": [s for s in _STEPS if s not in steps],
            "acknowledgement_timeline": list(dict.fromkeys(timelines)),
        }
        named = ", ".join(steps) or "none"
        if team and len(steps) >= 2:
            message = f"{real[0].label} names a response team and describes handling steps ({named})"
            return self.finding(subject, True, message, values, _dedupe(evidence)[:6])
        what = "names no response team or role" if not team else f"describes too few handling steps ({named})"
        shown = _dedupe(evidence)[:6] or [h.evidence() for h in real[:3]]
        return self.finding(subject, False, f"{real[0].label} {what}", values, shown)


class PolicyDescribesDisclosureValues(TypedDict, total=False):
    """``Finding.values`` of ``security.policy_describes_disclosure``."""

    documents: list[str]
    stubs: dict[str, str]
    aspects: dict[str, dict[str, Any]]


class PolicyDescribesDisclosure(_PolicyProbe):
    spec = ProbeSpec(
        id="security.policy_describes_disclosure",
        title="Does the security policy describe how vulnerabilities are disclosed (embargo, coordination, timing)?",
        motivation=(
            "Reporters and downstream users need to know when and how a fix becomes public: an embargo, "
            "coordinated disclosure with the reporter, or a disclosure timeline."
        ),
        remediation=(
            "Describe the disclosure process in SECURITY.md: embargo handling, who is told before public "
            "disclosure, and the target time from report to public advisory."
        ),
    )
    values_type = PolicyDescribesDisclosureValues

    def judge(self, subject: str, real: list[DocHit], stubs: list[DocHit]) -> Finding:
        aspects: dict[str, dict[str, object]] = {}
        evidence: list[Evidence] = []
        for hit in real:
            for block in blocks(hit.repo.read(hit.path) or ""):
                matched = [a for a, p in _DISCLOSURE.items() if a not in aspects and p.search(block.text)]
                for aspect in matched:
                    aspects[aspect] = {"document": hit.label, "line": block.start}
                if matched:
                    evidence.append(hit.repo.evidence(hit.path, block.start, block.end, _excerpt(block.text)))
        values: PolicyDescribesDisclosureValues = {
            "documents": [h.label for h in real],
            "stubs": _stub_note(stubs),
            "aspects": aspects,
        }
        if aspects:
            described = ", ".join(a.replace("_", " ") for a in aspects)
            return self.finding(
                subject, True, f"{real[0].label} describes disclosure ({described})", values, evidence[:6]
            )
        return self.finding(
            subject,
            False,
            f"{real[0].label} says nothing about embargo, coordinated disclosure or a disclosure timeline",
            values,
            [h.evidence() for h in real[:3]],
        )
