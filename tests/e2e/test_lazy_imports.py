"""Start-up cost: ``--help`` and an offline scan never load the GitHub client's stack, the web client's or renderers
not asked for.

PyGithub with requests, urllib3, jwt and cryptography is about a quarter of a second of imports, more than the
rest of ``--help``; httpx and tenacity another tenth. Each run is a fresh interpreter (as a user runs the tool)
that reports, after the command, which of the watched modules ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Loaded only when a scan asks GitHub: PyGithub and what it pulls in.
GITHUB_STACK = ("github", "requests", "jwt", "cryptography")
# Loaded only when a scan asks a web service (bestpractices.dev, LFX, Scorecard, link checks).
WEB_STACK = ("httpx", "tenacity")
RENDERERS = (
    "dd_evidence.render.markdown",
    "dd_evidence.render.html",
    "dd_evidence.render.terminal",
    "dd_evidence.render.sarif",
    "dd_evidence.render.csv_findings",
    "dd_evidence.render.json_report",
)

RUN_AND_REPORT = (
    "import json, sys\n"
    "from dd_evidence.cli import main\n"
    "try:\n"
    "    code = main(sys.argv[1:])\n"
    "except SystemExit as exc:  # --help prints and exits\n"
    "    code = exc.code or 0\n"
    "watched = json.loads(sys.stdin.readline())\n"
    "loaded = sorted(m for m in watched if m in sys.modules)\n"
    "print('LOADED ' + json.dumps({'code': code, 'loaded': loaded}))\n"
)


def loaded_after(*args: str, also: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    """Run the CLI with ``args`` in a fresh interpreter; its exit code and which watched modules (and ``also``)
    it loaded."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT, *args],
        input=json.dumps([*GITHUB_STACK, *WEB_STACK, *RENDERERS, *also]) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOADED ")), None)
    assert line is not None, done.stderr
    answer = json.loads(line.removeprefix("LOADED "))
    return answer["code"], answer["loaded"]


def test_help_loads_no_github_client_and_no_renderer() -> None:
    """Nor the facts layer's Markdown parser: ``--help`` only prints."""
    code, loaded = loaded_after("--help", also=("markdown_it", "dd_evidence.facts"))
    assert code == 0
    assert loaded == []


def test_offline_scan_loads_no_service_client_and_only_the_asked_renderer(scan_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, loaded = loaded_after(*scan_args, "--format", "json", "--out", str(out))
    assert code == 0
    assert list(out.glob("*.json")), "the scan wrote no report"
    assert loaded == ["dd_evidence.render.json_report"]


def test_the_watch_sees_an_online_source_load(tmp_path: Path) -> None:
    """The check above can fail: asking for the GitHub client does load PyGithub."""
    pytest.importorskip("github")
    done = subprocess.run(
        [sys.executable, "-c", "import sys, dd_evidence.sources.github; print('github' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "True", done.stderr
