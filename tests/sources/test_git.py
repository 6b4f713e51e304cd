"""The git source on local repositories: as-of resolution, tree, file reads, log, tags, safety."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitfixture import git, make_repo

from dd_evidence.errors import GitMissing, SourceUnavailable
from dd_evidence.sources.git import GitWorkspace, check_git


@pytest.fixture
def workspace(acme_org: Path, tmp_path: Path) -> GitWorkspace:
    return GitWorkspace(tmp_path / "cache", f"file://{acme_org}/{{owner}}/{{repo}}")


def test_as_of_is_an_explicit_instant(tmp_path: Path) -> None:
    # A bare date means 00:00Z; commit times in other zones compare as instants.
    make_repo(
        tmp_path,
        "o",
        "r",
        [
            ("2024-02-29T23:00:00+00:00", {"A.md": "a"}),
            ("2024-03-01T02:00:00+00:00", {"B.md": "b"}),
            ("2024-03-01T11:00:00+08:00", {"C.md": "c"}),  # 03:00Z
        ],
    )
    ws = GitWorkspace(tmp_path / "cache", f"file://{tmp_path}/{{owner}}/{{repo}}")
    repo = ws.open("o", "r")
    sha, date = repo.resolve(datetime(2024, 3, 1, tzinfo=UTC))
    assert {e.path for e in repo.tree(sha)} == {"A.md"}
    sha, _ = repo.resolve(datetime(2024, 3, 1, 2, 30, tzinfo=UTC))
    assert {e.path for e in repo.tree(sha)} == {"A.md", "B.md"}
    assert repo.resolve(datetime(2020, 1, 1, tzinfo=UTC)) is None
    tip, _ = repo.resolve(None)
    assert {e.path for e in repo.tree(tip)} == {"A.md", "B.md", "C.md"}


def test_read_files_through_one_batch_process(workspace: GitWorkspace) -> None:
    repo = workspace.open("acme", "community")
    sha, _ = repo.resolve(None)
    entries = {e.path: e for e in repo.tree(sha)}
    text = repo.read_blob(entries["CONTRIBUTING.md"].oid)
    assert text is not None and text.startswith(b"# Contributing")
    assert repo.read_blob(entries["README.md"].oid) == b"# Acme community\n"
    assert repo.read_blob(entries["GOVERNANCE.md"].oid, max_bytes=10) is None  # over the cap
    assert repo.read_blob("0" * 40) is None
    workspace.close()


def test_log_and_tags(tmp_path: Path) -> None:
    repo_dir = make_repo(
        tmp_path,
        "o",
        "r",
        [
            ("2024-01-01T00:00:00+00:00", {"GOVERNANCE.md": "v1"}),
            ("2024-02-01T00:00:00+00:00", {"README.md": "r"}),
            (
                "2024-03-01T00:00:00+00:00",
                {"GOVERNANCE.md": "v2", ".mailmap": "Ada Lovelace <ada@example.org>\n"},
            ),
        ],
    )
    git(repo_dir, "tag", "v0.1.0", "HEAD~2")
    git(repo_dir, "tag", "-a", "v1.0.0", "-m", "release", date="2024-03-05T00:00:00+00:00")
    ws = GitWorkspace(tmp_path / "cache", f"file://{tmp_path}/{{owner}}/{{repo}}")
    repo = ws.open("o", "r")
    sha, _ = repo.resolve(None)
    history = repo.log(sha, paths=["GOVERNANCE.md"], with_paths=True)
    assert [c.paths for c in history] == [("GOVERNANCE.md",), ("GOVERNANCE.md",)]
    assert history[0].author_name == "Ada Lovelace"  # .mailmap at the scanned commit is honoured
    assert repo.log(sha, since=datetime(2024, 1, 15, tzinfo=UTC))[-1].subject == "change 1"
    tags = {t.name: t for t in repo.tags()}
    assert tags["v1.0.0"].annotated and tags["v1.0.0"].date == datetime(2024, 3, 5, tzinfo=UTC)
    assert not tags["v0.1.0"].annotated and tags["v0.1.0"].date == datetime(2024, 1, 1, tzinfo=UTC)


def test_refetch_sees_new_commits_and_offline_uses_cache(tmp_path: Path) -> None:
    origin = make_repo(tmp_path, "o", "r", [("2024-01-01T00:00:00+00:00", {"A.md": "a"})])
    url = f"file://{tmp_path}/{{owner}}/{{repo}}"
    first = GitWorkspace(tmp_path / "cache", url).open("o", "r")
    old_tip, _ = first.resolve(None)
    (origin / "B.md").write_text("b")
    git(origin, "add", "B.md")
    git(origin, "commit", "-q", "-m", "b", date="2024-02-01T00:00:00+00:00")
    second = GitWorkspace(tmp_path / "cache", url).open("o", "r")
    assert second.resolve(None)[0] != old_tip
    remote = GitWorkspace(tmp_path / "cache", "https://example.invalid/{owner}/{repo}.git", offline=True)
    assert remote.open("o", "r").resolve(None)[0] == second.resolve(None)[0]
    with pytest.raises(SourceUnavailable, match="--offline"):
        remote.open("o", "missing")


def test_clone_failure_is_a_source_error(tmp_path: Path) -> None:
    ws = GitWorkspace(tmp_path / "cache", f"file://{tmp_path}/{{owner}}/{{repo}}")
    with pytest.raises(SourceUnavailable):
        ws.open("o", "does-not-exist")
    assert not (tmp_path / "cache" / "git" / "o" / "does-not-exist.git").exists()


def test_hooks_in_scanned_repo_never_run(tmp_path: Path) -> None:
    origin = make_repo(tmp_path, "o", "r", [("2024-01-01T00:00:00+00:00", {"A.md": "a"})])
    marker = tmp_path / "pwned"
    hook = origin / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    GitWorkspace(tmp_path / "cache", f"file://{tmp_path}/{{owner}}/{{repo}}").open("o", "r")
    assert not marker.exists()


def test_git_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.devnull)
    with pytest.raises(GitMissing, match="git not found"):
        check_git()


def test_unreachable_origin_falls_back_to_the_cached_clone(tmp_path: Path) -> None:
    origin = make_repo(tmp_path, "o", "r", [("2024-01-01T00:00:00+00:00", {"A.md": "a"})])
    url = f"file://{tmp_path}/{{owner}}/{{repo}}"
    tip, _ = GitWorkspace(tmp_path / "cache", url).open("o", "r").resolve(None)
    shutil.rmtree(origin)
    again = GitWorkspace(tmp_path / "cache", url)
    assert again.open("o", "r").resolve(None)[0] == tip
    assert again.warnings and "using the cache" in again.warnings[0]


def test_read_a_file_at_an_older_commit(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        "o",
        "r",
        [
            ("2024-01-01T00:00:00+00:00", {"MAINTAINERS.md": "v1", "a b.md": "spaced"}),
            ("2024-02-01T00:00:00+00:00", {"MAINTAINERS.md": "v2"}),
        ],
    )
    repo = GitWorkspace(tmp_path / "cache", f"file://{tmp_path}/{{owner}}/{{repo}}").open("o", "r")
    first = repo.log(repo.resolve(None)[0])[-1].sha
    assert repo.read_blob(f"{first}:MAINTAINERS.md") == b"v1"
    assert repo.read_blob(f"{first}:a b.md") == b"spaced"
    assert repo.read_blob(f"{first}:no such file.md") is None
    assert repo.read_blob(f"{first}:x\nHEAD") is None
    assert repo.read_blob(f"{first}:MAINTAINERS.md") == b"v1"  # the batch process is still in step


def test_a_cached_clone_follows_the_url_asked_for_not_the_one_it_was_made_from(tmp_path: Path) -> None:
    """A clone made from a mirror must not keep answering when the user scans another origin of the same repo."""
    mirror = make_repo(tmp_path / "mirror", "o", "r", [("2024-01-01T00:00:00+00:00", {"A.md": "mirror"})])
    git(mirror, "tag", "v0-mirror-only")
    make_repo(tmp_path / "upstream", "o", "r", [("2024-03-01T00:00:00+00:00", {"A.md": "upstream"})])
    cache = tmp_path / "cache"
    GitWorkspace(cache, f"file://{tmp_path}/mirror/{{owner}}/{{repo}}").open("o", "r")

    upstream = GitWorkspace(cache, f"file://{tmp_path}/upstream/{{owner}}/{{repo}}")
    repo = upstream.open("o", "r")
    sha, _ = repo.resolve(None)
    (entry,) = [e for e in repo.tree(sha) if e.path == "A.md"]
    assert repo.read_blob(entry.oid) == b"upstream"
    assert [t.name for t in repo.tags()] == []  # the mirror's tags went with it
    assert upstream.warnings == []

    offline = GitWorkspace(cache, "https://example.invalid/{owner}/{repo}.git", offline=True)
    offline.open("o", "r")
    assert offline.warnings and "made from file://" in offline.warnings[0] and "read as it is" in offline.warnings[0]


def test_a_complete_prefetch_is_not_worked_out_again_by_the_same_rules(tmp_path: Path) -> None:
    """A warm scan of the same commit and window by the same rules skips finding out what is missing (nothing is);
    other rules check again, and a first prefetch fetches what the partial clone lacks."""
    from dd_evidence.model import RepoScan
    from dd_evidence.repoview import GitRepoView

    source = make_repo(
        tmp_path / "origin",
        "acme",
        "docs",
        [
            ("2024-01-05T10:00:00+00:00", {"README.md": "# Docs\n", "MAINTAINERS.md": "- @ada\n"}),
            ("2024-02-05T10:00:00+00:00", {"MAINTAINERS.md": "- @ada\n- @bo\n", "GOVERNANCE.md": "# Rules\n"}),
        ],
    )
    git(source, "config", "uploadpack.allowFilter", "true")
    git(source, "config", "uploadpack.allowAnySHA1InWant", "true")
    workspace = GitWorkspace(tmp_path / "cache", f"file://{tmp_path / 'origin'}/{{owner}}/{{repo}}")
    clone = workspace.open("acme", "docs")
    sha = git(source, "rev-parse", "HEAD").strip()
    since = datetime(2024, 1, 1, tzinfo=UTC)

    def view() -> GitRepoView:
        return GitRepoView(RepoScan("acme", "docs", "main", "", sha), "https://example.org/acme/docs", clone, since)

    first = view().prefetch(rules="rules-1")
    assert first["fetched"] >= 3 and first["candidates"] == 3  # a blob-less clone: the documents were fetched
    asked: list[str] = []
    real_sizes = clone.sizes
    clone.sizes = lambda names: asked.append("sizes") or real_sizes(names)  # type: ignore[method-assign]
    again = view()
    assert again.prefetch(rules="rules-1") == {"candidates": 0, "history_blobs": 0, "fetched": 0}
    assert asked == []  # nothing was asked of git
    assert again.read("GOVERNANCE.md") == "# Rules\n" and clone.late_fetches == 0
    other = view().prefetch(rules="rules-2")
    assert other["candidates"] == 3 and other["fetched"] == 0 and asked
    workspace.close()


def test_documents_read_ahead_in_bulk_read_as_one_by_one(tmp_path: Path) -> None:
    """``preload`` reads many blobs in one ``cat-file --batch`` run: the same texts and refusals ``read`` gives
    (a binary file refused, one over the cap left to ``read``), whatever the order and with shared contents."""
    from dd_evidence.model import RepoScan
    from dd_evidence.repoview import GitRepoView
    from dd_evidence.sources.git import MAX_FILE_BYTES

    files = {
        "README.md": "# Readme\n",
        "docs/A.md": "# Same\n",
        "docs/B.md": "# Same\n",
        "logo.md": "\0binary\0",
        "BIG.md": "x" * (MAX_FILE_BYTES + 1),
        "GOVERNANCE.md": "# Governance\n\nVote.\n",
    }
    source = make_repo(tmp_path / "origin", "acme", "docs", [("2024-01-05T10:00:00+00:00", files)])
    workspace = GitWorkspace(tmp_path / "cache", f"file://{tmp_path / 'origin'}/{{owner}}/{{repo}}")
    clone = workspace.open("acme", "docs")
    sha = git(source, "rev-parse", "HEAD").strip()

    def view() -> GitRepoView:
        return GitRepoView(RepoScan("acme", "docs", "main", "", sha), "https://example.org/acme/docs", clone)

    one_by_one = view()
    expected = {p: (one_by_one.read(p), one_by_one.read_refusal(p)) for p in files}
    ahead = view()
    ahead.preload(list(reversed(files)))
    assert set(ahead._text_cache) == set(files) - {"BIG.md"}  # the big one is left to read()
    assert {p: (ahead.read(p), ahead.read_refusal(p)) for p in files} == expected
    assert expected["logo.md"] == (None, "a binary file") and expected["BIG.md"][0] is None
    workspace.close()


def test_walks_not_read_for_a_month_are_pruned_when_a_new_one_is_stored(tmp_path: Path) -> None:
    """The history window starts at a day boundary: a repository scanned daily stores a walk a day. Walks not read
    for a month go when the next is stored; one read lately, other files and symlinks stay."""
    import time

    from dd_evidence.sources import githistory

    source = make_repo(tmp_path / "src", "acme", "acme", [("2024-01-01T00:00:00+00:00", {"README.md": "# A\n"})])
    workspace = GitWorkspace(tmp_path / "cache", "file://" + str(tmp_path) + "/{repo}", offline=True)
    repo = workspace.open_local(source)
    head = git(source, "rev-parse", "HEAD").strip()
    folder = tmp_path / "walks"
    repo.history_cache = folder
    folder.mkdir()
    old_walk, old_marker = folder / f"{'a' * 40}-1600000000.json.gz", folder / f"{'a' * 40}-1600000000.prefetched"
    read_lately, other = folder / f"{'b' * 40}-1700000000.json.gz", folder / "notes.txt"
    outside = tmp_path / "outside.json.gz"
    for path in (old_walk, old_marker, read_lately, other, outside):
        path.write_bytes(b"x")
    link = folder / f"{'c' * 40}-1600000000.json.gz"
    link.symlink_to(outside)
    month_ago = time.time() - (githistory.STALE_WALK_DAYS + 5) * 86400
    for path in (old_walk, old_marker, other, outside):
        os.utime(path, (month_ago, month_ago))
    os.utime(read_lately, (month_ago + 10 * 86400,) * 2)

    since = datetime(2025, 1, 1, tzinfo=UTC)
    repo.history(head, since)  # walked and stored: the folder is pruned
    stored = githistory.cache_path(folder, head, since)
    assert stored.exists()
    assert not old_walk.exists() and not old_marker.exists()
    assert read_lately.exists() and other.exists() and link.is_symlink() and outside.exists()
    # A walk that is read is marked used.
    os.utime(stored, (month_ago, month_ago))
    assert githistory.load(stored, head, since) is not None
    assert stored.stat().st_mtime > time.time() - 60
    workspace.close()


def test_a_failed_refresh_from_another_origin_leaves_the_clone_saying_where_it_came_from(tmp_path: Path) -> None:
    """The clone is pointed at the asked URL before its fetch; when that fetch fails, the clone still holds the
    mirror's content and must keep saying so on every later scan, not pass for a copy of the asked origin."""
    make_repo(tmp_path / "mirror", "o", "r", [("2024-01-01T00:00:00+00:00", {"A.md": "mirror"})])
    cache = tmp_path / "cache"
    GitWorkspace(cache, f"file://{tmp_path}/mirror/{{owner}}/{{repo}}").open("o", "r")

    unreachable = f"file://{tmp_path}/nowhere/{{owner}}/{{repo}}"
    online = GitWorkspace(cache, unreachable)
    repo = online.open("o", "r")
    sha, _ = repo.resolve(None)
    (entry,) = [e for e in repo.tree(sha) if e.path == "A.md"]
    assert repo.read_blob(entry.oid) == b"mirror"
    (warning,) = online.warnings
    assert "could not refresh the cached clone" in warning and f"made from file://{tmp_path}/mirror/o/r" in warning

    for later in (GitWorkspace(cache, unreachable), GitWorkspace(cache, unreachable, offline=True)):
        later.open("o", "r")
        assert len(later.warnings) == 1 and f"made from file://{tmp_path}/mirror/o/r" in later.warnings[0]
