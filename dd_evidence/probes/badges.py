"""Badges a README carries that point at external evidence: the OpenSSF Best Practices project id.

Finding the id costs nothing (it is in the README); reading the badge level needs bestpractices.dev and is
the security family's job, which uses the id this probe reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dd_evidence.context import ScanContext
from dd_evidence.markdown import parse
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView

# The current host and the old one; both serve /projects/<id> and /projects/<id>/badge.
_BADGE_URL = re.compile(
    r"https?://(?:www\.)?(?:bestpractices\.dev|bestpractices\.coreinfrastructure\.org)"
    r"(?:/[a-z]{2}(?:-[A-Z]{2})?)?/projects/(\d+)"
)


def bestpractices_ids(repo: RepoView) -> list[tuple[int, str, int]]:
    """(project id, README path, line) for every Best Practices badge link in the repo's README."""
    found = []
    for readme in repo.find(["README.md", "README"], dirs=("", ".github", "profile", ".github/profile")):
        for link in parse(repo.read(readme) or "").links:
            match = _BADGE_URL.match(link.url)
            if match:
                found.append((int(match.group(1)), readme, link.line))
    return found


class BestPracticesBadgeLinked(Probe):
    spec = ProbeSpec(
        id="security.bestpractices_badge_linked",
        title="Does the project's README link its OpenSSF Best Practices badge?",
        motivation="The badge id leads to the project's Best Practices entry and its level.",
        remediation="Register at bestpractices.dev and add the badge to the main README.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = ctx.project.orgs[0] if ctx.project.orgs else ctx.project.name
        ordered = [r for r in (ctx.main_repo, *ctx.repos_with_role("org-profile")) if r is not None]
        ordered += [r for r in ctx.repos if r not in ordered]
        for repo in ordered:
            ids = bestpractices_ids(repo)
            if ids:
                project_id, path, line = ids[0]
                yield self.finding(
                    subject,
                    True,
                    f"OpenSSF Best Practices badge for project {project_id} in {repo.name}/{path}",
                    {"project_id": project_id, "repo": repo.full_name, "path": path},
                    [repo.evidence(path, line), _bp_evidence(project_id)],
                )
                return
        yield self.finding(subject, False, "no OpenSSF Best Practices badge link in any README")


def _bp_evidence(project_id: int) -> Evidence:
    return Evidence(
        url=f"https://www.bestpractices.dev/projects/{project_id}",
        source="bestpractices",
        label=f"bestpractices.dev project {project_id}",
    )
