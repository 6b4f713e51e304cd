"""The GitHub token, end to end through the CLI against the loopback fake GitHub.

A token ending in ``\\r`` (a file or variable edited on Windows) used to fail every request with an
``InvalidHeader`` error quoting the token, which then appeared in every report format and on the terminal. It is
now stripped before use and validated; a token that cannot be one stops the scan with a one-line error that does
not repeat it. Either way the token appears nowhere: not in md, json, html, csv, sarif, stdout or stderr.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from e2e.fakegithub import FakeGitHub, acme_data
from hostile.services_support import make_wide_org, run_limited, scan_args, stderr_lines, wide_data

TOKEN = "ghp_" + "Rr9" * 12
ALL_FORMATS = "md,json,html,csv,sarif,terminal"


@pytest.fixture(scope="module")
def wide_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return make_wide_org(tmp_path_factory.mktemp("wide"), count=30)


def everything_written(proc, out: Path) -> str:
    return "\n".join(
        [proc.stdout, proc.stderr, *(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())]
    )


@pytest.mark.parametrize("how", ["env-cr", "env-crlf", "file-cr"])
def test_a_token_ending_in_cr_works_and_appears_nowhere(acme_org: Path, tmp_path: Path, how: str) -> None:
    raw = TOKEN + ("\r\n" if how == "env-crlf" else "\r")
    env = {}
    extra: list[str] = []
    if how.startswith("env"):
        env["GITHUB_TOKEN"] = raw
    else:
        token_file = tmp_path / "token"
        token_file.write_bytes(raw.encode())
        extra = ["--token-file", str(token_file)]
    with FakeGitHub(acme_data(two_factor=True)) as gh:
        args = scan_args(acme_org, gh.url, tmp_path, project="acme/acme", formats=ALL_FORMATS)
        proc = run_limited(*args, *extra, env=env)
        sent = set(gh.auth_headers)
    assert proc.returncode == 0, proc.stderr
    assert sent == {f"token {TOKEN}"} or sent == {f"Bearer {TOKEN}"}, "the token is sent stripped, on every request"
    written = everything_written(proc, tmp_path / "out")
    assert TOKEN not in written and TOKEN[4:20] not in written
    assert "InvalidHeader" not in written
    report = next((tmp_path / "out").glob("*.json")).read_text()
    assert '"probe": "github.org_requires_2fa"' in report and '"outcome": "true"' in report


@pytest.mark.parametrize("bad", [TOKEN[:10] + "\r" + TOKEN[10:], TOKEN + "\x1b[2J", TOKEN[:8] + " " + TOKEN[8:]])
def test_a_token_that_cannot_be_one_is_a_one_line_error(acme_org: Path, tmp_path: Path, bad: str) -> None:
    with FakeGitHub(acme_data(two_factor=True)) as gh:
        proc = run_limited(*scan_args(acme_org, gh.url, tmp_path, project="acme/acme"), env={"GITHUB_TOKEN": bad})
        asked = gh.total
    assert proc.returncode == 2 and asked == 0
    (line,) = stderr_lines(proc)
    assert line.startswith("dd-evidence: error: GITHUB_TOKEN is not a GitHub token")
    for piece in (TOKEN[:10], TOKEN[10:30], bad):
        assert piece not in proc.stderr and piece not in proc.stdout


def test_an_anonymous_scan_of_a_big_org_says_first_that_a_token_is_needed(wide_org: Path, tmp_path: Path) -> None:
    """30 repositories need about 68 requests; GitHub allows 60 an hour without a token. The first line on the
    terminal says so and how to give a token; with a token there is no such line."""
    with FakeGitHub(wide_data(count=30)) as gh:
        anonymous = run_limited(*scan_args(wide_org, gh.url, tmp_path / "a"))
        with_token = run_limited(*scan_args(wide_org, gh.url, tmp_path / "t"), env={"GITHUB_TOKEN": TOKEN})
    assert anonymous.returncode == 0 and with_token.returncode == 0, anonymous.stderr + with_token.stderr
    first = stderr_lines(anonymous)[0]
    assert first.startswith("dd-evidence: warning: GitHub: an anonymous scan of 30 repositories needs about")
    assert "GITHUB_TOKEN" in first and "--token-file" in first
    assert not [line for line in stderr_lines(with_token) if "anonymous scan" in line]
