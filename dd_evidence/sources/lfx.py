"""LFX Insights: contributor and organisation figures the Linux Foundation computes for a project.

Two kinds of route, treated differently:

- ``GET /api/project/{slug}/insights`` is the **documented** public API (an OpenAPI spec, unauthenticated,
  200 requests per minute per IP). It is the primary source.
- ``/api/widget/contributors/...`` are the routes the LFX Insights web UI calls. They are unauthenticated but
  **undocumented** and carry no stability promise, so every answer is checked against the shape we rely on and
  a changed shape becomes :class:`SourceUnavailable` ("unexpected answer shape: ...") rather than a wrong figure.

Everything goes through the scan's :class:`HttpClient` (retries, rate-limit handling, offline mode, counting).
Answers and failures are memoised per scan, so both LFX probes share one set of requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.answers import AnswerMemo
from dd_evidence.sources.http import HttpClient, http_client, parse_json

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

SOURCE = "lfx"
BASE_URL = "https://insights.linuxfoundation.org"

# Keys of the documented ProjectInsight object that we read. The spec marks them all required; checking them
# turns a silent schema change into a clear "unexpected answer shape".
_INSIGHT_NUMBERS = (
    "contributorCount",
    "organizationCount",
    "activeContributorsLast365Days",
    "activeOrganizationsLast365Days",
    "activeContributorsPrevious365Days",
    "activeOrganizationsPrevious365Days",
    "contributorDependencyCount",
    "contributorDependencyPercentage",
    "organizationDependencyCount",
    "organizationDependencyPercentage",
)
_HEALTH_SCORES = (
    "healthScore",
    "contributorHealthScore",
    "popularityHealthScore",
    "developmentHealthScore",
    "securityHealthScore",
)


@dataclass(frozen=True)
class ProjectInsights:
    """The documented insights snapshot of one project (all-time and last-365-days figures)."""

    slug: str
    name: str | None
    url: str
    retrieved_at: datetime | None
    contributor_count: int
    organization_count: int
    active_contributors_365d: int
    active_organizations_365d: int
    active_contributors_previous_365d: int
    active_organizations_previous_365d: int
    contributor_dependency_count: int
    contributor_dependency_percentage: float
    organization_dependency_count: int
    organization_dependency_percentage: float
    health_scores: Mapping[str, float | None]
    first_commit: str | None = None

    @property
    def html_url(self) -> str:
        """The page a reviewer opens."""
        return f"{BASE_URL}/project/{self.slug}"


@dataclass(frozen=True)
class LeaderboardEntry:
    """One row of a contributor or organisation leaderboard: a name, its contributions and share (0-100)."""

    name: str
    contributions: int
    percentage: float
    handles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Leaderboard:
    """A leaderboard page for a window: ``total`` is how many contributors/organisations were active in it."""

    kind: str  # "contributors" or "organizations"
    activity_type: str
    start: date
    end: date
    total: int
    entries: tuple[LeaderboardEntry, ...]
    url: str
    retrieved_at: datetime | None


@dataclass(frozen=True)
class Dependency:
    """The smallest set of top contributors/organisations making at least 51% of contributions (LFX's rule)."""

    kind: str
    start: date
    end: date
    top_count: int
    top_percentage: float
    other_count: int
    other_percentage: float
    top: tuple[LeaderboardEntry, ...]
    url: str
    retrieved_at: datetime | None


def parse_insights(data: Any, url: str, retrieved_at: datetime | None = None) -> ProjectInsights:
    """A :class:`ProjectInsights` from a ``/api/project/{slug}/insights`` answer; a changed shape is unavailable."""
    if not isinstance(data, dict):
        raise _shape(url, "not an object")
    missing = [k for k in ("slug", *_INSIGHT_NUMBERS) if k not in data]
    if missing:
        raise _shape(url, f"missing {', '.join(missing)}")
    wrong = [k for k in _INSIGHT_NUMBERS if not _is_number(data[k])]
    if wrong:
        raise _shape(url, f"not numbers: {', '.join(wrong)}")
    return ProjectInsights(
        slug=str(data["slug"]),
        name=data.get("name") if isinstance(data.get("name"), str) else None,
        url=url,
        retrieved_at=retrieved_at,
        contributor_count=int(data["contributorCount"]),
        organization_count=int(data["organizationCount"]),
        active_contributors_365d=int(data["activeContributorsLast365Days"]),
        active_organizations_365d=int(data["activeOrganizationsLast365Days"]),
        active_contributors_previous_365d=int(data["activeContributorsPrevious365Days"]),
        active_organizations_previous_365d=int(data["activeOrganizationsPrevious365Days"]),
        contributor_dependency_count=int(data["contributorDependencyCount"]),
        contributor_dependency_percentage=float(data["contributorDependencyPercentage"]),
        organization_dependency_count=int(data["organizationDependencyCount"]),
        organization_dependency_percentage=float(data["organizationDependencyPercentage"]),
        # Health scores are shown, never judged; a missing one is None rather than a failed answer.
        health_scores={k: float(data[k]) if _is_number(data.get(k)) else None for k in _HEALTH_SCORES},
        first_commit=data.get("firstCommit") if isinstance(data.get("firstCommit"), str) else None,
    )


def parse_leaderboard(
    data: Any, kind: str, activity_type: str, start: date, end: date, url: str, retrieved_at: datetime | None = None
) -> Leaderboard:
    """A leaderboard from ``{"meta": {"offset","limit","total"}, "data": [...]}`` (undocumented route)."""
    if not isinstance(data, dict) or not isinstance(data.get("meta"), dict) or not isinstance(data.get("data"), list):
        raise _shape(url, "expected an object with 'meta' and a 'data' list")
    total = data["meta"].get("total")
    if not _is_number(total):
        raise _shape(url, "meta.total is not a number")
    entries = tuple(_entry(item, url) for item in data["data"])
    return Leaderboard(kind, activity_type, start, end, int(total), entries, url, retrieved_at)


def parse_dependency(
    data: Any, kind: str, start: date, end: date, url: str, retrieved_at: datetime | None = None
) -> Dependency:
    """``{"top<Kind>": {count, percentage}, "other<Kind>": {...}, "list": [...]}`` (undocumented route)."""
    suffix = "Contributors" if kind == "contributors" else "Organizations"
    if not isinstance(data, dict):
        raise _shape(url, "not an object")
    top, other, items = data.get(f"top{suffix}"), data.get(f"other{suffix}"), data.get("list")
    for label, part in ((f"top{suffix}", top), (f"other{suffix}", other)):
        if not isinstance(part, dict) or not _is_number(part.get("count")) or not _is_number(part.get("percentage")):
            raise _shape(url, f"'{label}' lacks numeric count/percentage")
    if not isinstance(items, list):
        raise _shape(url, "'list' is not a list")
    assert isinstance(top, dict) and isinstance(other, dict)  # narrowed by the loop above, for type checkers
    return Dependency(
        kind,
        start,
        end,
        int(top["count"]),
        float(top["percentage"]),
        int(other["count"]),
        float(other["percentage"]),
        tuple(_entry(item, url) for item in items),
        url,
        retrieved_at,
    )


def _entry(item: Any, url: str) -> LeaderboardEntry:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise _shape(url, "a leaderboard row has no name")
    if not _is_number(item.get("contributions")) or not _is_number(item.get("percentage")):
        raise _shape(url, "a leaderboard row lacks numeric contributions/percentage")
    handles = item.get("githubHandleArray") or ()
    return LeaderboardEntry(
        name=item["name"],
        contributions=int(item["contributions"]),
        percentage=float(item["percentage"]),
        handles=tuple(h for h in handles if isinstance(h, str)) if isinstance(handles, list) else (),
    )


class LfxClient:
    """LFX Insights through the scan's :class:`HttpClient`; answers and failures memoised for the scan."""

    def __init__(self, http: HttpClient, base_url: str = BASE_URL):
        self.http = http
        self.base_url = base_url.rstrip("/")
        self._answers = AnswerMemo()

    def insights(self, slug: str) -> ProjectInsights:
        """The documented insights snapshot of ``slug``; :class:`SourceUnavailable` on 404, offline, bad shape."""

        def fetch() -> ProjectInsights:
            answer = self.http.get(f"{self.base_url}/api/project/{slug}/insights", source=SOURCE)
            return parse_insights(parse_json(answer, SOURCE), answer.url, answer.retrieved_at)

        return self._answers.get(("insights", slug), fetch)

    def contributor_leaderboard(
        self, slug: str, start: date, end: date, activity_type: str = "all", limit: int = 10
    ) -> Leaderboard:
        """Undocumented UI route: contributors ranked by contributions of ``activity_type`` in [start, end]."""
        return self._leaderboard("contributors", "contributor-leaderboard", slug, start, end, activity_type, limit)

    def organization_leaderboard(
        self, slug: str, start: date, end: date, activity_type: str = "all", limit: int = 10
    ) -> Leaderboard:
        """Undocumented UI route: organisations ranked by contributions in [start, end]."""
        return self._leaderboard("organizations", "organization-leaderboard", slug, start, end, activity_type, limit)

    def dependency(self, slug: str, kind: str, start: date, end: date) -> Dependency:
        """Undocumented UI route: the contributor (``kind="contributors"``) or organisation dependency widget."""
        route = "contributor-dependency" if kind == "contributors" else "organization-dependency"
        params = self._widget_params(slug, start, end, "all")

        def fetch() -> Dependency:
            answer = self.http.get(f"{self.base_url}/api/widget/contributors/{route}", source=SOURCE, params=params)
            return parse_dependency(parse_json(answer, SOURCE), kind, start, end, answer.url, answer.retrieved_at)

        return self._answers.get(("dependency", kind, slug, start, end), fetch)

    def counts(self) -> dict[str, int]:
        """Nothing of its own: requests are counted once, by the shared HTTP client, under source ``lfx``."""
        return {}

    def close(self) -> None:
        """Nothing to release: the shared HTTP client is closed by the scan."""

    def _leaderboard(
        self, kind: str, route: str, slug: str, start: date, end: date, activity_type: str, limit: int
    ) -> Leaderboard:
        params = {**self._widget_params(slug, start, end, activity_type), "offset": 0, "limit": limit}

        def fetch() -> Leaderboard:
            answer = self.http.get(f"{self.base_url}/api/widget/contributors/{route}", source=SOURCE, params=params)
            data = parse_json(answer, SOURCE)
            return parse_leaderboard(data, kind, activity_type, start, end, answer.url, answer.retrieved_at)

        return self._answers.get((kind, slug, start, end, activity_type, limit), fetch)

    @staticmethod
    def _widget_params(slug: str, start: date, end: date, activity_type: str) -> dict[str, str | int]:
        # The UI sends these for a custom time range; dates are inclusive days, platform "all" counts every
        # connected source (GitHub, git, Gerrit...), as the UI does by default.
        return {
            "project": slug,
            "platform": "all",
            "activityType": activity_type,
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
        }


def lfx_client(ctx: ScanContext) -> LfxClient:
    """The scan's LFX Insights client, over the scan's shared HTTP client."""
    return ctx.client(SOURCE, lambda: LfxClient(http_client(ctx)))


def _shape(url: str, detail: str) -> SourceUnavailable:
    return SourceUnavailable(SOURCE, f"unexpected answer shape: {detail} ({url})")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
