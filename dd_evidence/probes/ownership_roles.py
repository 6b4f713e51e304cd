"""Does code ownership in GitHub match the documented roles? CODEOWNERS/OWNERS against the maintainer rosters.

Three kinds of fact feed the answer:

- which repositories declare owners at all ("in 8 of 10 repos"), as :mod:`dd_evidence.probes.ownership` sees them;
- the individual handles those files name, compared with every roster of the org (a person who owns code but is
  on no roster, or only on an emeritus list, is a concrete mismatch; a roster maintainer named nowhere is fine
  when the files delegate to teams);
- the teams (``@org/team``) they name, whose membership only the GitHub API can tell, and only to a token that
  can see the org's teams.

Team membership that cannot be seen gets its own ``not_available`` finding per team, so the criterion is
``unknown`` rather than ``met``: the teams are usually where the write access lives, and "the CODEOWNERS file
names a team" says nothing about who is in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts.ownership import CODEOWNERS_REMEDY, RepoOwners, needs_owners, repo_owners, team_parts
from dd_evidence.facts.people import rosters
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dd_evidence.context import ScanContext

# (org, team slug) -> member logins, or None when the token cannot see the team. SourceUnavailable when the
# API could not be asked (offline, rate limit, no GitHub client installed).
TeamLookup = Callable[[str, str], "list[str] | None"]

MAX_LISTED = 8  # names shown in a message; the values keep the full lists


def team_members(ctx: ScanContext, org: str, slug: str) -> list[str] | None:
    """Member logins of ``org``/``slug`` through the scan's GitHub client; None when the team is not visible.

    This is the one seam between the probe and the GitHub source, so a test (or a future GraphQL source) swaps
    it by passing ``team_lookup`` to the probe.
    """
    if ctx.config.offline:
        raise SourceUnavailable("github", "offline: not fetched")
    try:
        from dd_evidence.sources.github_access import github_source
    except ImportError:  # the GitHub source is optional at this stage of the project
        raise SourceUnavailable("github", "no GitHub API client available") from None
    members = github_source(ctx).team_members(org, slug)
    if members is None:
        return None
    return sorted({_login(m) for m in members if _login(m)})


def _login(member: Any) -> str:
    """A login from whatever the GitHub client hands back (a string, a PyGithub NamedUser, a dict)."""
    if isinstance(member, str):
        return member
    if isinstance(member, dict):
        return str(member.get("login") or "")
    return str(getattr(member, "login", "") or "")


@dataclass(frozen=True)
class RosterHandles:
    """Every handle the org's rosters list, split into current people and people who stepped down."""

    current: frozenset[str]  # casefolded, no "@"
    emeritus: frozenset[str]
    maintainers: frozenset[str]  # current people with the maintainer role (for "never named" figures)
    emails: frozenset[str]
    files: tuple[str, ...]


def roster_handles(ctx: ScanContext) -> RosterHandles:
    """All rosters together: a subproject's CODEOWNERS naming that subproject's maintainer is not a mismatch."""
    current: set[str] = set()
    emeritus: set[str] = set()
    maintainers: set[str] = set()
    emails: set[str] = set()
    # A roster read from CODEOWNERS itself says nothing about whether CODEOWNERS matches the roster.
    found = [r for r in rosters(ctx) if r.format != "codeowners"]
    for roster in found:
        for person in roster.people:
            if person.email:
                emails.add(person.email.casefold())
            if not person.handle:
                continue
            handle = person.handle.lstrip("@").casefold()
            if person.emeritus:
                emeritus.add(handle)
            else:
                current.add(handle)
                if person.role == "maintainer":
                    maintainers.add(handle)
    # Someone listed as current anywhere is current, even if an older list calls them emeritus.
    return RosterHandles(
        frozenset(current),
        frozenset(emeritus - current),
        frozenset(maintainers),
        frozenset(emails),
        tuple(r.label for r in found),
    )


class OwnershipMatchesRosterValues(TypedDict, total=False):
    """``Finding.values`` of ``ownership.matches_roster``."""

    repos_with_owners: int
    repos_total: int
    repos_without: list[str]
    code_repos_without: list[str]
    files: dict[str, list[str]]
    handles: list[str]
    handles_not_in_roster: list[str] | None
    handles_emeritus: list[str]
    emails_unmatched: list[str]
    teams: dict[str, dict[str, Any]]
    roster_files: list[str]
    maintainers_never_named: list[str]
    repos: list[str]
    visible: bool
    members: list[str] | None
    not_in_roster: list[str]
    reason: str


class OwnershipMatchesRoster(Probe):
    spec = ProbeSpec(
        id="ownership.matches_roster",
        title="Do the CODEOWNERS/OWNERS files of every code repository name only people and teams on the roster?",
        motivation="Code and doc ownership in GitHub should match the documented governance roles: whoever can "
        "approve changes should be a listed maintainer.",
        sources=("git", "github"),
        remediation="Add CODEOWNERS to every code repository, name the maintainers' team or the roster "
        "maintainers in it, and keep team membership in step with MAINTAINERS.md.",
    )
    values_type = OwnershipMatchesRosterValues

    def __init__(self, team_lookup: TeamLookup | None = None):
        # None: ask the scan's GitHub client (see ``team_members``); tests pass a table instead.
        self.team_lookup = team_lookup

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = ctx.project.name
        per_repo = [repo_owners(r) for r in ctx.repos]
        if not per_repo:
            yield self.not_available(subject, "no repository could be read")
            return
        roster = roster_handles(ctx)
        with_owners = [o for o in per_repo if o.has_owners]
        without = [o.repo.name for o in per_repo if not o.has_owners]
        code_without = [o.repo.name for o in per_repo if not o.has_owners and needs_owners(o.repo)]
        handles = {h.lstrip("@").casefold(): h for o in per_repo for h in o.handles}
        # Without any roster there is nothing to compare with: None says "not compared", not "none found".
        # Emeritus people are on a roster (its emeritus list): said once, as emeritus, never as "on no roster" too.
        on_emeritus = sorted(h for key, h in handles.items() if key in roster.emeritus)
        listed = roster.current | roster.emeritus
        not_in_roster = sorted(h for key, h in handles.items() if key not in listed) if roster.files else None
        emails_unmatched = sorted({e for o in per_repo for e in o.emails} - roster.emails)
        teams = sorted({t for o in per_repo for t in o.teams}, key=str.casefold)
        named_keys = set(handles)

        team_findings: list[Finding] = []
        team_values: dict[str, dict[str, Any]] = {}
        for team in teams:
            finding, info = self._judge_team(ctx, team, roster, per_repo)
            team_findings.append(finding)
            team_values[team] = info
            named_keys |= {m.casefold() for m in info.get("members") or []}

        values: OwnershipMatchesRosterValues = {
            "repos_with_owners": len(with_owners),
            "repos_total": len(per_repo),
            "repos_without": without,
            "code_repos_without": code_without,
            "files": {o.repo.name: o.paths[:MAX_LISTED] for o in with_owners},
            "handles": sorted(handles.values(), key=str.casefold),
            "handles_not_in_roster": not_in_roster,
            "handles_emeritus": on_emeritus,
            "emails_unmatched": emails_unmatched,
            "teams": team_values,
            "roster_files": list(roster.files),
            # Shown, not judged: maintainers may own code through a team whose membership we cannot see.
            "maintainers_never_named": sorted(roster.maintainers - named_keys),
        }
        evidence = [o.repo.evidence(o.paths[0]) for o in with_owners]
        yield self._overall(subject, values, team_findings, bool(handles), roster, evidence)
        yield from team_findings
        for name, reason in ctx.unreadable.items():
            yield self.not_available(name, f"repository could not be read: {reason}")

    def _overall(
        self,
        subject: str,
        values: OwnershipMatchesRosterValues,
        team_findings: list[Finding],
        names_individuals: bool,
        roster: RosterHandles,
        evidence: list[Evidence],
    ) -> Finding:
        """False on any concrete mismatch; not_available when only unseen team membership is left; else true."""
        parts = [f"CODEOWNERS/OWNERS in {values['repos_with_owners']} of {values['repos_total']} repos"]
        if values["repos_without"]:
            parts[0] += f" (not {_names(values['repos_without'])})"
        problems: list[str] = []
        if values["code_repos_without"]:
            problems.append(f"no owners declared in code repos {_names(values['code_repos_without'])}")
        if values["handles_not_in_roster"]:
            problems.append(f"named but on no roster: {_names(values['handles_not_in_roster'])}")
        if values["handles_emeritus"]:
            problems.append(f"named but emeritus: {_names(values['handles_emeritus'])}")
        mismatched = [f.subject for f in team_findings if f.outcome is Outcome.FALSE]
        if mismatched:
            problems.append(f"members of {_names(mismatched)} on no roster")
        unseen = [f.subject for f in team_findings if f.outcome is Outcome.NOT_AVAILABLE]
        no_roster = names_individuals and not roster.files
        if unseen:
            parts.append(f"membership of {_names(unseen)} not visible")
        if no_roster:
            parts.append("no maintainer roster to compare the named owners with")
        message = "; ".join(parts + problems)
        if problems:
            fixes = []
            if values["code_repos_without"]:
                # The same words as ownership.codeowners_present's remedy, so a criterion's advice says it once.
                fixes.append(CODEOWNERS_REMEDY.rstrip(".").lower()[:1] + CODEOWNERS_REMEDY.rstrip(".")[1:])
            if values["handles_not_in_roster"]:
                fixes.append(
                    f"remove {_names(values['handles_not_in_roster'])} from the code owners or add them to the roster"
                )
            if values["handles_emeritus"]:
                fixes.append(f"remove the emeritus {_names(values['handles_emeritus'])} from the code owners")
            if mismatched:
                fixes.append(f"bring the membership of {_names(mismatched)} in step with the roster")
            joined = "; ".join(fixes)
            remedy = joined[:1].upper() + joined[1:] + "." if joined else None
            return self.finding(subject, Outcome.FALSE, message, values, evidence, remedy=remedy)
        if unseen or no_roster:
            return self.finding(subject, Outcome.NOT_AVAILABLE, message, values, evidence)
        return self.finding(subject, Outcome.TRUE, message + "; every named owner is on the roster", values, evidence)

    def _judge_team(
        self, ctx: ScanContext, team: str, roster: RosterHandles, per_repo: list[RepoOwners]
    ) -> tuple[Finding, dict[str, Any]]:
        org, slug = team_parts(team)
        repos = sorted(o.repo.name for o in per_repo if team in o.teams)
        evidence = [o.repo.evidence(o.paths[0]) for o in per_repo if team in o.teams][:MAX_LISTED]
        info: dict[str, Any] = {"repos": repos, "visible": False, "members": None}
        try:
            members = self.team_lookup(org, slug) if self.team_lookup else team_members(ctx, org, slug)
        except SourceUnavailable as exc:
            info["reason"] = f"team membership not checked: {exc.reason}"
            return self.finding(team, Outcome.NOT_AVAILABLE, info["reason"], info, evidence), info
        if members is None:
            info["reason"] = f"team membership not visible: needs a token with read:org for {org}"
            return self.finding(team, Outcome.NOT_AVAILABLE, info["reason"], info, evidence), info
        outsiders = sorted(m for m in members if m.casefold() not in roster.current)
        info.update(visible=True, members=sorted(members, key=str.casefold), not_in_roster=outsiders)
        if outsiders:
            message = f"{team} has {len(members)} members; on no roster: {_names(outsiders)}"
            return self.finding(team, Outcome.FALSE, message, info, evidence), info
        message = f"all {len(members)} members of {team} are on the roster"
        return self.finding(team, Outcome.TRUE, message, info, evidence), info


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")
