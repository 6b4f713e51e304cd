"""Are the findings of the project's third-party security audit followed up in commits, issues or pull requests?

The audit itself is found by :mod:`dd_evidence.probes.assessments` (a report in a tree, a README link, the
landscape's audit list); this probe reuses those facts and looks for the follow-up the graduation template asks
for ("moderate and low findings ... are planned/tracked for resolution"):

- git (offline, free): commit subjects in the org's repos around the audit that name a finding id
  (``TOB-DF-3``, ``ADA-ARGO-01``, ``DRA-01-004``), say a fix comes from the audit, name the audit firm or "security
  audit", or name an advisory (CVE / GHSA). Commits that only publish or announce the report (adding the pdf, a
  blog post, a README line) are listed apart and do not count: they show the audit exists, not that its findings
  were handled.
- GitHub issue search (online, one or two requests for the whole scan): ``org:<org> audit`` and the firm's name.
  The search API has its own small rate limit; when it does not answer, that half is unknown, never "no".

The word "audit" alone is not enough anywhere: many projects ship an audit-log feature ("feat: add audit gc").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict

from dd_evidence.activity import all_commits, is_bot
from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.facts import subject as project_subject
from dd_evidence.facts.audits import audits_in_trees, project_names
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import IndexProbe
from dd_evidence.repoview import RepoView
from dd_evidence.sources.assessments import Audit
from dd_evidence.sources.git import Commit
from dd_evidence.sources.github_access import IssueHit, github_source

# Fixes are usually made before the report is published (the firm reviews them for the report), so the window
# opens a little before the audit's date.
LEAD_DAYS = 90
# With only the report's commit date to go by, follow-up is looked for in the year after it.
FOLLOW_UP_DAYS = 365
CAP = 20
SEARCH_LIMIT = 100

# Audit firms (and OSTIF, which arranges many CNCF audits) by the name a search should use.
FIRMS: dict[str, re.Pattern[str]] = {
    "Trail of Bits": re.compile(r"trail\s*of\s*bits|trailofbits", re.I),
    "Ada Logics": re.compile(r"ada\s*logics", re.I),
    "Cure53": re.compile(r"cure\s*53", re.I),
    "X41 D-Sec": re.compile(r"\bx41\b", re.I),
    "NCC Group": re.compile(r"\bncc\s*group", re.I),
    "Quarkslab": re.compile(r"quarkslab", re.I),
    "Include Security": re.compile(r"include\s*security", re.I),
    "Atredis Partners": re.compile(r"\batredis", re.I),
    "7ASecurity": re.compile(r"\b7a\s*security", re.I),
    "OSTIF": re.compile(r"\bostif\b", re.I),
}
# Finding ids as audit reports number them: TOB-DF-3 (Trail of Bits), ADA-ARGO-SEC-01 (Ada Logics) ...
# Bounded parts: unbounded, each "ADA-" of "ADA-ADA-ADA-..." rescanned the rest of the chain, quadratic.
_FIRM_FINDING_ID = re.compile(r"\b(?:TOB|ADA|X41|NCC|QSL|7ASEC)-[A-Z0-9]{1,32}(?:-[A-Z0-9]{1,32}){0,6}-\d{1,6}\b", re.I)
# ... and DRA-01-004 (Cure53: project code, report number, finding number). Upper case only, to stay rare.
_CURE53_FINDING_ID = re.compile(r"\b[A-Z]{2,5}-\d{2}-\d{3}\b")
_ADVISORY_ID = re.compile(r"\bCVE-\d{4}-\d{4,}\b|\bGHSA(?:-[0-9a-z]{4}){3}\b", re.I)
# "audit" the feature (audit log, audit gc, audit middleware) is not the security audit.
_NOT_FEATURE = (
    r"(?!\s*(?:log|logs|logging|logger|event|events|gc|middleware|page|api|trail|record|records|polic(?:y|ies)"
    r"|table|service|handler|task|sink|backend|webhook|entr(?:y|ies)|mode|level)\b)"
)
_AUDIT = r"audit\b" + _NOT_FEATURE
_FOLLOW_UP = re.compile(
    r"\baudit(?:or)?s?['’]?\s+(?:finding|issue|recommendation|remediation|fix)(?:es|s)?\b"
    r"|\b(?:found|reported|raised|identified|flagged|discovered)\s+(?:in|by|during)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}"
    + _AUDIT
    # ".{0,120}", not ".*": each "fix" of a line of "fix fix fix ..." would rescan the rest of the line.
    + r"|\b(?:fix|fixes|fixed|address|addresses|addressed|resolve|resolves|resolved)\b.{0,120}"
    r"\b(?:from|per|by|during|after)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}" + _AUDIT,
    re.I,
)
_MENTION = re.compile(r"\bsecurity[\s-]+audit\b|\bthird[\s-]+party\s+(?:security\s+)?(?:audit|review)\b", re.I)
# Subjects that publish or announce the report rather than act on it.
_PUBLICATION = re.compile(
    r"^\s*(?:docs?|blog|website)\b|\b(?:blog|typo|readme|announce\w*|publish\w*|upload\w*)\b|\badd\w*\b.*\breport\b",
    re.I,
)
_DEPENDENCY = re.compile(r"\b(?:bump|bumps|upgrade|upgrades|update|updates|deps|dependenc\w*)\b", re.I)

# Kinds of match, strongest first; "mention" and "advisory" are the weaker ones a reviewer should read.
FINDING_ID, FOLLOW_UP, MENTION, ADVISORY = "finding_id", "follow_up", "mention", "advisory"


def classify(text: str) -> str | None:
    """What ties a commit subject or issue text to a security audit, or None.

    A finding id or "fix ... from the audit" is strong; naming the audit or its firm is a mention (which may only
    publish the report, see :func:`is_publication`); an advisory id counts unless it is a dependency bump.
    """
    if _FIRM_FINDING_ID.search(text) or _CURE53_FINDING_ID.search(text):
        return FINDING_ID
    if _FOLLOW_UP.search(text):
        return FOLLOW_UP
    if _MENTION.search(text) or any(p.search(text) for p in FIRMS.values()):
        return MENTION
    if _ADVISORY_ID.search(text) and not _DEPENDENCY.search(text):
        return ADVISORY
    return None


def is_publication(subject: str) -> bool:
    """A docs change, blog post, typo fix or "add ... report": it shows the audit, not what was done about it."""
    return bool(_PUBLICATION.search(subject))


def firms_in(texts: Iterable[str]) -> list[str]:
    """The audit firms named in ``texts`` (landscape vendor fields, README link text, file names), in FIRMS order."""
    joined = "\n".join(texts)
    return [name for name, pattern in FIRMS.items() if pattern.search(joined)]


@dataclass(frozen=True)
class AuditAnchor:
    """When the audit happened as far as the scan can tell, and the window follow-up is looked for in."""

    start: datetime
    end: datetime
    basis: str  # what dates the audit, for the message: "the landscape's audit of 2024-05-06"
    report_commits: frozenset[str]  # commits that added or changed a report file: publication, not follow-up


@dataclass(frozen=True)
class Match:
    """One commit or issue tied to the audit, and how."""

    kind: str
    url: str
    label: str
    values: dict[str, Any]


def audit_anchor(ctx: ScanContext, files: Sequence[tuple[RepoView, str]], audits: Sequence[Audit]) -> AuditAnchor:
    """The landscape's audit date when known (window up to the scanned instant); else the day the audit was first
    published in git (window of a year after it); else the whole history.

    "Published in git" is the earliest of the report file's first commit and the first commit whose subject
    announces the audit ("docs: add security audit report"): a report moved into ``docs/security/`` later
    would otherwise date the audit to the move, and a report linked rather than checked in has no file at all.
    """
    histories = {(repo.name, path): (repo, repo.log(paths=[path])) for repo, path in files}
    report_commits = frozenset(c.sha for _, log in histories.values() for c in log)
    dates = sorted(d for d in (_parse_date(a.date) for a in audits) if d is not None)
    if dates:
        return AuditAnchor(
            dates[0] - timedelta(days=LEAD_DAYS),
            ctx.as_of,
            f"the landscape's audit of {dates[0].date().isoformat()}",
            report_commits,
        )
    # log() is newest first: the last commit of a report's history is the one that added it.
    published = [
        (log[-1].committed_at, f"the report {repo.name}/{path} committed")
        for (_, path), (repo, log) in histories.items()
        if log
    ]
    published += [
        (commit.committed_at, f"{repo}@{commit.sha[:7]} ({commit.subject})")
        for repo, commit in all_commits(ctx)
        if classify(commit.subject) == MENTION and is_publication(commit.subject)
    ]
    if published:
        when, label = min(published)
        return AuditAnchor(
            when - timedelta(days=LEAD_DAYS),
            min(ctx.as_of, when + timedelta(days=FOLLOW_UP_DAYS)),
            f"{label} on {when.date().isoformat()}; audit date unknown",
            report_commits,
        )
    return AuditAnchor(
        datetime.min.replace(tzinfo=UTC), ctx.as_of, "the whole history (audit date unknown)", report_commits
    )


def _parse_date(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text[:10]), datetime.min.time(), UTC)
    except ValueError:
        return None


def commit_matches(ctx: ScanContext, anchor: AuditAnchor) -> tuple[list[Match], list[Match]]:
    """(follow-up commits, commits that only publish the report) in the anchor's window, newest first; bots and
    dependency bumps are left out. Reads the scan's shared, memoised history of every repo."""
    views = {repo.name: repo for repo in ctx.repos}
    follow_ups: list[Match] = []
    published: list[Match] = []
    for repo_name, commit in all_commits(ctx):
        if not anchor.start <= commit.committed_at < anchor.end or is_bot(commit.author_name, commit.author_email):
            continue
        kind = classify(commit.subject)
        if kind is None:
            continue
        match = _commit_match(views[repo_name], commit, kind)
        publishes = commit.sha in anchor.report_commits or (kind == MENTION and is_publication(commit.subject))
        (published if publishes else follow_ups).append(match)
    return _newest_first(follow_ups, "date"), _newest_first(published, "date")


def _newest_first(matches: list[Match], key: str) -> list[Match]:
    return sorted(matches, key=lambda m: m.values[key] or "", reverse=True)


def _commit_match(repo: RepoView, commit: Commit, kind: str) -> Match:
    url = f"{repo.web_url}/commit/{commit.sha}"
    return Match(
        kind,
        url,
        f"{repo.name}@{commit.sha[:7]}: {commit.subject}",
        {
            "repo": repo.name,
            "sha": commit.sha,
            "date": commit.committed_at.isoformat(),
            "subject": commit.subject,
            "kind": kind,
            "url": url,
        },
    )


def search_terms(firms: Sequence[str]) -> list[str]:
    """At most two searches for the whole scan: "audit", and the firms' names (OR-ed) when known."""
    terms = ["audit"]
    if firms:
        terms.append(" OR ".join(f'"{firm}"' for firm in firms))
    return terms


def issue_matches(ctx: ScanContext, terms: Sequence[str]) -> tuple[list[Match], list[str]]:
    """(issues and pull requests tied to the audit, reasons a search did not answer). Items are judged by the same
    rules as commit subjects, so issues about an audit-log feature are dropped; items created after the scanned
    instant are too."""
    if not ctx.project.orgs:
        # Without an org qualifier the search would cover all of GitHub.
        return [], ["no GitHub org to search"]
    query_orgs = " ".join(f"org:{org}" for org in ctx.project.orgs)
    matches: dict[str, Match] = {}
    failures = []
    for term in terms:
        query = f"{query_orgs} {term}"
        try:
            hits = _search(ctx, query)
        except SourceUnavailable as exc:
            failures.append(exc.reason)
            continue
        for hit in hits:
            match = _issue_match(ctx, hit)
            if match is not None:
                matches.setdefault(hit.url, match)
    return _newest_first(list(matches.values()), "created_at"), failures


def _search(ctx: ScanContext, query: str) -> list[IssueHit]:
    """One search per query and scan (a failed one is asked again by the next caller, never cached)."""
    return ctx.memo(
        ("github.search_issues", query, SEARCH_LIMIT), lambda: github_source(ctx).search_issues(query, SEARCH_LIMIT)
    )


def _issue_match(ctx: ScanContext, hit: IssueHit) -> Match | None:
    kind = classify(f"{hit.title}\n{hit.body}")
    if kind is None or (kind == MENTION and is_publication(hit.title)):
        return None
    if hit.created_at and _created(hit.created_at) >= ctx.as_of:
        return None
    noun = "pull request" if hit.pull_request else "issue"
    return Match(
        kind,
        hit.url,
        f"{hit.repo}#{hit.number} ({noun}, {hit.state}): {hit.title}",
        {
            "repo": hit.repo,
            "number": hit.number,
            "title": hit.title,
            "state": hit.state,
            "pull_request": hit.pull_request,
            "created_at": hit.created_at,
            "kind": kind,
            "url": hit.url,
        },
    )


def _created(text: str) -> datetime:
    """The item's creation time; an unreadable one counts as before the scanned instant (kept, not dropped)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AuditFindingsTrackedValues(TypedDict, total=False):
    """``Finding.values`` of ``security.audit_findings_tracked``."""

    firms: list[str]
    window: dict[str, str]
    commits: list[dict[str, str]]
    commit_count: int
    publication_commits: list[dict[str, str]]
    issues: list[dict[str, Any]]
    issue_count: int
    github_search: str


class AuditFindingsTracked(IndexProbe):
    spec = ProbeSpec(
        id="security.audit_findings_tracked",
        title="Are the findings of the project's third-party security audit tracked in issues, advisories or fixes?",
        motivation=(
            "Graduation asks that moderate and low findings of the third-party security review are planned or "
            "tracked for resolution. Evidence is a commit around the audit that names a finding id, a fix from the "
            "audit, the audit firm or an advisory, or an issue or pull request in the org that does (GitHub issue "
            "search, one or two requests per scan). Commits that only publish the report do not count. Whether "
            "every finding is covered is for a reviewer to judge."
        ),
        sources=("git", "github", "cncf"),
        remediation=(
            "Open an issue per moderate or low finding (and per thematic recommendation), citing the finding id, "
            "and reference it from the fixing pull requests; publish advisories for fixed vulnerabilities."
        ),
    )
    values_type = AuditFindingsTrackedValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        subject = project_subject(ctx)
        files, links = audits_in_trees(ctx)
        try:
            audits = self.index().audits_for(project_names(ctx))
        except SourceUnavailable:
            audits = []  # the trees may still know the audit; without either there is nothing to follow up
        if not (files or links or audits):
            yield self.finding(subject, Outcome.NOT_APPLICABLE, "no third-party audit found")
            return
        firms = firms_in(
            [a.vendor for a in audits] + [path for _, path in files] + [f"{t} {u} {x}" for *_, u, t, x in links]
        )
        anchor = audit_anchor(ctx, files, audits)
        commits, published = commit_matches(ctx, anchor)
        issues, failures = issue_matches(ctx, search_terms(firms))
        yield self._judge(ctx, subject, firms, anchor, commits, published, issues, failures)

    def _judge(
        self,
        ctx: ScanContext,
        subject: str,
        firms: list[str],
        anchor: AuditAnchor,
        commits: list[Match],
        published: list[Match],
        issues: list[Match],
        failures: list[str],
    ) -> Finding:
        window = f"from {_day(anchor.start)} to {_day(anchor.end)}"
        values: AuditFindingsTrackedValues = {
            "firms": firms,
            "window": {"start": _day(anchor.start), "end": _day(anchor.end), "basis": anchor.basis},
            "commits": [m.values for m in commits[:CAP]],
            "commit_count": len(commits),
            "publication_commits": [m.values for m in published[:CAP]],
            "issues": [m.values for m in issues[:CAP]],
            "issue_count": len(issues),
            "github_search": "answered" if not failures else "; ".join(dict.fromkeys(failures)),
        }
        # Issues first: they are what "tracked" means; commits show fixes.
        evidence = [Evidence(url=m.url, source="github", retrieved_at=ctx.clock(), label=m.label) for m in issues]
        evidence += [Evidence(url=m.url, source="git", label=m.label) for m in commits]
        announced = f"; {len(published)} commit(s) only publish or announce the report" if published else ""
        # With no follow-up, the commits that published the report are what a reviewer can still click.
        publication = [Evidence(url=m.url, source="git", label=m.label) for m in published]
        if commits or issues:
            found = [f"{len(commits)} commit(s) {window}"] if commits else []
            found += [f"{len(issues)} issue(s)/pull request(s)"] if issues else []
            kinds = sorted({m.kind for m in commits + issues})
            unasked = f"; GitHub issue search did not answer ({values['github_search']})" if failures else ""
            return self.finding(
                subject,
                True,
                f"audit follow-up found: {' and '.join(found)} ({', '.join(kinds)}){unasked}; "
                "whether every finding is covered needs a reviewer",
                values,
                evidence[:CAP],
            )
        git_part = f"no commit {window} follows up the audit (dated by {anchor.basis}){announced}"
        if failures:
            return self.finding(
                subject,
                Outcome.NOT_AVAILABLE,
                f"{git_part}; GitHub issue search not answered ({values['github_search']}), so tracking in issues "
                "is unknown",
                values,
                publication[:CAP],
            )
        return self.finding(
            subject,
            False,
            f"{git_part}, and no issue or pull request in {', '.join(ctx.project.orgs)} names the audit, its firm "
            "or finding ids",
            values,
            publication[:CAP],
        )


def _day(moment: datetime) -> str:
    return "the beginning" if moment.year == 1 else moment.date().isoformat()
