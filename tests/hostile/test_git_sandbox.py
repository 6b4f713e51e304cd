"""Git as a sandbox: what a scanned repository's config, remotes and the clone URL ask git to run never runs.

Each case builds a repository an attacker controls (config, promisor remotes, hooks, a signed commit), scans it
as a user would (``python -m dd_evidence`` in a subprocess), and asserts the report is written, says what the
repository holds, and that the attacker's program left no marker.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from gitattack import (
    FAKE_SIGNATURE,
    executing_config,
    findings,
    hooks_dir,
    make_trap,
    plumbing_commit,
    run_scan,
    write_config,
)
from gitfixture import git, make_repo

from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import RepoScan
from dd_evidence.repoview import GitRepoView
from dd_evidence.sources.git import GitWorkspace

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ROSTER = "# Maintainers\n\n| GitHub | Name | Company |\n| --- | --- | --- |\n| @ada | Ada | Widgets Inc |\n"


def _origin(root: Path) -> Path:
    repo = make_repo(
        root,
        "acme",
        "acme",
        [
            (
                "2024-01-10T10:00:00+00:00",
                {"README.md": "# Acme\n", "MAINTAINERS.md": ROSTER, "GOVERNANCE.md": "# Governance\n\nVote.\n"},
            )
        ],
    )
    git(repo, "config", "uploadpack.allowFilter", "true")
    git(repo, "config", "uploadpack.allowAnySHA1InWant", "true")
    return repo


def _hostile_working_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A working copy whose blobs were never fetched (a partial clone), whose promisor remotes are an ``ext::``
    command and an ssh URL with ``core.sshCommand`` set, whose config points every executing setting and hook at
    the trap, and whose HEAD is a signed commit (with ``log.showSignature`` on)."""
    trap = make_trap(tmp_path / "trap")
    origin = _origin(tmp_path / "origin")
    copy = tmp_path / "copy"
    subprocess.run(
        ["git", "-c", "protocol.file.allow=always", "clone", "-q", "--no-checkout", "--filter=blob:none"]
        + [f"file://{origin}", str(copy)],
        check=True,
        capture_output=True,
        env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"},
    )
    attributes = subprocess.run(
        ["git", "-C", str(copy), "hash-object", "-w", "--stdin"],
        input=b"* filter=evil diff=evil\n",
        capture_output=True,
    ).stdout.decode()
    # mktree --missing: the tree names blobs this copy never fetched (write-tree would fetch them).
    listing = git(copy, "ls-tree", "HEAD") + f"100644 blob {attributes.strip()}\t.gitattributes\n"
    tree = subprocess.run(
        ["git", "-C", str(copy), "mktree", "--missing"], input=listing.encode(), capture_output=True, check=True
    ).stdout.decode()
    signed = plumbing_commit(copy, "signed change", "1717000000 +0000", extra_headers=FAKE_SIGNATURE, tree=tree.strip())
    settings = executing_config(
        trap,
        {
            "core.hooksPath": str(hooks_dir(tmp_path, trap)),
            "remote.origin.url": f"ext::{trap.program} %S",
            "remote.origin.promisor": "true",
            "remote.evil.url": "ssh://attacker.example.invalid/x.git",
            "remote.evil.promisor": "true",
            "remote.evil.partialclonefilter": "blob:none",
            "include.path": str(tmp_path / "included.gitconfig"),
        },
    )
    write_config(copy / ".git", settings)
    (tmp_path / "included.gitconfig").write_text(f"[core]\n\tfsmonitor = {trap.program}\n")
    return copy, trap, signed


def test_a_hostile_local_working_copy_is_read_and_runs_nothing(tmp_path: Path) -> None:
    copy, trap, signed = _hostile_working_copy(tmp_path)
    run = run_scan(str(copy), "--offline", "--cache-dir", str(tmp_path / "cache"), out=tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert not trap.ran(), trap.runs()
    (repo,) = run.report["repos"]
    assert repo["sha"] == signed  # the signed commit was read, its signature never verified
    assert repo["committed_at"].startswith("2024-05-29")
    assert run.markdown.startswith("# ") and f"`{signed[:7]}`" in run.markdown  # the draft names the commit read
    # The tree was read (the roster file is there) but not the blobs the partial copy never fetched: no lazy
    # fetch through its ext:: or ssh promisor remotes. A document found but not read is no answer either way.
    (present,) = findings(run.report, "documents.maintainers_present")
    assert present["outcome"] == "not_available"
    assert "found but not read: copy/MAINTAINERS.md (not present in the clone" in present["message"]
    assert run.report["warnings"] == [] and not run.report["incomplete"]


def test_the_working_copy_view_says_why_a_missing_blob_was_not_read(tmp_path: Path) -> None:
    copy, trap, _ = _hostile_working_copy(tmp_path)
    workspace = GitWorkspace(tmp_path / "cache", offline=True)
    repo = workspace.open_local(copy)
    sha, _ = repo.resolve(None)
    entries = {e.path: e for e in repo.tree(sha)}
    result = repo.read(entries["MAINTAINERS.md"].oid)
    assert result.data is None and "not present" in (result.reason or "")
    assert repo.read(entries[".gitattributes"].oid).data == b"* filter=evil diff=evil\n"
    history = repo.history(sha)
    assert [c.subject for c in history.commits][0] == "signed change"
    view = GitRepoView(RepoScan("acme", "copy", "main", copy.as_uri(), sha), copy.as_uri(), repo)
    assert view.read("MAINTAINERS.md") is None
    assert "not present" in (view.read_refusal("MAINTAINERS.md") or "")
    assert view.size("MAINTAINERS.md") is None  # not known without the blob
    assert view.read_refusal("no-such-file.md") is None
    workspace.close()
    assert not trap.ran(), trap.runs()


def test_a_hostile_file_origin_runs_nothing_while_it_is_cloned_and_fetched(tmp_path: Path) -> None:
    """The file:// origin is itself a partial clone with an ext:: promisor and every executing setting; git serves
    it through upload-pack, which must not run them (nor fetch lazily from its promisor)."""
    copy, trap, signed = _hostile_working_copy(tmp_path)
    write_config(copy / ".git", {"uploadpack.allowFilter": "true", "uploadpack.allowAnySHA1InWant": "true"})
    org = tmp_path / "org" / "acme"
    org.mkdir(parents=True)
    shutil.move(str(copy), org / "acme")
    run = run_scan(
        "acme/acme",
        "--offline",
        "--git-url",
        f"file://{tmp_path / 'org'}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "cache"),
        out=tmp_path / "out",
    )
    assert run.returncode == 0, run.stderr
    assert not trap.ran(), trap.runs()
    (repo,) = run.report["repos"]
    assert repo["sha"] == signed
    # The origin could not send the blobs it lacks (it never fetches them from its ext:: promisor): said so.
    assert any("could not fetch its documents up front" in w for w in run.report["warnings"])


@pytest.mark.parametrize(
    "template",
    [
        "fd::3/{owner}/{repo}",
        "ext::{trap} %S {owner}/{repo}",
        "ext::sh -c {trap}% {owner}/{repo}",
        "foo::https://example.invalid/{owner}/{repo}",
    ],
)
def test_remote_helper_urls_are_refused_up_front(tmp_path: Path, template: str) -> None:
    """``fd::`` used to hang and ``ext::`` runs a command: both are refused before any git runs."""
    trap = make_trap(tmp_path / "trap")
    run = run_scan(
        "acme/acme",
        "--git-url",
        template.replace("{trap}", str(trap.program)),
        "--cache-dir",
        str(tmp_path / "cache"),
        out=tmp_path / "out",
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "transport is not allowed" in run.stderr or "remote helpers" in run.stderr
    assert not trap.ran()
    assert not (tmp_path / "cache" / "git").exists()


def test_a_git_url_that_looks_like_an_option_never_reaches_git_as_one(tmp_path: Path) -> None:
    trap = make_trap(tmp_path / "trap")
    run = run_scan(
        "acme/acme",
        "--repos",
        "acme/acme",
        "--git-url",
        f"--upload-pack={trap.program} {{owner}}/{{repo}}",
        "--cache-dir",
        str(tmp_path / "cache"),
        out=tmp_path / "out",
        timeout=60,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert not trap.ran()


def test_a_server_that_never_answers_is_given_up_on(tmp_path: Path) -> None:
    """A git:// server that accepts and then stalls: the clone stops at the network timeout, with a reason."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)  # read nothing, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    workspace = GitWorkspace(tmp_path / "cache", f"git://127.0.0.1:{port}/{{owner}}/{{repo}}", network_timeout=3)
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            workspace.open("acme", "acme")
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion below
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(60)  # the harness bound; the product's own bound is the 3 s network timeout
    server.close()
    for connection in held:
        connection.close()
    assert not worker.is_alive(), "the clone of a silent server never returned"
    assert len(outcome) == 1 and isinstance(outcome[0], SourceUnavailable)
    assert "did not finish within 3 s" in str(outcome[0])
    assert not list((tmp_path / "cache" / "git" / "acme").glob("acme.git*partial*"))


def test_a_shallow_working_copy_is_read_to_its_boundary(tmp_path: Path) -> None:
    origin = make_repo(
        tmp_path / "origin",
        "acme",
        "acme",
        [(f"2024-0{m}-01T00:00:00+00:00", {"README.md": f"# Acme {m}\n"}) for m in range(1, 6)],
    )
    copy = tmp_path / "copy"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{origin}", str(copy)],
        check=True,
        capture_output=True,
        env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"},
    )
    workspace = GitWorkspace(tmp_path / "cache", offline=True)
    repo = workspace.open_local(copy)
    sha, _ = repo.resolve(None)
    assert [c.subject for c in repo.history(sha).commits] == ["change 4", "change 3"]
    workspace.close()


def test_git_never_sees_the_callers_git_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIT_DIR, GIT_CONFIG_* or an ext:: allowance in the caller's environment change nothing."""
    trap = make_trap(tmp_path / "trap")
    _origin(tmp_path / "origin")
    config = tmp_path / "global.gitconfig"
    config.write_text(f"[core]\n\tfsmonitor = {trap.program}\n[alias]\n\tlog = !{trap.program}\n")
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.sshCommand")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(trap.program))
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "ext:file")
    workspace = GitWorkspace(tmp_path / "cache", f"file://{tmp_path / 'origin'}/{{owner}}/{{repo}}")
    repo = workspace.open("acme", "acme")
    sha, _ = repo.resolve(None)
    assert [c.subject for c in repo.history(sha).commits] == ["change 0"]
    workspace.close()
    assert not trap.ran()
