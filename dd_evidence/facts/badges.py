"""Badges a README carries that point at external evidence: the OpenSSF Best Practices project id."""

from __future__ import annotations

import re

from dd_evidence.facts.projectmap import readme_paths
from dd_evidence.markdown import parse
from dd_evidence.repoview import RepoView

# The current host and the old one; both serve /projects/<id> and /projects/<id>/badge.
_BADGE_URL = re.compile(
    r"https?://(?:www\.)?(?:bestpractices\.dev|bestpractices\.coreinfrastructure\.org)"
    r"(?:/[a-z]{2}(?:-[A-Z]{2})?)?/projects/(\d+)"
)


def bestpractices_ids(repo: RepoView) -> list[tuple[int, str, int]]:
    """(project id, README path, line) for every Best Practices badge link in the repo's READMEs."""
    found = []
    for readme in readme_paths(repo):
        for link in parse(repo.read(readme) or "").links:
            match = _BADGE_URL.match(link.url)
            if match:
                found.append((int(match.group(1)), readme, link.line))
    return found
