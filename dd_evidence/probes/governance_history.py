"""Governance in use and over time: roster changes from git history, how often governance documents change, and
whether the governance still matches the project's activity.

History comes from the repository's one shared history walk (``RepoView.history()``), filtered to the roster and
governance paths; the roster file is then read only at the commits that touched it, and as it stood when the
history window starts. All roster paths of a repository form one timeline, so a roster moved from one file to
another in one commit shows no one leaving and no one joining. Which paths are rosters and governance files is the
project map's knowledge (:mod:`dd_evidence.facts.history`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypedDict

from dd_evidence.activity import activity, all_commits
from dd_evidence.context import GOVERNANCE_HISTORY_DAYS, ScanContext
from dd_evidence.facts import GOVERNANCE_ROLES, documents, readmes, subject
from dd_evidence.facts.history import (
    RosterEvent,
    governance_log,
    is_governance_path,
    is_roster_path,
    pr_number,
    recently_added,
    roster_blobs_at_window_start,
    roster_events,
)
from dd_evidence.facts.people import Person, Roster, project_roster
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import GitRepoView, RepoView
from dd_evidence.sources.git import Commit

# How far back "in use" and "iterated" look, as the TOC reads "recently" (named in every report's header).
RECENT_DAYS = GOVERNANCE_HISTORY_DAYS


class LifecycleUsedValues(TypedDict, total=False):
    """``Finding.values`` of ``governance.lifecycle_used``."""

    events: list[dict[str, Any]]
    recent_counts: dict[str, int]
    since: str
    repos_read: list[str]


class LifecycleUsed(Probe):
    spec = ProbeSpec(
        id="governance.lifecycle_used",
        title="Has the maintainer lifecycle been used: maintainers added or moved to emeritus in the last 2 years?",
        motivation="A documented lifecycle is only evidence of good governance when the roster history shows it "
        "being followed.",
        remediation="Link the pull requests or votes that added maintainers or moved them to emeritus; review "
        "inactive maintainers under the documented process.",
    )
    values_type = LifecycleUsedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        events: list[RosterEvent] = []
        read = []
        for repo in ctx.repos:
            found = roster_events(ctx, repo)
            if found is None:
                continue
            read.append(repo.name)
            events.extend(found)
        if not read:
            yield self.not_available(subject(ctx), "no repository history could be read (git history needed)")
            return
        events.sort(key=lambda e: e.date)
        since = ctx.as_of - timedelta(days=RECENT_DAYS)
        recent = [e for e in events if e.date >= since]
        kinds = Counter(e.kind for e in recent)
        values: LifecycleUsedValues = {
            "events": [e.to_dict() for e in events],
            "recent_counts": dict(kinds),
            "since": since.isoformat(),
            "repos_read": read,
        }
        evidence = [_commit_evidence(ctx, e.repo, e.path, e.sha, e.subject) for e in recent[-8:]]
        if not events and not any(_has_roster_history(ctx, r) for r in ctx.repos):
            yield self.finding(
                subject(ctx), False, "no maintainer roster file has any history in the scanned repos", values
            )
            return
        if recent:
            summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(kinds.items()))
            last = recent[-1]
            message = (
                f"roster changes in the last 24 months: {summary}; latest {last.kind.replace('_', ' ')} "
                f"{last.person} on {last.date.date()} ({last.repo} {last.sha[:7]}"
                + (f", #{last.pr}" if last.pr else "")
                + ")"
            )
            yield self.finding(subject(ctx), True, message, values, evidence)
        else:
            yield self.finding(
                subject(ctx),
                False,
                f"no maintainer added or moved to emeritus since {since.date()} ({len(events)} changes in all)",
                values,
            )


def _has_roster_history(ctx: ScanContext, repo: RepoView) -> bool:
    log = governance_log(ctx, repo) or []
    if any(is_roster_path(p) for c in log for p in c.paths):
        return True
    # A roster that did not change within the window still has a history: it stood there when the window began.
    return isinstance(repo, GitRepoView) and bool(roster_blobs_at_window_start(ctx, repo)[1])


def _commit_evidence(ctx: ScanContext, repo_name: str, path: str, sha: str, subject_line: str) -> Evidence:
    repo = ctx.repo(repo_name)
    base = repo.web_url if repo is not None else ""
    return Evidence(
        url=f"{base}/commit/{sha}",
        source="git",
        excerpt=subject_line,
        label=f"{repo_name}@{sha[:7]} {path}",
    )


# -- how often governance changed -----------------------------------------------------------------------------


def governance_commits(ctx: ScanContext) -> list[tuple[str, Commit, tuple[str, ...]]] | None:
    """(repo, commit, governance paths touched) across every repo, oldest first; None when no history was read."""
    found: list[tuple[str, Commit, tuple[str, ...]]] = []
    any_read = False
    seen: set[str] = set()
    for repo in ctx.repos:
        log = governance_log(ctx, repo)
        if log is None:
            continue
        any_read = True
        for commit in log:
            paths = tuple(p for p in commit.paths if is_governance_path(p))
            if paths and commit.sha not in seen:
                seen.add(commit.sha)
                found.append((repo.name, commit, paths))
    if not any_read:
        return None
    return sorted(found, key=lambda item: item[1].authored_at)


def half_year(moment: datetime) -> str:
    return f"{moment.year}H{1 if moment.month <= 6 else 2}"


class GovernanceIteratedValues(TypedDict, total=False):
    """``Finding.values`` of ``governance.iterated``."""

    count: int
    recent_count: int
    since: str
    first: str | None
    last: str | None
    by_repo: dict[str, int]
    by_half_year: dict[str, int]
    prs: list[str]
    commits: list[dict[str, Any]]


class GovernanceIterated(Probe):
    spec = ProbeSpec(
        id="governance.iterated",
        title="Have the governance documents changed at least twice in the last 2 years?",
        motivation="The TOC looks for governance that evolves with the project, through reviewed changes.",
        remediation="Revisit GOVERNANCE.md and the membership documents as the project grows, through pull "
        "requests that say why.",
    )
    values_type = GovernanceIteratedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        commits = governance_commits(ctx)
        if commits is None:
            yield self.not_available(subject(ctx), "no repository history could be read (git history needed)")
            return
        since = ctx.as_of - timedelta(days=RECENT_DAYS)
        recent = [c for c in commits if c[1].authored_at >= since]
        values: GovernanceIteratedValues = {
            "count": len(commits),
            "recent_count": len(recent),
            "since": since.isoformat(),
            "first": commits[0][1].authored_at.isoformat() if commits else None,
            "last": commits[-1][1].authored_at.isoformat() if commits else None,
            "by_repo": dict(Counter(name for name, _, _ in commits)),
            "by_half_year": dict(sorted(Counter(half_year(c.authored_at) for _, c, _ in commits).items())),
            "prs": sorted({f"{name}#{pr}" for name, c, _ in commits if (pr := pr_number(c.subject))}),
            "commits": [
                {
                    "repo": name,
                    "sha": c.sha,
                    "date": c.authored_at.isoformat(),
                    "subject": c.subject,
                    "pr": pr_number(c.subject),
                    "paths": list(paths),
                }
                for name, c, paths in commits
            ],
        }
        evidence = [_commit_evidence(ctx, name, paths[0], c.sha, c.subject) for name, c, paths in recent[-8:]]
        ok = len(recent) >= 2
        message = (
            f"{len(recent)} commits changed governance files since {since.date()} ({len(commits)} in all, "
            f"in {len(values['by_repo'])} repos)"
        )
        if recent:
            message += f"; last on {recent[-1][1].authored_at.date()}"
        yield self.finding(subject(ctx), ok, message, values, evidence)


# -- does the governance match today's activity ---------------------------------------------------------------

_STATUS = re.compile(r"\b(Sandbox|Incubating|Graduated)\b(?:\s+(?:Level|Stage|Maturity))?\s+Project", re.IGNORECASE)
_MEETING_DATE = re.compile(
    r"\b(?:meeting|election|elected|term|vote|voting)\b[^.\n]{0,80}?\b(20\d\d)-(\d\d)-(\d\d)\b"
    r"|\b(20\d\d)-(\d\d)-(\d\d)\b[^.\n]{0,60}?\b(?:meeting|election|term|vote)\b",
    re.IGNORECASE,
)
STALE_REFERENCE_DAYS = 730


class InactiveMaintainer(TypedDict):
    """A listed maintainer without a commit in the activity window, and their roster line."""

    person: str
    line: int
    last_commit: str | None


class StaleReference(TypedDict):
    """A meeting or election date in a governance document older than ``STALE_REFERENCE_DAYS``."""

    repo: str
    path: str
    line: int
    text: str


class ReadmeStatus(TypedDict):
    """The maturity a README claims, beside the one the landscape records."""

    file: str
    line: int
    status: str
    maturity: str | None


class GovernanceUpToDateValues(TypedDict, total=False):
    """``Finding.values`` of ``governance.up_to_date``."""

    roster: str
    maintainers: int
    inactive_maintainers: list[InactiveMaintainer]
    recently_added: list[str]
    stale_references: list[StaleReference]
    readme_status: list[ReadmeStatus]


class GovernanceUpToDate(Probe):
    spec = ProbeSpec(
        id="governance.up_to_date",
        title="Does the governance match current activity (maintainers active, no stale meeting or election dates)?",
        motivation="Governance that names inactive people or old elections no longer describes how the project works.",
        remediation="Move inactive maintainers to emeritus under the documented process and refresh stale "
        "meeting and election references.",
    )
    values_type = GovernanceUpToDateValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        """Two findings, one per aspect, so a roster with inactive people but current dates is a partial answer:
        are the listed maintainers active, and are the meeting and election dates recent."""
        roster = project_roster(ctx)
        if roster is None and not documents(ctx, *GOVERNANCE_ROLES):
            yield self.not_available(subject(ctx), "no governance document or roster to compare with activity")
            return
        if roster is not None and any(isinstance(r, GitRepoView) for r in ctx.repos):
            yield self._maintainers(ctx, roster)
        yield self._references(ctx)

    def _maintainers(self, ctx: ScanContext, roster: Roster) -> Finding:
        # The scan's one activity window (``--window``), the one activity.maintainers_active counts in.
        facts = activity(ctx)
        new = recently_added(ctx, facts.start)
        quiet = _inactive_maintainers(ctx, roster.active)
        inactive = [i for i in quiet if i["person"].casefold() not in new]
        values: GovernanceUpToDateValues = {
            "roster": roster.label,
            "maintainers": len(roster.active),
            "inactive_maintainers": inactive,
            # Added to the roster within the window: no commits yet is not inactivity.
            "recently_added": sorted(i["person"] for i in quiet if i["person"].casefold() in new),
        }
        where = f"{subject(ctx)}: maintainers active"
        window = f"from {facts.start.date()} to {facts.end.date()} (exclusive)"
        if inactive:
            names = ", ".join(i["person"] for i in inactive)
            message = (
                f"{len(inactive)} of {len(roster.active)} listed maintainers have no commits in the scanned repos "
                f"{window} ({names})"
            )
            evidence = [roster.repo.evidence(roster.path, i["line"]) for i in inactive[:6]]
            remedy = (
                f"Confirm with {names} (no commits {window}) whether they are still active maintainers, and move "
                f"those who are not to emeritus in {roster.label} under the documented process."
            )
            return self.finding(where, False, message, values, evidence, remedy=remedy)
        return self.finding(where, True, f"every listed maintainer of {roster.label} committed {window}", values)

    def _references(self, ctx: ScanContext) -> Finding:
        stale = _stale_references(ctx)
        status = _readme_status(ctx)
        values: GovernanceUpToDateValues = {"stale_references": stale, "readme_status": status}
        where = f"{subject(ctx)}: meeting and election dates"
        if stale:
            evidence: list[Evidence] = []
            for item in stale[:4]:
                repo = ctx.repo(item["repo"])
                if repo is not None:
                    evidence.append(repo.evidence(item["path"], item["line"], excerpt=item["text"]))
            message = f"{len(stale)} meeting/election references dated over 2 years ago"
            first = stale[0]
            remedy = (
                f"Update the {len(stale)} meeting or election reference(s) dated over 2 years ago "
                f"(first: {first['repo']}/{first['path']}#L{first['line']})."
            )
            return self.finding(where, False, message, values, evidence, remedy=remedy)
        note = f"; README says {status[0]['status']!r}" if status else ""
        return self.finding(where, True, "no meeting or election dates older than 2 years" + note, values)


def _inactive_maintainers(ctx: ScanContext, people: list[Person]) -> list[InactiveMaintainer]:
    """Listed maintainers with no commit in the scanned repos during the scan's activity window (``--window``),
    the same window activity.maintainers_active counts, so the two never disagree on who is inactive."""
    facts = activity(ctx)
    since = facts.start
    found: list[InactiveMaintainer] = []
    for person in people:
        contributor = facts.maintainers.get(person.label)
        last = None
        if contributor is not None:
            # The contributor's first commit is known; the latest comes from the commits themselves.
            last = contributor_last_commit(ctx, contributor.emails, contributor.names)
        if last is None or last < since:
            found.append(
                {"person": person.label, "line": person.line, "last_commit": last.isoformat() if last else None}
            )
    return found


def contributor_last_commit(ctx: ScanContext, emails: set[str], names: Counter[str]) -> datetime | None:
    """The newest commit date of an identity (any of its e-mails or names) across the scanned repos."""
    latest: datetime | None = None
    wanted_names = set(names)
    for _, commit in all_commits(ctx):
        mine = commit.author_email.casefold() in emails or commit.author_name in wanted_names
        if mine and (latest is None or commit.authored_at > latest):
            latest = commit.authored_at
    return latest


def _stale_references(ctx: ScanContext) -> list[StaleReference]:
    limit = ctx.as_of - timedelta(days=STALE_REFERENCE_DAYS)
    found: list[StaleReference] = []
    for doc in documents(ctx, *GOVERNANCE_ROLES):
        for number, line in enumerate(doc.text.splitlines(), start=1):
            for match in _MEETING_DATE.finditer(line):
                parts = [g for g in match.groups() if g]
                try:
                    when = datetime(int(parts[0]), int(parts[1]), int(parts[2]), tzinfo=limit.tzinfo)
                except ValueError:
                    continue
                if when < limit:
                    found.append({"repo": doc.repo.name, "path": doc.path, "line": number, "text": line.strip()[:160]})
    return found


def _readme_status(ctx: ScanContext) -> list[ReadmeStatus]:
    """The maturity a README claims (informational: "Incubating" is right while applying for graduation)."""
    found: list[ReadmeStatus] = []
    for doc in readmes(ctx, "main", "org-profile", "community"):
        for number, line in enumerate(doc.text.splitlines(), start=1):
            match = _STATUS.search(line)
            if match:
                found.append(
                    {
                        "file": doc.label,
                        "line": number,
                        "status": match.group(0),
                        "maturity": (ctx.project.maturity or None),
                    }
                )
                break
    return found


__all__ = ["LifecycleUsed", "GovernanceIterated", "GovernanceUpToDate", "roster_events", "governance_commits"]
