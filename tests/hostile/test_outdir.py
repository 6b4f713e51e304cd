"""The output directory: checked before the scan, written through a temporary file and a rename, never through a
symlink, and a failed write (a full disk) never replaces a good report by a truncated one."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_limits import HANG_GUARD, limited_env, plain_project, run_cli, write_plugin

from dd_evidence.outfiles import write_text_atomic

MARKER_PROBE = """
import os
from dd_evidence.model import ProbeSpec
from dd_evidence.probes.base import Probe

class Marks(Probe):
    spec = ProbeSpec("hostile.marks", "Did the scan run?")
    def run(self, ctx):
        open(os.environ["HOSTILE_MARKER"], "w").close()
        return [self.finding("demo", True, "ran")]
"""


@pytest.fixture
def scan(tmp_path: Path):
    """A quick scan of a local folder (one probe of ours that leaves a marker when it runs)."""
    project = plain_project(tmp_path / "demo")
    plugins = tmp_path / "plugins"
    write_plugin(plugins, "marks", MARKER_PROBE)
    marker = tmp_path / "marker"

    def run(out: str, formats: str = "json,md", fsize: int | None = None) -> subprocess.CompletedProcess:
        args = [str(project), "--offline", "--no-progress", "--probes-dir", str(plugins), "--probes", "hostile"]
        args += ["--format", formats, "--out", out]
        env = limited_env({"HOSTILE_MARKER": str(marker)})
        if fsize is None:
            return run_cli(*args, env=env, cpu_seconds=60)

        def limit_file_size() -> None:  # a "full disk": writes past fsize bytes fail with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

        return subprocess.run(
            [sys.executable, "-m", "dd_evidence", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=HANG_GUARD,
            preexec_fn=limit_file_size,
        )

    run.marker = marker  # type: ignore[attr-defined]
    return run


def test_a_symlink_named_like_the_report_is_replaced_not_followed(tmp_path: Path, scan) -> None:
    out = tmp_path / "out"
    first = scan(str(out))
    assert first.returncode == 0, first.stderr
    names = sorted(p.name for p in out.iterdir())
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite\n")
    for name in names:
        (out / name).unlink()
        (out / name).symlink_to(precious)
    second = scan(str(out))
    assert second.returncode == 0, second.stderr
    assert precious.read_text() == "do not overwrite\n"
    for name in names:
        assert not (out / name).is_symlink()
    assert json.loads((out / next(n for n in names if n.endswith(".json"))).read_text())["findings"]


def test_a_failed_write_keeps_the_previous_report(tmp_path: Path, scan) -> None:
    out = tmp_path / "out"
    good = scan(str(out), formats="json,md,html")
    assert good.returncode == 0, good.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert max(len(b) for b in before.values()) > 4096
    full = scan(str(out), formats="json,md,html", fsize=4096)
    assert full.returncode == 2, full.stderr
    assert "cannot write" in full.stderr and "File too large" in full.stderr
    assert len(full.stderr.strip().splitlines()) <= 2  # "wrote ..." lines for what fit, then one error line
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # nothing truncated, no temporary file left behind


@pytest.mark.parametrize("out", ["/proc", "/proc/self/nonexistent", "/etc/hostname/sub"])
def test_an_unwritable_out_dir_fails_before_the_scan(scan, out: str) -> None:
    proc = scan(out)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"dd-evidence: error: cannot write to --out {out}")
    assert not scan.marker.exists()  # the scan never started


def test_an_out_path_that_is_a_file_fails_before_the_scan(tmp_path: Path, scan) -> None:
    target = tmp_path / "report.json"
    target.write_text("{}")
    proc = scan(str(target))
    assert proc.returncode == 2
    assert "not a directory" in proc.stderr
    assert target.read_text() == "{}"
    assert not scan.marker.exists()


def test_atomic_write_replaces_a_symlink_and_leaves_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("keep")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    write_text_atomic(link, "# new\n")
    assert not link.is_symlink() and link.read_text() == "# new\n"
    assert target.read_text() == "keep"


def test_atomic_write_into_a_directory_name_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "report.md").mkdir()
    with pytest.raises(OSError):
        write_text_atomic(tmp_path / "report.md", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
