"""Activity probes over git history: do maintainers do the work, are listed maintainers active, do new
contributors keep arriving. Facts come from :mod:`dd_evidence.activity` (identities merged, bots left out).

Commits are the only signal git gives; reviews, issues and PR comments need the GitHub API or LFX Insights,
so a maintainer with no commits may still review. Messages say "commits" to keep that visible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TypedDict

from dd_evidence.activity import ActivityFacts, activity, last_quarters, quarter_of
from dd_evidence.context import ScanContext
from dd_evidence.facts.history import recently_added
from dd_evidence.facts.people import project_roster
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.values import TopCommitters

TOP = 10
# gov-active-maintainers asks for "a number of active maintainers appropriate to the size of the project"; with
# commits as the only signal, we call the roster healthy when at least half of it committed in the window. Half
# is lenient on purpose: reviewers who do not commit exist, and the reviewer still sees the full list.
ACTIVE_SHARE = 0.5


def _history_evidence(ctx: ScanContext) -> list[Evidence]:
    """Every repository's history as read: the tree at the scanned commit."""
    return [
        Evidence(url=r.permalink(), source="git", label=f"{r.name} history up to {(r.sha or '')[:12]}")
        for r in ctx.repos
        if r.sha
    ]


class WindowValues(TypedDict, total=False):
    """The activity window's part of a finding's values: which window, which repos, how many bot commits left out."""

    window_start: str
    window_end_exclusive: str
    window_days: int
    repos: list[str]
    bot_commits: int


def _window_values(facts: ActivityFacts) -> WindowValues:
    return {
        "window_start": facts.start.date().isoformat(),
        "window_end_exclusive": facts.end.date().isoformat(),
        "window_days": (facts.end - facts.start).days,
        "repos": list(facts.repos_read),
        "bot_commits": facts.bot_commits,
    }


def _no_history(facts: ActivityFacts) -> bool:
    return not facts.contributors


class TopCommittersIncludeMaintainersValues(TopCommitters, total=False):
    """``Finding.values`` of ``activity.top_committers_include_maintainers``."""

    window_days: int
    repos: list[str]
    bot_commits: int
    maintainers_in_top10: int
    tied_at_last_place_left_out: list[str]
    contributors: int
    top_login: str | None
    top_share: float


class TopCommittersIncludeMaintainers(Probe):
    spec = ProbeSpec(
        id="activity.top_committers_include_maintainers",
        title="Are roster maintainers among the top 10 committers of the window?",
        motivation="Maintainers who do the work show a project run by the people listed; a single dominant "
        "committer is a bus-factor risk.",
        remediation="Grow maintainers from the most active contributors and spread the work.",
    )
    values_type = TopCommittersIncludeMaintainersValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        facts = activity(ctx)
        subject = ctx.project.name
        if _no_history(facts):
            yield self.not_available(subject, "no git history could be read")
            return
        ranked = facts.ranked
        top = ranked[:TOP]
        total = facts.window_total
        # Ties at the last place are reported, not hidden: who is 10th then depends only on the ordering.
        cut = top[-1].window_commits if top else 0
        tied_out = [c.label for c in ranked[TOP:] if c.window_commits == cut]
        in_top = sum(1 for c in top if c.maintainer)
        values: TopCommittersIncludeMaintainersValues = {
            **_window_values(facts),
            "top10": [
                {
                    "login": c.label,
                    "commits": c.window_commits,
                    "maintainer": c.maintainer,
                    "subproject_maintainer": c.subproject_maintainer,
                    "repos": dict(c.repos.most_common()),
                }
                for c in top
            ],
            "maintainers_in_top10": in_top,
            "tied_at_last_place_left_out": tied_out,
            "human_commits": total,
            "contributors": len(ranked),
            "top_login": top[0].label if top else None,
            "top_share": round(top[0].window_commits / total, 3) if total else 0.0,
        }
        if not top:
            yield self.finding(subject, False, "no human commits in the window", values, _history_evidence(ctx))
            return
        yield self.finding(
            subject,
            in_top > 0,
            f"{in_top} of the top {len(top)} committers from {facts.start.date()} to {facts.end.date()} (exclusive) "
            f"are roster maintainers; {top[0].label} made {values['top_share']:.0%} of {total} human commits",
            values,
            _history_evidence(ctx),
        )


class MaintainersActiveValues(TypedDict, total=False):
    """``Finding.values`` of ``activity.maintainers_active``."""

    window_start: str
    window_end_exclusive: str
    window_days: int
    repos: list[str]
    bot_commits: int
    roster: str
    maintainers: int
    active: int
    inactive: list[str]
    recently_added: list[str]
    commits: dict[str, int]
    threshold_share: float


class MaintainersActive(Probe):
    spec = ProbeSpec(
        id="activity.maintainers_active",
        title="Did at least half of the listed maintainers commit in the window?",
        motivation="Listed maintainers who no longer contribute overstate the project's capacity.",
        remediation="Move inactive maintainers to emeritus and grow new maintainers from active contributors.",
    )
    values_type = MaintainersActiveValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        facts = activity(ctx)
        subject = ctx.project.name
        roster = project_roster(ctx)
        if roster is None:
            yield self.not_available(subject, "no maintainer roster found")
            return
        if _no_history(facts):
            yield self.not_available(subject, "no git history could be read")
            return
        per = {label: (c.window_commits if c else 0) for label, c in facts.maintainers.items()}
        # Someone added to the roster during the window has had no time to commit in it: not inactive, not counted.
        new = recently_added(ctx, facts.start)
        recent = [label for label, n in per.items() if n == 0 and label.casefold() in new]
        counted = {label: n for label, n in per.items() if label not in recent}
        inactive = [label for label, n in counted.items() if n == 0]
        active = len(counted) - len(inactive)
        values: MaintainersActiveValues = {
            **_window_values(facts),
            "roster": roster.label,
            "maintainers": len(per),
            "active": active,
            "inactive": inactive,
            "recently_added": recent,
            "commits": per,
            "threshold_share": ACTIVE_SHARE,
        }
        evidence = [roster.repo.evidence(roster.path, roster.header_line, excerpt=roster.header_text)]
        healthy = bool(counted) and active >= ACTIVE_SHARE * len(counted)
        remedy = None
        if inactive:
            # Healthy or not, the listed people without commits are something to settle: a true finding with a
            # remedy is never praised as it stands.
            remedy = (
                f"Confirm with {', '.join(inactive)} (no commits from {facts.start.date()} to {facts.end.date()}, "
                f"exclusive) whether they are still active maintainers, and move those who are not to emeritus in "
                f"{roster.label} under the documented process."
            )
            if not healthy:
                remedy += " Grow new maintainers from the most active contributors."
        yield self.finding(
            subject,
            healthy,
            f"{active} of {len(counted)} maintainers in {roster.label} committed from {facts.start.date()} to "
            f"{facts.end.date()} (exclusive); no commits from {', '.join(inactive) or 'nobody'}"
            + (f"; {', '.join(recent)} added to the roster in the window" if recent else ""),
            values,
            [*evidence, *_history_evidence(ctx)],
            remedy=remedy,
        )


class NewContributorsValues(TypedDict, total=False):
    """``Finding.values`` of ``activity.new_contributors``."""

    per_quarter: dict[str, int]
    contributors_ever: int
    as_of: datetime


class NewContributors(Probe):
    spec = ProbeSpec(
        id="activity.new_contributors",
        title="Did new contributors make their first commit in each of the last four quarters?",
        motivation="A steady inflow of new contributors shows the project recruits and is easy to join.",
        remediation="Label good first issues, mentor newcomers and take part in mentoring programmes.",
    )
    values_type = NewContributorsValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        facts = activity(ctx)
        subject = ctx.project.name
        if _no_history(facts):
            yield self.not_available(subject, "no git history could be read")
            return
        # The window end is exclusive: an as-of of 1 January describes the quarter that just ended.
        quarters = last_quarters(facts.end - timedelta(microseconds=1))
        firsts = Counter(
            quarter_of(c.first_commit) for c in facts.contributors if c.first_commit and c.first_commit < facts.end
        )
        per_quarter = {q: firsts.get(q, 0) for q in quarters}
        values: NewContributorsValues = {
            "per_quarter": per_quarter,
            "contributors_ever": len(facts.contributors),
            "as_of": facts.end,
        }
        empty = [q for q, n in per_quarter.items() if n == 0]
        outcome: Outcome | bool = not empty
        yield self.finding(
            subject,
            outcome,
            "new contributors per quarter (first commit in any repo): "
            + ", ".join(f"{q} {n}" for q, n in per_quarter.items())
            + (f" (the last quarter runs to {facts.end.date()})" if quarters else ""),
            values,
            _history_evidence(ctx),
        )
