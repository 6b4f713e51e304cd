"""The self-contained HTML report, without a browser: structure, escaping, no network, charts degrade."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from dd_evidence.model import Evidence, Finding, Outcome, Report
from dd_evidence.render import FORMATS
from dd_evidence.render.html import render_html, safe_url


def test_header_matrix_and_every_criterion(report: Report, acme: SimpleNamespace) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "Acme" in page and "graduation revision 2025-06-01" in page and "dd-evidence 0.1.0" in page
    assert acme.acme_sha[:10] in page and acme.community_sha[:10] in page
    for result in report.criteria:
        assert f'id="c-{result.criterion}"' in page
        assert f'id="cell-c-{result.criterion}"' in page
    assert page.count('<details class="criterion') == len(report.criteria)
    assert "TODO for Acme team:" in page
    assert f'href="{acme.governance_url}"' in page
    assert FORMATS["html"].extension == "html"


def test_self_contained(report: Report) -> None:
    page = render_html(report)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    assert "@import" not in page and "url(" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_hostile_text_is_escaped_and_unsafe_links_dropped(report: Report, acme: SimpleNamespace) -> None:
    hostile = Finding(
        "x.y",
        "<img src=x onerror=alert(1)>",
        Outcome.FALSE,
        "</script><script>alert(1)</script>",
        evidence=(Evidence(url="javascript:alert(1)", source="git", label="<b>label</b>"),),
    )
    page = render_html(replace(report, findings=report.findings + (hostile,)))
    assert "<img src=x" not in page and "</script><script>alert" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert "&lt;b&gt;label&lt;/b&gt;" in page
    assert safe_url("https://x") and safe_url("file:///tmp/x") and not safe_url("data:text/html,x")


def test_charts_say_no_data_without_findings(report: Report) -> None:
    page = render_html(report)
    assert page.count('class="nodata"') == 4


def test_charts_from_findings(report: Report) -> None:
    findings = (
        Finding("maintainers.org_diversity", "acme", Outcome.TRUE, "m", values={"by_org": {"A & B": 3, "C": 1}}),
        Finding(
            "activity.top_committers_include_maintainers",
            "acme",
            Outcome.TRUE,
            "c",
            values={"top10": [{"login": "alice", "commits": 9, "maintainer": True}, {"login": "bob", "commits": 2}]},
        ),
    )
    page = render_html(replace(report, findings=report.findings + findings))
    assert page.count('class="nodata"') == 2  # the release timeline and the organisation shares lack data
    assert "A &amp; B" in page and "alice" in page


def _timeline_finding(repos: dict[str, list[tuple[str, str, bool]]], omitted: dict[str, int] | None = None) -> Finding:
    """A release-history finding whose timeline lists ``repos``: name -> [(tag, ISO date, stable)]."""
    timeline = {
        "start": "2023-09-15T00:00:00+00:00",
        "end": "2025-09-15T00:00:00+00:00",
        "months": 24,
        "cap_per_repo": 60,
        "repos": {
            name: {
                "releases": [{"tag": tag, "date": date, "stable": stable} for tag, date, stable in releases],
                "omitted": (omitted or {}).get(name, 0),
            }
            for name, releases in repos.items()
        },
    }
    values = {"repo": "acme/acme", "release_timeline": timeline}
    return Finding("releases.regular_history", "acme/acme", Outcome.TRUE, "r", values=values)


def _chart(page: str, caption: str) -> str:
    """The figure whose caption is ``caption``."""
    match = re.search(rf'<figure class="[^"]*"><figcaption>{re.escape(caption)}</figcaption>.*?</figure>', page)
    assert match, f"no chart {caption!r}"
    return match.group(0)


def test_release_timeline_has_one_mark_per_dated_release(report: Report) -> None:
    finding = _timeline_finding(
        {
            "acme/helper": [("v0.1.0", "2025-08-01T00:00:00+00:00", True)],
            "acme/acme": [
                ("v1.0.0", "2024-01-10T12:00:00+00:00", True),
                ("v1.1.0-rc.0", "2024-06-01T00:00:00+00:00", False),
                ("v1.1.0", "2024-06-20T00:00:00+00:00", True),
                ("v2.0.0-beta.1<x>", "2025-05-05T00:00:00+00:00", False),
            ],
            "acme/quiet": [],
        },
        omitted={"acme/acme": 7},
    )
    chart = _chart(render_html(replace(report, findings=report.findings + (finding,))), "Release timeline")
    assert 'class="nodata"' not in chart and 'class="chart wide"' in chart
    assert chart.count('class="mark stable"') == 3 and chart.count('class="mark pre"') == 2
    assert "<title>acme v1.1.0 2024-06-20 (stable)</title>" in chart
    assert "<title>acme v2.0.0-beta.1&lt;x&gt; 2025-05-05 (pre-release)</title>" in chart
    # A tick at each of the 24 month starts from Oct 2023 to Sep 2025, quarters labelled with month and year.
    assert chart.count('class="tick"') == 24 and ">Jan 2024<" in chart and ">Jul 2025<" in chart
    # The main repository first, then the most recent releaser, then the repo with none in the window.
    rows = re.findall(r'text-anchor="end">([^<]+)</text><line', chart)
    assert rows == ["acme", "helper", "quiet"]
    assert "2 stable, 2 pre, +7 older" in chart and "none in the window" in chart
    assert "older ones left out (grey band): 7 in acme" in chart
    # The left-out stretch is a band from the axis start to just before acme's oldest listed release (v1.0.0).
    (band,) = re.findall(r'<rect class="not-listed" x="([0-9.]+)" y="[0-9.-]+" width="([0-9.]+)"', chart)
    (first,) = re.findall(r'cx="([0-9.]+)" cy="[0-9.]+" r="4.5" fill="#2e7d32"><title>acme v1.0.0 ', chart)
    assert float(band[0]) == 120 and float(band[0]) + float(band[1]) == pytest.approx(float(first) - 6, abs=0.1)
    assert "<title>acme: 7 older releases in the window not listed</title>" in chart


def test_release_timeline_marks_are_placed_by_date(report: Report) -> None:
    finding = _timeline_finding(
        {"acme/acme": [("v1.0.0", "2023-09-15T00:00:00+00:00", True), ("v2.0.0", "2025-09-15T00:00:00+00:00", True)]}
    )
    chart = _chart(render_html(replace(report, findings=report.findings + (finding,))), "Release timeline")
    xs = [float(x) for x in re.findall(r'class="mark stable" cx="([0-9.]+)"', chart)]
    assert xs == [120.0, 760.0]  # the ends of the axis: window start and as-of instant


def test_release_timeline_without_a_timeline_says_no_data(report: Report) -> None:
    old = Finding("releases.regular_history", "acme/acme", Outcome.TRUE, "r", values={"repo": "acme/acme"})
    chart = _chart(render_html(replace(report, findings=report.findings + (old,))), "Release timeline")
    assert 'class="nodata"' in chart and "<svg" not in chart


def _orgs_finding(by_org: dict[str, int], unknown: int, weak: dict[str, int] | None = None) -> Finding:
    weak = weak or {}
    values = {
        "source": "git",
        "window_start": "2025-03-19",
        "window_end_exclusive": "2025-09-15",
        "human_commits": sum(by_org.values()) + unknown,
        "by_organisation": by_org,
        "by_organisation_basis": {
            org: {"roster": count - weak.get(org, 0), "email_domain (weak)": weak.get(org, 0)}
            for org, count in by_org.items()
        },
        "attributed_by": {
            "roster": sum(by_org.values()) - sum(weak.values()),
            "email_domain (weak)": sum(weak.values()),
        },
        "unknown_commits": unknown,
    }
    return Finding("activity.top_organisation_share", "acme", Outcome.FALSE, "o", values=values)


def test_organisation_chart_sorted_capped_with_others_and_unknown(report: Report) -> None:
    by_org = {f"Org {letter}": count for letter, count in zip("ABCDEFGHIJKLM", range(13, 0, -1), strict=True)}
    by_org = dict(reversed(by_org.items()))  # the chart sorts; the values need not be
    finding = _orgs_finding(by_org, unknown=9, weak={"Org B": 5})
    chart = _chart(render_html(replace(report, findings=report.findings + (finding,))), "Commits by organisation")
    labels = re.findall(r'<g class="share (\w+)"><title>([^:<]+):', chart)
    assert labels == [("organisation", f"Org {letter}") for letter in "ABCDEFGHIJ"] + [
        ("others", "3 other organisations"),
        ("unknown", "unknown (not attributed)"),
    ]
    assert "3 other organisations: 6 of 100 human commits (6.0%)" in chart  # 3 + 2 + 1
    assert "unknown (not attributed): 9 of 100 human commits (9.0%), no organisation known" in chart
    assert "Org B: 12 of 100 human commits (12%), 7 by roster affiliation and 5 by e-mail domain (weak)" in chart
    assert chart.count('class="bar weak"') == 1 and chart.count('class="bar unknown"') == 1
    assert "by roster affiliation: 86 commits" in chart and "by e-mail domain, weak: 5 commits" in chart


def test_organisation_chart_without_data(report: Report) -> None:
    empty = _orgs_finding({}, unknown=0)
    unavailable = Finding("activity.top_organisation_share", "acme", Outcome.NOT_AVAILABLE, "no git history")
    for finding in (empty, unavailable):
        chart = _chart(render_html(replace(report, findings=report.findings + (finding,))), "Commits by organisation")
        assert 'class="nodata"' in chart and "<svg" not in chart


def test_header_follows_the_as_of_instant(report: Report) -> None:
    # The project graduated later; a report as of 2025-09-15 says what it was then, with the windows of the draft.
    then = replace(report, project=replace(report.project, maturity="incubating", maturity_since="2021-01-05"))
    page = render_html(then)
    assert "On 2025-09-15 Acme was a CNCF incubating project since 2021-01-05, applying for graduation." in page
    assert "Activity window: from 2025-03-19 to 2025-09-15 (exclusive), the 180 days" in page
    assert "graduated" not in page.split("</header>", 1)[0].lower()
    candidate = render_html(replace(report, project=replace(report.project, maturity=None)))
    assert "Acme was not a CNCF project on 2025-09-15: scanned as a candidate applying for graduation." in candidate


def test_scan_notes_are_an_appendix(report: Report) -> None:
    notes = render_html(report).split('<details id="scan-notes">', 1)[1].split("</details>", 1)[0]
    assert "security.policy_present (acme): github: rate limit exceeded" in notes
    assert "total 3.5 s" in notes and "<code>governance.docs_discoverable</code> 0.5 s" in notes
    assert "github 12, http 3" in notes and "<code>window_days=180</code>" in notes
