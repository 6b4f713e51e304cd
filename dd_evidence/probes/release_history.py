"""Release history from git tags: how many releases in the last year, how regular, how recent.

Tags are read from the scanned clone, so only tags dated before the scan's as-of instant count (a clone taken
later carries later tags). The tag date is the tagger date for annotated tags, else the commit date. GitHub
releases (notes, assets, signatures) need the API and are not read here. The finding also carries, per repo
with version tags, a dated list of its releases of the last 24 months (``release_timeline``, capped per repo)
for the HTML report's release timeline.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dd_evidence.context import RELEASE_HISTORY_DAYS, ScanContext
from dd_evidence.model import Evidence, Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.repoview import RepoView
from dd_evidence.sources.git import Tag
from dd_evidence.values import ReleaseTimeline

WINDOW = timedelta(days=RELEASE_HISTORY_DAYS)  # named in every report's header
MIN_STABLE_IN_WINDOW = 2
MAX_DAYS_SINCE_STABLE = 180
MEDIAN_FALLBACK_RELEASES = 10
# The dated release list (for the HTML timeline) spans two years and keeps at most this many releases per repo,
# so a repo that tags daily cannot bloat the JSON report; how many were left out is reported beside the list.
DATED_WINDOW = timedelta(days=730)
DATED_WINDOW_MONTHS = 24
DATED_CAP = 60

# v1.2.3, 1.2, v2.0.0-rc.1, 2.0.0.beta1, v1.4.9-2; an optional component prefix ("chart-1.2.3", "api/v1.2.3").
_VERSION = re.compile(
    r"^(?P<prefix>(?:[A-Za-z0-9_.-]*?[-/_])?)v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?"
    r"(?P<suffix>(?:[-.+_]?[0-9A-Za-z.+-]*)?)$"
)
# What makes a suffix a pre-release. A bare number ("-2") is a rebuild of the same version, so it stays stable.
_PRE = re.compile(r"alpha|beta|rc|pre|preview|dev|snapshot|nightly|canary|test|m\d", re.IGNORECASE)


@dataclass(frozen=True)
class Release:
    """A version tag: its name, date, whether it is a pre-release, annotated, and the component prefix."""

    name: str
    date: datetime
    prerelease: bool
    annotated: bool
    prefix: str


def parse_release(tag: Tag) -> Release | None:
    """The tag as a release, or None when its name is not a version."""
    match = _VERSION.match(tag.name)
    if not match:
        return None
    suffix = match.group("suffix") or ""
    return Release(
        name=tag.name,
        date=tag.date,
        prerelease=bool(_PRE.search(suffix)),
        annotated=tag.annotated,
        prefix=match.group("prefix") or "",
    )


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


@dataclass(frozen=True)
class ReleaseSummary:
    """Release figures of one repository as of an instant."""

    tags_before_as_of: int
    version_tags: int
    other_tags: int
    component_tags: dict[str, int]
    window_start: datetime
    window_end: datetime
    stable_in_window: tuple[Release, ...]
    prereleases_in_window: int
    median_days_between_stable: float | None
    median_basis: str
    last_stable: Release | None
    last_release: Release | None
    annotated_share: float | None
    dated: tuple[Release, ...] = ()
    dated_omitted: int = 0
    # The days (UTC) the releases of the median's basis were tagged on: fewer than the releases when a project
    # tags several release lines at once (v1.18.1, v1.17.5 and v1.16.8 on one day).
    release_days: int = 0
    basis_releases: int = 0

    @property
    def days_since_last_stable(self) -> float | None:
        return _days(self.window_end - self.last_stable.date) if self.last_stable else None

    def values(self) -> dict[str, object]:
        """The figures as finding values."""
        return {
            "tags_before_as_of": self.tags_before_as_of,
            "version_tags": self.version_tags,
            "other_tags": self.other_tags,
            "component_tags": self.component_tags,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "releases_last_12_months": {
                "stable": len(self.stable_in_window),
                "prerelease": self.prereleases_in_window,
            },
            "stable_last_12_months": [r.name for r in self.stable_in_window][-20:],
            "median_days_between_stable": self.median_days_between_stable,
            "median_basis": self.median_basis,
            "stable_release_days": self.release_days,
            "days_since_last_stable": self.days_since_last_stable,
            "last_stable": _named(self.last_stable),
            "last_release": _named(self.last_release),
            "annotated_share_last_12_months": self.annotated_share,
            "signed": "not checked offline (tag signatures and signed release artifacts need GitHub or a verifier)",
        }

    def timeline_entry(self) -> dict[str, object]:
        """The dated release list of the last 24 months (oldest first) and how many releases it leaves out."""
        return {"releases": [_dated(r) for r in self.dated], "omitted": self.dated_omitted}


def _named(release: Release | None) -> dict[str, object] | None:
    return {"name": release.name, "date": release.date, "prerelease": release.prerelease} if release else None


def _dated(release: Release) -> dict[str, object]:
    return {"tag": release.name, "date": release.date.astimezone(UTC).isoformat(), "stable": not release.prerelease}


def dated_list(releases: Iterable[Release], as_of: datetime) -> tuple[tuple[Release, ...], int]:
    """The newest :data:`DATED_CAP` releases of the :data:`DATED_WINDOW` before ``as_of``, oldest first, and how
    many older ones of the window were left out. Newest-first (rather than, say, stable-first) keeps the list a
    complete record from its first entry on, so a timeline can show exactly which stretch it does not cover."""
    start = as_of - DATED_WINDOW
    window = sorted((r for r in releases if start <= r.date < as_of), key=lambda r: r.date)
    kept = window[-DATED_CAP:]
    return tuple(kept), len(window) - len(kept)


def summarise(tags: Iterable[Tag], as_of: datetime) -> ReleaseSummary:
    """Release figures for the tags dated before ``as_of``. Only unprefixed versions count as the product's
    releases (a main repo may also tag sub-components, e.g. ``chart-1.0.0``); prefixed ones are counted apart."""
    before = [t for t in tags if t.date < as_of]
    parsed = [r for t in before if (r := parse_release(t)) is not None]
    releases = sorted((r for r in parsed if not r.prefix), key=lambda r: r.date)
    components: dict[str, int] = {}
    for release in parsed:
        if release.prefix:
            key = release.prefix.rstrip("-/_")
            components[key] = components.get(key, 0) + 1
    start = as_of - WINDOW
    window = [r for r in releases if r.date >= start]
    stable = [r for r in releases if not r.prerelease]
    stable_window = [r for r in window if not r.prerelease]
    # A year with fewer than two stable releases has no gap to measure: fall back to the last ten overall.
    basis = stable_window if len(stable_window) >= 2 else stable[-MEDIAN_FALLBACK_RELEASES:]
    # The cadence is measured between release days: patches of three release lines tagged on one day are one
    # release event, not two gaps of no days (which made a fortnightly project's median 0.1 days).
    days = sorted({r.date.astimezone(UTC).date() for r in basis})
    gaps = [float((b - a).days) for a, b in zip(days, days[1:], strict=False)]
    dated, omitted = dated_list(releases, as_of)
    return ReleaseSummary(
        tags_before_as_of=len(before),
        version_tags=len(releases),
        other_tags=len(before) - len(parsed),
        component_tags=dict(sorted(components.items())),
        window_start=start,
        window_end=as_of,
        stable_in_window=tuple(stable_window),
        prereleases_in_window=len(window) - len(stable_window),
        median_days_between_stable=statistics.median(gaps) if gaps else None,
        median_basis=(
            "stable releases in the last 12 months"
            if basis is stable_window
            else f"the last {len(basis)} stable releases"
        ),
        release_days=len(days),
        basis_releases=len(basis),
        last_stable=stable[-1] if stable else None,
        last_release=releases[-1] if releases else None,
        annotated_share=round(sum(r.annotated for r in window) / len(window), 2) if window else None,
        dated=dated,
        dated_omitted=omitted,
    )


def _tags_readable(repo: RepoView) -> bool:
    # The base RepoView (a plain directory without .git) cannot list tags at all: that is "unknown", not "none".
    return type(repo).tags is not RepoView.tags


class RegularReleaseHistoryValues(ReleaseTimeline, total=False):
    """``Finding.values`` of ``releases.regular_history``."""

    tags_before_as_of: int
    version_tags: int
    other_tags: int
    component_tags: dict[str, int]
    window_start: datetime
    window_end: datetime
    releases_last_12_months: dict[str, int]
    stable_last_12_months: list[str]
    median_days_between_stable: float | None
    median_basis: str
    stable_release_days: int
    days_since_last_stable: float | None
    last_stable: dict[str, Any] | None
    last_release: dict[str, Any] | None
    annotated_share_last_12_months: float | None
    signed: str
    other_repos: dict[str, dict[str, Any]]


class RegularReleaseHistory(Probe):
    spec = ProbeSpec(
        id="releases.regular_history",
        title="Has the main repository released regularly in the last 12 months?",
        motivation=(
            "The TOC checks that the project ships releases on a regular cadence. From the main repository's "
            "version tags (v1.2.3, 1.2.3; -alpha, -beta, -rc, -pre are pre-releases) dated before the as-of "
            f"instant: true when at least {MIN_STABLE_IN_WINDOW} stable releases fall in the last 12 months and "
            f"the latest stable release is at most {MAX_DAYS_SINCE_STABLE} days old. Two releases a year is the "
            "least that can be called a cadence, and half a year without a stable release is when reviewers "
            "start asking whether the project is still maintained. Other repos' release figures are reported "
            "alongside but do not decide."
        ),
        remediation="Release on a regular, predictable cadence and tag each release (v<major>.<minor>.<patch>).",
    )
    values_type = RegularReleaseHistoryValues

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        main = ctx.main_repo
        if main is None:
            yield self.not_available(ctx.project.name, "no main repository was scanned")
            return
        if not _tags_readable(main):
            yield self.not_available(main.full_name, f"{main.name} is not a git clone, so its tags cannot be read")
            return
        as_of = ctx.as_of
        summary = summarise(main.tags(), as_of)
        values = summary.values()
        others = self._other_summaries(ctx, main, as_of)
        values["repo"] = main.full_name
        values["other_repos"] = {name: _other_values(other) for name, other in others.items()}
        values["release_timeline"] = _timeline(as_of, {main.full_name: summary, **others})
        evidence = [Evidence(url=f"{main.web_url}/tags", source="git", label=f"{main.name} tags")]
        last = summary.last_stable
        if last is not None:
            evidence.append(Evidence(url=f"{main.web_url}/releases/tag/{last.name}", source="git", label=last.name))
        if not summary.version_tags:
            message = f"no release tags in {main.name} before {as_of:%Y-%m-%d}"
            yield self.finding(main.full_name, False, message, values, evidence[:1])
            return
        stable_count = len(summary.stable_in_window)
        days = summary.days_since_last_stable
        met = stable_count >= MIN_STABLE_IN_WINDOW and days is not None and days <= MAX_DAYS_SINCE_STABLE
        last_text = (
            f"last stable {last.name} {days:g} days before" if last and days is not None else "no stable release"
        )
        median = summary.median_days_between_stable
        median_text = f", median {median:g} days between stable releases" if median is not None else ""
        if median is not None and summary.release_days < summary.basis_releases:
            median_text = f", tagged on {summary.release_days} days, median {median:g} days apart"
        message = (
            f"{main.name}: {stable_count} stable and {summary.prereleases_in_window} pre-releases in the 12 months "
            f"before {as_of:%Y-%m-%d}{median_text}; {last_text}"
        )
        yield self.finding(main.full_name, Outcome.TRUE if met else Outcome.FALSE, message, values, evidence)

    @staticmethod
    def _other_summaries(ctx: ScanContext, main: RepoView, as_of: datetime) -> dict[str, ReleaseSummary]:
        """The release summary of every other repo that has version tags."""
        others: dict[str, ReleaseSummary] = {}
        for repo in ctx.repos:
            if repo is main or not _tags_readable(repo):
                continue
            summary = summarise(repo.tags(), as_of)
            if summary.version_tags:
                others[repo.full_name] = summary
        return others


def _other_values(summary: ReleaseSummary) -> dict[str, object]:
    """What another repo reports beside the main one: counts in the window and its last stable release."""
    values = summary.values()
    return {key: values[key] for key in ("releases_last_12_months", "last_stable", "days_since_last_stable")}


def _timeline(as_of: datetime, summaries: dict[str, ReleaseSummary]) -> dict[str, object]:
    """The dated releases of every repo with version tags over the last 24 months, for the release timeline."""
    return {
        "start": as_of - DATED_WINDOW,
        "end": as_of,
        "months": DATED_WINDOW_MONTHS,
        "cap_per_repo": DATED_CAP,
        "repos": {name: summary.timeline_entry() for name, summary in summaries.items()},
    }
