"""Who does the work: commits per person across every scanned repository, from git history. Facts only.

A person commits under several identities (work and home e-mail, a GitHub noreply address, a name written two
ways). Identities are merged when they share an e-mail address, a GitHub login (taken from a noreply address),
or a normalised name; roster entries join the same graph through their handle, e-mail and name, so a commit
from ``Kenny <kenny@example.org>`` counts for the maintainer whose roster e-mail is ``kenny@example.org``.
Bots are left out entirely.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dd_evidence.context import ScanContext
from dd_evidence.facts.people import Person, project_roster, subproject_rosters
from dd_evidence.sources.git import Commit

_NOREPLY = re.compile(r"^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$", re.I)
_BOT_NAMES = re.compile(
    r"\[bot\]$|^(?:dependabot|renovate|github-actions|github action|mergify|snyk-bot|greenkeeper|"
    r"k8s-ci-robot|codecov|pre-commit-ci|allcontributors|imgbot|stale|copilot)(?:\[bot\])?$",
    re.I,
)
_BOT_EMAIL = re.compile(r"(?:^|[.+_-])bot@|\[bot\]@|^noreply@github\.com$|^action@github\.com$", re.I)
# Names too generic to merge people on: different people commit as "root" or "Your Name".
_GENERIC_NAMES = {"root", "admin", "ubuntu", "user", "unknown", "your name", "github", "localhost", "test"}


def is_bot(name: str, email: str) -> bool:
    """Dependabot, Renovate, GitHub Actions, Copilot and anything named ``...[bot]`` or mailing as ``...bot@``."""
    login = noreply_login(email)
    return bool(
        _BOT_NAMES.search(name.strip()) or _BOT_EMAIL.search(email.strip()) or (login and _BOT_NAMES.search(login))
    )


def noreply_login(email: str) -> str | None:
    """The GitHub login in a ``12345+login@users.noreply.github.com`` address."""
    match = _NOREPLY.match(email.strip())
    return match.group(1) if match else None


def name_key(name: str) -> str | None:
    """A name compared regardless of case, punctuation and word order ("Yang Kaiyong" == "Kaiyong Yang")."""
    words = re.findall(r"\w+", name.casefold())
    if not words or " ".join(words) in _GENERIC_NAMES:
        return None
    return " ".join(sorted(words))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, nodes: Iterable[str]) -> None:
        roots = [self.find(n) for n in nodes]
        for root in roots[1:]:
            self.parent[root] = roots[0]


def _identity_nodes(name: str, email: str) -> list[str]:
    nodes = []
    if email.strip():
        nodes.append("e:" + email.strip().casefold())
    login = noreply_login(email)
    if login:
        # The same person often commits elsewhere with the login as author name.
        nodes += ["l:" + login.casefold(), "n:" + (name_key(login) or login.casefold())]
    key = name_key(name)
    if key:
        nodes.append("n:" + key)
    return nodes


def _person_nodes(person: Person) -> list[str]:
    nodes = []
    if person.handle:
        # A login is also commonly used as the commit author name.
        nodes += ["l:" + person.handle.casefold(), "n:" + (name_key(person.handle) or person.handle.casefold())]
    if person.email:
        nodes.append("e:" + person.email.casefold())
    if person.name and name_key(person.name):
        nodes.append("n:" + str(name_key(person.name)))
    return nodes


@dataclass
class Contributor:
    """One person after merging identities: commits in the window, first commit ever, repositories."""

    key: str
    login: str | None = None
    names: Counter[str] = field(default_factory=Counter)
    emails: set[str] = field(default_factory=set)
    window_commits: int = 0
    total_commits: int = 0
    first_commit: datetime | None = None
    repos: Counter[str] = field(default_factory=Counter)
    maintainer: bool = False
    subproject_maintainer: bool = False

    @property
    def label(self) -> str:
        """The GitHub login when known, else the most used author name."""
        if self.login:
            return self.login
        return self.names.most_common(1)[0][0] if self.names else self.key


@dataclass(frozen=True)
class ActivityFacts:
    """Commit activity of the scan: the window, contributors ranked, bots left out, maintainers matched."""

    start: datetime
    end: datetime
    contributors: tuple[Contributor, ...]
    bot_commits: int
    maintainers: dict[str, Contributor | None]  # roster label -> the contributor matched, None if no commits
    repos_read: tuple[str, ...]

    @property
    def ranked(self) -> list[Contributor]:
        """Contributors with commits in the window, most commits first (ties by label, for stable output)."""
        active = [c for c in self.contributors if c.window_commits]
        return sorted(active, key=lambda c: (-c.window_commits, c.label.casefold()))

    @property
    def window_total(self) -> int:
        return sum(c.window_commits for c in self.contributors)


def window(ctx: ScanContext) -> tuple[datetime, datetime]:
    """[as_of - window_days, as_of): the same "past N days" LFX Insights uses, ending at the scanned instant."""
    end = ctx.as_of
    return end - timedelta(days=ctx.config.window_days), end


def all_commits(ctx: ScanContext) -> list[tuple[str, Commit]]:
    """(repo name, commit) for the whole history of every scanned repo up to its scanned commit, deduplicated
    by sha so a fork or mirror in the org is not counted twice."""

    def compute() -> list[tuple[str, Commit]]:
        seen: set[str] = set()
        commits = []
        for repo in ctx.repos:
            for commit in repo.log():
                if commit.sha not in seen:
                    seen.add(commit.sha)
                    commits.append((repo.name, commit))
        return commits

    return ctx.memo("activity.all_commits", compute)


def activity(ctx: ScanContext) -> ActivityFacts:
    """Contributor activity of the scan (memoised)."""
    return ctx.memo(("activity.facts", ctx.config.window_days), lambda: compute_activity(ctx))


def compute_activity(ctx: ScanContext) -> ActivityFacts:
    roster = project_roster(ctx)
    maintainers = roster.active if roster else []
    sub_people = [p for r in subproject_rosters(ctx) for p in r.active]
    start, end = window(ctx)
    return build_activity(all_commits(ctx), maintainers, sub_people, start, end, tuple(r.full_name for r in ctx.repos))


def build_activity(
    commits: list[tuple[str, Commit]],
    maintainers: list[Person],
    subproject_maintainers: list[Person],
    start: datetime,
    end: datetime,
    repos_read: tuple[str, ...] = (),
) -> ActivityFacts:
    """Merge identities, drop bots and count commits per person; pure, for tests."""
    uf = _UnionFind()
    human: list[tuple[str, Commit]] = []
    bot_commits = 0
    # A long history has few identities and many commits: judge each (name, e-mail) pair once.
    bots: dict[tuple[str, str], bool] = {}
    identities: dict[tuple[str, str], list[str]] = {}
    for repo, commit in commits:
        who = (commit.author_name, commit.author_email)
        if who not in bots:
            bots[who] = is_bot(*who)
            identities[who] = _identity_nodes(*who)
        if bots[who]:
            if start <= commit.authored_at < end:
                bot_commits += 1
            continue
        human.append((repo, commit))
        uf.union(identities[who] or ["sha:" + commit.sha])
    # Roster people join the graph last: they link identities only through details they list.
    for person in [*maintainers, *subproject_maintainers]:
        nodes = _person_nodes(person)
        if nodes:
            uf.union(nodes)

    people: dict[str, Contributor] = {}
    for repo, commit in human:
        nodes = identities[(commit.author_name, commit.author_email)] or ["sha:" + commit.sha]
        root = uf.find(nodes[0])
        author = people.setdefault(root, Contributor(key=root))
        author.names[commit.author_name] += 1
        author.emails.add(commit.author_email.casefold())
        author.login = author.login or noreply_login(commit.author_email)
        author.total_commits += 1
        if author.first_commit is None or commit.authored_at < author.first_commit:
            author.first_commit = commit.authored_at
        if start <= commit.authored_at < end:
            author.window_commits += 1
            author.repos[repo] += 1

    matched: dict[str, Contributor | None] = {}
    for person in maintainers:
        nodes = _person_nodes(person)
        contributor = people.get(uf.find(nodes[0])) if nodes else None
        if contributor is not None:
            contributor.maintainer = True
            contributor.login = person.handle or contributor.login
        matched[person.label] = contributor
    for person in subproject_maintainers:
        nodes = _person_nodes(person)
        contributor = people.get(uf.find(nodes[0])) if nodes else None
        if contributor is not None:
            contributor.subproject_maintainer = True
            contributor.login = contributor.login or person.handle
    return ActivityFacts(start, end, tuple(people.values()), bot_commits, matched, repos_read)


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


def last_quarters(end: datetime, count: int = 4) -> list[str]:
    """The calendar quarter holding ``end`` and the ``count - 1`` before it, oldest first."""
    year, quarter = end.year, (end.month - 1) // 3 + 1
    labels = []
    for _ in range(count):
        labels.append(f"{year}Q{quarter}")
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return labels[::-1]
