"""Links to the project's own GitHub repositories under names they no longer have.

GitHub redirects a renamed repository, so such links keep working in a browser and nobody notices them; but
readers see a stale name (``Dragonfly2`` long after the repo became ``dragonfly``), tools that do not follow
redirects break, and the redirect disappears for good if someone creates a repo with the old name. A removed
repository's links are plain dead ends.

Online, the org's listing (archived repos and forks included; the scan's discovery already fetched it) tells
which names exist, so a name it lacks is stale for certain; for a name that looks like an old name of a listed
repository, one request (at most three per scan) says what became of it: GitHub answers a renamed repository's
old route with the new one (PyGithub follows the 301). Offline only the repositories the scan read
are known, and a scan may read a subset of the org, so an unknown name is flagged only when it is a near variant
of a name the scan read (``Dragonfly2`` next to ``dragonfly``): a likely rename, said to be unconfirmed. Other
unknown names are listed as unverified, never as stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import unquote, urlparse

from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts import ParsedDoc, community_documents, subject
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.sources.github_access import NotVisible, github_source

MAX_EVIDENCE = 20
# At most this many "what became of this name" requests per scan: the scan's GitHub budget is small.
MAX_LOOKUPS = 3
# Routes under an org's name that are not repositories.
_NOT_REPOS = {"orgs", "settings", "sponsors", "topics", "marketplace", "features", "about", "apps"}
# States of a name that make its links stale.
STALE_STATES = ("renamed", "missing", "not_in_org", "likely_renamed")


@dataclass(frozen=True)
class RepoLink:
    """A link in a document to ``owner/name`` on the project's GitHub host."""

    doc: ParsedDoc
    line: int
    url: str
    owner: str
    name: str

    @property
    def where(self) -> str:
        return f"{self.doc.label}:{self.line}"

    @property
    def key(self) -> tuple[str, str]:
        return self.owner.lower(), self.name.lower()


@dataclass(frozen=True)
class Fate:
    """What became of a repository name.

    ``renamed`` (GitHub redirects it to ``new_name``), ``missing`` (GitHub: 404), ``not_in_org`` (absent from the
    org's full listing; the follow-up did not answer), ``likely_renamed`` (offline: a near variant of ``new_name``,
    which the scan read), ``unverified`` (offline and not a near variant: the scan may simply not have read it).
    """

    state: str
    new_name: str | None = None
    reason: str | None = None


class OwnRepoNamesCurrentValues(TypedDict, total=False):
    """``Finding.values`` of ``links.own_repo_names_current``."""

    stale: list[dict[str, Any]]
    stale_count: int
    unverified: list[str]
    unverified_reason: str | None
    links_checked: int
    repos_named: list[str]


class OwnRepoNamesCurrent(Probe):
    spec = ProbeSpec(
        id="links.own_repo_names_current",
        title="Do links to the project's own GitHub repositories use the repositories' current names?",
        motivation="Links to a renamed repository only work through GitHub's redirect and show readers a stale "
        "name; links to a removed repository lead nowhere.",
        sources=("git", "github"),
        remediation="Update links to the repository's current name (github.com/<org>/<current-name>) and drop links "
        "to repositories that no longer exist.",
    )
    values_type = OwnRepoNamesCurrentValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        links = _own_repo_links(ctx)
        if not links:
            yield self.finding(subject(ctx), Outcome.NOT_APPLICABLE, "no links to the org's own repositories")
            return
        fates = _fates(ctx, sorted({link.key for link in links}))
        stale = [link for link in links if link.key in fates and fates[link.key].state in STALE_STATES]
        unverified = [link for link in links if link.key in fates and fates[link.key].state == "unverified"]
        values: OwnRepoNamesCurrentValues = {
            "stale": [_describe(link, fates[link.key]) for link in stale],
            "stale_count": len(stale),
            "unverified": sorted({f"{link.owner}/{link.name}" for link in unverified}),
            "unverified_reason": next((fates[link.key].reason for link in unverified), None),
            "links_checked": len(links),
            "repos_named": sorted({f"{link.owner}/{link.name}" for link in links}),
        }
        if not stale:
            note = (
                f"; {len(values['unverified'])} other repository name(s) not checked ({values['unverified_reason']})"
                if unverified
                else ""
            )
            message = f"{len(links)} link(s) to the org's repositories, none under a stale name{note}"
            yield self.finding(subject(ctx), True, message, values)
            return
        names = sorted({f"{link.owner}/{link.name}" for link in stale})
        evidence = [
            link.doc.repo.evidence(link.doc.path, link.line, excerpt=link.url[:160]) for link in stale[:MAX_EVIDENCE]
        ]
        message = f"{len(stale)} link(s) name repositories the org does not have under that name: " + "; ".join(
            _summary(name, [s for s in stale if f"{s.owner}/{s.name}" == name], fates) for name in names
        )
        fixes = []
        for link in stale:
            fate = fates[link.key]
            target = fate.new_name or "a repository that exists, or drop it"
            fixes.append(f"{link.doc.label}#L{link.line} ({link.owner}/{link.name} → {target})")
        remedy = "Point the links to the org's repositories at their current names: " + "; ".join(fixes[:8]) + "."
        yield self.finding(subject(ctx), False, message, values, evidence, remedy=remedy)


def _own_repo_links(ctx: ScanContext) -> list[RepoLink]:
    """Links into ``<host>/<org>/<repo>`` in the documents people read, one per document line and repo."""
    hosts = _hosts(ctx)
    orgs = {o.lower() for o in ctx.project.orgs}
    found: dict[tuple[str, int, str], RepoLink] = {}
    for doc in community_documents(ctx):
        for link in doc.document.links:
            target = _repo_of(link.url, hosts, orgs)
            if target is not None:
                key = (doc.label, link.line, f"{target[0]}/{target[1]}".lower())
                found.setdefault(key, RepoLink(doc, link.line, link.url, *target))
    return list(found.values())


def _hosts(ctx: ScanContext) -> set[str]:
    """The web hosts of the scan's GitHub (github.com, or the Enterprise host of ``--github-api``)."""
    host = urlparse(ctx.config.web_url.format(owner="o", repo="r")).netloc.lower()
    hosts = {host, f"www.{host}"} if host else set()
    return hosts or {"github.com", "www.github.com"}


def _repo_of(url: str, hosts: set[str], orgs: set[str]) -> tuple[str, str] | None:
    """(owner, repo) for a link to a repository (or anything inside one) of one of ``orgs``."""
    parsed_url = urlparse(url.strip())
    if parsed_url.scheme not in ("http", "https") or parsed_url.netloc.lower() not in hosts:
        return None
    parts = [unquote(p) for p in parsed_url.path.strip("/").split("/") if p]
    if len(parts) < 2 or parts[0].lower() not in orgs or parts[1].lower() in _NOT_REPOS:
        return None
    name = parts[1].removesuffix(".git")
    # The org profile repository is rarely mirrored or cloned; its absence from a scan says nothing.
    if not name or name.lower() == ".github":
        return None
    return parts[0], name


def _scanned_names(ctx: ScanContext) -> set[tuple[str, str]]:
    """(owner, name) in lower case of every repository the scan read or tried to read."""
    known = {(r.owner.lower(), r.name.lower()) for r in ctx.repos}
    for full_name in ctx.unreadable:
        owner, _, name = full_name.lower().partition("/")
        if name:
            known.add((owner, name))
    return known


def _fates(ctx: ScanContext, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Fate]:
    """The fate of every linked name that is not a repository the scan read."""
    scanned = _scanned_names(ctx)
    fates: dict[tuple[str, str], Fate] = {}
    lookups = 0
    for owner, name in keys:
        if (owner, name) in scanned:
            continue
        listing, reason = _listing(ctx, owner)
        if listing is None:
            fates[(owner, name)] = _offline_fate(scanned, owner, name, reason)
        elif name in listing:
            continue  # an archived repository or a fork: left out of the scan, still its name
        elif lookups < MAX_LOOKUPS and any(_near(name, other) for other in listing):
            # Only a likely rename is worth a request: GitHub then names the new repository.
            lookups += 1
            fates[(owner, name)] = _ask(ctx, owner, name)
        else:
            why = f"not among the org's {len(listing)} repositories (archived and forks included)"
            fates[(owner, name)] = Fate("not_in_org", reason=why)
    return fates


def _listing(ctx: ScanContext, owner: str) -> tuple[set[str] | None, str | None]:
    """Every repository name of ``owner`` (archived and forks too) in lower case, or None and why not."""

    def fetch() -> tuple[set[str] | None, str | None]:
        try:
            return {r.name.lower() for r in github_source(ctx).org_repos(owner)}, None
        except SourceUnavailable as exc:
            return None, exc.reason

    return ctx.memo(("org-listing-names", owner), fetch)


def _ask(ctx: ScanContext, owner: str, name: str) -> Fate:
    """What GitHub says ``owner/name`` is now (one request)."""
    try:
        data = github_source(ctx).get(f"/repos/{owner}/{name}")
    except NotVisible as exc:
        if exc.status == 404:
            return Fate("missing", reason="GitHub: no such repository (or a private one)")
        return Fate("not_in_org", reason=exc.reason)
    except SourceUnavailable as exc:
        return Fate("not_in_org", reason=f"not in the org's listing; the rename was not confirmed: {exc.reason}")
    full_name = str((data or {}).get("full_name") or "") if isinstance(data, dict) else ""
    # Names are case-insensitive on GitHub: "wasmCloud/wasmCloud" answering for "wasmcloud/wasmcloud" is no rename.
    if full_name and full_name.casefold() != f"{owner}/{name}".casefold():
        return Fate("renamed", new_name=full_name)
    return Fate("not_in_org", reason="GitHub answers for the name but the org's listing lacks it")


def _offline_fate(scanned: set[tuple[str, str]], owner: str, name: str, reason: str | None) -> Fate:
    """Without the org's listing: a near variant of a scanned name is a likely rename, anything else unverified."""
    why = f"the org's listing was not read ({reason})" if reason else "the org's listing was not read"
    for other_owner, other in sorted(scanned):
        if other_owner == owner and _near(name, other):
            return Fate("likely_renamed", new_name=f"{owner}/{other}", reason=why)
    return Fate("unverified", reason=why)


def _near(a: str, b: str) -> bool:
    """Whether two different names look like one repository's old and new name: equal once case, separators and
    a trailing version number are dropped (``Dragonfly2``/``dragonfly``, ``foo_v1``/``foo``).

    Looser rules (a plural ``s``, a shared prefix) were tried and flag distinct legacy repositories, such as an
    archived ``helm-chart`` next to ``helm-charts``; offline, a wrong "renamed" is worse than an unverified name.
    """
    x, y = _squash(a), _squash(b)
    return a.lower() != b.lower() and len(x) >= 4 and x == y


def _squash(name: str) -> str:
    """Letters and digits only, without a trailing version number ("v2", "3")."""
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    # str.rstrip, not re.sub(r"v?\d+$"): the pattern restarts at every digit of a long run, quadratic.
    bare = squashed.rstrip("0123456789")
    return bare.removesuffix("v") if bare != squashed else squashed


def _describe(link: RepoLink, fate: Fate) -> dict[str, object]:
    return {
        "file": link.doc.label,
        "line": link.line,
        "url": link.url,
        "name": f"{link.owner}/{link.name}",
        "state": fate.state,
        "current": fate.new_name,
        "reason": fate.reason,
    }


def _summary(name: str, links: list[RepoLink], fates: dict[tuple[str, str], Fate]) -> str:
    fate = fates[links[0].key]
    if fate.state == "renamed":
        what = f"renamed to {fate.new_name}"
    elif fate.state == "missing":
        what = "no such repository on GitHub"
    elif fate.state == "likely_renamed":
        what = f"probably renamed to {fate.new_name} (not confirmed: {fate.reason})"
    else:
        what = f"not a repository of the org ({fate.reason})"
    places = ", ".join(link.where for link in links[:5]) + (f" and {len(links) - 5} more" if len(links) > 5 else "")
    return f"{name}: {what} — {places}"
