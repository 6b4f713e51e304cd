"""LFX Insights figures beside the git-history ones: active contributors and organisations, and how much of the
work the largest organisation does, for the same window as :mod:`dd_evidence.activity`.

Every value carries ``source: "lfx"`` so a renderer can show it next to the git figures without mixing them up:
LFX counts more than commits (PRs, reviews, issues) and attributes people to organisations with its own data.
The documented insights endpoint decides availability of ``lfx.contributor_activity``; the undocumented widget
routes add window figures when they answer in the shape we know, and are reported as unavailable otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, TypedDict, TypeVar

from dd_evidence.activity import window
from dd_evidence.affiliations import normalise
from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.sources.lfx import BASE_URL, SOURCE, Leaderboard, LfxClient, lfx_client

T = TypeVar("T")
TOP = 10
# A single organisation making the majority of contributions is the usual "single-vendor" line; the TOC sets no
# number for contributions, so this is shown as a supporting figure, never deciding a criterion on its own.
MAJORITY = 0.5
# LFX files people without a known employer under pseudo-organisations such as "Individual - No Account".
_UNAFFILIATED = re.compile(r"^(?:individual|independent|unknown|unaffiliated|no organi[sz]ation)\b", re.I)


def lfx_window(ctx: ScanContext) -> tuple[date, date]:
    """The scan's activity window as LFX's inclusive day range: [as_of - window_days, as_of - 1 day]."""
    start, end = window(ctx)
    return start.date(), (end - timedelta(microseconds=1)).date()


def _ui_evidence(slug: str, start: date, end: date, page: str, widget: str, retrieved: Any) -> Evidence:
    """The LFX Insights page a reviewer opens to see the same figures (what the DD documents link to)."""
    return Evidence(
        url=f"{BASE_URL}/project/{slug}/{page}?timeRange=custom&start={start}&end={end}&widget={widget}",
        source=SOURCE,
        retrieved_at=retrieved,
        label=f"LFX Insights {slug}: {widget} {start}..{end}",
    )


def _try(call: Callable[[], T], unavailable: dict[str, str], label: str) -> T | None:
    """Best-effort widget figures: a failure is recorded under ``label`` instead of failing the finding."""
    try:
        return call()
    except SourceUnavailable as exc:
        unavailable[label] = exc.reason
        return None


def _estimated_total(board: Leaderboard | None) -> int | None:
    """Total contributions of the window, from the top row's count and share (the widget gives no total)."""
    if board is None or not board.entries or board.entries[0].percentage <= 0:
        return None
    top = board.entries[0]
    return round(top.contributions * 100 / top.percentage)


class _LfxProbe(Probe):
    def setup(self, ctx: ScanContext) -> tuple[str, LfxClient, date, date] | Finding:
        """(slug, client, start, end), or the not_applicable finding when the project has no LFX slug."""
        slug = ctx.project.lfx_slug
        if not slug:
            return self.finding(ctx.project.name, Outcome.NOT_APPLICABLE, "no LFX Insights slug known for the project")
        start, end = lfx_window(ctx)
        return slug, lfx_client(ctx), start, end


class LfxContributorActivityValues(TypedDict, total=False):
    """``Finding.values`` of ``lfx.contributor_activity``."""

    source: str
    slug: str
    window_start: str
    window_end: str
    contributors_all_time: int
    organisations_all_time: int
    active_contributors_365d: int
    active_organisations_365d: int
    active_contributors_previous_365d: int
    active_organisations_previous_365d: int
    health_scores: dict[str, float | None]
    window_active_contributors: int | None
    window_active_organisations: int | None
    window_commit_authors: int | None
    window_commits_estimated: int | None
    window_pr_authors: int | None
    window_prs_estimated: int | None
    top_contributors: list[dict[str, Any]]
    window_contributor_dependency: dict[str, float] | None
    unavailable: dict[str, str]


class LfxContributorActivity(_LfxProbe):
    spec = ProbeSpec(
        id="lfx.contributor_activity",
        title="Does LFX Insights report contributors active in the past year?",
        motivation="The TOC looks at contributor and organisation counts over recent months; LFX Insights counts "
        "commits, pull requests, reviews and issues, which git history alone cannot show.",
        sources=("lfx",),
        remediation="Check the project's LFX Insights page and connect any repositories it is missing.",
    )
    values_type = LfxContributorActivityValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        setup = self.setup(ctx)
        if isinstance(setup, Finding):
            yield setup
            return
        slug, client, start, end = setup
        subject = ctx.project.name
        try:
            insights = client.insights(slug)
        except SourceUnavailable as exc:
            yield self.finding(subject, Outcome.NOT_AVAILABLE, f"LFX Insights not read: {exc.reason}", {"slug": slug})
            return
        unavailable: dict[str, str] = {}
        everyone = _try(lambda: client.contributor_leaderboard(slug, start, end, "all", TOP), unavailable, "all")
        commits = _try(
            lambda: client.contributor_leaderboard(slug, start, end, "authored-commit", 1), unavailable, "commits"
        )
        prs = _try(
            lambda: client.contributor_leaderboard(slug, start, end, "pull_request-opened", 1), unavailable, "prs"
        )
        orgs = _try(lambda: client.organization_leaderboard(slug, start, end, "all", TOP), unavailable, "organizations")
        dependency = _try(lambda: client.dependency(slug, "contributors", start, end), unavailable, "dependency")
        values: LfxContributorActivityValues = {
            "source": SOURCE,
            "slug": slug,
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "contributors_all_time": insights.contributor_count,
            "organisations_all_time": insights.organization_count,
            "active_contributors_365d": insights.active_contributors_365d,
            "active_organisations_365d": insights.active_organizations_365d,
            "active_contributors_previous_365d": insights.active_contributors_previous_365d,
            "active_organisations_previous_365d": insights.active_organizations_previous_365d,
            "health_scores": dict(insights.health_scores),
            "window_active_contributors": everyone.total if everyone else None,
            "window_active_organisations": orgs.total if orgs else None,
            "window_commit_authors": commits.total if commits else None,
            "window_commits_estimated": _estimated_total(commits),
            "window_pr_authors": prs.total if prs else None,
            "window_prs_estimated": _estimated_total(prs),
            "top_contributors": [
                {"name": e.name, "handles": list(e.handles), "contributions": e.contributions, "share": e.percentage}
                for e in (everyone.entries if everyone else ())
            ],
            "window_contributor_dependency": (
                {"count": dependency.top_count, "percentage": dependency.top_percentage} if dependency else None
            ),
            "unavailable": unavailable,
        }
        window_part = (
            f"; {everyone.total} active contributors from {start} to {end}" if everyone is not None else ""
        ) + (f" ({orgs.total} organisations)" if orgs is not None else "")
        health = insights.health_scores.get("healthScore")
        message = (
            f"LFX Insights ({slug}): {insights.active_contributors_365d} contributors and "
            f"{insights.active_organizations_365d} organisations active in the last 365 days{window_part}"
            + (f"; health score {health:g}" if health is not None else "")
            + (f"; not available: {', '.join(sorted(unavailable))}" if unavailable else "")
        )
        evidence = [
            Evidence(url=insights.html_url, source=SOURCE, retrieved_at=insights.retrieved_at, label=f"LFX {slug}"),
            _ui_evidence(
                slug, start, end, "contributors", "contributors-leaderboard", everyone and everyone.retrieved_at
            ),
        ]
        active = insights.active_contributors_365d > 0 or bool(everyone and everyone.total)
        yield self.finding(subject, active, message, values, evidence)


class LfxOrganisationDiversityValues(TypedDict, total=False):
    """``Finding.values`` of ``lfx.organisation_diversity``."""

    source: str
    slug: str
    window_start: str
    window_end: str
    organisations: int
    top_organisations: list[dict[str, Any]]
    top_organisation: str | None
    top_share: float | None
    elephant_factor: int | None
    elephant_share: float | None
    organisation_dependency_all_time: dict[str, float] | None
    unavailable: dict[str, str]


class LfxOrganisationDiversity(_LfxProbe):
    spec = ProbeSpec(
        id="lfx.organisation_diversity",
        title="Does no single organisation make the majority of the contributions LFX Insights counts in the window?",
        motivation="Contributions spread over several organisations show the project would survive one company "
        "leaving; LFX attributes contributors to organisations with its own affiliation data.",
        sources=("lfx",),
        remediation="Recruit contributors and maintainers from further organisations.",
    )
    values_type = LfxOrganisationDiversityValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        setup = self.setup(ctx)
        if isinstance(setup, Finding):
            yield setup
            return
        slug, client, start, end = setup
        subject = ctx.project.name
        try:
            board = client.organization_leaderboard(slug, start, end, "all", TOP)
        except SourceUnavailable as exc:
            message = f"LFX organisation leaderboard not read: {exc.reason}"
            yield self.finding(subject, Outcome.NOT_AVAILABLE, message, {"slug": slug, "source": SOURCE})
            return
        unavailable: dict[str, str] = {}
        dependency = _try(lambda: client.dependency(slug, "organizations", start, end), unavailable, "dependency")
        insights = _try(lambda: client.insights(slug), unavailable, "insights")
        # LFX lists unaffiliated people as an "organisation" (e.g. "Individual"); they are not a vendor.
        companies = [e for e in board.entries if not _UNAFFILIATED.match(e.name) and normalise(e.name).is_organisation]
        top = companies[0] if companies else None
        values: LfxOrganisationDiversityValues = {
            "source": SOURCE,
            "slug": slug,
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "organisations": board.total,
            "top_organisations": [
                {"name": e.name, "contributions": e.contributions, "share": e.percentage} for e in board.entries
            ],
            "top_organisation": top.name if top else None,
            "top_share": round(top.percentage / 100, 3) if top else None,
            "elephant_factor": dependency.top_count if dependency else None,
            "elephant_share": dependency.top_percentage if dependency else None,
            "organisation_dependency_all_time": (
                {
                    "count": insights.organization_dependency_count,
                    "percentage": insights.organization_dependency_percentage,
                }
                if insights
                else None
            ),
            "unavailable": unavailable,
        }
        evidence = [_ui_evidence(slug, start, end, "contributors", "organizations-leaderboard", board.retrieved_at)]
        if top is None:
            message = f"LFX Insights ({slug}) attributes no contributions from {start} to {end} to an organisation"
            yield self.finding(subject, Outcome.NOT_AVAILABLE, message, values, evidence)
            return
        elephant = f"; elephant factor {dependency.top_count}" if dependency else ""
        message = (
            f"LFX Insights ({slug}): {top.name} made {top.percentage:g}% of contributions from {start} to {end} "
            f"among {board.total} organisations{elephant}"
        )
        yield self.finding(subject, top.percentage / 100 <= MAJORITY, message, values, evidence)
