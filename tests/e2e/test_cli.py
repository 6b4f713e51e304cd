"""The CLI driven as a user would drive it: a subprocess over local git repos, no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dd_evidence.catalogue import load_catalogue

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dd_evidence", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def online_args(acme_org: Path, api: str, cache: Path, out: Path, formats: str = "json") -> list[str]:
    """A scan of the acme fixture against a (fake) GitHub API at ``api``, limited to probes that ask only it."""
    return [
        "acme/acme",
        "--git-url",
        f"file://{acme_org}/{{owner}}/{{repo}}",
        "--github-api",
        api,
        "--cache-dir",
        str(cache),
        "--no-progress",
        "--probes",
        "github,documents",  # the other API probes would try the real internet
        "--format",
        formats,
        "--out",
        str(out),
    ]


def test_scan_writes_md_and_json_with_every_criterion(scan_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(*scan_args, "--as-of", "2024-03-01T00:00:00Z", "--format", "md,json,terminal", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next(out.glob("*.json")).read_text())
    # The template revision in force at --as-of (before the oldest shipped revision: the oldest).
    catalogue = load_catalogue("graduation", datetime(2024, 3, 1, tzinfo=UTC))
    assert [c["criterion"] for c in report["criteria"]] == [c.id for c in catalogue.criteria]
    assert all(c["status"] in {"met", "not_met", "partial", "unknown", "manual"} for c in report["criteria"])
    assert report["as_of"] == "2024-03-01T00:00:00+00:00"
    # As of 2024-03-01 the ADOPTERS.md of 2024-06 does not exist yet.
    adopters = next(c for c in report["criteria"] if c["criterion"] == "eco-adopters-list")
    assert adopters["status"] == "not_met"
    repos = {r["name"]: r for r in report["repos"]}
    assert set(repos) == {"acme", "community"}
    assert all(len(r["sha"]) == 40 for r in repos.values())
    markdown = next(out.glob("*.md")).read_text()
    assert markdown.startswith("# acme Graduation Due Diligence")
    assert "**TODO for acme team:**" in markdown
    assert f"/blob/{repos['community']['sha']}/GOVERNANCE.md" in markdown
    assert "Governance and Maintainers" in proc.stdout  # the terminal summary


def test_latest_scan_sees_later_commits(scan_args: list[str], tmp_path: Path) -> None:
    proc = run_cli(*scan_args, "--format", "json", "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next((tmp_path / "o").glob("*.json")).read_text())
    adopters = next(c for c in report["criteria"] if c["criterion"] == "eco-adopters-list")
    assert adopters["status"] == "met"


def test_fail_on_not_met_exits_1(scan_args: list[str], tmp_path: Path) -> None:
    proc = run_cli(
        *scan_args, "--as-of", "2024-03-01", "--format", "json", "--out", str(tmp_path), "--fail-on", "not_met"
    )
    assert proc.returncode == 1, proc.stderr
    assert list(tmp_path.glob("*.json")), "the report is written even when --fail-on matches"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--level", "sandbox"], "unknown level"),
        (["--as-of", "last tuesday"], "cannot read time"),
        (["--format", "pdf"], "pdf"),
        (["--fail-on", "bad"], "--fail-on"),
        (["--probes", "nosuch.probe"], "no probe matches"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(scan_args: list[str], extra: list[str], needle: str) -> None:
    proc = run_cli(*scan_args, *extra)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_unknown_project_suggests_near_names() -> None:
    proc = run_cli("dragonfy", "--offline")
    assert proc.returncode == 2
    assert "dragonfly" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unwritable_out_dir_is_exit_2(scan_args: list[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_cli(*scan_args, "--format", "md", "--out", str(blocker / "sub"))
    assert proc.returncode == 2
    assert "--out" in proc.stderr


def test_nothing_to_scan_is_exit_3(tmp_path: Path) -> None:
    proc = run_cli(
        "acme/acme",
        "--offline",
        "--git-url",
        f"file://{tmp_path}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-progress",
        "--repos",
        "acme",
    )
    assert proc.returncode == 3
    assert "could not read any repository" in proc.stderr


def test_git_missing_is_exit_3(scan_args: list[str], tmp_path: Path) -> None:
    proc = run_cli(*scan_args, env={"PATH": str(tmp_path), "HOME": str(tmp_path)})
    assert proc.returncode == 3
    assert "git not found" in proc.stderr


def test_local_directory_without_git(tmp_path: Path) -> None:
    project = tmp_path / "myproj"
    project.mkdir()
    (project / "GOVERNANCE.md").write_text("# Governance\n\n" + "Rule.\n" * 10)
    (project / "CONTRIBUTING.md").write_text("# Contributing\n\n" + "Step.\n" * 10)
    out = tmp_path / "out"
    proc = run_cli(str(project), "--format", "json", "--out", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next(out.glob("*.json")).read_text())
    governance = next(c for c in report["criteria"] if c["criterion"] == "gov-docs-discoverable")
    assert governance["status"] == "met"


def test_probes_and_criteria_and_schema_commands() -> None:
    probes = run_cli("probes", "--json", "--probes-dir", "probes", cwd=REPO_ROOT)
    assert probes.returncode == 0, probes.stderr
    listed = {p["id"]: p for p in json.loads(probes.stdout)["probes"]}
    assert "example.license_in_every_repo" in listed
    assert "gov-docs-discoverable" in listed["documents.governance_present"]["criteria"]
    criteria = run_cli("criteria", "--level", "graduation", "--json")
    assert len(json.loads(criteria.stdout)["criteria"]) == 50
    incubation = run_cli("criteria", "--level", "incubation", "--json")
    assert len(json.loads(incubation.stdout)["criteria"]) == 47
    schema = run_cli("schema")
    assert json.loads(schema.stdout)["$schema"].startswith("https://json-schema.org/")


def _criterion(report: dict, criterion_id: str) -> dict:
    return next(c for c in report["criteria"] if c["criterion"] == criterion_id)


def test_online_scan_against_a_fake_github(acme_org: Path, tmp_path: Path) -> None:
    """Not offline: the GitHub probes ask a loopback fake API; requests are counted in the report."""
    from e2e.fakegithub import FakeGitHub, acme_data

    with FakeGitHub(acme_data(two_factor=True)) as gh:
        proc = run_cli(*online_args(acme_org, gh.url, tmp_path / "cache", tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next((tmp_path / "o").glob("*.json")).read_text())
    assert _criterion(report, "sec-access-control")["status"] == "met"
    assert report["requests"]["github"] == sum(gh.hits.values())
    assert report["requests"]["github"] <= 10


def test_rate_limited_org_call_marks_only_its_criterion(acme_org: Path, tmp_path: Path) -> None:
    from e2e.fakegithub import FakeGitHub, acme_data

    with FakeGitHub(acme_data(two_factor=True)) as gh:
        gh.fail(
            "/orgs/acme", status=403, times=5, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "9999999999"}
        )
        for repo in ("acme", "community"):
            gh.fail(f"/repos/acme/{repo}/rules/branches/main", status=429, times=5, headers={"Retry-After": "600"})
        proc = run_cli(*online_args(acme_org, gh.url, tmp_path / "cache", tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next((tmp_path / "o").glob("*.json")).read_text())
    access = _criterion(report, "sec-access-control")
    assert access["status"] == "unknown" and "rate limit" in access["rationale"]
    assert _criterion(report, "gov-docs-discoverable")["status"] == "met"  # nothing else is lost


def test_rejected_token_is_exit_2(acme_org: Path, tmp_path: Path) -> None:
    from e2e.fakegithub import FakeGitHub, acme_data

    token_file = tmp_path / "token"
    token_file.write_text("ghp_wrong\n")
    with FakeGitHub(acme_data()) as gh:
        gh.fail("/orgs/acme/repos", status=401, body='{"message": "Bad credentials"}')
        proc = run_cli(
            "acme/acme",
            "--github-api",
            gh.url,
            "--token-file",
            str(token_file),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-progress",
        )
    assert proc.returncode == 2
    assert "401" in proc.stderr and "ghp_wrong" not in proc.stderr


def test_record_then_replay_without_network_or_token(acme_org: Path, tmp_path: Path) -> None:
    from e2e.fakegithub import FakeGitHub, acme_data

    token_file = tmp_path / "token"
    token_file.write_text("ghp_recordme\n")
    cassettes = tmp_path / "cassettes"
    common = [
        "acme/acme",
        "--git-url",
        f"file://{acme_org}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "c"),
        "--no-progress",
        "--probes",
        "github,documents",
        "--format",
        "json",
    ]
    with FakeGitHub(acme_data(two_factor=True)) as gh:
        url = gh.url
        recorded = run_cli(
            *common,
            "--github-api",
            url,
            "--token-file",
            str(token_file),
            "--record",
            str(cassettes),
            "--out",
            str(tmp_path / "rec"),
        )
    assert recorded.returncode == 0, recorded.stderr
    cassette = next(cassettes.glob("*.yaml")).read_text()
    leaks = [line for line in cassette.splitlines() if "ghp_recordme" in line]
    assert not leaks and "/orgs/acme" in cassette
    # The fake API is gone: every answer now comes from the cassette.
    replayed = run_cli(*common, "--github-api", url, "--replay", str(cassettes), "--out", str(tmp_path / "rep"))
    assert replayed.returncode == 0, replayed.stderr
    first = json.loads(next((tmp_path / "rec").glob("*.json")).read_text())
    second = json.loads(next((tmp_path / "rep").glob("*.json")).read_text())
    assert [c["status"] for c in first["criteria"]] == [c["status"] for c in second["criteria"]]
    assert _criterion(second, "sec-access-control")["status"] == "met"


def test_replay_without_cassette_is_exit_2(scan_args: list[str], tmp_path: Path) -> None:
    proc = run_cli(*scan_args, "--replay", str(tmp_path / "none"))
    assert proc.returncode == 2 and "--replay" in proc.stderr


def test_one_repo_failing_to_clone_loses_nothing_else(acme_org: Path, tmp_path: Path) -> None:
    proc = run_cli(
        "acme/acme",
        "--offline",
        "--git-url",
        f"file://{acme_org}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "c"),
        "--no-progress",
        "--repos",
        "acme,community,vanished",
        "--format",
        "json",
        "--out",
        str(tmp_path / "o"),
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next((tmp_path / "o").glob("*.json")).read_text())
    repos = {r["name"]: r for r in report["repos"]}
    assert repos["vanished"]["sha"] is None and repos["vanished"]["error"]
    assert any("acme/vanished" in e for e in report["errors"])
    codeowners = [f for f in report["findings"] if f["probe"] == "ownership.codeowners_present"]
    outcome = {f["subject"]: f["outcome"] for f in codeowners}
    # The community repo holds documents only: no code to own, so no CODEOWNERS needed.
    assert outcome == {"acme/acme": "true", "acme/community": "not_applicable", "acme/vanished": "not_available"}
    assert _criterion(report, "gov-docs-discoverable")["status"] == "met"
    # "No roadmap anywhere" cannot be claimed while a repository was not read: it may be there.
    findings = {(f["probe"], f["subject"]): f for f in report["findings"]}
    roadmap = findings[("documents.roadmap_present", "acme")]
    assert roadmap["outcome"] == "not_available" and "could not be read (acme/vanished)" in roadmap["message"]
    assert _criterion(report, "eng-roadmap")["status"] == "unknown"
    # What was seen in a readable repository stands.
    assert findings[("documents.security_policy_in_every_repo", "acme/community")]["outcome"] == "false"
    assert findings[("docs.readme_explains_project", "acme/README.md")]["outcome"] == "false"


def test_network_down_is_one_line_and_exit_4(tmp_path: Path) -> None:
    """Nothing listens on port 1: every clone is refused, GitHub too; the user learns it is the network."""
    proc = run_cli(
        "acme/acme",
        "--git-url",
        "http://127.0.0.1:1/{owner}/{repo}.git",
        "--github-api",
        "http://127.0.0.1:1",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--no-progress",
        "--out",
        str(tmp_path / "out"),
        env={"HOME": str(tmp_path), "PATH": os.environ["PATH"], "GIT_TERMINAL_PROMPT": "0"},
    )
    assert proc.returncode == 4, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dd-evidence: error: network down:"), proc.stderr
    assert "127.0.0.1" in lines[0] and "--offline" in lines[0]


def test_out_alone_writes_the_draft_and_the_json(scan_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "o"
    proc = run_cli(*scan_args, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".md"]
    assert "acme graduation due diligence" in proc.stdout.lower()  # the terminal summary is still printed


def test_out_with_terminal_only_says_it_writes_nothing(scan_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "o"
    proc = run_cli(*scan_args, "--format", "terminal", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert not out.exists() or not list(out.iterdir())
    (warning,) = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert f"--out {out} ignored" in warning and "md,json" in warning


def test_help_states_every_default() -> None:
    from dd_evidence.cli import build_scan_parser

    options = [a for a in build_scan_parser()._actions if a.option_strings and a.dest not in ("help", "version")]
    assert len(options) > 15
    missing = [a.option_strings[0] for a in options if "(default:" not in (a.help or "")]
    assert missing == []
    assert "--format" in run_cli("--help").stdout


def test_the_quick_exit_runs_exit_handlers_flushes_stdout_and_keeps_the_exit_code() -> None:
    """``python -m dd_evidence`` leaves by os._exit after the scan: exit handlers still run, everything printed
    reaches the pipe, and the exit code is the CLI's."""
    handler = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print('exit-handler-ran', file=sys.stderr))\n"
        "sys.argv = ['dd_evidence', *sys.argv[1:]]\n"
        "runpy.run_module('dd_evidence', run_name='__main__')\n"
    )
    bad = subprocess.run(
        [sys.executable, "-c", handler, "dragonfy", "--offline"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [bad.stderr.splitlines()[0], "exit-handler-ran"]
    assert "unknown project" in bad.stderr
    schema = subprocess.run([sys.executable, "-c", handler, "schema"], capture_output=True, text=True, timeout=120)
    assert schema.returncode == 0
    assert json.loads(schema.stdout)["$schema"].startswith("https://json-schema.org/")  # the whole text, flushed
    assert schema.stderr.strip() == "exit-handler-ran"
