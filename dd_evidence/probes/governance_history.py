"""Governance in use and over time: roster changes from git history, how often governance documents change, and
whether the governance still matches the project's activity.

History is read with one ``git log --name-only`` per repository over the roster and governance paths (memoised
for the scan); the roster file is then read with ``git show <sha>:<path>`` only at the commits that touched it.
All roster paths of a repository form one timeline, so a roster moved from one file to another in one commit
shows no one leaving and no one joining. Which paths are rosters and governance files is the project map's
knowledge (:mod:`dd_evidence.facts.history`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dd_evidence.activity import activity, all_commits
from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts import GOVERNANCE_ROLES, documents, readmes, subject
from dd_evidence.facts.history import history_pathspecs, is_governance_path, is_roster_path
from dd_evidence.facts.ownership import codeowners_locations, parse_codeowners
from dd_evidence.facts.people import Person, parse_roster, project_roster
from dd_evidence.model import Evidence, Finding, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import GitRepoView, RepoView
from dd_evidence.sources.git import Commit

_PR = re.compile(r"\(#(\d+)\)|Merge pull request #(\d+)|\bPR #?(\d+)\b")
# How far back "in use" and "iterated" look, as the TOC reads "recently".
RECENT_DAYS = 730
INACTIVE_DAYS = 365


def pr_number(subject_line: str) -> int | None:
    """The pull request number a commit subject names (``... (#67)``, ``Merge pull request #67``)."""
    match = _PR.search(subject_line)
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def governance_log(ctx: ScanContext, repo: RepoView) -> list[Commit] | None:
    """Commits (oldest first) up to the scanned commit touching roster or governance files; None without git."""
    if not isinstance(repo, GitRepoView) or repo.sha is None:
        return None

    def compute() -> list[Commit] | None:
        try:
            return list(reversed(repo.log(paths=history_pathspecs(), with_paths=True)))
        except SourceUnavailable:
            return None

    return ctx.memo(("governance-history.log", repo.full_name), compute)


# -- roster timeline ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterEvent:
    """One change to who is listed: ``added``, ``promoted``, ``moved_to_emeritus``, ``removed``, ``returned``."""

    kind: str
    person: str
    repo: str
    path: str
    sha: str
    date: datetime
    subject: str
    pr: int | None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "person": self.person,
            "repo": self.repo,
            "path": self.path,
            "sha": self.sha,
            "date": self.date.isoformat(),
            "subject": self.subject,
            "pr": self.pr,
        }


@dataclass
class _State:
    """Who a roster lists: primary key -> (label, every key the person is known by)."""

    active: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    emeritus: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.active or self.emeritus)


def _keys(person: Person) -> frozenset[str]:
    """A person's handle, e-mail and name, so a handle renamed on the move to emeritus still matches."""
    return frozenset(v.casefold().lstrip("@") for v in (person.handle, person.email, person.name) if v)


def _known(keys: frozenset[str], people: dict[str, tuple[str, frozenset[str]]]) -> bool:
    return any(keys & other for _, other in people.values())


def _people_in(repo: RepoView, path: str, text: str) -> _State:
    """Active and emeritus people of one roster file's text (CODEOWNERS: individual owners, not teams)."""
    state = _State()
    if path in codeowners_locations():
        for owner in parse_codeowners(text):
            if owner.kind == "user":
                state.active[owner.login.casefold()] = (owner.login, frozenset({owner.login.casefold()}))
        return state
    roster = parse_roster(repo, path, text)
    for person in roster.people:
        keys = _keys(person)
        if not keys or person.role != "maintainer":
            continue
        target = state.emeritus if person.emeritus else state.active
        target[min(keys)] = (person.label, keys)
    return _drop_emeritus_from_active(state)


def _drop_emeritus_from_active(state: _State) -> _State:
    # Someone listed both ways (a stale duplicate) counts as emeritus: the file says they stepped down.
    for key, (_, keys) in list(state.active.items()):
        if _known(keys, state.emeritus):
            del state.active[key]
    return state


def _merge(states: Iterable[_State]) -> _State:
    merged = _State()
    for state in states:
        merged.active.update(state.active)
        merged.emeritus.update(state.emeritus)
    return _drop_emeritus_from_active(merged)


def roster_events(ctx: ScanContext, repo: RepoView) -> list[RosterEvent] | None:
    """Additions and departures in ``repo``'s roster files, oldest first; None when history cannot be read."""
    log = governance_log(ctx, repo)
    if log is None:
        return None

    def compute() -> list[RosterEvent]:
        assert isinstance(repo, GitRepoView)
        per_path: dict[str, _State] = {}
        previous = _State()
        events: list[RosterEvent] = []
        for commit in log:
            touched = [p for p in commit.paths if is_roster_path(p)]
            if not touched:
                continue
            for path in touched:
                # The path is absent at a commit that deleted it, which reads as an empty roster.
                text = repo.read_at(commit.sha, path) or ""
                per_path[path] = _people_in(repo, path, text)
            current = _merge(per_path.values())
            events.extend(_diff(previous, current, repo, touched[0], commit))
            previous = current
        return events

    return ctx.memo(("governance-history.roster-events", repo.full_name), compute)


def _diff(before: _State, after: _State, repo: RepoView, path: str, commit: Commit) -> list[RosterEvent]:
    # A roster appearing for the first time, or emptied into a pointer to another repo, is a move of the
    # list, not people joining or leaving.
    if before.empty or after.empty:
        return []
    promoted = bool(re.search(r"promot", commit.subject, re.IGNORECASE))
    found = []

    def event(kind: str, label: str) -> RosterEvent:
        return RosterEvent(
            kind, label, repo.name, path, commit.sha, commit.authored_at, commit.subject, pr_number(commit.subject)
        )

    for label, keys in after.active.values():
        if _known(keys, before.active):
            continue
        kind = "returned" if _known(keys, before.emeritus) else ("promoted" if promoted else "added")
        found.append(event(kind, label))
    for label, keys in before.active.values():
        if _known(keys, after.active):
            continue
        found.append(event("moved_to_emeritus" if _known(keys, after.emeritus) else "removed", label))
    return found


class LifecycleUsed(Probe):
    spec = ProbeSpec(
        id="governance.lifecycle_used",
        title="Has the maintainer lifecycle been used: maintainers added or moved to emeritus in the last 2 years?",
        motivation="A documented lifecycle is only evidence of good governance when the roster history shows it "
        "being followed.",
        remediation="Link the pull requests or votes that added maintainers or moved them to emeritus; review "
        "inactive maintainers under the documented process.",
    )

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
        values = {
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
    return any(is_roster_path(p) for c in log for p in c.paths)


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


class GovernanceIterated(Probe):
    spec = ProbeSpec(
        id="governance.iterated",
        title="Have the governance documents changed at least twice in the last 2 years?",
        motivation="The TOC looks for governance that evolves with the project, through reviewed changes.",
        remediation="Revisit GOVERNANCE.md and the membership documents as the project grows, through pull "
        "requests that say why.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        commits = governance_commits(ctx)
        if commits is None:
            yield self.not_available(subject(ctx), "no repository history could be read (git history needed)")
            return
        since = ctx.as_of - timedelta(days=RECENT_DAYS)
        recent = [c for c in commits if c[1].authored_at >= since]
        values = {
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
            f"in {len(values['by_repo'])} repos)"  # type: ignore[arg-type]
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


class GovernanceUpToDate(Probe):
    spec = ProbeSpec(
        id="governance.up_to_date",
        title="Does the governance match current activity (maintainers active, no stale meeting or election dates)?",
        motivation="Governance that names inactive people or old elections no longer describes how the project works.",
        remediation="Move inactive maintainers to emeritus under the documented process and refresh stale "
        "meeting and election references.",
    )

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        reasons: list[str] = []
        evidence: list[Evidence] = []
        values: dict[str, object] = {}
        roster = project_roster(ctx)
        inactive: list[dict[str, object]] = []
        if roster is not None and any(isinstance(r, GitRepoView) for r in ctx.repos):
            inactive = _inactive_maintainers(ctx, roster.active)
            values["roster"] = roster.label
            values["maintainers"] = len(roster.active)
            values["inactive_maintainers"] = inactive
            if inactive:
                names = ", ".join(str(i["person"]) for i in inactive)
                reasons.append(
                    f"{len(inactive)} of {len(roster.active)} listed maintainers have no commits in the scanned "
                    f"repos in the last 12 months ({names})"
                )
                evidence.extend(roster.repo.evidence(roster.path, int(i["line"])) for i in inactive[:6])  # type: ignore[call-overload]
        stale = _stale_references(ctx)
        values["stale_references"] = stale
        if stale:
            reasons.append(f"{len(stale)} meeting/election references dated over 2 years ago")
            for item in stale[:4]:
                repo = ctx.repo(str(item["repo"]))
                if repo is not None:
                    evidence.append(repo.evidence(str(item["path"]), int(item["line"]), excerpt=str(item["text"])))  # type: ignore[call-overload]
        values["readme_status"] = _readme_status(ctx)
        values["reasons"] = reasons
        if roster is None and not documents(ctx, *GOVERNANCE_ROLES):
            yield self.not_available(subject(ctx), "no governance document or roster to compare with activity")
            return
        if reasons:
            yield self.finding(subject(ctx), False, "; ".join(reasons), values, evidence)
        else:
            status = values["readme_status"]
            note = f"; README says {status[0]['status']!r}" if status else ""  # type: ignore[index]
            yield self.finding(
                subject(ctx),
                True,
                "no concrete sign of stale governance: every listed maintainer committed in the last 12 months "
                "and no old meeting or election dates" + note,
                values,
                evidence,
            )


def _inactive_maintainers(ctx: ScanContext, people: list[Person]) -> list[dict[str, object]]:
    """Listed maintainers with no commit in the scanned repos during the year before the scan."""
    facts = activity(ctx)
    since = ctx.as_of - timedelta(days=INACTIVE_DAYS)
    found = []
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


def _stale_references(ctx: ScanContext) -> list[dict[str, object]]:
    limit = ctx.as_of - timedelta(days=STALE_REFERENCE_DAYS)
    found = []
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


def _readme_status(ctx: ScanContext) -> list[dict[str, object]]:
    """The maturity a README claims (informational: "Incubating" is right while applying for graduation)."""
    found = []
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
