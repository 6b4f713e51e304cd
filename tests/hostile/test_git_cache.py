"""Cache state that stays right: concurrent scans, damaged clones, swapped parse-cache entries, repo names that
try to leave the cache, and a cache made from another origin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from e2e.fakegithub import FakeGitHub, acme_data
from gitattack import REPO_ROOT, run_scan
from gitfixture import GitDaemon, git, make_acme_org, make_repo

from dd_evidence.errors import SourceUnavailable
from dd_evidence.parsecache import ParseCache
from dd_evidence.sources.git import GitWorkspace

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _statuses(report: dict) -> dict[str, str]:
    return {c["criterion"]: c["status"] for c in report["criteria"]}


def _offline_args(org: Path, cache: Path) -> list[str]:
    return ["acme/acme", "--offline", "--git-url", f"file://{org}/{{owner}}/{{repo}}", "--cache-dir", str(cache)]


def test_two_cold_scans_sharing_a_cache_serialise_and_agree(tmp_path: Path) -> None:
    org = make_acme_org(tmp_path / "org")
    cache = tmp_path / "cache"
    procs = []
    for n in range(2):
        out = tmp_path / f"out-{n}"
        args = [*_offline_args(org, cache), "--format", "json", "--out", str(out), "--no-progress"]
        procs.append(
            (out, subprocess.Popen([sys.executable, "-m", "dd_evidence", *args], cwd=REPO_ROOT, stderr=subprocess.PIPE))
        )
    reports = []
    for out, proc in procs:
        _, stderr = proc.communicate(timeout=240)
        assert proc.returncode == 0, stderr.decode()
        reports.append(json.loads(next(out.glob("*.json")).read_text()))
    alone = run_scan(*_offline_args(org, tmp_path / "cache-alone"), out=tmp_path / "out-alone")
    assert _statuses(reports[0]) == _statuses(reports[1]) == _statuses(alone.report)
    assert [r["sha"] for r in reports[0]["repos"]] == [r["sha"] for r in alone.report["repos"]]
    assert reports[0]["errors"] == reports[1]["errors"] == []
    assert not list((cache / "git" / "acme").glob("*.partial*"))


def _truncate_packs(clone: Path) -> None:
    for pack in (clone / "objects" / "pack").glob("*.pack"):
        pack.chmod(0o644)
        with open(pack, "r+b") as handle:
            handle.truncate(pack.stat().st_size - 64)


def test_a_truncated_pack_is_cloned_again_when_the_origin_answers(tmp_path: Path) -> None:
    org = make_acme_org(tmp_path / "org")
    cache = tmp_path / "cache"
    first = run_scan(*_offline_args(org, cache), out=tmp_path / "out-1")
    assert first.returncode == 0, first.stderr
    _truncate_packs(cache / "git" / "acme" / "community.git")
    again = run_scan(*_offline_args(org, cache), out=tmp_path / "out-2")
    assert again.returncode == 0, again.stderr
    assert _statuses(again.report) == _statuses(first.report)
    assert any("acme/community" in w and "cloned it again" in w for w in again.report["warnings"])
    assert "cloned it again" in again.stderr and "cloned it again" in again.markdown


def test_a_flipped_byte_inside_a_pack_is_found_by_the_weekly_fsck(tmp_path: Path) -> None:
    """The cheap check sees truncation only; damage inside a pack shows in git fsck, run once a week per clone."""
    org = make_acme_org(tmp_path / "org")
    cache = tmp_path / "cache"
    first = run_scan(*_offline_args(org, cache), out=tmp_path / "out-1")
    clone = cache / "git" / "acme" / "community.git"
    pack = max((clone / "objects" / "pack").glob("*.pack"), key=lambda p: p.stat().st_size)
    pack.chmod(0o644)
    data = bytearray(pack.read_bytes())
    for offset in range(40, len(data) - 40, 7):  # scramble the objects, keep the header and the trailer
        data[offset] ^= 0xFF
    pack.write_bytes(bytes(data))
    (clone / "dd-evidence-fsck").write_text("0")  # the last check was long ago
    again = run_scan(*_offline_args(org, cache), out=tmp_path / "out-2")
    assert again.returncode == 0, again.stderr
    assert any("acme/community" in w and "cloned it again" in w for w in again.report["warnings"])
    assert _statuses(again.report) == _statuses(first.report)


def test_a_damaged_cache_without_an_origin_is_unreadable_not_silently_wrong(tmp_path: Path) -> None:
    org = make_acme_org(tmp_path / "org")
    cache = tmp_path / "cache"
    assert run_scan(*_offline_args(org, cache), out=tmp_path / "out-1").returncode == 0
    _truncate_packs(cache / "git" / "acme" / "community.git")
    shutil.rmtree(org / "acme" / "community")  # the origin is gone: nothing to clone again from
    run = run_scan(*_offline_args(org, cache), "--repos", "acme/acme,acme/community", out=tmp_path / "out-2")
    assert run.returncode == 0, run.stderr
    (community,) = [r for r in run.report["repos"] if r["name"] == "community"]
    assert community["sha"] is None and "damaged" in community["error"]
    # Absence claims now say the unreadable repo may hold the thing, instead of "not found".
    assert any("could not be read" in f["message"] for f in run.report["findings"] if f["outcome"] == "not_available")


def test_swapped_parse_cache_entries_are_misses(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    cache.store("# One\n", {"headings": [[1, "One", 1]]})
    cache.store("# Two\n", {"headings": [[1, "Two", 1]]})
    one, two = sorted((tmp_path / "parsed").rglob("*.json"), key=lambda p: "One" not in p.read_text())
    one_text, two_text = one.read_text(), two.read_text()
    one.write_text(two_text)
    two.write_text(one_text)
    assert cache.load("# One\n") is None and cache.load("# Two\n") is None
    assert cache.misses == 2 and cache.hits == 0


def test_swapped_parse_cache_entries_change_no_result(tmp_path: Path) -> None:
    org = make_acme_org(tmp_path / "org")
    cache = tmp_path / "cache"
    first = run_scan(*_offline_args(org, cache), out=tmp_path / "out-1")
    entries = sorted((cache / "parsed").rglob("*.json"))
    assert len(entries) >= 2
    texts = [p.read_text() for p in entries]
    for path, text in zip(entries, texts[1:] + texts[:1], strict=True):  # every entry now holds another's answer
        path.write_text(text)
    again = run_scan(*_offline_args(org, cache), out=tmp_path / "out-2")
    assert _statuses(again.report) == _statuses(first.report)
    messages = {(f["probe"], f["subject"], f["message"]) for f in again.report["findings"]}
    assert messages == {(f["probe"], f["subject"], f["message"]) for f in first.report["findings"]}


@pytest.mark.parametrize("name", ["../../../escape", "..", ".", "-rf", "a\nb", "x" * 101, "evil.lock"])
def test_a_repo_name_cannot_leave_the_cache(tmp_path: Path, name: str) -> None:
    workspace = GitWorkspace(tmp_path / "deep" / "cache", f"file://{tmp_path}/{{owner}}/{{repo}}")
    with pytest.raises(SourceUnavailable, match="not a valid repository name"):
        workspace.open("acme", name)
    with pytest.raises(SourceUnavailable, match="not a valid repository name"):
        workspace.open("../..", "acme")
    assert list(tmp_path.iterdir()) == []  # not even the cache dir was made


def test_an_org_listing_with_hostile_names_scans_the_rest_and_creates_nothing_outside(tmp_path: Path) -> None:
    """The names come from GitHub's org listing (a fake one here), the clones from a loopback git server."""
    org = make_acme_org(tmp_path / "org")
    data = acme_data()
    for name in ("../../../escape", "..", "-rf"):
        data["repos"][f"acme/{name}"] = {**data["repos"]["acme/acme"], "name": name, "full_name": f"acme/{name}"}
    cache = tmp_path / "work" / "cache"
    with GitDaemon(org) as daemon, FakeGitHub(data) as gh:
        run = run_scan(
            "acme/acme",
            "--git-url",
            daemon.url_template,
            "--github-api",
            gh.url,
            "--cache-dir",
            str(cache),
            "--probes",
            "documents",
            out=tmp_path / "work" / "out",
        )
    assert run.returncode == 0, run.stderr
    repos = {r["name"]: r for r in run.report["repos"]}
    assert repos["acme"]["sha"] and repos["community"]["sha"]
    for name in ("../../../escape", "..", "-rf"):
        assert repos[name]["sha"] is None and "not a valid repository name" in repos[name]["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["org", "work"]
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["cache", "out"]
    assert sorted(p.name for p in (cache / "git").iterdir()) == ["acme"]
    assert not [p for p in cache.rglob("*") if "escape" in p.name]


def test_a_cache_from_another_origin_is_said_in_the_header_and_on_stderr(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    make_repo(mirror, "acme", "acme", [("2024-01-01T00:00:00+00:00", {"README.md": "# from the mirror\n"})])
    cache = tmp_path / "cache"
    assert run_scan(*_offline_args(mirror, cache), out=tmp_path / "out-1").returncode == 0
    args = ["acme/acme", "--offline", "--git-url", "https://bot:s3cr3t-token@git.example.invalid/{owner}/{repo}.git"]
    run = run_scan(*args, "--cache-dir", str(cache), out=tmp_path / "out-2")
    assert run.returncode == 0, run.stderr
    (warning,) = run.report["warnings"]
    assert f"made from file://{mirror}" in warning and "not https://***@git.example.invalid/acme/acme.git" in warning
    # A credential in the clone URL is never repeated: not in the report, its options, the Markdown or stderr.
    assert "s3cr3t" not in json.dumps(run.report) + run.markdown + run.stderr + run.stdout
    assert "warning:" in run.stderr and f"file://{mirror}" in run.stderr
    header = run.markdown.split("Scanned repositories:")[0]
    assert "**Warning:**" in header and "made from" in header


def test_a_stale_lock_of_a_dead_scan_does_not_block(tmp_path: Path) -> None:
    """flock locks die with their process: a lock file left behind by a killed scan is no obstacle."""
    org = make_acme_org(tmp_path / "org")
    cache = tmp_path / "cache"
    (cache / "git" / "acme").mkdir(parents=True)
    (cache / "git" / "acme" / "acme.git.lock").write_text(str(os.getpid() + 100000))
    workspace = GitWorkspace(cache, f"file://{org}/{{owner}}/{{repo}}")
    repo = workspace.open("acme", "acme")
    assert repo.resolve(None) is not None
    assert git(org / "acme" / "acme", "rev-parse", "HEAD").strip() == repo.resolve(None)[0]  # type: ignore[index]
    workspace.close()
