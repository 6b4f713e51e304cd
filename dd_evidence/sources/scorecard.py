"""OpenSSF Scorecard: the result the Scorecard project publishes for a repository (its weekly cron scan).

Route: ``GET {base}/projects/{host}/{owner}/{repo}``, no authentication. The current host is
``api.scorecard.dev``; READMEs and older tools still use ``api.securityscorecards.dev``, which serves the same
route, so the base is a constructor argument. The answer is Scorecard's JSON v2 result:
``{date, repo{name, commit}, scorecard{version, commit}, score, checks[{name, score, reason, details,
documentation{short, url}}]}``. A check score is 0-10, or -1 when the check was inconclusive (it could not run or
could not decide). A repository Scorecard never scanned answers 404.

Only the latest result is published: the API cannot answer "as of" an earlier date, so ``date`` travels with
every result and consumers must show it. Everything goes through the scan's :class:`HttpClient`; answers and
failures are memoised for the scan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from dd_evidence.errors import SourceUnavailable
from dd_evidence.sources.answers import AnswerMemo
from dd_evidence.sources.http import HttpClient, http_client, parse_json

if TYPE_CHECKING:
    from dd_evidence.context import ScanContext

SOURCE = "scorecard"
BASE_URL = "https://api.scorecard.dev"
LEGACY_BASE_URL = "https://api.securityscorecards.dev"
VIEWER_URL = "https://scorecard.dev/viewer/?uri={host}/{owner}/{repo}"
DEFAULT_HOST = "github.com"
INCONCLUSIVE = -1
MAX_CHECK_SCORE = 10


class NoPublishedResult(SourceUnavailable):
    """Scorecard has no published result for the repository (the API answered 404)."""


class ScorecardCheck(NamedTuple):
    """One check of a result: ``score`` 0-10, or -1 (:data:`INCONCLUSIVE`) when Scorecard could not decide."""

    score: int
    reason: str | None

    @property
    def inconclusive(self) -> bool:
        """True when Scorecard could not decide this check (a -1 score)."""
        return self.score == INCONCLUSIVE


@dataclass(frozen=True)
class ScorecardResult:
    """A published Scorecard result of one repository, as the API returned it (nothing judged here)."""

    repo: str  # "github.com/owner/repo", as Scorecard names it
    url: str  # the API URL that answered
    retrieved_at: datetime | None
    score: float | None  # the aggregate, a risk-weighted mean of the conclusive checks
    date: str | None  # when Scorecard ran the scan (ISO 8601)
    scorecard_version: str | None
    commit: str | None  # the commit Scorecard scanned
    checks: Mapping[str, ScorecardCheck] = field(default_factory=dict)

    @property
    def viewer_url(self) -> str:
        """The human-readable page of this result on scorecard.dev."""
        host, owner, repo = self.repo.split("/", 2)
        return VIEWER_URL.format(host=host, owner=owner, repo=repo)


def viewer_url(owner: str, repo: str, host: str = DEFAULT_HOST) -> str:
    """The scorecard.dev viewer page of ``host/owner/repo`` (it exists whether or not a result is published)."""
    return VIEWER_URL.format(host=host, owner=owner, repo=repo)


def parse_result(data: Any, url: str, retrieved_at: datetime | None = None) -> ScorecardResult:
    """Build a :class:`ScorecardResult` from a JSON v2 answer; a different shape is :class:`SourceUnavailable`."""
    if not isinstance(data, dict):
        raise _shape(url, "not an object")
    raw_checks = data.get("checks")
    if not isinstance(raw_checks, list):
        raise _shape(url, "no 'checks' list")
    checks: dict[str, ScorecardCheck] = {}
    for item in raw_checks:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _shape(url, "a check without a name")
        score = _check_score(item.get("score"))
        if score is None:
            raise _shape(url, f"check {item['name']} has no score in -1..10")
        checks[item["name"]] = ScorecardCheck(score, _str(item.get("reason")))
    aggregate = data.get("score")
    if aggregate is not None and (isinstance(aggregate, bool) or not isinstance(aggregate, int | float)):
        raise _shape(url, "the aggregate 'score' is not a number")
    raw_repo, raw_tool = data.get("repo"), data.get("scorecard")
    repo: dict[str, Any] = raw_repo if isinstance(raw_repo, dict) else {}
    tool: dict[str, Any] = raw_tool if isinstance(raw_tool, dict) else {}
    name = _str(repo.get("name")) or _repo_from_url(url)
    if name is None or name.count("/") < 2:
        raise _shape(url, "no repository name")
    return ScorecardResult(
        repo=name,
        url=url,
        retrieved_at=retrieved_at,
        score=float(aggregate) if aggregate is not None else None,
        date=_str(data.get("date")),
        scorecard_version=_str(tool.get("version")),
        commit=_str(repo.get("commit")),
        checks=checks,
    )


class ScorecardClient:
    """Reads published Scorecard results through the scan's :class:`HttpClient`; memoised for the scan."""

    def __init__(self, http: HttpClient, base_url: str = BASE_URL):
        self.http = http
        self.base_url = base_url.rstrip("/")
        self._answers = AnswerMemo()

    def result(self, host_owner_repo: str) -> ScorecardResult:
        """The published result of ``github.com/owner/repo`` (``owner/repo`` means github.com).

        Raises :class:`NoPublishedResult` when Scorecard has none (404) and :class:`SourceUnavailable` when offline,
        unreachable or the answer has an unexpected shape.
        """
        key = _normalise(host_owner_repo)
        return self._answers.get(key, lambda: self._fetch(key))

    def _fetch(self, key: str) -> ScorecardResult:
        try:
            answer = self.http.get(f"{self.base_url}/projects/{key}", source=SOURCE)
        except SourceUnavailable as exc:
            if type(exc) is SourceUnavailable and exc.reason.startswith("HTTP 404"):
                owner_repo = key.split("/", 1)[1]
                raise NoPublishedResult(SOURCE, f"no published Scorecard result for {owner_repo}") from None
            raise
        return parse_result(parse_json(answer, SOURCE), answer.url, answer.retrieved_at)


def scorecard_client(ctx: ScanContext) -> ScorecardClient:
    """The scan's Scorecard client over the scan's shared HTTP client."""
    return ctx.client(SOURCE, lambda: ScorecardClient(http_client(ctx)))


def _normalise(host_owner_repo: str) -> str:
    parts = [p for p in host_owner_repo.strip().removeprefix("https://").strip("/").split("/") if p]
    if len(parts) == 2:
        parts.insert(0, DEFAULT_HOST)
    if len(parts) != 3:
        raise ValueError(f"expected host/owner/repo or owner/repo, got {host_owner_repo!r}")
    return "/".join([parts[0].lower(), parts[1], parts[2]])


def _repo_from_url(url: str) -> str | None:
    _, sep, rest = url.partition("/projects/")
    return rest.split("?", 1)[0] if sep else None


def _check_score(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return None
    score = int(value)
    return score if INCONCLUSIVE <= score <= MAX_CHECK_SCORE else None


def _shape(url: str, detail: str) -> SourceUnavailable:
    return SourceUnavailable(SOURCE, f"unexpected answer shape: {detail} ({url})")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
