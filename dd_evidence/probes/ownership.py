"""Code ownership files: which repositories declare owners (CODEOWNERS / OWNERS), and whom they name.

Whether the named owners match the documented roles is the people family's job; this family reports
presence per repository so the reviewer sees "in 8 of 10 repos" rather than "in the main repo". Repositories
without code to own (documents only, or the community and website repositories) need no CODEOWNERS: they are
reported as not applicable when they have none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.facts.ownership import (
    CODEOWNERS_REMEDY,
    codeowners_path,
    needs_owners,
    owners_files,
    owners_named,
)
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView


class CodeownersPresentValues(TypedDict, total=False):
    """``Finding.values`` of ``ownership.codeowners_present``."""

    path: str
    owners: list[str]
    teams: list[str]


class CodeownersPresent(Probe):
    spec = ProbeSpec(
        id="ownership.codeowners_present",
        title="Does each repository declare code owners (CODEOWNERS or OWNERS)?",
        motivation="Code and doc ownership in GitHub should match the documented governance roles.",
        remediation="Add .github/CODEOWNERS naming the maintainers' team in every repository.",
    )
    values_type = CodeownersPresentValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        yield from self.per_repo(ctx.repos, self._judge)
        for name, reason in ctx.unreadable.items():
            yield self.not_available(name, f"repository could not be read: {reason}")

    def _judge(self, repo: RepoView) -> Finding:
        path = codeowners_path(repo)
        if path is None:
            found = owners_files(repo)
            path = found[0] if found else None
        if path is None:
            if not needs_owners(repo):
                return self.finding(
                    repo.full_name,
                    Outcome.NOT_APPLICABLE,
                    f"{repo.name} has no CODEOWNERS or OWNERS file, and no code to own ({repo.role} repository "
                    "of documents)",
                )
            return self.finding(
                repo.full_name, False, f"{repo.name} has no CODEOWNERS or OWNERS file", remedy=CODEOWNERS_REMEDY
            )
        owners = owners_named(repo.read(path) or "")
        teams = sorted(o for o in owners if "/" in o)
        return self.finding(
            repo.full_name,
            True,
            f"{repo.name} declares owners in {path}" + (f" ({', '.join(sorted(owners)[:5])})" if owners else ""),
            {"path": path, "owners": sorted(owners), "teams": teams},
            [repo.evidence(path)],
        )
