"""Badges a README carries that point at external evidence: the OpenSSF Best Practices project id.

Finding the id costs nothing (it is in the README); reading the badge level needs bestpractices.dev and is
the security family's job, which uses the id this probe reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts.badges import bestpractices_ids
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe


class BestPracticesBadgeLinkedValues(TypedDict, total=False):
    """``Finding.values`` of ``security.bestpractices_badge_linked``."""

    project_id: int
    repo: str
    path: str


class BestPracticesBadgeLinked(Probe):
    spec = ProbeSpec(
        id="security.bestpractices_badge_linked",
        title="Does the project's README link its OpenSSF Best Practices badge?",
        motivation="The badge id leads to the project's Best Practices entry and its level.",
        remediation="Register at bestpractices.dev and add the badge to the main README.",
    )
    values_type = BestPracticesBadgeLinkedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = ctx.project.orgs[0] if ctx.project.orgs else ctx.project.name
        ordered = [r for r in (ctx.main_repo, *ctx.repos_with_role("org-profile")) if r is not None]
        ordered += [r for r in ctx.repos if r not in ordered]
        for repo in ordered:
            ids = bestpractices_ids(ctx, repo)
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
