"""Company share of the window's human commits, from git history: who employs the people doing the work.

Git records no employer, so commits are attributed in two ways, kept apart in the values:

- **roster**: the committer is a person on one of the org's rosters, whose affiliation the roster gives (strong);
- **email_domain**: the author e-mail belongs to a well-known company's domain (weak: a personal address at a
  former employer, or a contractor's address, misattributes; shown labelled as such).

Everything else is "unknown". The share of unknown commits is reported beside the top organisation's share,
because with many unknown commits the top share is only a lower bound.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from dd_evidence.activity import Contributor, activity, name_key
from dd_evidence.affiliations import normalise
from dd_evidence.context import ScanContext
from dd_evidence.facts.people import Person, rosters
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.values import CommitsByOrganisation

# A single organisation making the majority of commits is the usual single-vendor line; the TOC sets no number,
# so this probe only supports the diversity and activity criteria, it never decides one.
MAJORITY = 0.5

# E-mail domains that belong to one company (subdomains included). Deliberately short and obvious; generic mail
# providers are never here. Names go through ``normalise`` so they match roster spellings.
COMPANY_DOMAINS: dict[str, str] = {
    "alibaba-inc.com": "Alibaba Group",
    "alibaba.com": "Alibaba Group",
    "aliyun.com": "Alibaba Group",
    "antgroup.com": "Ant Group",
    "antfin.com": "Ant Group",
    "bytedance.com": "ByteDance",
    "google.com": "Google",
    "redhat.com": "Red Hat",
    "microsoft.com": "Microsoft",
    "ibm.com": "IBM",
    "vmware.com": "VMware",
    "broadcom.com": "Broadcom",
    "intel.com": "Intel",
    "huawei.com": "Huawei",
    "amazon.com": "Amazon",
    "tencent.com": "Tencent",
    "baidu.com": "Baidu",
    "apple.com": "Apple",
    "meta.com": "Meta",
    "fb.com": "Meta",
    "nvidia.com": "NVIDIA",
    "cisco.com": "Cisco",
    "suse.com": "SUSE",
    "suse.de": "SUSE",
    "canonical.com": "Canonical",
    "oracle.com": "Oracle",
    "sap.com": "SAP",
    "datadoghq.com": "Datadog",
    "docker.com": "Docker",
    "isovalent.com": "Isovalent",
}


def domain_company(email: str) -> str | None:
    """The company whose domain (or a subdomain of it) ``email`` is at, if it is a well-known one."""
    domain = email.rsplit("@", 1)[-1].casefold() if "@" in email else ""
    while domain:
        if domain in COMPANY_DOMAINS:
            return normalise(COMPANY_DOMAINS[domain]).name
        domain = domain.partition(".")[2]
    return None


def roster_company(contributor: Contributor, people: list[Person]) -> str | None:
    """The affiliation of the roster person this contributor is (by login, e-mail or name), if one matches."""
    login = (contributor.login or "").casefold()
    emails = {e.casefold() for e in contributor.emails}
    names = {name_key(n) for n in contributor.names} - {None}
    for person in people:
        if not person.affiliation:
            continue
        if (
            (person.handle and person.handle.lstrip("@").casefold() == login)
            or (person.email and person.email.casefold() in emails)
            or (person.name and name_key(person.name) in names)
        ):
            affiliation = normalise(person.affiliation)
            return affiliation.name if affiliation.is_organisation else None
    return None


def attribute(contributor: Contributor, people: list[Person]) -> tuple[str | None, str | None]:
    """(company, how): the roster first; else the most used e-mail domain of a known company; else unknown."""
    company = roster_company(contributor, people)
    if company:
        return company, "roster"
    for email in sorted(contributor.emails):
        company = domain_company(email)
        if company:
            return company, "email_domain"
    return None, None


class TopOrganisationShareValues(CommitsByOrganisation, total=False):
    """``Finding.values`` of ``activity.top_organisation_share``."""

    source: str
    unknown_share: float
    top_organisation: str | None
    top_commits: int
    top_share: float


class TopOrganisationShare(Probe):
    spec = ProbeSpec(
        id="activity.top_organisation_share",
        title="Does no single organisation make the majority of the window's human commits?",
        motivation="Work spread over several companies shows the project would survive one company leaving; the "
        "TOC looks at company shares of recent commits beside the maintainers' affiliations.",
        sources=("git",),
        remediation="Recruit contributors from further organisations and record maintainers' affiliations.",
    )
    values_type = TopOrganisationShareValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        facts = activity(ctx)
        subject = ctx.project.name
        if not facts.contributors:
            yield self.not_available(subject, "no git history could be read")
            return
        # Active roster people first: a person listed both as current and emeritus is taken at their current line.
        people = sorted((p for r in rosters(ctx) for p in r.people), key=lambda p: p.emeritus)
        by_org: Counter[str] = Counter()
        by_how: Counter[str] = Counter()
        # Per organisation and basis, so a reader can tell which shares rest on the weak e-mail-domain guess.
        basis: dict[str, Counter[str]] = {}
        unknown = 0
        for contributor in facts.ranked:
            company, how = attribute(contributor, people)
            if company is None:
                unknown += contributor.window_commits
                continue
            by_org[company] += contributor.window_commits
            by_how[str(how)] += contributor.window_commits
            basis.setdefault(company, Counter())[str(how)] += contributor.window_commits
        total = facts.window_total
        values: TopOrganisationShareValues = {
            "source": "git",
            "window_start": facts.start.date().isoformat(),
            "window_end_exclusive": facts.end.date().isoformat(),
            "human_commits": total,
            "by_organisation": dict(by_org.most_common()),
            "attributed_by": {"roster": by_how["roster"], "email_domain (weak)": by_how["email_domain"]},
            "by_organisation_basis": {
                org: {"roster": basis[org]["roster"], "email_domain (weak)": basis[org]["email_domain"]}
                for org, _ in by_org.most_common()
            },
            "unknown_commits": unknown,
            "unknown_share": round(unknown / total, 3) if total else 0.0,
        }
        if not total:
            yield self.finding(subject, Outcome.NOT_AVAILABLE, "no human commits in the window", values)
            return
        top, top_count = by_org.most_common(1)[0] if by_org else (None, 0)
        lower = top_count / total  # unknown commits counted as someone else's
        upper = (top_count + unknown) / total  # unknown commits all the top organisation's
        values["top_organisation"], values["top_commits"], values["top_share"] = top, top_count, round(lower, 3)
        window = f"from {facts.start.date()} to {facts.end.date()} (exclusive)"
        if top is None:
            message = f"no commit {window} could be attributed to an organisation ({total} human commits)"
            yield self.finding(subject, Outcome.NOT_AVAILABLE, message, values)
            return
        message = (
            f"{top} made {lower:.0%} of {total} human commits {window}; "
            f"{unknown / total:.0%} of commits have no known organisation"
        )
        if lower > MAJORITY:
            remedy = (
                f"Spread the work beyond {top} ({lower:.0%} of the human commits {window}) by growing "
                "contributors and reviewers from other organisations."
            )
            if unknown / total > 0.1:
                remedy += (
                    f" {unknown / total:.0%} of the commits could not be attributed to an organisation: ask "
                    "regular contributors to name theirs (in the GitHub profile or a contributors list)."
                )
            yield self.finding(subject, Outcome.FALSE, message, values, remedy=remedy)
        elif upper <= MAJORITY:
            yield self.finding(subject, Outcome.TRUE, message, values)
        else:
            # The unknown commits could tip the balance either way: say so rather than guess.
            yield self.finding(subject, Outcome.NOT_AVAILABLE, message + ", too many to tell", values)
