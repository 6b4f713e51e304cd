"""Maintainer probes: is the roster complete, how many organisations hold the seats, does the project keep its
own cap on seats per company, and does the CNCF foundation's list agree with the roster.

Facts come from :mod:`dd_evidence.facts.people`, :mod:`dd_evidence.affiliations` and :mod:`dd_evidence.sources.cncf`;
this module only judges them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from dd_evidence.affiliations import (
    COMPANY,
    UNKNOWN,
    count_by_organisation,
    elephant_factor,
    normalise,
    same_organisation,
)
from dd_evidence.context import ScanContext
from dd_evidence.facts.governance import find_cap
from dd_evidence.facts.people import Roster, project_roster, subproject_rosters
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.sources.cncf import (
    MAINTAINERS_CSV_URL,
    FoundationMaintainer,
    maintainers_csv_text,
    maintainers_matching,
    project_names,
)
from dd_evidence.values import SeatsByOrganisation

# The four details the TOC criterion asks for. A GitHub handle is accepted as contact information: it reaches
# the person through mentions and is what the foundation's own list records.
# The foundation file on GitHub, for line anchors (the raw URL is where the text is fetched from).
CSV_BLOB_URL = "https://github.com/cncf/foundation/blob/main/project-maintainers.csv"

REQUIRED = {"name": ("name",), "contact": ("email", "handle"), "affiliation": ("affiliation",), "areas": ("areas",)}


def _roster_evidence(roster: Roster) -> list[Evidence]:
    line = roster.header_line or (roster.people[0].line if roster.people else None)
    return [roster.repo.evidence(roster.path, line, line, excerpt=roster.header_text)]


class RosterCompleteValues(TypedDict, total=False):
    """``Finding.values`` of ``maintainers.roster_complete``."""

    file: str
    count: int
    emeritus: int
    columns_present: list[str]
    columns_missing: list[str]
    requirements_missing: list[str]
    shared_areas_statement: bool
    subproject_rosters: list[str]


class RosterComplete(Probe):
    spec = ProbeSpec(
        id="maintainers.roster_complete",
        title="Does the maintainer roster give each maintainer's name, contact, affiliation and area?",
        motivation="The TOC asks for a complete list of current maintainers with names, contact information, "
        "domain of responsibility and affiliation.",
        remediation="Add the missing columns to MAINTAINERS.md (for example an 'Area' column), or state that all "
        "maintainers share responsibility for every area.",
    )
    values_type = RosterCompleteValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        roster = project_roster(ctx)
        subject = ctx.project.name
        if roster is None:
            yield self.finding(
                subject,
                False,
                "no maintainer roster listing current maintainers was found",
                remedy="Add a MAINTAINERS.md to the main or community repository listing every current maintainer "
                "with name, GitHub handle, contact, affiliation and area of responsibility.",
            )
            return
        missing = [need for need, fields in REQUIRED.items() if not any(f in roster.columns_present for f in fields)]
        waived = "areas" in missing and roster.states_shared_areas
        if waived:
            missing.remove("areas")
        values: RosterCompleteValues = {
            "file": roster.label,
            "count": len(roster.active),
            "emeritus": len(roster.emeritus),
            "columns_present": list(roster.columns_present),
            "columns_missing": list(roster.columns_missing),
            "requirements_missing": missing,
            "shared_areas_statement": roster.states_shared_areas,
            "subproject_rosters": [r.label for r in subproject_rosters(ctx)],
        }
        evidence = _roster_evidence(roster)
        if waived and roster.shared_areas_line:
            evidence.append(roster.repo.evidence(roster.path, roster.shared_areas_line))
        if missing:
            message = (
                f"{roster.label} lists {len(roster.active)} maintainers but gives no "
                f"{' / '.join(_describe(m) for m in missing)}, and does not say all maintainers share all areas"
                if "areas" in missing
                else f"{roster.label} lists {len(roster.active)} maintainers but gives no "
                f"{' / '.join(_describe(m) for m in missing)}"
            )
            columns = " and ".join(_describe(m) for m in missing)
            remedy = f"Add a {columns} to {roster.label}"
            remedy += (
                ", or state there that all maintainers share responsibility for every area."
                if "areas" in missing
                else "."
            )
            # Two findings: the list of current maintainers exists (half of what the TOC asks), its fields fall
            # short. A roster without an area column is a partial answer, not a missing roster.
            yield self.finding(
                f"{subject}: roster",
                True,
                f"{roster.label} lists {len(roster.active)} current maintainers",
                values,
                evidence,
            )
            yield self.finding(f"{subject}: roster fields", False, message, values, evidence, remedy=remedy)
            return
        yield self.finding(
            subject,
            True,
            f"{roster.label} lists {len(roster.active)} maintainers with name, contact, affiliation and area"
            + (" (all maintainers share all areas)" if waived else ""),
            values,
            evidence,
        )


def _describe(requirement: str) -> str:
    return {"areas": "responsibility/area column", "contact": "contact column"}.get(
        requirement, f"{requirement} column"
    )


def diversity_values(roster: Roster) -> OrgDiversityValues:
    """The diversity figures of one roster's active maintainers."""
    people = roster.active
    orgs, others = count_by_organisation(p.affiliation for p in people)
    largest, largest_count = orgs.most_common(1)[0] if orgs else (None, 0)
    return {
        "file": roster.label,
        "maintainers": len(people),
        "organisations": len(orgs),
        "companies": sum(1 for name in orgs if normalise(name).kind == "company"),
        "largest_org": largest,
        "largest_count": largest_count,
        "largest_share": round(largest_count / len(people), 3) if people else 0.0,
        "elephant_factor": elephant_factor(orgs, len(people)),
        "by_org": dict(orgs.most_common()),
        "kinds": {name: normalise(name).kind for name in orgs},
        "non_company": dict(others),
    }


class OrgDiversityValues(SeatsByOrganisation, total=False):
    """``Finding.values`` of ``maintainers.org_diversity``."""

    organisations: int
    companies: int
    largest_org: str | None
    largest_count: int
    largest_share: float
    elephant_factor: int
    kinds: dict[str, str]
    non_company: dict[str, Any]
    subprojects: dict[str, dict[str, Any]]
    non_company_rows: list[dict[str, Any]]


class OrgDiversity(Probe):
    spec = ProbeSpec(
        id="maintainers.org_diversity",
        title="Do the project's maintainers come from at least two organisations?",
        motivation="Graduation asks for maintainers from at least 2 organisations, so the project survives "
        "one company leaving.",
        remediation="Bring in maintainers from further organisations and record every affiliation in the roster.",
    )
    values_type = OrgDiversityValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        roster = project_roster(ctx)
        subject = ctx.project.name
        if roster is None:
            yield self.not_available(subject, "no maintainer roster found, so affiliations cannot be counted")
            return
        if "affiliation" not in roster.columns_present:
            yield self.not_available(subject, f"{roster.label} gives no affiliations")
            return
        values = diversity_values(roster)
        values["subprojects"] = {r.label: _brief(diversity_values(r)) for r in subproject_rosters(ctx)}
        # Universities and foundations count as organisations but not as companies; cite their rows so a
        # reviewer comparing with a "from N companies" claim sees each such seat as the roster states it.
        not_companies = [
            p for p in roster.active if p.affiliation and normalise(p.affiliation).kind not in (COMPANY, UNKNOWN)
        ]
        values["non_company_rows"] = [
            {"maintainer": p.label, "affiliation": p.affiliation, "kind": normalise(p.affiliation).kind, "line": p.line}
            for p in not_companies
        ]
        evidence = _roster_evidence(roster) + [
            roster.repo.evidence(roster.path, p.line, p.line, excerpt=f"{p.label}: {p.affiliation}")
            for p in not_companies
            if p.line
        ]
        orgs = values["organisations"]
        yield self.finding(
            subject,
            orgs >= 2,
            f"{values['maintainers']} maintainers from {orgs} organisations in {roster.label}; largest "
            f"{values['largest_org']} with {values['largest_count']} ({values['largest_share']:.0%})",
            values,
            evidence,
        )


def _brief(values: OrgDiversityValues) -> dict[str, object]:
    return {
        "maintainers": values["maintainers"],
        "organisations": values["organisations"],
        "largest_org": values["largest_org"],
        "largest_count": values["largest_count"],
        "by_org": values["by_org"],
    }


# -- the project's own cap on seats per company ----------------------------------------------------------------


class WithinRepresentationCapValues(TypedDict, total=False):
    """``Finding.values`` of ``maintainers.within_representation_cap``."""

    cap: int
    source: dict[str, Any]
    largest_org: str | None
    largest_count: int
    over_cap: dict[str, int]
    at_cap: list[str]
    roster: str
    subprojects_counted: bool


class WithinRepresentationCap(Probe):
    spec = ProbeSpec(
        id="maintainers.within_representation_cap",
        title="Does every company stay within the project's own cap on maintainers from one company?",
        motivation="A documented cap on seats per company only protects vendor neutrality if the roster keeps it.",
        remediation="Rebalance the maintainer roster, or amend the cap through the governance process.",
    )
    values_type = WithinRepresentationCapValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = ctx.project.name
        cap = find_cap(ctx)
        if cap is None:
            yield self.finding(subject, Outcome.NOT_APPLICABLE, "the governance documents set no cap per company")
            return
        roster = project_roster(ctx)
        if roster is None or "affiliation" not in roster.columns_present:
            yield self.not_available(subject, f"cap of {cap.limit} found in {cap.label}, but no roster affiliations")
            return
        values = diversity_values(roster)
        over = {org: n for org, n in values["by_org"].items() if n > cap.limit}
        at = [org for org, n in values["by_org"].items() if n == cap.limit]
        result: WithinRepresentationCapValues = {
            "cap": cap.limit,
            "source": {"file": f"{cap.repo.name}/{cap.path}", "line": cap.line, "text": cap.sentence},
            "largest_org": values["largest_org"],
            "largest_count": values["largest_count"],
            "over_cap": over,
            "at_cap": at,
            "roster": roster.label,
            "subprojects_counted": False,
        }
        evidence = [cap.repo.evidence(cap.path, cap.line, excerpt=cap.sentence), *_roster_evidence(roster)]
        if over:
            message = f"{', '.join(f'{o} has {n}' for o, n in over.items())} maintainers, over the cap of {cap.limit}"
        else:
            message = f"largest company {values['largest_org']} has {values['largest_count']} of at most {cap.limit}"
            message += " (exactly at the cap)" if at else ""
        yield self.finding(
            subject, not over, message + f" ({cap.label}; subproject rosters not counted)", result, evidence
        )


# -- the CNCF foundation's list ---------------------------------------------------------------------------------


class FoundationCsvAgreesValues(TypedDict, total=False):
    """``Finding.values`` of ``maintainers.foundation_csv_agrees``."""

    roster: str
    roster_count: int
    csv_rows: int
    csv_roster_url: str
    in_roster_only: list[dict[str, Any]]
    in_csv_only: list[dict[str, Any]]
    company_differs: list[dict[str, Any]]
    names_tried: list[str]


class FoundationCsvAgrees(Probe):
    spec = ProbeSpec(
        id="maintainers.foundation_csv_agrees",
        title="Does the CNCF foundation's maintainer list match the project's roster?",
        motivation="The CNCF uses project-maintainers.csv for voting and access; it should be kept in step.",
        sources=("git", "cncf"),
        remediation="Open a pull request to cncf/foundation updating project-maintainers.csv from the roster.",
    )
    values_type = FoundationCsvAgreesValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = ctx.project.name
        roster = project_roster(ctx)
        if roster is None:
            yield self.not_available(subject, "no maintainer roster found to compare with the foundation list")
            return
        text = maintainers_csv_text(ctx)  # SourceUnavailable -> not_available, raised through the runner
        names = project_names(ctx.project)
        rows = maintainers_matching(text, names)
        if not rows:
            # The CSV names projects its own way: no block under the names we know is no proof of absence.
            yield self.finding(
                subject,
                Outcome.NOT_AVAILABLE,
                f"project-maintainers.csv has no block under {', '.join(repr(n) for n in names[:6])}; "
                "it may list the project under another name",
                {"roster": roster.label, "csv_rows": 0, "names_tried": names},
                [Evidence(MAINTAINERS_CSV_URL, "cncf")],
            )
            return
        yield self._compare(subject, roster, rows)

    def _compare(self, subject: str, roster: Roster, rows: list[FoundationMaintainer]) -> Finding:
        by_handle = {(p.handle or "").casefold(): p for p in roster.active if p.handle}
        by_name = {(p.name or "").casefold(): p for p in roster.active if p.name}
        csv_only: list[dict[str, Any]] = []
        company_differs: list[dict[str, Any]] = []
        matched: set[str] = set()
        for row in rows:
            person = by_handle.get(row.handle.casefold()) or by_name.get(row.name.casefold())
            if person is None:
                csv_only.append({"name": row.name, "handle": row.handle, "company": row.company, "csv_line": row.line})
                continue
            matched.add(person.label)
            if not same_organisation(person.affiliation, row.company):
                company_differs.append(
                    {"handle": person.label, "roster": person.affiliation, "csv": row.company, "csv_line": row.line}
                )
        roster_only = [
            {"name": p.name, "handle": p.handle, "company": p.affiliation, "line": p.line}
            for p in roster.active
            if p.label not in matched
        ]
        values: FoundationCsvAgreesValues = {
            "roster": roster.label,
            "roster_count": len(roster.active),
            "csv_rows": len(rows),
            "csv_roster_url": rows[0].roster_url,
            "in_roster_only": roster_only,
            "in_csv_only": csv_only,
            "company_differs": company_differs,
        }
        agrees = not (roster_only or csv_only or company_differs)
        message = (
            f"project-maintainers.csv ({len(rows)} rows) matches {roster.label}"
            if agrees
            else f"project-maintainers.csv ({len(rows)} rows) differs from {roster.label} ({len(roster.active)}): "
            f"{len(roster_only)} only in the roster, {len(csv_only)} only in the CSV, "
            f"{len(company_differs)} with another company"
        )
        first, last = rows[0].line, rows[-1].line
        csv_evidence = Evidence(
            f"{CSV_BLOB_URL}#L{first}-L{last}", "cncf", label=f"project-maintainers.csv#L{first}-L{last}"
        )
        evidence = [*_roster_evidence(roster), csv_evidence]
        return self.finding(subject, agrees, message, values, evidence)


__all__ = ["RosterComplete", "OrgDiversity", "WithinRepresentationCap", "FoundationCsvAgrees"]
