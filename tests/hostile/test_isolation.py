"""Misbehaving probes and plugins: each one costs its own finding, never the scan, the report or stdout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_limits import HANG_GUARD, killed_by_limit, limited_env, plain_project, run_cli, write_plugin

from dd_evidence import registry
from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Outcome, ProbeSpec, RepoScan
from dd_evidence.probes.base import Probe
from dd_evidence.registry import load_probes
from dd_evidence.repoview import DirectoryRepoView
from dd_evidence.resolve import ProjectRef

HEADER = """
import os, sys, time
from dd_evidence.model import Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
"""

PLUGINS = {
    "raises": HEADER
    + """
class Raises(Probe):
    spec = ProbeSpec("hostile.raises", "Does it raise?")
    def run(self, ctx):
        raise RuntimeError("kaboom")
""",
    "exits": HEADER
    + """
class Exits(Probe):
    spec = ProbeSpec("hostile.exits", "Does it exit?")
    def run(self, ctx):
        sys.exit(7)
""",
    "sleeps": HEADER
    + """
class Sleeps(Probe):
    spec = ProbeSpec("hostile.sleeps", "Does it hang?")
    def run(self, ctx):
        marker = os.environ.get("HOSTILE_MARKER")
        if marker:
            open(marker, "w").close()
        time.sleep(3600)
        return []
""",
    "spins": HEADER
    + """
class Spins(Probe):
    spec = ProbeSpec("hostile.spins", "Does it loop?")
    def run(self, ctx):
        while True:
            pass
""",
    "prints": HEADER
    + """
print("IMPORT POLLUTION")
class Prints(Probe):
    spec = ProbeSpec("hostile.prints", "Does it print?")
    def run(self, ctx):
        print("RUN POLLUTION")
        sys.stdout.write("MORE POLLUTION\\n")
        return [self.finding("demo", True, "printed and answered")]
""",
    "good": HEADER
    + """
class Good(Probe):
    spec = ProbeSpec("hostile.good", "Does it behave?")
    def run(self, ctx):
        return [self.finding("demo", True, "fine")]
""",
    "import_exit": HEADER + "\nsys.exit(3)\n",
    "import_raises": HEADER + "\nraise ImportError('missing dependency')\n",
    "init_raises": HEADER
    + """
class InitRaises(Probe):
    spec = ProbeSpec("hostile.init_raises", "Does it construct?")
    def __init__(self):
        raise ValueError("cannot construct")
""",
    "init_exits": HEADER
    + """
class InitExits(Probe):
    spec = ProbeSpec("hostile.init_exits", "Does it construct?")
    def __init__(self):
        sys.exit(4)
""",
    "bad_spec": HEADER
    + """
class BadSpec(Probe):
    spec = "hostile.bad_spec"
class BadId(Probe):
    spec = ProbeSpec(42, "An id that is not a string")
""",
}


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    directory = tmp_path / "plugins"
    for name, source in PLUGINS.items():
        write_plugin(directory, name, source)
    return directory


def _scan(project: Path, plugins: Path, out: Path, *extra: str, formats: str = "json") -> subprocess.CompletedProcess:
    return run_cli(
        str(project),
        "--offline",
        "--no-progress",
        "--probes-dir",
        str(plugins),
        "--probes",
        "hostile",
        "--probe-timeout",
        "3",
        "--format",
        formats,
        "--out",
        str(out),
        *extra,
        cpu_seconds=120,
    )


def test_misbehaving_probes_and_plugins_become_error_findings(tmp_path: Path, plugins: Path) -> None:
    out = tmp_path / "out"
    proc = _scan(plain_project(tmp_path / "demo"), plugins, out)
    assert not killed_by_limit(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # nothing printed by a plugin reached stdout
    report = json.loads(next(out.glob("*.json")).read_text())
    by_probe: dict[str, list[dict]] = {}
    for finding in report["findings"]:
        by_probe.setdefault(finding["probe"], []).append(finding)

    def only(probe: str) -> dict:
        assert len(by_probe[probe]) == 1, by_probe[probe]
        return by_probe[probe][0]

    assert only("hostile.raises")["outcome"] == "error"
    assert "RuntimeError: kaboom" in only("hostile.raises")["message"]
    assert only("hostile.exits")["outcome"] == "error"
    assert "sys.exit(7)" in only("hostile.exits")["message"]
    for hung in ("hostile.sleeps", "hostile.spins"):
        assert only(hung)["outcome"] == "error"
        assert "did not finish within 3 s" in only(hung)["message"]
        assert only(hung)["values"]["timed_out"] is True
    assert only("hostile.good")["outcome"] == "true"
    # The printing probe keeps its answer; that it printed is an error finding of its own.
    printed = sorted(by_probe["hostile.prints"], key=lambda f: f["outcome"])
    assert [f["outcome"] for f in printed] == ["error", "true"]
    assert "stdout" in printed[0]["message"]
    load_errors = " | ".join(f["message"] for f in by_probe["registry.plugin_loads"])
    assert "import_exit.py could not be loaded: it called sys.exit(3)" in load_errors
    assert "ImportError: missing dependency" in load_errors
    assert "InitRaises() failed: ValueError: cannot construct" in load_errors
    assert "InitExits() failed: it called sys.exit(4)" in load_errors
    assert "BadSpec: its spec is a str, not a ProbeSpec" in load_errors
    assert "BadId: its spec id 42" in load_errors
    assert len(by_probe["registry.plugin_loads"]) == 6
    assert report["errors"]  # the report lists what went wrong


def test_plugin_output_never_reaches_the_terminal_summary(tmp_path: Path, plugins: Path) -> None:
    proc = _scan(plain_project(tmp_path / "demo"), plugins, tmp_path / "out", "--verbose", formats="terminal")
    assert proc.returncode == 0, proc.stderr
    assert "POLLUTION" not in proc.stdout + proc.stderr
    assert "hostile.good" in proc.stdout  # the summary itself is there


def test_probes_listing_survives_broken_plugins(plugins: Path) -> None:
    proc = run_cli("probes", "--probes-dir", str(plugins), "--json", cpu_seconds=60)
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)  # stdout is pure JSON: the import-time print was dropped
    assert "hostile.good" in {p["id"] for p in listing["probes"]}
    assert len(listing["load_errors"]) == 6


def test_ctrl_c_writes_the_partial_report_once(tmp_path: Path, plugins: Path) -> None:
    """One SIGINT while a probe hangs: the finished probes' findings are written, the hung one is an error,
    the CLI says so once and exits 130."""
    marker = tmp_path / "sleeping"
    out = tmp_path / "out"
    args = [sys.executable, "-m", "dd_evidence", str(plain_project(tmp_path / "demo")), "--offline", "--no-progress"]
    args += ["--probes-dir", str(plugins), "--probes", "hostile.sleeps,hostile.good,hostile.raises"]
    args += ["--format", "json,md", "--out", str(out)]
    child = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=limited_env({"HOSTILE_MARKER": str(marker)}),
    )
    deadline = time.monotonic() + HANG_GUARD
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # let the other probes finish: the report should hold their findings
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=HANG_GUARD)
    assert child.returncode == 130, stderr
    assert stderr.count("interrupted") == 1, stderr
    assert "Traceback" not in stderr
    report = json.loads(next(out.glob("*.json")).read_text())
    findings = {f["probe"]: f for f in report["findings"]}
    assert findings["hostile.good"]["outcome"] == "true"
    assert findings["hostile.raises"]["outcome"] == "error"
    assert findings["hostile.sleeps"]["outcome"] == "error"
    assert findings["hostile.sleeps"]["values"]["interrupted"] is True
    assert report["errors"][0].startswith("scan interrupted: 1 probe(s) had not finished")
    assert next(out.glob("*.md")).read_text().startswith("#")
    assert not list(out.glob(".*.tmp"))  # no temporary file left behind


def test_per_repo_helper_spoils_only_the_repo_that_broke(tmp_path: Path) -> None:
    good, bad = (plain_project(tmp_path / name) for name in ("good", "bad"))
    views = [DirectoryRepoView(RepoScan("acme", p.name, "other", p.as_uri(), None), p) for p in (good, bad)]
    ctx = ScanContext(ScanConfig(offline=True), ProjectRef("acme", "acme", ("acme",), None), views)

    class PerRepo(Probe):
        spec = ProbeSpec("hostile.per_repo", "Does each repo behave?")

        def run(self, ctx: ScanContext):
            return self.per_repo(ctx.repos, self.judge)

        def judge(self, repo):
            if repo.name == "bad":
                raise RuntimeError("crafted content")
            return self.finding(repo.full_name, True, "fine")

    class Unavailable(PerRepo):
        def judge(self, repo):
            raise SourceUnavailable("yaml", "bad/OWNERS not read")

    findings = list(PerRepo().run(ctx))
    assert [(f.subject, f.outcome) for f in findings] == [("acme/good", Outcome.TRUE), ("acme/bad", Outcome.ERROR)]
    assert "RuntimeError: crafted content" in findings[1].message
    assert {f.outcome for f in Unavailable().run(ctx)} == {Outcome.NOT_AVAILABLE}


def test_registry_reports_every_broken_plugin_without_raising(plugins: Path) -> None:
    probe_set = load_probes([plugins])
    ids = probe_set.ids()
    assert {"hostile.good", "hostile.raises", "hostile.prints"} <= set(ids)
    assert not {"hostile.init_raises", "hostile.init_exits"} & set(ids)
    assert len(probe_set.load_errors) == 6
    assert os.environ.get("HOSTILE_MARKER") is None


def test_a_plugin_stuck_at_import_is_a_load_error_not_a_stalled_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "stuck"
    write_plugin(directory, "a_stuck", "import time\ntime.sleep(3600)\n")
    write_plugin(
        directory,
        "b_fine",
        "from dd_evidence import Probe, ProbeSpec\n\n"
        "class Fine(Probe):\n    spec = ProbeSpec(id='stuck.fine', title='t', motivation='m')\n\n"
        "    def run(self, ctx):\n        return []\n",
    )
    monkeypatch.setattr(registry, "IMPORT_TIMEOUT", 0.5)
    started = time.monotonic()
    probe_set = load_probes([directory])
    assert time.monotonic() - started < 10
    assert "stuck.fine" in probe_set.ids()
    (error,) = [f for f in probe_set.load_errors if "a_stuck" in f.subject]
    assert "did not finish within 0.5 s" in error.message
