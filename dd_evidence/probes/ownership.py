"""Code ownership files: which repositories declare owners (CODEOWNERS / OWNERS), and whom they name.

Whether the named owners match the documented roles is the people family's job; this family reports
presence per repository so the reviewer sees "in 8 of 10 repos" rather than "in the main repo".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dd_evidence.context import ScanContext
from dd_evidence.model import Finding, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView

# GitHub reads CODEOWNERS from these places, first match wins.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
# An e-mail starts only where a run of address characters starts (linear on "+++...", no "@").
_OWNER = re.compile(r"(?<![\w/])@[\w.-]+(?:/[\w.-]+)?|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+")


CODEOWNERS_REMEDY = "Add a .github/CODEOWNERS naming the maintainers' team to each repository without one."


class CodeownersPresent(Probe):
    spec = ProbeSpec(
        id="ownership.codeowners_present",
        title="Does each repository declare code owners (CODEOWNERS or OWNERS)?",
        motivation="Code and doc ownership in GitHub should match the documented governance roles.",
        remediation="Add .github/CODEOWNERS naming the maintainers' team in every repository.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        yield from self.per_repo(ctx.repos, self._judge)
        for name, reason in ctx.unreadable.items():
            yield self.not_available(name, f"repository could not be read: {reason}")

    def _judge(self, repo: RepoView) -> Finding:
        path = next((p for p in CODEOWNERS_PATHS if repo.exists(p)), None)
        if path is None:
            owners_files = [p for p in repo.files if p.rsplit("/", 1)[-1] == "OWNERS"]
            path = owners_files[0] if owners_files else None
        if path is None:
            return self.finding(
                repo.full_name,
                False,
                f"{repo.name} has no CODEOWNERS or OWNERS file",
                remedy=CODEOWNERS_REMEDY,
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


def owners_named(text: str) -> set[str]:
    """The @users, @org/teams and e-mail addresses a CODEOWNERS file names (comments ignored)."""
    owners: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        for token in line.split()[1:]:
            if _OWNER.fullmatch(token):
                owners.add(token)
    return owners
