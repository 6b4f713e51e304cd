"""Audit follow-up: commit subjects around a synthetic audit, and GitHub issue search against the loopback fake."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from e2e.fakegithub import FakeGitHub, acme_data
from memrepo import MemoryRepoView

from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.model import Outcome
from dd_evidence.probes.audit_tracking import (
    ADVISORY,
    FINDING_ID,
    FOLLOW_UP,
    MENTION,
    AuditFindingsTracked,
    classify,
    firms_in,
    is_publication,
    search_terms,
)
from dd_evidence.resolve import ProjectRef, RepoRef
from dd_evidence.sources.assessments import parse_assessments_list
from dd_evidence.sources.git import Commit
from dd_evidence.sources.github import GitHubSource

AS_OF = datetime(2025, 6, 1, tzinfo=UTC)
REPORT_DAY = datetime(2024, 3, 1, 12, tzinfo=UTC)
REPORT = "docs/security/acme-audit-report-2024.pdf"
README = """# Acme

## Security audit

A third-party audit was done by Trail of Bits; read the [full report](docs/security/acme-audit-report-2024.pdf).
"""
NO_INDEX = parse_assessments_list("[audits]\n")
LANDSCAPE = parse_assessments_list(
    "[audits]\nAcme (incubating) | 2022-05-10 | security | Cure53 | https://example.org/acme-cure53.pdf\n"
)


class HistoryRepoView(MemoryRepoView):
    """An in-memory repo with a history; ``log(paths)`` keeps the commits that touched one of the paths."""

    def __init__(self, name: str, files: dict[str, str], commits: list[Commit], role: str = "other"):
        super().__init__("acme", name, files, role=role)
        self._commits = sorted(commits, key=lambda c: c.committed_at, reverse=True)

    def log(self, paths=(), since=None, with_paths=False):  # type: ignore[no-untyped-def]
        wanted = set(paths)
        return [c for c in self._commits if not wanted or wanted & set(c.paths)]


def commit(subject: str, when: datetime, author: str = "Ada Example", paths: tuple[str, ...] = ()) -> Commit:
    sha = f"{abs(hash((subject, when, author))):040x}"[:40]
    email = f"{author.split()[0].lower()}@example.org" if "[bot]" not in author else "1+x[bot]@users.noreply.github.com"
    return Commit(sha, author, email, when, when, subject, paths)


def ctx_for(
    commits: list[Commit], files: dict[str, str] | None = None, github: str | None = None, cache: Path | None = None
) -> ScanContext:
    files = {"README.md": README, REPORT: ""} if files is None else files
    views = [
        HistoryRepoView("acme", files, commits, role="main"),
        HistoryRepoView("website", {"index.md": "# Acme"}, []),
    ]
    ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=RepoRef("acme", "acme", "main"))
    config = ScanConfig(as_of=AS_OF, offline=github is None)
    if github is not None:
        config.github_api = github
        config.cache_dir = cache or Path("/nonexistent")  # never the user's own cache
    return ScanContext(config, ref, views)


def run(ctx: ScanContext, index=NO_INDEX):  # type: ignore[no-untyped-def]
    (finding,) = AuditFindingsTracked(index).run(ctx)
    return finding


ADDED = commit("docs: add security audit report (#12)", REPORT_DAY, paths=(REPORT,))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("fix: reject relative paths in unpack (TOB-ACME-4)", FINDING_ID),
        ("harden the token check, ADA-ACME-SEC-02", FINDING_ID),
        ("fix: bound the header size (ACM-01-003)", FINDING_ID),
        ("Address audit findings in the scheduler", FOLLOW_UP),
        ("fix: races found in the security audit", FOLLOW_UP),
        ("fix: missing TLS verification, from the 2024 audit", FOLLOW_UP),
        ("chore: follow Trail of Bits advice on logging", MENTION),
        ("docs: link the third-party security review", MENTION),
        ("fix: escape names in the query builder (CVE-2024-12345)", ADVISORY),
        ("feat: add audit gc (#3996)", None),
        ("fix: set the pat to context for audit (#4007)", None),
        ("fix: nil pointer in audit middleware", None),
        ("docs: add audit logging for v2.4 roadmap", None),
        ("chore(deps): bump x/net to fix CVE-2023-44487", None),
        ("add security assessment", None),
    ],
)
def test_classify(text: str, kind: str | None) -> None:
    assert classify(text) == kind


def test_publication_subjects() -> None:
    assert is_publication("docs: add security audit to blogs (#9)")
    assert is_publication("Fix typo in security audit")
    assert is_publication("add the Trail of Bits report")
    assert not is_publication("fix: follow Trail of Bits advice on logging")


def test_firms_and_search_terms() -> None:
    firms = firms_in(["Cure 53 and Trail of Bits", "docs/security/trailofbits-2023.pdf"])
    assert firms == ["Trail of Bits", "Cure53"]
    assert search_terms(firms) == ["audit", '"Trail of Bits" OR "Cure53"']
    assert search_terms([]) == ["audit"]


def test_no_audit_is_not_applicable() -> None:
    ctx = ctx_for([commit("fix: TOB-ACME-1", REPORT_DAY)], files={"README.md": "# Acme\n"})
    finding = run(ctx)
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert finding.message == "no third-party audit found"


def test_follow_up_commits_in_the_year_after_the_report_count_offline() -> None:
    fix = commit("fix: reject relative paths in unpack (TOB-ACME-4)", REPORT_DAY + timedelta(days=20))
    history = [
        ADDED,
        commit("docs: add security audit to the blog", REPORT_DAY + timedelta(days=1)),
        fix,
        commit("feat: add audit middleware", REPORT_DAY + timedelta(days=30)),
        commit("fix: TOB-ACME-9 again", REPORT_DAY + timedelta(days=500)),  # past the year after the report
        commit("Address audit findings", REPORT_DAY + timedelta(days=40), author="renovate[bot]"),
    ]
    finding = run(ctx_for(history))
    assert finding.outcome is Outcome.TRUE
    assert [c["sha"] for c in finding.values["commits"]] == [fix.sha]
    assert finding.values["commits"][0]["kind"] == FINDING_ID
    assert {c["subject"] for c in finding.values["publication_commits"]} == {
        ADDED.subject,
        "docs: add security audit to the blog",
    }
    assert finding.values["window"]["end"] == "2025-03-01"
    assert finding.values["firms"] == ["Trail of Bits"]
    assert finding.evidence[0].url == f"https://github.com/acme/acme/commit/{fix.sha}"
    assert "GitHub issue search did not answer (offline" in finding.message


def test_only_publication_commits_offline_is_not_available() -> None:
    finding = run(ctx_for([ADDED, commit("docs: add security audit to the blog", REPORT_DAY)]))
    assert finding.outcome is Outcome.NOT_AVAILABLE
    assert "only publish or announce" in finding.message
    assert "offline" in finding.message
    assert finding.values["commits"] == []


def test_an_earlier_announcement_dates_a_report_moved_later() -> None:
    announced = commit("docs: add security audit report (#12)", REPORT_DAY)  # before the file's own first commit
    moved = commit("chore: move docs into docs/security", REPORT_DAY + timedelta(days=400), paths=(REPORT,))
    fix = commit("fix: escape names, found during the audit", REPORT_DAY + timedelta(days=60))
    finding = run(ctx_for([announced, moved, fix]))
    assert finding.values["window"]["start"] == "2023-12-02"  # 90 days before the announcement
    assert "acme@" in finding.values["window"]["basis"] and "2024-03-01" in finding.values["window"]["basis"]
    assert [c["sha"] for c in finding.values["commits"]] == [fix.sha]
    assert finding.values["commits"][0]["kind"] == FOLLOW_UP
    assert [c["sha"] for c in finding.values["publication_commits"]] == [announced.sha]


def test_landscape_date_opens_the_window_until_the_scan() -> None:
    before = commit("fix: bound the header size (ACM-01-003)", datetime(2022, 3, 1, tzinfo=UTC))
    long_after = commit("chore: harden config loading per Cure53 audit", datetime(2025, 1, 5, tzinfo=UTC))
    too_early = commit("fix: ACM-01-001", datetime(2021, 1, 1, tzinfo=UTC))
    ctx = ctx_for([before, long_after, too_early], files={"README.md": "# Acme\n"})
    finding = run(ctx, LANDSCAPE)
    assert finding.outcome is Outcome.TRUE
    assert finding.values["window"]["start"] == "2022-02-09"  # 90 days before the landscape's date
    assert [c["sha"] for c in finding.values["commits"]] == [long_after.sha, before.sha]
    assert finding.values["firms"] == ["Cure53"]


def issue(number: int, title: str, body: str = "", pull: bool = False, created: str = "2024-04-02T10:00:00Z") -> dict:
    item: dict[str, Any] = {
        "html_url": f"https://github.com/acme/acme/{'pull' if pull else 'issues'}/{number}",
        "title": title,
        "number": number,
        "state": "open",
        "repository_url": "https://api.github.com/repos/acme/acme",
        "body": body,
        "created_at": created,
    }
    if pull:
        item["pull_request"] = {"url": "x"}
    return item


def test_issue_search_finds_tracking_issues_and_drops_audit_log_features(tmp_path: Path) -> None:
    data = acme_data()
    data["issues"] = [
        issue(40, "Track TOB-ACME-4: path traversal in unpack", "From the Trail of Bits audit."),
        issue(41, "Fix redirect check", "Reported in the security audit by Trail of Bits.", pull=True),
        issue(42, "feat: audit log retention", "Keep audit logs for 30 days."),
        issue(43, "Later TOB-ACME-7 fix", created="2025-07-01T00:00:00Z"),  # after the scanned instant
        {**issue(44, "Fix TOB-ACME-2"), "repository_url": "https://api.github.com/repos/other/x"},
    ]
    with FakeGitHub(data) as gh:
        finding = run(ctx_for([ADDED], github=gh.url, cache=tmp_path))
        searches = gh.hits["/search/issues"]
    assert finding.outcome is Outcome.TRUE
    by_number = {i["number"]: i for i in finding.values["issues"]}
    assert set(by_number) == {40, 41}
    assert by_number[41]["pull_request"] is True and by_number[40]["pull_request"] is False
    assert finding.values["github_search"] == "answered"
    assert searches == 2  # "audit" and the firm, never per repo
    assert {e.url for e in finding.evidence} == {i["url"] for i in by_number.values()}


def test_nothing_in_git_nor_in_issues_is_false(tmp_path: Path) -> None:
    data = acme_data()
    data["issues"] = [issue(42, "feat: audit log retention", "Keep audit logs.")]
    with FakeGitHub(data) as gh:
        finding = run(ctx_for([ADDED], github=gh.url, cache=tmp_path))
    assert finding.outcome is Outcome.FALSE
    assert "no issue or pull request in acme" in finding.message


def test_rate_limited_search_is_not_available_not_false(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        gh.primary_rate_limit("/search/issues", times=5)
        finding = run(ctx_for([ADDED], github=gh.url, cache=tmp_path))
        limited = gh.rate_limited
    assert finding.outcome is Outcome.NOT_AVAILABLE
    assert "rate limit exceeded" in finding.message
    assert limited >= 1


def test_search_limit_headers_leave_the_core_quota_alone(tmp_path: Path) -> None:
    body = json.dumps({"total_count": 1, "incomplete_results": False, "items": [issue(7, "x")]})
    with FakeGitHub(acme_data()) as gh:
        gh.serve("/search/issues", body, headers={"X-RateLimit-Resource": "search", "X-RateLimit-Remaining": "9"})
        source = GitHubSource(gh.url, cache_dir=tmp_path)
        (hit,) = source.search_issues("org:acme audit", 5)
        assert source.rate_remaining is None  # the search API's own limit is not the core quota
        source.org("acme")
        assert source.rate_remaining == 58
        source.close()
    assert (hit.repo, hit.number, hit.pull_request) == ("acme/acme", 7, False)


def test_no_org_never_searches_all_of_github(tmp_path: Path) -> None:
    with FakeGitHub(acme_data()) as gh:
        ctx = ctx_for([ADDED], github=gh.url, cache=tmp_path)
        ctx.project = replace(ctx.project, orgs=())
        finding = run(ctx)
        searches = gh.hits["/search/issues"]
    assert searches == 0
    assert finding.outcome is Outcome.NOT_AVAILABLE and "no GitHub org to search" in finding.message
