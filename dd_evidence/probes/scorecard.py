"""OpenSSF Scorecard access-control checks: supporting evidence for the TOC's access-control criterion.

Scorecard's published result is read per scanned GitHub repository. The question is whether Scorecard saw
access controls at work on the default branch, which two of its checks measure:

- ``Branch-Protection`` (rules on the default and release branches), and
- ``Code-Review`` (the share of recent changesets approved by someone other than the author).

The answer is TRUE when both score at least :data:`THRESHOLD` (5 of 10), FALSE when either scores below it.
5 is the mid-point of Scorecard's scale and the pass mark CLOMonitor uses for its Scorecard-derived checks,
so our reading of "enforced" matches what reviewers see there. A check Scorecard could not decide (score -1),
or one missing from the result, is unknown: with the other check at 5 or more the answer is NOT_AVAILABLE
(never FALSE); with the other below 5 it is FALSE regardless. No published result, offline or a failed request
is NOT_AVAILABLE. Security-Policy, Signed-Releases and Token-Permissions travel as values for the reviewer.

The result is the latest one Scorecard published (the API keeps no history), so its date is always shown, and
a result newer than the scan's ``--as-of`` time is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict

from dd_evidence.context import ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe, ask_per_repo
from dd_evidence.repoview import RepoView
from dd_evidence.sources.github_access import canonical_full_name
from dd_evidence.sources.http import host_of
from dd_evidence.sources.scorecard import (
    DEFAULT_HOST,
    NoPublishedResult,
    ScorecardResult,
    scorecard_client,
    viewer_url,
)

THRESHOLD = 5
DECIDING_CHECKS = ("Branch-Protection", "Code-Review")
REPORTED_CHECKS = (*DECIDING_CHECKS, "Security-Policy", "Signed-Releases", "Token-Permissions")


class ScorecardAccessControlsValues(TypedDict, total=False):
    """``Finding.values`` of ``security.scorecard_access_controls``."""

    published: bool
    score: float
    date: str
    scorecard_version: str
    commit: str
    threshold: int
    checks: dict[str, dict[str, Any]]
    newer_than_as_of: bool


class ScorecardAccessControls(Probe):
    spec = ProbeSpec(
        id="security.scorecard_access_controls",
        title="Do Scorecard's Branch-Protection and Code-Review checks both score at least 5 for each repository?",
        motivation="Scorecard's published result shows, from outside, whether branch rules and reviews guard "
        "the default branch: supporting evidence for enforced access control.",
        sources=("scorecard",),
        remediation="Protect the default and release branches (required reviews, no force pushes) and merge "
        "changes only through reviewed pull requests; Scorecard's weekly scan picks the change up.",
    )
    values_type = ScorecardAccessControlsValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        return ask_per_repo(ctx, self._judge)

    def _judge(self, ctx: ScanContext, repo: RepoView) -> Finding:
        subject = repo.full_name
        if host_of(repo.web_url) != DEFAULT_HOST:
            return self.finding(
                subject, Outcome.NOT_APPLICABLE, f"{repo.name}: Scorecard publishes results only for github.com"
            )
        # Scorecard reads results by the exact path: GitHub's own spelling of owner and name, not ours.
        owner, name = canonical_full_name(ctx, repo.owner, repo.name).split("/", 1)
        viewer = viewer_url(owner, name)
        if ctx.config.offline:
            evidence = [Evidence(url=viewer, source="scorecard", label="Scorecard viewer")]
            return self.finding(
                subject, Outcome.NOT_AVAILABLE, f"{repo.name}: offline: Scorecard not asked", {}, evidence
            )
        try:
            result = scorecard_client(ctx).result(f"{DEFAULT_HOST}/{owner}/{name}")
        except NoPublishedResult as exc:
            return self.finding(subject, Outcome.NOT_AVAILABLE, f"{repo.name}: {exc.reason}", {"published": False})
        except SourceUnavailable as exc:
            evidence = [Evidence(url=viewer, source="scorecard", label="Scorecard viewer")]
            message = f"{repo.name}: Scorecard result not read: {exc.reason}"
            return self.finding(subject, Outcome.NOT_AVAILABLE, message, {}, evidence)
        outcome, verdict = decide(result)
        values = _values(result, ctx.config.as_of)
        when = f" ({result.date})" if result.date else ""
        message = f"{repo.name}: Scorecard {_fmt(result.score)}{when}: {verdict}"
        if values["newer_than_as_of"]:
            message += "; the result is newer than the as-of time (the API keeps only the latest)"
        evidence = [
            Evidence(
                url=viewer,
                source="scorecard",
                retrieved_at=result.retrieved_at,
                label=f"Scorecard result for {result.repo}",
            )
        ]
        return self.finding(subject, outcome, message, values, evidence)


def decide(result: ScorecardResult) -> tuple[Outcome, str]:
    """The outcome over the deciding checks and a clause naming their scores."""
    scores: dict[str, int | None] = {}
    for name in DECIDING_CHECKS:
        check = result.checks.get(name)
        scores[name] = None if check is None or check.inconclusive else check.score
    described = ", ".join(f"{name} {_fmt(score)}" for name, score in scores.items())
    below = [name for name, score in scores.items() if score is not None and score < THRESHOLD]
    unknown = [name for name, score in scores.items() if score is None]
    if below:
        return Outcome.FALSE, f"{described} ({' and '.join(below)} below {THRESHOLD})"
    if unknown:
        return Outcome.NOT_AVAILABLE, f"{described} ({' and '.join(unknown)} inconclusive or missing)"
    return Outcome.TRUE, f"{described} (both at least {THRESHOLD})"


def _values(result: ScorecardResult, as_of: datetime | None) -> dict[str, Any]:
    checks: dict[str, dict[str, Any] | None] = {}
    for name in REPORTED_CHECKS:
        check = result.checks.get(name)
        checks[name] = (
            None
            if check is None
            else {
                "score": None if check.inconclusive else check.score,
                "inconclusive": check.inconclusive,
                "reason": check.reason,
            }
        )
    return {
        "published": True,
        "score": result.score,
        "date": result.date,
        "scorecard_version": result.scorecard_version,
        "commit": result.commit,
        "threshold": THRESHOLD,
        "checks": checks,
        "newer_than_as_of": _newer(result.date, as_of),
    }


def _newer(date: str | None, as_of: datetime | None) -> bool:
    if date is None or as_of is None:
        return False
    try:
        when = datetime.fromisoformat(date)
    except ValueError:
        return False
    if when.tzinfo is None or as_of.tzinfo is None:
        when, as_of = when.replace(tzinfo=None), as_of.replace(tzinfo=None)
    return when > as_of


def _fmt(score: float | int | None) -> str:
    if score is None:
        return "?"
    return f"{score:g}" if isinstance(score, float) else str(score)
