"""An opt-in live check of the external links in the governance documents (``--check-links``).

Every http(s) link of the documents :meth:`~dd_evidence.facts.ProjectMap.community_documents` picks, in every repo, is
requested once (HEAD, then GET when a server refuses HEAD), a few at a time and with a bounded count and timeout.
What is left out: images and badges, the chat invites ``links.no_expiring_invites`` already reports, placeholder
hosts, and links into the scanned repos themselves (``links.relative_links_resolve`` checks those against the
scanned commits without any request).

A link is *broken* when it answers 404-style (any 4xx except 401/403/429), 5xx twice, or its host cannot be
resolved or connected to. A login wall (401/403), a rate limit (429) or a timeout says nothing about the link, so
those are listed as ``unverified`` and do not make the finding false.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import urldefrag, urlsplit

from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts import ParsedDoc, community_documents, subject
from dd_evidence.facts.channels import expiring_invites
from dd_evidence.facts.links import github_target
from dd_evidence.markdown import Link
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.sources.http import PROBE_TIMEOUT, HttpClient, UrlStatus, http_client

SOURCE = "links"
WORKERS = 8
MAX_URLS = 300
MAX_EVIDENCE = 20
MAX_FILES_PER_URL = 10
# Statuses with which servers refuse a HEAD they would answer as a GET.
HEAD_REFUSED = frozenset({400, 403, 405, 501})
# Answers that say nothing about whether the page exists: a login wall, bot protection, a rate limit.
UNVERIFIED_STATUSES = frozenset({401, 403, 429})
BADGE_HOSTS = frozenset({"img.shields.io", "badge.fury.io", "badgen.net", "badges.gitter.im", "goreportcard.com"})
PLACEHOLDER_HOSTS = frozenset({"example.com", "example.org", "example.net", "localhost"})
PLACEHOLDER_SUFFIXES = (".example", ".test", ".invalid", ".localhost")


@dataclass
class Occurrences:
    """One external URL (without its fragment) and where the documents link to it."""

    url: str
    places: list[tuple[ParsedDoc, int]] = field(default_factory=list)

    def files(self) -> list[str]:
        """``repo/path#Lline`` for each place, capped so one ubiquitous link cannot flood the report."""
        return [f"{doc.label}#L{line}" for doc, line in self.places[:MAX_FILES_PER_URL]]


@dataclass(frozen=True)
class LinkResult:
    """What one URL answered: an HTTP status (and where it ended up) or the reason it did not answer."""

    url: str
    answer: UrlStatus | None = None
    error: str | None = None

    @property
    def broken(self) -> bool:
        if self.answer is None:
            return not (self.error or "").startswith("timed out")
        status = self.answer.status
        return status >= 500 or (400 <= status < 500 and status not in UNVERIFIED_STATUSES)

    @property
    def unverified(self) -> bool:
        return not self.broken and (self.answer is None or self.answer.status in UNVERIFIED_STATUSES)

    @property
    def moved_to(self) -> str | None:
        """The new address when a permanent redirect leads to another host or path (a renamed repo, say)."""
        if self.answer is None or not self.answer.permanent_redirect:
            return None
        before, after = urlsplit(self.url), urlsplit(self.answer.final_url)
        same = (before.hostname, before.path.rstrip("/")) == (after.hostname, after.path.rstrip("/"))
        return None if same else self.answer.final_url

    def describe(self) -> str:
        """The status code, or the transport error, in a few words."""
        return str(self.answer.status) if self.answer is not None else (self.error or "no answer")


def _is_badge(links: tuple[Link, ...], index: int) -> bool:
    """An image, or a link whose only content is the image just before it (``[![ci](badge.svg)](ci-page)``)."""
    link = links[index]
    if link.image:
        return True
    host = (urlsplit(link.url).hostname or "").lower()
    if host in BADGE_HOSTS or "/badge" in urlsplit(link.url).path.lower():
        return True
    before = links[index - 1] if index else None
    return bool(before and before.image and before.line == link.line and before.text == link.text and link.text)


def _skipped_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return not host or host in PLACEHOLDER_HOSTS or host.endswith(PLACEHOLDER_SUFFIXES)


def external_links(ctx: ScanContext) -> tuple[list[Occurrences], int]:
    """The distinct external URLs of every repo's governance documents, in first-seen order, and how many
    links were skipped (images, badges, expiring invites, placeholders, links into the scanned repos)."""
    found: dict[str, Occurrences] = {}
    skipped = 0
    for doc in community_documents(ctx):
        links = doc.document.links
        for index, link in enumerate(links):
            url = link.url.strip()
            if urlsplit(url).scheme.lower() not in ("http", "https"):
                continue
            if (
                _is_badge(links, index)
                or _skipped_host(url)
                or any(pattern.search(url) for _service, pattern in expiring_invites())
                or github_target(ctx, url) is not None
            ):
                skipped += 1
                continue
            key = urldefrag(url).url
            found.setdefault(key, Occurrences(key)).places.append((doc, link.line))
    return list(found.values()), skipped


def check_url(client: HttpClient, url: str, timeout: float = PROBE_TIMEOUT) -> LinkResult:
    """HEAD ``url``; GET it when the server refuses HEAD or fails on it."""
    try:
        answer = client.probe_url(url, method="HEAD", timeout=timeout, source=SOURCE)
        if answer.status in HEAD_REFUSED or answer.status >= 500:
            answer = client.probe_url(url, method="GET", timeout=timeout, source=SOURCE)
    except SourceUnavailable as exc:
        return LinkResult(url, error=exc.reason)
    return LinkResult(url, answer)


class ExternalLinksAliveValues(TypedDict, total=False):
    """``Finding.values`` of ``links.external_links_alive``."""

    checked: int
    broken: list[dict[str, Any]]
    redirected: list[dict[str, Any]]
    unverified: list[dict[str, str]]
    skipped: int


class ExternalLinksAlive(Probe):
    spec = ProbeSpec(
        id="links.external_links_alive",
        title="Do the external links in the governance documents still answer?",
        motivation="Dead links to meeting notes, charters, old repo names or foundation pages make the "
        "governance hard to follow and hint at documents nobody maintains.",
        sources=("git", "http"),
        remediation="Fix or remove the listed links; point redirected links at their new address.",
    )
    values_type = ExternalLinksAliveValues

    def __init__(self, *, workers: int = WORKERS, max_urls: int = MAX_URLS, timeout: float = PROBE_TIMEOUT):
        self.workers = workers
        self.max_urls = max_urls
        self.timeout = timeout

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        where = subject(ctx)
        if not ctx.config.check_links:
            yield self.finding(where, Outcome.NOT_APPLICABLE, "external links not checked: run with --check-links")
            return
        if ctx.config.offline:
            yield self.not_available(where, "external links not checked: the scan is offline")
            return
        urls, skipped = external_links(ctx)
        skipped += max(0, len(urls) - self.max_urls)
        urls = urls[: self.max_urls]
        client = http_client(ctx)
        with ThreadPoolExecutor(max_workers=max(1, self.workers), thread_name_prefix="link-check") as pool:
            results = list(pool.map(lambda o: check_url(client, o.url, self.timeout), urls))
        yield self._verdict(where, urls, results, skipped)

    def _verdict(self, where: str, urls: list[Occurrences], results: list[LinkResult], skipped: int) -> Finding:
        places = {o.url: o for o in urls}
        broken = [r for r in results if r.broken]
        values: ExternalLinksAliveValues = {
            "checked": len(results),
            "broken": [{"url": r.url, "status": r.describe(), "files": places[r.url].files()} for r in broken],
            "redirected": [
                {"url": r.url, "to": r.moved_to, "files": places[r.url].files()} for r in results if r.moved_to
            ],
            "unverified": [{"url": r.url, "status": r.describe()} for r in results if r.unverified],
            "skipped": skipped,
        }
        if results and all(r.answer is None for r in results):
            # Not one answer: the machine is more likely offline than every linked site dead.
            return self.not_available(where, f"none of {len(results)} external link(s) answered; no network?")
        if not broken:
            return self.finding(where, True, f"all {len(results)} external link(s) checked answer", values)
        evidence = dict.fromkeys(
            doc.repo.evidence(doc.path, line, excerpt=r.url[:200]) for r in broken for doc, line in places[r.url].places
        )
        message = f"{len(broken)} of {len(results)} external link(s) are broken"
        return self.finding(where, False, message, values, list(evidence)[:MAX_EVIDENCE])
