"""OpenSSF Best Practices badge level: does the project hold the passing badge, and silver or gold?

The project id comes from the README badge (free: it is in git); only when no README links a badge do we ask
bestpractices.dev to search by the main repo's URL. A service that did not answer gives ``not_available``,
never ``false``: only a successful answer (or a search that found no entry) can say no.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts.badges import bestpractices_ids
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView
from dd_evidence.sources.bestpractices import BestPracticesProject, bestpractices_client
from dd_evidence.sources.github_access import canonical_full_name

# Searches are polite (one a second) and each is exact: a few spellings, never a guessing game.
MAX_SEARCHES = 4


@dataclass(frozen=True)
class BadgeLookup:
    """What both badge probes need, computed once per scan."""

    project_id: int | None
    found_by: str | None  # "readme", "search" or None
    badge_evidence: Evidence | None
    project: BestPracticesProject | None
    unavailable: str | None  # why the entry could not be read (offline, network, 404...)


def lookup(ctx: ScanContext) -> BadgeLookup:
    """The project's Best Practices entry, memoised for the scan."""
    return ctx.memo(("bestpractices", "lookup"), lambda: _lookup(ctx))


def _lookup(ctx: ScanContext) -> BadgeLookup:
    badge = _badge_in_readmes(ctx)
    client = bestpractices_client(ctx)
    if badge is not None:
        project_id, evidence = badge
        found_by = "readme"
    else:
        evidence = None
        found_by = "search"
        urls = _search_urls(ctx)
        if not urls:
            return BadgeLookup(None, None, None, None, None)
        ids: list[int] = []
        try:
            for url in urls:
                ids = client.search(url)
                if ids:
                    break
        except SourceUnavailable as exc:
            return BadgeLookup(None, None, None, None, f"could not search bestpractices.dev: {exc.reason}")
        if not ids:
            return BadgeLookup(None, None, None, None, None)
        project_id = min(ids)  # several entries for one URL are rare; the oldest is the one badges link
    try:
        project = client.project(project_id)
    except SourceUnavailable as exc:
        return BadgeLookup(project_id, found_by, evidence, None, exc.reason)
    return BadgeLookup(project_id, found_by, evidence, project, None)


def _badge_in_readmes(ctx: ScanContext) -> tuple[int, Evidence] | None:
    """The first badge id in the main repo's README, then the org profile's, then any other repo's."""
    for repo in _ordered_repos(ctx):
        ids = bestpractices_ids(ctx, repo)
        if ids:
            project_id, path, line = ids[0]
            return project_id, repo.evidence(path, line)
    return None


def _ordered_repos(ctx: ScanContext) -> list[RepoView]:
    ordered = [r for r in (ctx.main_repo, *ctx.repos_with_role("org-profile")) if r is not None]
    return ordered + [r for r in ctx.repos if r not in ordered]


def _search_urls(ctx: ScanContext) -> list[str]:
    """The main repo's URLs to search for, best first (at most :data:`MAX_SEARCHES`).

    bestpractices.dev matches ``url`` exactly, case included, against the URL the entry recorded when it was made:
    GitHub's own spelling first, then the name as the index writes it, then the repo's former names (a repo of the
    index that GitHub now answers under the main repo's name, e.g. before a rename) — an entry keeps its old URL.
    """
    ref = ctx.project.main_repo
    main = ctx.main_repo
    if ref is not None:
        owner, name = ref.owner, ref.name
    elif main is not None:
        owner, name = main.owner, main.name
    else:
        return []
    canonical = canonical_full_name(ctx, owner, name)
    names = [canonical, f"{owner}/{name}"]
    for extra in ctx.project.extra_repos:
        if extra.owner.lower() != owner.lower() or extra.name.lower() == name.lower():
            continue
        if canonical_full_name(ctx, extra.owner, extra.name).lower() == canonical.lower():
            names.append(extra.full_name)
    return [f"https://github.com/{n}" for n in dict.fromkeys(names)][:MAX_SEARCHES]


class BadgeValues(TypedDict, total=False):
    """What both badge-level probes' ``Finding.values`` hold: how the entry was found and what it says."""

    project_id: int | None
    found_by: str | None
    badge_level: str | None
    level_derived: bool
    tiered_percentage: int | None
    percentages: dict[str, int | None]
    achieved: dict[str, str | None]
    lost: dict[str, str | None]
    next_level: str | None
    unmet_next_level: list[str]


class _BadgeLevelProbe(Probe):
    """Shared body: one finding about the project's Best Practices entry, decided by ``decide``."""

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = ctx.project.orgs[0] if ctx.project.orgs else ctx.project.name
        found = lookup(ctx)
        values = _values(found)
        evidence = _evidence(found)
        if found.unavailable is not None:
            yield self.finding(subject, Outcome.NOT_AVAILABLE, _unavailable_message(found), values, evidence)
            return
        if found.project is None:
            yield self.finding(subject, False, "no Best Practices entry found", values)
            return
        if found.project.badge_level is None:
            message = f"bestpractices.dev project {found.project_id} reports no badge level or percentages"
            yield self.finding(subject, Outcome.NOT_AVAILABLE, message, values, evidence)
            return
        outcome, message = self.decide(found.project)
        if found.project.level_derived:
            message += " (level derived from the percentages: the answer has no badge_level)"
        yield self.finding(subject, outcome, message, values, evidence)

    def decide(self, project: BestPracticesProject) -> tuple[bool, str]:
        raise NotImplementedError


class OpenSSFBadgePassingValues(BadgeValues, total=False):
    """``Finding.values`` of ``security.openssf_badge_passing``."""


class OpenSSFBadgePassing(_BadgeLevelProbe):
    spec = ProbeSpec(
        id="security.openssf_badge_passing",
        title="Does the project hold at least the OpenSSF Best Practices passing badge?",
        motivation="The TOC asks incubating and graduated projects for the passing badge at 100%.",
        sources=("git", "bestpractices"),
        remediation="Complete the passing questionnaire on bestpractices.dev and link the badge from the README.",
    )
    values_type = OpenSSFBadgePassingValues

    def decide(self, project: BestPracticesProject) -> tuple[bool, str]:
        level = project.badge_level
        if level in ("passing", "silver", "gold"):
            return True, f"bestpractices.dev project {project.id} holds the {level} badge{_tier(project)}"
        open_count = len(project.unmet_next_level)
        return False, (
            f"bestpractices.dev project {project.id} is in progress at {project.badge_percentage_0 or 0}% of"
            f" passing ({open_count} passing criteria unmet or unanswered)"
        )


class OpenSSFBadgeSilverOrGoldValues(BadgeValues, total=False):
    """``Finding.values`` of ``security.openssf_badge_silver_or_gold``."""


class OpenSSFBadgeSilverOrGold(_BadgeLevelProbe):
    spec = ProbeSpec(
        id="security.openssf_badge_silver_or_gold",
        title="Does the project hold the OpenSSF Best Practices silver or gold badge?",
        motivation="Graduated projects are expected to work towards the silver or gold badge.",
        sources=("git", "bestpractices"),
        remediation="Work through the silver criteria on bestpractices.dev.",
    )
    values_type = OpenSSFBadgeSilverOrGoldValues

    def decide(self, project: BestPracticesProject) -> tuple[bool, str]:
        level = project.badge_level
        if level in ("silver", "gold"):
            return True, f"bestpractices.dev project {project.id} holds the {level} badge{_tier(project)}"
        silver = project.badge_percentage_1 or 0
        return False, f"bestpractices.dev project {project.id} is at {level}, {silver}% of the silver criteria met"


def _tier(project: BestPracticesProject) -> str:
    return f" (tiered percentage {project.tiered_percentage})" if project.tiered_percentage is not None else ""


def _unavailable_message(found: BadgeLookup) -> str:
    if found.project_id is None:
        return found.unavailable or "bestpractices.dev did not answer"
    return f"badge level of bestpractices.dev project {found.project_id} unknown: {found.unavailable}"


def _values(found: BadgeLookup) -> BadgeValues:
    values: BadgeValues = {"project_id": found.project_id, "found_by": found.found_by}
    project = found.project
    if project is None:
        return values
    values.update(
        {
            "badge_level": project.badge_level,
            "level_derived": project.level_derived,
            "tiered_percentage": project.tiered_percentage,
            "percentages": project.percentages,
            "achieved": project.achieved,
            "lost": project.lost,
            "next_level": project.next_level,
            "unmet_next_level": project.unmet_next_level,
        }
    )
    return values


def _evidence(found: BadgeLookup) -> list[Evidence]:
    evidence = []
    if found.project_id is not None:
        project = found.project
        evidence.append(
            Evidence(
                url=f"https://www.bestpractices.dev/projects/{found.project_id}",
                source="bestpractices",
                retrieved_at=project.retrieved_at if project else None,
                label=f"bestpractices.dev project {found.project_id}",
            )
        )
    if found.badge_evidence is not None:
        evidence.append(found.badge_evidence)
    return evidence
