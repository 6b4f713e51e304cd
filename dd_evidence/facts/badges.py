"""Badges a README carries that point at external evidence: the OpenSSF Best Practices project id."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dd_evidence.facts.parsed import parsed
from dd_evidence.facts.projectmap import readme_paths
from dd_evidence.repoview import RepoView

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

# The current host and the old one; both serve /projects/<id> and /projects/<id>/badge.
_BADGE_URL = re.compile(
    r"https?://(?:www\.)?(?:bestpractices\.dev|bestpractices\.coreinfrastructure\.org)"
    r"(?:/[a-z]{2}(?:-[A-Z]{2})?)?/projects/(\d+)"
)


def bestpractices_ids(ctx: ScanContext, repo: RepoView) -> list[tuple[int, str, int]]:
    """(project id, README path, line) for every Best Practices badge link in the repo's READMEs."""
    found = []
    for readme in readme_paths(repo):
        # The scan's parsed form (kept in the parse cache): the links of a README are not parsed again.
        for link in parsed(ctx, repo, readme).document.links:
            match = _BADGE_URL.match(link.url)
            if match:
                found.append((int(match.group(1)), readme, link.line))
    return found
