"""GitHub profiles as a third affiliation source, asked only for maintainers the roster leaves without one.

The roster is the project's own word and the foundation CSV the CNCF's; a profile's ``company`` field is the
person's own, often stale, so it never overrides the roster: it fills gaps, labelled by source.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from dd_evidence.affiliations import normalise
from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts.people import project_roster
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.sources.github_access import NotVisible, github_source


class AffiliationsKnownValues(TypedDict, total=False):
    """``Finding.values`` of ``maintainers.affiliations_known``."""

    from_roster: int
    from_profile: dict[str, str | None]
    unknown: list[str]
    no_github_profile: list[str]


class AffiliationsKnown(Probe):
    spec = ProbeSpec(
        id="maintainers.affiliations_known",
        title="Is every active maintainer's affiliation known, from the roster or else their GitHub profile?",
        motivation="Company diversity can only be judged when each maintainer's affiliation is known.",
        sources=("git", "github"),
        remediation="Add an affiliation (company, university, foundation or 'independent') for every maintainer "
        "in the roster.",
    )
    values_type = AffiliationsKnownValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        roster = project_roster(ctx)
        if roster is None:
            yield self.finding(ctx.project.name, Outcome.NOT_APPLICABLE, "no maintainer roster found")
            return
        active = roster.active
        missing = [p for p in active if not p.affiliation]
        subject = roster.label
        if not missing:
            yield self.finding(
                subject,
                True,
                f"the roster gives an affiliation for all {len(active)} maintainers",
                {"from_roster": len(active), "from_profile": {}},
            )
            return
        from_profile: dict[str, str | None] = {}
        gaps: list[str] = []
        no_profile: list[str] = []  # handles GitHub does not know (renamed or deleted accounts)
        evidence: list[Evidence] = []
        for person in missing:
            if not person.handle:
                gaps.append(person.label)
                continue
            try:
                user = github_source(ctx).get(f"/users/{person.handle}")
            except NotVisible as exc:
                if exc.status != 404:
                    yield self.not_available(subject, f"GitHub profile of {person.handle} not read: {exc.reason}")
                    return
                # A renamed or deleted account: that one person stays unknown, the others are still asked.
                no_profile.append(person.handle)
                gaps.append(person.label)
                continue
            except SourceUnavailable as exc:
                yield self.not_available(subject, f"GitHub profile of {person.handle} not read: {exc.reason}")
                return
            company = (user or {}).get("company")
            from_profile[person.handle] = normalise(company).name if company else None
            evidence.append(
                Evidence(
                    url=f"https://github.com/{person.handle}",
                    source="github",
                    retrieved_at=ctx.clock(),
                    label=f"@{person.handle}",
                )
            )
            if not company:
                gaps.append(person.label)
        values: AffiliationsKnownValues = {
            "from_roster": len(active) - len(missing),
            "from_profile": from_profile,
            "unknown": gaps,
            "no_github_profile": no_profile,
        }
        if gaps:
            note = (
                f"; no GitHub account {', '.join('@' + h for h in no_profile[:5])} (renamed or deleted)"
                if no_profile
                else ""
            )
            yield self.finding(
                subject,
                False,
                f"no affiliation known for {len(gaps)} of {len(active)} maintainers ({', '.join(gaps[:5])}){note}",
                values,
                evidence,
                remedy=f"Add the affiliation (company, university, foundation or 'independent') of {', '.join(gaps)} "
                f"to {roster.label}.",
            )
        else:
            named = ", ".join(f"{h}: {c}" for h, c in from_profile.items())
            yield self.finding(
                subject, True, f"{len(missing)} affiliation(s) taken from GitHub profiles ({named})", values, evidence
            )
