"""Bad input on the command line: one line, exit 2, before any work, and nothing runs. Terminal output carries no
control characters from scanned content."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hostile_limits import limited_env, plain_project, run_cli, write_plugin

from dd_evidence.cli import main
from dd_evidence.errors import BadInput
from dd_evidence.inputs import check_url_template

MARKER_PROBE = """
import os
from dd_evidence.model import ProbeSpec
from dd_evidence.probes.base import Probe

class Marks(Probe):
    spec = ProbeSpec("hostile.marks", "Did the scan run?")
    def run(self, ctx):
        open(os.environ["HOSTILE_MARKER"], "w").close()
        return [self.finding("demo", True, "ran \\x1b[2J\\x1b]0;pwned\\x07 cleared")]
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run the CLI (in this process: ``main()`` as ``python -m dd_evidence`` calls it) on a local folder with a
    probe that leaves a marker, so a test can tell whether the scan ran."""
    project = plain_project(tmp_path / "demo")
    plugins = tmp_path / "plugins"
    write_plugin(plugins, "marks", MARKER_PROBE)
    marker = tmp_path / "marker"
    monkeypatch.setenv("HOSTILE_MARKER", str(marker))
    monkeypatch.delenv("DD_EVIDENCE_DEBUG", raising=False)

    def run(*args: str, project_arg: str | None = None) -> subprocess.CompletedProcess[str]:
        base = [project_arg if project_arg is not None else str(project), "--offline", "--no-progress"]
        base += ["--probes-dir", str(plugins), "--probes", "hostile", "--format", "terminal"]
        code = main([*base, *args])
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(base, code, captured.out, captured.err)

    run.marker = marker  # type: ignore[attr-defined]
    run.tmp = tmp_path  # type: ignore[attr-defined]
    return run


def _refused(proc, *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("dd-evidence: error: ")
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    ("template", "needle"),
    [
        ("file:///srv/{0}/{repo}", "unknown placeholder {0}"),
        ("file:///srv/{owner}/{repo}/{branch}", "unknown placeholder {branch}"),
        ("file:///srv/{owner}/{repo!r}", "unknown placeholder {repo!r}"),
        ("file:///srv/{owner}/{repo", "not a URL template"),
        ("file:///srv/{owner}/", "must contain {repo}"),
        ("-oProxyCommand=touch%20/tmp/pwned/{repo}", "starts with '-'"),
        ("--upload-pack=touch%20pwned{repo}", "starts with '-'"),
        ("ext::sh%20-c%20touch%20pwned%20{repo}", "ext:: transport is not allowed"),
        ("fd::0/{owner}/{repo}", "fd:: transport is not allowed"),
        ("persistent-https::example.org/{repo}", "transport is not allowed"),
        ("gopher://example.org/{owner}/{repo}", "scheme 'gopher' is not allowed"),
        ("file:///srv/{owner}/{repo}\n--evil", "control characters"),
    ],
)
def test_bad_git_url_templates_are_refused_before_anything_runs(cli, template: str, needle: str) -> None:
    proc = cli(f"--git-url={template}")  # the "=" form: argparse would take a bare "-o..." for an option
    _refused(proc, needle)
    assert not cli.marker.exists()
    assert not (cli.tmp / "pwned").exists()


def test_bad_web_url_template_is_refused(cli) -> None:
    _refused(cli("--web-url", "https://example.org/{0}"), "--web-url", "{0}")
    _refused(cli("--web-url", "javascript:alert(1)//{repo}"), "must be an http(s) URL")


def test_good_url_templates_pass() -> None:
    for template in (
        "https://github.com/{owner}/{repo}.git",
        "ssh://git@example.org/{owner}/{repo}",
        "git@github.com:{owner}/{repo}.git",
        "file:///srv/mirror/{repo}",
        "/srv/{owner}/{repo}",
        "file:///home/me/My Repos/{owner}/{repo}",
    ):
        check_url_template(template, "--git-url", git=True)
    with pytest.raises(BadInput):
        check_url_template("{owner.__class__}/{repo}", "--git-url", git=True)


def test_unwritable_cache_dir_is_one_line_exit_2(cli) -> None:
    blocker = cli.tmp / "a-file"
    blocker.write_text("")
    _refused(cli("--cache-dir", str(blocker / "cache")), "--cache-dir")
    _refused(cli("--cache-dir", "/proc/dd-evidence-cache"), "--cache-dir")
    assert not cli.marker.exists()


@pytest.mark.parametrize(
    ("as_of", "needle"),
    [
        ("yesterday", "cannot read time"),
        ("2025-13-45", "cannot read time"),
        ("9999-12-31T23:59:59-05:00", "out of range"),
        ("2025-01-01" + "0" * 5000, "cannot read time"),
    ],
)
def test_bad_as_of_is_one_line_exit_2(cli, as_of: str, needle: str) -> None:
    _refused(cli("--as-of", as_of), needle)
    assert not cli.marker.exists()


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("x" * 100_000, "100,000 characters long"),
        ("demo\x1b[31mred", "control characters"),
        ("a" * 300, "File name too long"),
    ],
)
def test_bad_project_names_are_one_line_exit_2(cli, name: str, needle: str) -> None:
    proc = cli(project_arg=name)
    _refused(proc, needle)
    assert "\x1b" not in proc.stderr
    assert len(proc.stderr) < 400  # the 100 KB name is not echoed back
    assert not cli.marker.exists()


def test_terminal_output_carries_no_escape_sequences(tmp_path: Path) -> None:
    """A finding message full of escape codes (clear screen, set title, bell) reaches the terminal as text."""
    plugins = tmp_path / "plugins"
    write_plugin(plugins, "marks", MARKER_PROBE)
    marker = tmp_path / "marker"
    args = [str(plain_project(tmp_path / "demo")), "--offline", "--no-progress", "--probes-dir", str(plugins)]
    args += ["--probes", "hostile", "--format", "terminal", "--verbose"]
    proc = run_cli(*args, env=limited_env({"HOSTILE_MARKER": str(marker)}), cpu_seconds=60)
    assert proc.returncode == 0, proc.stderr
    assert marker.exists()
    assert "ran [2J]0;pwned cleared" in proc.stdout
    assert not any(ch in proc.stdout + proc.stderr for ch in "\x1b\x07\x9b")


def test_escape_codes_in_a_repo_name_do_not_reach_the_terminal(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "demo\x1b]0;title\x07")
    proc = run_cli(str(project), "--offline", "--no-progress", "--probes", "documents", "--format", "terminal")
    assert proc.returncode == 2  # refused as a name with control characters, before any work
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
