"""What probes need of the GitHub source without loading its client: the scan's source on first use, the
answer types its methods return, and the "absent or hidden" error.

The client (:mod:`dd_evidence.sources.github`) imports PyGithub, requests, urllib3 and, through PyGithub, jwt and
cryptography: a quarter of a second of imports. Probe modules are all imported by every scan, so they import
this module instead, and an offline scan (or one whose probes never ask GitHub) never loads any of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dd_evidence.errors import SourceUnavailable

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext
    from dd_evidence.sources.github import GitHubSource

SOURCE = "github"


class NotVisible(SourceUnavailable):
    """GitHub answered 404 or a non-rate-limit 403: the thing is absent or hidden from this token."""

    def __init__(self, route: str, status: int, reason: str):
        self.route = route
        self.status = status
        super().__init__(SOURCE, reason)


@dataclass(frozen=True)
class TeamMembers:
    """A team's member logins, or None with the reason the API did not tell."""

    members: list[str] | None
    reason: str | None = None


@dataclass(frozen=True)
class RepoListing:
    """One repository of an org as the listing reports it."""

    name: str
    archived: bool
    fork: bool
    private: bool
    default_branch: str | None
    full_name: str = ""  # "Owner/Name" as GitHub spells it (names are case-insensitive, some services are not)


@dataclass(frozen=True)
class IssueHit:
    """One issue or pull request of a search answer."""

    url: str
    title: str
    number: int
    state: str
    pull_request: bool
    repo: str  # "owner/name", from the item's repository_url
    created_at: str | None = None
    body: str = ""

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> IssueHit:
        """From a search item; the body is cut short (it is matched against, never reported in full)."""
        repository = str(item.get("repository_url") or "")
        return cls(
            url=str(item.get("html_url") or ""),
            title=str(item.get("title") or ""),
            number=int(item.get("number") or 0),
            state=str(item.get("state") or ""),
            pull_request="pull_request" in item,
            repo="/".join(repository.rstrip("/").split("/")[-2:]) if repository else "",
            created_at=item.get("created_at"),
            body=str(item.get("body") or "")[:4000],
        )


def canonical_full_name(ctx: ScanContext, owner: str, name: str) -> str:
    """``owner/name`` as GitHub spells it, when the scan's GitHub client can tell; else as given.

    Only a scan that has a GitHub client (every online scan registers one) is asked: a context built without one
    (a probe test, a notebook over local repos) is never sent to the network for a spelling.
    """
    source = ctx.clients.get(SOURCE)
    if ctx.config.offline or source is None or not hasattr(source, "canonical_repo"):
        return f"{owner}/{name}"
    return source.canonical_repo(owner, name) or f"{owner}/{name}"


def github_source(ctx: ScanContext) -> GitHubSource:
    """The scan's GitHub source, created on first use; the scan closes it and reports its counts.

    Offline it raises what every method of an offline source raises, before the client (and PyGithub) loads.
    """
    if ctx.config.offline and SOURCE not in ctx.clients:
        raise SourceUnavailable(SOURCE, "offline: not asked")
    from dd_evidence.sources.github import GitHubSource

    return ctx.client(SOURCE, lambda: GitHubSource.from_config(ctx.config))
