"""The self-contained HTML report, without a browser: structure, escaping, no network, charts degrade."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

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
    assert page.count('class="nodata"') == 3


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
    assert page.count('class="nodata"') == 1  # only the release timeline lacks data
    assert "A &amp; B" in page and "alice" in page
