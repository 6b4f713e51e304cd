"""A worked example of an out-of-tree probe: does every repository carry a LICENSE file?

Load it with ``python -m dd_evidence PROJECT --probes-dir probes/``. Copy this file, change ``spec`` and
``run``, and your probe's findings appear in every report (map them onto a criterion in a catalogue to have
them decide one; unmapped findings are still listed in the report).
"""

from __future__ import annotations

from collections.abc import Iterable

from dd_evidence import Finding, Probe, ProbeSpec
from dd_evidence.context import ScanContext

LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING")


class LicenseInEveryRepo(Probe):
    spec = ProbeSpec(
        id="example.license_in_every_repo",
        title="Does every repository carry a LICENSE file?",
        motivation="CNCF projects are Apache-2.0 licensed; each repo should say so at its root.",
        sources=("git",),
        remediation="Add a LICENSE file at the root of each repository.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        for repo in ctx.repos:
            found = repo.find(LICENSE_NAMES, dirs=("",))
            if found:
                yield self.finding(
                    repo.full_name,
                    True,
                    f"{repo.name} has {found[0]}",
                    {"path": found[0]},
                    [repo.evidence(found[0])],
                )
            else:
                yield self.finding(repo.full_name, False, f"{repo.name} has no LICENSE file at its root")
