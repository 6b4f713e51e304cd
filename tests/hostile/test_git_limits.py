"""Bounded everything on the git side: an oversized file is never loaded, a big org runs within a small limit of
open files, and a cold scan fetches in a fixed number of round trips per repository, whatever the files.

Limits are the harness's (``resource`` limits on the scanning subprocess), never timing assertions.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from e2e.fakegithub import FakeGitHub
from gitattack import findings, run_scan
from gitfixture import GitDaemon, git, make_repo

from dd_evidence.model import RepoScan
from dd_evidence.registry import load_probes
from dd_evidence.repoview import GitRepoView
from dd_evidence.sources.git import GitWorkspace

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ROSTER_ROW = "| @{0} | {0} | Widgets Inc |\n"
HEADER = "# Maintainers\n\n| GitHub | Name | Company |\n| --- | --- | --- |\n"


def _git_only_probes() -> str:
    """Every probe that reads only git (no HTTP service a test could not answer)."""
    return ",".join(sorted(p.spec.id for p in load_probes([]).probes if set(p.spec.sources) <= {"git"}))


def _org_data(owner: str, names: list[str]) -> dict:
    repos = {
        f"{owner}/{n}": {
            "name": n,
            "full_name": f"{owner}/{n}",
            "default_branch": "main",
            "archived": False,
            "fork": False,
            "private": False,
        }
        for n in names
    }
    return {"orgs": {owner: {"login": owner, "name": owner.title()}}, "repos": repos}


def _big_roster_repo(root: Path) -> Path:
    """A 200 MB MAINTAINERS.md (well-formed rows) beside a small GOVERNANCE.md."""
    repo = make_repo(
        root, "acme", "acme", [("2024-01-10T10:00:00+00:00", {"GOVERNANCE.md": "# Governance\n\nVote.\n"})]
    )
    row = ROSTER_ROW.format("someone").encode()
    with open(repo / "MAINTAINERS.md", "wb") as handle:
        handle.write(HEADER.encode())
        chunk = row * (1 << 16)
        for _ in range(200_000_000 // len(chunk) + 1):
            handle.write(chunk)
        handle.truncate(200_000_000)
    git(repo, "add", "MAINTAINERS.md")
    git(repo, "commit", "-q", "-m", "a roster of 200 MB", date="2024-02-01T00:00:00+00:00")
    (repo / "MAINTAINERS.md").unlink()
    return repo


def test_a_200_mb_roster_is_never_loaded_and_is_said_not_read(tmp_path: Path) -> None:
    root = tmp_path / "org"
    repo = _big_roster_repo(root)
    run = run_scan(
        "acme/acme",
        "--offline",
        "--git-url",
        f"file://{root}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "cache"),
        out=tmp_path / "out",
        memory_bytes=3 * 2**30,  # the harness's bound on the scan and the git it runs
        measure=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.peak_rss_mb is not None and run.peak_rss_mb < 200, run.peak_rss_mb  # the file never entered Python
    (present,) = findings(run.report, "documents.maintainers_present")
    assert "MAINTAINERS.md" in present["message"]
    # The view a probe reads says why the file was not read, and its size, without loading it.
    workspace = GitWorkspace(tmp_path / "cache", f"file://{root}/{{owner}}/{{repo}}", offline=True)
    clone = workspace.open("acme", "acme")
    sha = git(repo, "rev-parse", "HEAD").strip()
    view = GitRepoView(RepoScan("acme", "acme", "main", "", sha), "https://example.org/acme/acme", clone)
    assert view.read("MAINTAINERS.md") is None
    assert view.read_refusal("MAINTAINERS.md") == "over the 1 MB cap (200 MB)"
    assert view.size("MAINTAINERS.md") == 200_000_000
    assert view.read("GOVERNANCE.md") == "# Governance\n\nVote.\n" and view.read_refusal("GOVERNANCE.md") is None
    workspace.close()


def _many_repos(root: Path, count: int) -> list[str]:
    """``count`` small repos of the org "bigorg": one built with git, the others copies of it (quick to make)."""
    names = [f"r{n:03d}" for n in range(count)]
    first = make_repo(
        root,
        "bigorg",
        names[0],
        [
            (
                "2024-01-10T10:00:00+00:00",
                {"README.md": "# Repo\n", "SECURITY.md": "# Security\n\nMail security@example.org.\n"},
            )
        ],
    )
    for name in names[1:]:
        shutil.copytree(first, root / "bigorg" / name, symlinks=True)
    return names


def test_a_many_repo_org_completes_within_128_open_files(tmp_path: Path) -> None:
    """Each repo used to keep its own cat-file process (two pipes) open until the scan ended: 80 repos needed
    more than 160 open files. Now the readers are a pool of four, whatever the number of repos."""
    root = tmp_path / "org"
    names = _many_repos(root, 80)
    run = run_scan(
        "bigorg/r000",
        "--offline",
        "--git-url",
        f"file://{root}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "cache"),
        out=tmp_path / "out",
        open_files=128,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert not run.report["incomplete"]
    assert sorted(r["name"] for r in run.report["repos"] if r["sha"]) == names
    assert run.report["requests"]["git_readers_peak"] <= 4
    assert not [f for f in run.report["findings"] if f["outcome"] == "error"]


def test_an_exhausted_resource_is_an_error_finding_and_an_incomplete_exit(tmp_path: Path) -> None:
    """Too few open files for even the bounded pool: the report is still written, says it is incomplete, and the
    exit code (5) tells a script the answer is partial."""
    root = tmp_path / "org"
    _many_repos(root, 6)
    run = run_scan(
        "bigorg/r000",
        "--offline",
        "--git-url",
        f"file://{root}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "cache"),
        out=tmp_path / "out",
        open_files=18,
        timeout=600,
    )
    assert run.returncode == 5, (run.returncode, run.stderr[-2000:])
    assert run.report["incomplete"] is True
    assert any("incomplete" in w for w in run.report["warnings"])
    exhausted = [f for f in run.report["findings"] if (f.get("values") or {}).get("resource_exhausted")]
    unreadable = [r for r in run.report["repos"] if r["error"] and "resources" in r["error"]]
    assert exhausted or unreadable
    assert all(f["outcome"] == "error" for f in exhausted)


def _docs_heavy_org(root: Path) -> list[str]:
    """A community repo with 300 Markdown documents and a roster changed 12 times, a main repo with tags."""
    files = {f"docs/page-{n:03d}.md": f"# Page {n}\n\nText {n}.\n" for n in range(300)}
    files["GOVERNANCE.md"] = "# Governance\n\nMaintainers decide by majority vote.\n"
    # Test data no role comes from, which probes still open: every Markdown file of a community repo (links)
    # and every page under an integrations folder, wherever it sits.
    files["generator/testdata/example.md"] = "# Example\n\n[a link](https://example.org/x)\n"
    history: list[tuple[str, dict[str, str | None]]] = [("2024-01-05T10:00:00+00:00", files)]
    people: list[str] = ["ada", "bob"]
    for month in range(1, 13):
        people.append(f"p{month}")
        roster = HEADER + "".join(ROSTER_ROW.format(p) for p in people)
        history.append((f"2024-{month:02d}-20T10:00:00+00:00", {"MAINTAINERS.md": roster}))
    make_repo(root, "acme", "community", history)
    main = make_repo(
        root,
        "acme",
        "acme",
        [
            (
                "2024-02-01T10:00:00+00:00",
                {
                    "README.md": "# Acme\n",
                    "SECURITY.md": "# Security\n",
                    "tests/integration/testdata/case.md": "# A test case\n",
                },
            ),
            ("2024-08-01T10:00:00+00:00", {"CONTRIBUTING.md": "# Contributing\n"}),
        ],
    )
    git(main, "tag", "v1.0.0", "HEAD~1")
    git(main, "tag", "v1.1.0")
    return ["acme", "community"]


def test_a_cold_scan_fetches_in_at_most_three_round_trips_per_repo(tmp_path: Path) -> None:
    """Counted on the server: every ``git-upload-pack`` a loopback git daemon ran, per repository."""
    root = tmp_path / "org"
    names = _docs_heavy_org(root)
    cache = tmp_path / "cache"
    args = ["--cache-dir", str(cache), "--probes", _git_only_probes(), "--as-of", "2025-01-01"]
    with GitDaemon(root) as daemon, FakeGitHub(_org_data("acme", names)) as gh:
        base = ["acme/acme", "--git-url", daemon.url_template, "--github-api", gh.url, *args]
        cold = run_scan(*base, out=tmp_path / "out-cold")
        after_cold = daemon.upload_packs()
        warm = run_scan(*base, out=tmp_path / "out-warm")
        after_warm = daemon.upload_packs()
    assert cold.returncode == 0 and warm.returncode == 0, cold.stderr + warm.stderr
    assert set(after_cold) == {"/acme/acme", "/acme/community"}
    assert all(count <= 3 for count in after_cold.values()), after_cold
    assert "git_late_fetch" not in cold.report["requests"]  # no read had to fetch on its own
    # Clone, then one fetch per repo of the documents and the roster versions together: two round trips.
    assert cold.report["requests"]["git_prefetch"] == 2 and max(after_cold.values()) == 2
    # Warm: one fetch per repo to see new commits, nothing else.
    assert {k: after_warm[k] - after_cold[k] for k in after_warm} == {"/acme/acme": 1, "/acme/community": 1}
    # The roster history was read from the prefetched versions: 12 additions, each seen.
    (lifecycle,) = findings(cold.report, "governance.lifecycle_used")
    added = {e["person"] for e in lifecycle["values"]["events"] if e["kind"] == "added"}
    assert {f"p{m}" for m in range(2, 13)} <= added
    assert cold.report["findings"] == warm.report["findings"] or _same_outcomes(cold.report, warm.report)


def _same_outcomes(first: dict, second: dict) -> bool:
    def key(report: dict) -> set[tuple[str, str, str]]:
        return {(f["probe"], f["subject"], f["outcome"]) for f in report["findings"]}

    return key(first) == key(second)


def test_the_prefetch_asks_for_documents_not_code(tmp_path: Path) -> None:
    """The default candidate filter: documents and metadata, not code, vendored trees or over-cap files."""
    from dd_evidence.sources.git import default_document_filter as wanted

    assert wanted("README.md") and wanted("docs/a/b.md") and wanted("OWNERS") and wanted(".github/x.yml")
    assert wanted("MAINTAINERS") and wanted("CODEOWNERS") and wanted(".mailmap") and wanted("SECURITY-INSIGHTS.yml")
    assert not wanted("main.go") and not wanted("vendor/x/README.md") and not wanted("node_modules/a/README.md")
    assert not wanted("charts/x/values.yaml") and not wanted("third_party/OWNERS")
    assert not wanted("README.md", size=5_000_000)
    # Text documents in test data are read by probes that open every document of a kind; other files are not.
    assert wanted("tools/testdata/example.md") and not wanted("tools/testdata/OWNERS")
    assert not wanted("pkg/fixtures/config.yaml")


def test_subprocess_limits_reach_git(tmp_path: Path) -> None:
    """The harness's limits apply to the git the scan starts too (inherited), so they bound the whole scan."""
    out = subprocess.run(
        ["sh", "-c", "ulimit -n"],
        capture_output=True,
        text=True,
        preexec_fn=__import__("gitattack").limits(open_files=77),
    ).stdout
    assert out.strip() == "77"


def test_the_reader_pool_never_holds_more_than_its_size(tmp_path: Path) -> None:
    """Eight threads reading twelve repositories through a pool of two: never more than two cat-file readers."""
    import threading

    root = tmp_path / "org"
    names = _many_repos(root, 12)
    workspace = GitWorkspace(tmp_path / "cache", f"file://{root}/{{owner}}/{{repo}}", readers=2)
    repos = [workspace.open("bigorg", name) for name in names]
    heads = [repo.resolve(None)[0] for repo in repos]  # type: ignore[index]
    entries = [{e.path: e.oid for e in repo.tree(head)} for repo, head in zip(repos, heads, strict=True)]
    texts: list[bytes | None] = []

    def read(offset: int) -> None:
        for step in range(24):
            index = (offset + step) % len(repos)
            texts.append(repos[index].read_blob(entries[index]["SECURITY.md"]))

    threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(texts) == 8 * 24 and set(texts) == {b"# Security\n\nMail security@example.org.\n"}
    assert workspace.pool.peak <= 2
    workspace.close()
