"""Links in the governance-ish documents of every repo: invite links that expire by design, and relative links
or anchors that lead nowhere.

The documents read are the project map's community documents (:meth:`ProjectMap.community_documents`): the
Markdown files at the root (and in ``.github/``) of every repo, plus every Markdown file of community repos, where
people look for how to join and how the project is run.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import unquote, urlparse

from dd_evidence.context import ScanContext
from dd_evidence.facts import ParsedDoc, community_documents, parsed, subject
from dd_evidence.facts.channels import expiring_invites
from dd_evidence.facts.links import github_target
from dd_evidence.markdown import Link
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView

MAX_EVIDENCE = 20


@dataclass(frozen=True)
class InviteHit:
    doc: ParsedDoc
    line: int
    service: str
    url: str


def invite_links(doc: ParsedDoc) -> list[InviteHit]:
    """Expiring invite links in a document, one per line and service."""
    # A pattern without anchors or lookarounds that matches a line matches the whole text too: lines are only
    # searched for the patterns the whole text matches (most documents have no invite link at all).
    patterns = [(s, p) for s, p in expiring_invites() if not _free_of_anchors(p) or p.search(doc.text)]
    if not patterns:
        return []
    hits = []
    for number, line in enumerate(doc.text.splitlines(), start=1):
        for service, pattern in patterns:
            match = pattern.search(line)
            if match:
                hits.append(InviteHit(doc, number, service, match.group(0).rstrip(").,>]")))
    return hits


def _free_of_anchors(pattern: re.Pattern[str]) -> bool:
    """No ``^``, ``$``, ``\\A``, ``\\Z``, word boundaries or lookarounds: what it matches inside a line does not
    depend on where the line starts or ends."""
    source = pattern.pattern.replace("[^", "[")  # a negated class is no anchor
    return not any(token in source for token in ("^", "$", "\\A", "\\Z", "\\b", "\\B", "(?<", "(?=", "(?!"))


class NoExpiringInvitesValues(TypedDict, total=False):
    """``Finding.values`` of ``links.no_expiring_invites``."""

    files: list[str]
    file_count: int
    repos: int
    repo_names: list[str]
    services: list[str]
    by_service: dict[str, list[str]]
    checked_files: int


class NoExpiringInvites(Probe):
    spec = ProbeSpec(
        id="links.no_expiring_invites",
        title="Are the project's documents free of chat invite links that expire by design?",
        motivation="DingTalk, WeChat, Slack shared and Discord invites stop working; newcomers then cannot join.",
        remediation="Replace invite links with a group number, a permanent channel URL or a join page.",
    )
    values_type = NoExpiringInvitesValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = community_documents(ctx)
        hits = [h for doc in docs for h in invite_links(doc)]
        files = list(dict.fromkeys(h.doc.label for h in hits))
        repos = sorted({h.doc.repo.name for h in hits})
        values: NoExpiringInvitesValues = {
            "files": files,
            "file_count": len(files),
            "repos": len(repos),
            "repo_names": repos,
            "services": sorted({h.service for h in hits}),
            "by_service": {
                service: list(dict.fromkeys(h.doc.label for h in hits if h.service == service))
                for service in sorted({h.service for h in hits})
            },
            "checked_files": len(docs),
        }
        if not hits:
            yield self.finding(
                subject(ctx),
                True,
                f"no expiring invite links in {len(docs)} document(s) of {len(ctx.repos)} repos",
                values,
            )
            return
        evidence = [h.doc.repo.evidence(h.doc.path, h.line, excerpt=h.url[:120]) for h in hits[:MAX_EVIDENCE]]
        yield self.finding(
            subject(ctx),
            False,
            f"expiring invite links ({', '.join(values['services'])}) in {len(files)} file(s) across "
            f"{len(repos)} repo(s)",
            values,
            evidence,
            remedy=f"Replace the invite links in {_some(files)} with a group number, a permanent channel URL or a "
            "join page.",
        )


@dataclass(frozen=True)
class BrokenLink:
    doc: ParsedDoc
    link: Link
    reason: str

    def describe(self) -> str:
        return f"{self.doc.label}:{self.link.line} {self.link.url} ({self.reason})"


def _anchor_set(ctx: ScanContext, repo: RepoView, path: str) -> frozenset[str]:
    return parsed(ctx, repo, path).anchors


def _check_target(ctx: ScanContext, repo: RepoView, path: str, anchor: str) -> str | None:
    """Why ``path#anchor`` does not resolve in ``repo``, or None when it does."""
    path = path.strip("/")
    if path and not repo.exists(path) and not repo.is_dir(path):
        return "no such file"
    # Line anchors (#L10) and anchors into non-Markdown files are GitHub UI features, not headings.
    if not anchor or re.fullmatch(r"L\d+(-L\d+)?", anchor) or not path.lower().endswith((".md", ".markdown")):
        return None
    if unquote(anchor).lower() not in _anchor_set(ctx, repo, path):
        return "no such anchor"
    return None


def broken_links(ctx: ScanContext, doc: ParsedDoc) -> list[BrokenLink]:
    """The links of ``doc`` that do not resolve within the scanned repositories."""
    found = []
    for link in doc.document.links:
        url = link.url.strip()
        if not url or url.startswith(("mailto:", "tel:")):
            continue
        target = github_target(ctx, url)
        if target is not None:
            reason = _check_target(ctx, *target)
        elif urlparse(url).scheme or url.startswith("//"):
            continue
        else:
            path, _, anchor = url.partition("#")
            path = path.split("?", 1)[0]
            here = posixpath.dirname(doc.path)
            resolved = doc.path if not path else posixpath.normpath(posixpath.join(here, unquote(path)))
            if path.startswith("/"):
                resolved = posixpath.normpath(unquote(path).lstrip("/"))
            if resolved.startswith(".."):
                reason = "points outside the repository"
            else:
                reason = _check_target(ctx, doc.repo, "" if resolved == "." else resolved, anchor)
        if reason:
            found.append(BrokenLink(doc, link, reason))
    return found


class RelativeLinksResolveValues(TypedDict, total=False):
    """``Finding.values`` of ``links.relative_links_resolve``."""

    broken: list[str]
    broken_count: int
    checked_files: int


class RelativeLinksResolve(Probe):
    spec = ProbeSpec(
        id="links.relative_links_resolve",
        title="Do the relative links and anchors in the governance documents resolve?",
        motivation="Broken links and anchors make the governance hard to follow and hint at stale documents.",
        remediation="Fix the listed links: update moved paths and renamed headings.",
    )
    values_type = RelativeLinksResolveValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        docs = community_documents(ctx)
        broken = [b for doc in docs for b in broken_links(ctx, doc)]
        values: RelativeLinksResolveValues = {
            "broken": [b.describe() for b in broken],
            "broken_count": len(broken),
            "checked_files": len(docs),
        }
        if not broken:
            yield self.finding(subject(ctx), True, f"every relative link in {len(docs)} document(s) resolves", values)
            return
        files = len({b.doc.label for b in broken})
        yield self.finding(
            subject(ctx),
            False,
            f"{len(broken)} broken link(s) or anchor(s) in {files} document(s)",
            values,
            _broken_evidence(broken),
            remedy=f"Fix the {len(broken)} broken link(s) or anchor(s) in "
            f"{_some(list(dict.fromkeys(b.doc.label for b in broken)))}: point them at the moved file or the renamed "
            "heading.",
        )


def _some(files: list[str], shown: int = 3) -> str:
    """``a, b, c and 4 more``: the files a remedy names (every one is listed with the finding)."""
    more = f" and {len(files) - shown} more" if len(files) > shown else ""
    return ", ".join(files[:shown]) + more


def _broken_evidence(broken: list[BrokenLink]) -> list[Evidence]:
    return [b.doc.repo.evidence(b.doc.path, b.link.line, excerpt=b.link.url) for b in broken[:MAX_EVIDENCE]]
