"""The HTML report in a real headless Chromium, driven over the DevTools protocol.

Checks what only a browser can tell: the page runs without console errors or exceptions (its Content-Security-
Policy would report any attempt to load something), a click on a status filter hides criteria, and the page
renders to a screenshot (written to ``tmp_path`` and to ``tests/render/_artifacts/`` for a person to look at).
Skipped when Chromium or websocket-client is not installed; every wait is bounded and Chromium is always killed.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dd_evidence.model import CriterionStatus, Finding, Outcome, Report
from dd_evidence.render.html import render_html

websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "_artifacts"
STARTUP_TIMEOUT = 15.0
CALL_TIMEOUT = 10.0
VIEWPORT = {"width": 1280, "height": 1600}

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


class DevTools:
    """A minimal synchronous DevTools-protocol client over one page's websocket; events are kept for later."""

    def __init__(self, url: str) -> None:
        # Chromium rejects websocket handshakes carrying an Origin it was not told to allow.
        self._socket = websocket.create_connection(url, timeout=CALL_TIMEOUT, suppress_origin=True)
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        call_id = self._next_id
        self._socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + CALL_TIMEOUT
        while time.monotonic() < deadline:
            message = json.loads(self._socket.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise AssertionError(f"{method} failed: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(f"no answer to {method} within {CALL_TIMEOUT} s")

    def wait_for_event(self, method: str, timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self._socket.recv())
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message
        raise TimeoutError(f"no {method} within {timeout} s")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    """A headless Chromium on an about:blank page, with Runtime, Log and Page events enabled."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    process = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            f"--window-size={VIEWPORT['width']},{VIEWPORT['height']}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = None
    try:
        port = _devtools_port(profile, process)
        client = DevTools(_page_socket_url(port))
        for domain in ("Runtime", "Log", "Page"):
            client.call(f"{domain}.enable")
        client.call("Emulation.setDeviceMetricsOverride", deviceScaleFactor=1, mobile=False, **VIEWPORT)
        yield client
    finally:
        if client is not None:
            client.close()
        process.kill()
        process.wait(timeout=10)


def _devtools_port(profile: Path, process: subprocess.Popen) -> int:
    """Chromium writes the port it picked (``--remote-debugging-port=0``) to DevToolsActivePort."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chromium exited early with {process.returncode}")
        if marker.exists():
            first_line = marker.read_text().splitlines()[:1]
            if first_line and first_line[0].isdigit():
                return int(first_line[0])
        time.sleep(0.05)
    raise TimeoutError("chromium did not open its DevTools port")


def _page_socket_url(port: int) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=CALL_TIMEOUT) as answer:
            targets = json.load(answer)
        pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        time.sleep(0.05)
    raise TimeoutError("chromium has no page target")


def _problems(events: list[dict[str, Any]]) -> list[str]:
    """Console errors, uncaught exceptions and browser log errors (e.g. CSP violations, failed loads)."""
    problems = []
    for event in events:
        params = event.get("params", {})
        if event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            problems.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif event["method"] == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            problems.append("exception: " + str(details.get("exception", {}).get("description") or details))
        elif event["method"] == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            problems.append("log: " + params["entry"].get("text", ""))
    return problems


VISIBLE = "document.querySelectorAll('details.criterion:not([hidden])').length"


# Acme's releases: a stable one every two months, each after a release candidate two weeks before.
RELEASES = [
    {
        "tag": f"v1.{minor}.0{suffix}",
        "date": f"{2023 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}-{day}",
        "stable": stable,
    }
    for minor, month in enumerate(range(10, 34, 2))
    for suffix, day, stable in (("-rc.0", "01T09:00:00+00:00", False), ("", "15T09:00:00+00:00", True))
]
CHART_FINDINGS = (
    Finding(
        probe="maintainers.org_diversity",
        subject="acme",
        outcome=Outcome.TRUE,
        message="7 maintainers from 3 organisations",
        values={"maintainers": 7, "by_org": {"Acme Corp": 4, "Example Inc": 2, "Independent": 1}},
    ),
    Finding(
        probe="activity.top_committers_include_maintainers",
        subject="acme",
        outcome=Outcome.TRUE,
        message="3 of the top 4 committers are maintainers",
        values={
            "window_start": "2025-03-19",
            "window_end_exclusive": "2025-09-15",
            "human_commits": 230,
            "top10": [
                {"login": "alice", "commits": 120, "maintainer": True},
                {"login": "bob", "commits": 60, "maintainer": True},
                {"login": "carol <script>", "commits": 30, "maintainer": False},
                {"login": "dave", "commits": 20, "maintainer": True},
            ],
        },
    ),
    Finding(
        probe="activity.top_organisation_share",
        subject="acme",
        outcome=Outcome.FALSE,
        message="Acme Corp made 52% of 230 human commits",
        values={
            "window_start": "2025-03-19",
            "window_end_exclusive": "2025-09-15",
            "human_commits": 230,
            "by_organisation": {"Acme Corp": 120, "Example Inc": 60, "Tiny Ltd": 8},
            "by_organisation_basis": {
                "Acme Corp": {"roster": 120, "email_domain (weak)": 0},
                "Example Inc": {"roster": 40, "email_domain (weak)": 20},
                "Tiny Ltd": {"roster": 0, "email_domain (weak)": 8},
            },
            "attributed_by": {"roster": 160, "email_domain (weak)": 28},
            "unknown_commits": 42,
        },
    ),
    Finding(
        probe="releases.regular_history",
        subject="acme/acme",
        outcome=Outcome.TRUE,
        message="acme: 9 stable releases in 12 months",
        values={
            "repo": "acme/acme",
            "release_timeline": {
                "start": "2023-09-15T00:00:00+00:00",
                "end": "2025-09-15T00:00:00+00:00",
                "months": 24,
                "cap_per_repo": 60,
                "repos": {
                    "acme/acme": {"releases": RELEASES, "omitted": 0},
                    "acme/community": {
                        "releases": [
                            {"tag": "v0.1.0", "date": "2024-04-03T10:00:00+00:00", "stable": True},
                            {"tag": "v0.2.0", "date": "2025-02-03T10:00:00+00:00", "stable": True},
                        ],
                        "omitted": 0,
                    },
                },
            },
        },
    ),
)
MARKS = len(RELEASES) + 2


def test_html_report_renders_filters_and_screenshots(browser: DevTools, report: Report, tmp_path: Path) -> None:
    report = replace(report, findings=report.findings + CHART_FINDINGS)
    page = tmp_path / "acme.html"
    page.write_text(render_html(report), encoding="utf-8")

    browser.call("Page.navigate", url=page.as_uri())
    browser.wait_for_event("Page.loadEventFired")

    assert browser.evaluate("document.title").startswith("Acme")
    total = len(report.criteria)
    not_met = sum(1 for r in report.criteria if r.status is CriterionStatus.NOT_MET)
    assert not_met, "the Acme report must have a not_met criterion for the filter check"
    assert browser.evaluate(VISIBLE) == total
    assert browser.evaluate("document.getElementById('visible-count').textContent") == (
        f"{total} of {total} criteria shown"
    )
    # Four charts, each drawn as inline SVG from the findings above; the timeline spans the whole grid.
    assert browser.evaluate("document.querySelectorAll('figure.chart svg').length") == 4
    assert browser.evaluate("document.querySelectorAll('figure.chart .nodata').length") == 0
    assert browser.evaluate("document.querySelectorAll('figure.chart svg .mark').length") == MARKS
    assert browser.evaluate("document.querySelectorAll('figure.chart svg g.share').length") == 4
    widths = browser.evaluate(
        "Array.from(document.querySelectorAll('figure.chart')).map(f => f.getBoundingClientRect().width)"
    )
    assert widths[-1] > 2 * widths[0]
    # Every mark is drawn inside the timeline's axis, where a reader can see it.
    outside = browser.evaluate(
        "(() => { const svg = document.querySelector('svg[aria-label=\"release timeline\"]').getBoundingClientRect();"
        " return Array.from(document.querySelectorAll('svg .mark')).filter(m => { const r = m.getBoundingClientRect();"
        " return r.width === 0 || r.left < svg.left || r.right > svg.right; }).length; })()"
    )
    assert outside == 0

    # A real mouse click on the "not met" status checkbox hides the not-met criteria.
    box = browser.evaluate(
        "(() => { const b = document.querySelector('input[name=status][value=not_met]');"
        " b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();"
        " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)
    assert browser.evaluate("document.querySelector('input[name=status][value=not_met]').checked") is False
    assert browser.evaluate(VISIBLE) == total - not_met
    assert browser.evaluate("document.querySelectorAll('a.cell.filtered-out').length") == not_met

    # Narrow to one section through the select, then expand a criterion to its findings and evidence links.
    browser.evaluate(
        "(() => { const s = document.getElementById('filter-section'); s.value = 's1';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    security = sum(1 for r in report.criteria if r.section == "Security")
    assert browser.evaluate(VISIBLE) == security
    browser.evaluate(
        "(() => { const s = document.getElementById('filter-section'); s.value = '';"
        " s.dispatchEvent(new Event('change')); document.querySelector('input[name=status][value=not_met]').click();"
        " document.getElementById('expand-all').click(); })()"
    )
    assert browser.evaluate(VISIBLE) == total
    assert browser.evaluate("document.querySelectorAll('details.criterion[open]').length") == total
    hrefs = browser.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert browser.evaluate("document.body.innerText").count("TODO for Acme team:") >= 2

    browser.evaluate("window.scrollTo(0, 0)")
    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    (tmp_path / "acme-report.png").write_bytes(png)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "acme-report.png").write_bytes(png)

    assert _problems(browser.events) == []
