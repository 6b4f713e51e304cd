"""Vendor neutrality: a neutrality statement in the governance, a documented cap on seats per company, and
project assets (repos, images, chat, docs) held under the project's own names rather than a company's.

The asset check is a heuristic over the links of every README and governance document: a link is vendor-owned
when its GitHub/registry namespace or chat workspace is neither one of the project's orgs nor the CNCF's, and the
namespace or domain looks like a company's (it matches an affiliation from the maintainer roster or a known
vendor registry such as ``registry.cn-hangzhou.aliyuncs.com``). Anything unclear is reported, not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypedDict
from urllib.parse import urlparse

from dd_evidence.affiliations import COMPANY, normalise
from dd_evidence.context import ScanContext
from dd_evidence.facts import GOVERNANCE_ROLES, ParsedDoc, documents, readmes, subject
from dd_evidence.facts.channels import personal_mail_domains
from dd_evidence.facts.governance import find_cap
from dd_evidence.facts.people import rosters
from dd_evidence.mdsections import sentences
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe, reads_documents

# "Neutral" alone is too common a word ("neutral mediation for disputes", "neutral language"): it counts as the
# project's own neutrality as "neutrality", or said of the project, its home or its governance.
_NEUTRAL = re.compile(
    r"\bvendor[- ]neutral\w*|\bneutrality\b|\b(remains?|stays?|be|is|are|being)\s+neutral\b"
    r"|\bneutral\s+(home|ground|governance|foundation|body|project|community|place|venue|steward\w*)\b"
    r"|\bno single (company|vendor|organi[sz]ation|entity)\b"
    r"|\b(single|one) (company|vendor|organi[sz]ation|entity)\b[^.]{0,60}\b(control|dominat|influence|majority)"
    r"|\bfree from the influence\b|\bindependent of any (company|vendor)\b",
    re.I,
)


class VendorNeutralStatementValues(TypedDict, total=False):
    """``Finding.values`` of ``neutrality.vendor_neutral_statement``."""

    statements: list[str]
    checked: list[str]


# Documents that give the addresses people write to: security reports, contact and support pages. Not the security
# team's own pages (security_response): their member and distributor lists name companies' own addresses, which
# are those companies' assets, not the project's.
CONTACT_ROLES = ("security_policy", "channels", "support")


class VendorNeutralStatement(Probe):
    spec = ProbeSpec(
        id="neutrality.vendor_neutral_statement",
        title="Does the governance state that the project is vendor-neutral (no single company controls it)?",
        motivation="The TOC looks for governance that keeps the project's direction independent of any one company.",
        remediation="State in GOVERNANCE.md that decisions are made on technical merit, independent of any "
        "single company, and how representation is balanced.",
    )
    values_type = VendorNeutralStatementValues

    @reads_documents("governance", "contributor_ladder")
    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = documents(ctx, *GOVERNANCE_ROLES)
        if not docs:
            yield self.finding(subject(ctx), False, "no governance document to hold a neutrality statement")
            return
        hits = [(d, s) for d in docs for s in sentences(d.text) if _NEUTRAL.search(s.text)]
        values: VendorNeutralStatementValues = {
            "statements": [f"{d.label}#L{s.line}: {s.text[:160]}" for d, s in hits],
            "checked": [d.label for d in docs],
        }
        evidence = [d.repo.evidence(d.path, s.line, excerpt=s.text[:160]) for d, s in hits[:6]]
        if hits:
            yield self.finding(
                subject(ctx), True, f"neutrality is stated at {values['statements'][0]}", values, evidence
            )
        else:
            yield self.finding(
                subject(ctx), False, f"no vendor-neutrality wording in {', '.join(values['checked'])}", values
            )


class RepresentationCapDocumentedValues(TypedDict, total=False):
    """``Finding.values`` of ``neutrality.representation_cap_documented``."""

    cap: int
    file: str
    line: int
    text: str


class RepresentationCapDocumented(Probe):
    spec = ProbeSpec(
        id="neutrality.representation_cap_documented",
        title="Does the governance cap how many maintainers or seats one company may hold?",
        motivation="A cap on seats per company is the most concrete guarantee of vendor-neutral direction.",
        remediation="Add a maximum-representation rule (for example no more than a third of maintainers from "
        "one company).",
    )
    values_type = RepresentationCapDocumentedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        cap = find_cap(ctx)
        if cap is None:
            yield self.finding(subject(ctx), False, "the governance documents set no cap on seats per company")
            return
        values: RepresentationCapDocumentedValues = {
            "cap": cap.limit,
            "file": f"{cap.repo.name}/{cap.path}",
            "line": cap.line,
            "text": cap.sentence,
        }
        yield self.finding(
            subject(ctx),
            True,
            f"at most {cap.limit} per company ({cap.label}: {cap.sentence!r})",
            values,
            [cap.repo.evidence(cap.path, cap.line, excerpt=cap.sentence)],
        )


# -- assets ----------------------------------------------------------------------------------------------------

# Hosts where the first path segment is an owner namespace.
_NAMESPACED_HOSTS = {
    "github.com": "repository",
    "www.github.com": "repository",
    "gitlab.com": "repository",
    "hub.docker.com": "image",
    "quay.io": "image",
    "ghcr.io": "image",
    "docker.io": "image",
    "twitter.com": "social",
    "x.com": "social",
    "www.youtube.com": "social",
    "youtube.com": "social",
    "www.linkedin.com": "social",
}
# Registries run by a company for its own images: an image there is held by that company.
_VENDOR_REGISTRY = re.compile(
    r"(^|\.)(aliyuncs\.com|azurecr\.io|gcr\.io|pkg\.dev|amazonaws\.com|ecr\.aws|ocir\.io|icr\.io)$", re.I
)
_NEUTRAL_OWNERS = {"cncf", "kubernetes", "kubernetes-sigs", "opencontainers", "containerd", "cncf-infra"}
_SLACK = re.compile(r"^join\.slack\.com/t/([a-z0-9-]+)|^([a-z0-9-]+)\.slack\.com", re.I)
_NEUTRAL_SLACK = {"cloud-native", "kubernetes", "cncf"}
# Links that point at places, not at project assets (badges, docs of other tools, issue links) are skipped.
_SKIP_OWNERS = {"orgs", "sponsors", "apps", "marketplace", "features", "topics", "search", "settings", "login"}


def _company_words(ctx: ScanContext) -> set[str]:
    """Lower-case single words naming companies in the rosters ("alibaba", "antgroup"), to spot namespaces.

    Names are normalised first (legal suffixes dropped, aliases folded: "Absa Group Ltd" -> "absa")."""
    words: set[str] = set()
    for roster in rosters(ctx):
        for person in roster.people:
            affiliation = normalise(person.affiliation)
            if affiliation.kind != COMPANY:
                continue
            name = re.sub(r"[^a-z0-9]", "", affiliation.name.lower().replace("group", ""))
            if len(name) >= 4:
                words.add(name)
    return words


_MAIL_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def classify_mail(address: str, names: set[str], companies: set[str]) -> dict[str, str] | None:
    """A contact address's owner: the project's own domain, a company's (a roster company's name or alias in the
    domain), or None for personal mail providers and mailing-list hosts."""
    domain = address.rsplit("@", 1)[-1].lower().rstrip(".")
    if domain in personal_mail_domains() or any(domain.endswith("." + d) for d in personal_mail_domains()):
        return None
    labels = [label for label in domain.split(".")[:-1] if len(label) >= 3]
    if any(_is_project(label, names) for label in labels):
        held = "project"
    elif any(
        any(word in label.replace("-", "") for word in companies)
        or re.sub(r"[^a-z0-9]", "", normalise(label).name.lower().replace("group", "")) in companies
        for label in labels
    ):
        held = "vendor"
    else:
        held = "other"
    return {"kind": "contact", "owner": domain, "held": held, "url": f"mailto:{address}"}


def classify_link(
    url: str, project_orgs: set[str], project_names: set[str], companies: set[str]
) -> dict[str, str] | None:
    """A link's asset kind and owner, and whether it is ``project``, ``neutral`` or ``vendor`` held (None: skip)."""
    parsed = urlparse(url)
    host = (parsed.netloc or "").lower()
    parts = [p for p in parsed.path.split("/") if p]
    if not host:
        return None
    slack = _SLACK.match(host + parsed.path)
    if slack or host.endswith(".slack.com"):
        workspace = (slack.group(1) or slack.group(2)) if slack else host.split(".")[0]
        held = (
            "neutral"
            if workspace in _NEUTRAL_SLACK
            else ("project" if _is_project(workspace, project_names) else "other")
        )
        return {"kind": "chat", "owner": workspace, "held": held, "url": url}
    if _VENDOR_REGISTRY.search(host.split(":")[0]):
        owner = parts[0] if parts else host
        held = "project" if _is_project(owner, project_orgs | project_names) else "vendor"
        return {"kind": "image", "owner": f"{host}/{owner}", "held": held, "url": url}
    if host in _NAMESPACED_HOSTS:
        if host == "hub.docker.com" and parts[:1] in (["r"], ["u"]):
            parts = parts[1:]
        if not parts or parts[0].lower() in _SKIP_OWNERS or parts[0] == "_":
            return None
        owner = parts[0].lower()
        kind = _NAMESPACED_HOSTS[host]
        if owner in _NEUTRAL_OWNERS:
            held = "neutral"
        elif _is_project(owner, project_orgs | project_names):
            held = "project"
        elif any(word in owner.replace("-", "") for word in companies):
            held = "vendor"
        else:
            held = "other"
        return {"kind": kind, "owner": f"{host}/{owner}", "held": held, "url": url}
    return None


def _is_project(owner: str, names: set[str]) -> bool:
    clean = owner.lower().replace("-", "").replace("_", "")
    return any(n and (n in clean or clean in n) for n in names)


class AssetsProjectOwnedValues(TypedDict, total=False):
    """``Finding.values`` of ``neutrality.assets_project_owned``."""

    links_checked: int
    vendor_owned: list[dict[str, Any]]
    unclassified_owners: dict[str, int]


class AssetsProjectOwned(Probe):
    spec = ProbeSpec(
        id="neutrality.assets_project_owned",
        title="Are the project's repos, images and channels held by the project rather than a company?",
        motivation="Assets under a company's namespace (image registry, chat workspace, GitHub org) leave the "
        "project dependent on that company.",
        remediation="Move repositories, images, chat workspaces and docs under the project's or CNCF's namespaces.",
    )
    values_type = AssetsProjectOwnedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs: list[ParsedDoc] = readmes(ctx, "main", "community", "org-profile", "website", "other")
        docs += [d for d in documents(ctx, *GOVERNANCE_ROLES) if d not in docs]
        if not docs:
            yield self.not_available(subject(ctx), "no README or governance document to read links from")
            return
        orgs = {o.lower() for o in ctx.project.orgs}
        # The org's repo names count as the project's own (a subproject's chat workspace is not a vendor's).
        names = {ctx.project.name.lower().replace("-", "")} | {o.replace("-", "") for o in orgs}
        names |= {r.name.lower().replace("-", "") for r in ctx.repos if len(r.name) >= 4}
        companies = _company_words(ctx) - names
        checked = 0
        vendor: list[dict[str, object]] = []
        other: dict[str, int] = {}
        evidence: list[Evidence] = []
        found: list[tuple[ParsedDoc, int, dict[str, str]]] = []
        for doc in docs:
            for link in doc.document.links:
                if link.image:
                    continue
                info = classify_link(link.url, orgs, names, companies)
                if info is not None:
                    found.append((doc, link.line, info))
        # The addresses people are told to write to (security reports, the project contact) are assets too.
        seen_mail: set[str] = set()
        for doc in docs + [d for d in documents(ctx, *CONTACT_ROLES) if d not in docs]:
            for number, text in enumerate(doc.text.splitlines(), start=1):
                for match in _MAIL_ADDRESS.finditer(text):
                    address = match.group(0).lower()
                    info = classify_mail(address, names, companies)
                    if info is not None and address not in seen_mail:
                        seen_mail.add(address)
                        found.append((doc, number, info))
        for doc, line, info in found:
            checked += 1
            if info["held"] == "vendor":
                vendor.append({**info, "file": doc.label, "line": line})
                if len(evidence) < 8:
                    evidence.append(doc.repo.evidence(doc.path, line, excerpt=info["url"]))
            elif info["held"] == "other":
                other[info["owner"]] = other.get(info["owner"], 0) + 1
        values: AssetsProjectOwnedValues = {
            "links_checked": checked,
            "vendor_owned": vendor,
            "unclassified_owners": other,
        }
        if vendor:
            owners = sorted({str(v["owner"]) for v in vendor})
            yield self.finding(
                subject(ctx),
                False,
                ("1 link or contact points" if len(vendor) == 1 else f"{len(vendor)} links or contacts point")
                + f" at assets under a company's namespace or domain: {', '.join(owners[:5])}",
                values,
                evidence,
            )
        else:
            yield self.finding(
                subject(ctx),
                True,
                f"no vendor-owned assets found in {checked} repository/image/chat links and contact addresses",
                values,
            )


__all__ = ["VendorNeutralStatement", "RepresentationCapDocumented", "AssetsProjectOwned", "classify_link"]
