"""The OpenSSF Best Practices badge probes over in-memory repos and a scripted bestpractices.dev."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
from memrepo import context

from dd_evidence.context import ScanContext
from dd_evidence.model import Finding, Outcome
from dd_evidence.probes.bestpractices import OpenSSFBadgePassing, OpenSSFBadgeSilverOrGold
from dd_evidence.sources.http import HttpClient

BADGE_README = (
    "# Acme\n\n"
    "[![OpenSSF Best Practices](https://www.bestpractices.dev/projects/{id}/badge)]"
    "(https://www.bestpractices.dev/projects/{id})\n"
)


def entry(project_id: int, level: str | None, tiered: int | None, p0: int, p1: int = 0, **extra: Any) -> dict:
    """A project answer with just the fields the probes read (the real one carries ~640 more)."""
    data: dict[str, Any] = {"id": project_id, "name": "Acme", "badge_percentage_0": p0, "badge_percentage_1": p1}
    if level is not None:
        data.update(badge_level=level, tiered_percentage=tiered, badge_percentage_2=0)
    data.update(extra)
    return data


class FakeSite:
    """bestpractices.dev as a MockTransport handler: ``projects`` by id, ``search`` by repo URL."""

    def __init__(self, projects: dict[int, dict] | None = None, search: dict[str, list[int]] | None = None):
        self.projects = projects or {}
        self.search = search or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/projects.json":
            ids = self.search.get(request.url.params["url"], [])
            return httpx.Response(200, json=[self.projects.get(i, {"id": i}) for i in ids])
        project_id = int(path.removeprefix("/projects/").removesuffix(".json"))
        if project_id in self.projects:
            return httpx.Response(200, json=self.projects[project_id])
        return httpx.Response(404, json={"status": 404, "error": "Not Found"})


def scan_ctx(site: FakeSite, readme: str | None, offline: bool = False) -> ScanContext:
    files = {"README.md": readme} if readme is not None else {"main.go": "package main\n"}
    ctx = context({"acme": files, "community": {"README.md": "# Community\n"}})
    ctx.config.offline = offline
    # The scan's shared HTTP client, pre-seeded so the probes talk to the fake site and never sleep.
    http = HttpClient(transport=httpx.MockTransport(site), offline=offline, sleep=lambda _s: None)
    ctx.client("http", lambda: http)
    return ctx


def run(ctx: ScanContext) -> tuple[Finding, Finding]:
    (passing,) = OpenSSFBadgePassing().run(ctx)
    (silver,) = OpenSSFBadgeSilverOrGold().run(ctx)
    return passing, silver


@pytest.mark.parametrize(
    "answer, passing_outcome, silver_outcome",
    [
        (entry(10432, "passing", 107, 100, 7), Outcome.TRUE, Outcome.FALSE),
        (entry(10432, "silver", 233, 100, 100), Outcome.TRUE, Outcome.TRUE),
        (entry(10432, "gold", 300, 100, 100), Outcome.TRUE, Outcome.TRUE),
        (entry(10432, "in_progress", 83, 83), Outcome.FALSE, Outcome.FALSE),
    ],
    ids=["passing", "silver", "gold", "in-progress"],
)
def test_badge_level_from_readme_id(answer: dict, passing_outcome: Outcome, silver_outcome: Outcome) -> None:
    site = FakeSite({10432: answer})
    passing, silver = run(scan_ctx(site, BADGE_README.format(id=10432)))
    assert (passing.outcome, silver.outcome) == (passing_outcome, silver_outcome)
    assert passing.values["project_id"] == 10432 and passing.values["found_by"] == "readme"
    assert passing.values["badge_level"] == answer["badge_level"]
    assert passing.values["tiered_percentage"] == answer["tiered_percentage"]
    # Both probes share one answer: one request, and no search since the README named the id.
    assert [r.url.path for r in site.requests] == ["/projects/10432.json"]
    urls = [e.url for e in passing.evidence]
    assert urls[0] == "https://www.bestpractices.dev/projects/10432"
    assert passing.evidence[0].retrieved_at is not None
    assert urls[1] == "https://github.com/acme/acme/blob/" + "a" * 40 + "/README.md#L3"


def test_in_progress_lists_the_open_passing_criteria() -> None:
    answer = entry(5, "in_progress", 90, 90, static_analysis_status="Unmet", sites_https_status="?", test_status="Met")
    passing, _ = run(scan_ctx(FakeSite({5: answer}), BADGE_README.format(id=5)))
    assert passing.outcome is Outcome.FALSE
    assert passing.values["next_level"] == "passing"
    assert passing.values["unmet_next_level"] == ["sites_https", "static_analysis"]
    assert "90% of passing" in passing.message and "2 passing criteria" in passing.message


def test_old_schema_level_is_derived_and_said_so() -> None:
    site = FakeSite({9: entry(9, None, None, 100, 40)})
    passing, silver = run(scan_ctx(site, BADGE_README.format(id=9)))
    assert passing.outcome is Outcome.TRUE and silver.outcome is Outcome.FALSE
    assert passing.values["level_derived"] is True and "derived from the percentages" in passing.message


def test_answer_without_any_level_is_not_available() -> None:
    passing, _ = run(scan_ctx(FakeSite({9: {"id": 9, "name": "Old"}}), BADGE_README.format(id=9)))
    assert passing.outcome is Outcome.NOT_AVAILABLE


def test_no_badge_falls_back_to_search_by_main_repo_url() -> None:
    site = FakeSite({77: entry(77, "passing", 100, 100)}, {"https://github.com/acme/acme": [77]})
    passing, _ = run(scan_ctx(site, None))
    assert passing.outcome is Outcome.TRUE
    assert passing.values["found_by"] == "search" and passing.values["project_id"] == 77
    assert [r.url.path for r in site.requests] == ["/projects.json", "/projects/77.json"]
    assert [e.url for e in passing.evidence] == ["https://www.bestpractices.dev/projects/77"]


def test_no_badge_and_no_search_hit_is_false() -> None:
    site = FakeSite()
    passing, silver = run(scan_ctx(site, "# Acme\n"))
    assert passing.outcome is Outcome.FALSE and silver.outcome is Outcome.FALSE
    assert passing.message == "no Best Practices entry found"
    assert len(site.requests) == 1  # the search, asked once for both probes


def test_offline_is_not_available_but_keeps_the_readme_id() -> None:
    site = FakeSite({10432: entry(10432, "passing", 107, 100)})
    passing, silver = run(scan_ctx(site, BADGE_README.format(id=10432), offline=True))
    assert passing.outcome is Outcome.NOT_AVAILABLE and silver.outcome is Outcome.NOT_AVAILABLE
    assert "offline: not fetched" in passing.message and passing.values["project_id"] == 10432
    assert len(passing.evidence) == 2 and passing.evidence[0].retrieved_at is None
    assert site.requests == []


def test_offline_without_badge_is_not_available_never_false() -> None:
    passing, _ = run(scan_ctx(FakeSite(), None, offline=True))
    assert passing.outcome is Outcome.NOT_AVAILABLE and "offline" in passing.message


def test_unknown_id_is_not_available() -> None:
    passing, _ = run(scan_ctx(FakeSite(), BADGE_README.format(id=404404)))
    assert passing.outcome is Outcome.NOT_AVAILABLE and "HTTP 404" in passing.message


def test_rate_limit_beyond_bound_is_not_available() -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "3600"})

    passing, silver = run(scan_ctx(limited, BADGE_README.format(id=1)))  # type: ignore[arg-type]
    assert passing.outcome is Outcome.NOT_AVAILABLE and "rate limit exceeded" in passing.message
    assert silver.outcome is Outcome.NOT_AVAILABLE


def test_search_uses_githubs_spelling_then_the_repos_former_names() -> None:
    """bestpractices.dev matches ``url`` exactly, case included, against the URL the entry was made with. The
    main repo is acme/acme in the index, Acme/Acme on GitHub; the entry was made when it was called Acme/Acme2
    (GitHub now answers that name with a 301 to the repository)."""
    from e2e.fakegithub import FakeGitHub, acme_data

    from dd_evidence.resolve import RepoRef
    from dd_evidence.sources.github import GitHubSource

    site = FakeSite({10432: entry(10432, "passing", 100, 100)}, {"https://github.com/acme/Acme2": [10432]})
    data = acme_data()
    data["orgs"]["Acme"] = data["orgs"].pop("acme")
    data["repos"] = {"Acme/Acme": {**data["repos"]["acme/acme"], "id": 7, "name": "Acme", "full_name": "Acme/Acme"}}
    data["renamed"] = {"acme/acme2": "Acme/Acme"}
    with FakeGitHub(data) as gh:
        ctx = scan_ctx(site, readme=None)
        ctx.project = replace(ctx.project, extra_repos=(RepoRef("acme", "Acme2", "other"),))
        ctx.config.github_api = gh.url
        ctx.client("github", lambda: GitHubSource(gh.url))
        passing, _ = run(ctx)
    searched = [r.url.params["url"] for r in site.requests if r.url.path == "/projects.json"]
    assert searched == ["https://github.com/Acme/Acme", "https://github.com/acme/acme", "https://github.com/acme/Acme2"]
    assert passing.outcome is Outcome.TRUE and passing.values["project_id"] == 10432
