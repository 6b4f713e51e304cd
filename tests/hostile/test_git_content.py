"""Hostile history and content: bad dates, commit text shaped like our old log records, odd file names, tags of
blobs, an as-of git's date parser cannot read. One bad commit or tag spoils itself, never the scan."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from gitattack import findings, plumbing_commit, run_scan
from gitfixture import git, make_repo

from dd_evidence.sources.git import GitWorkspace
from dd_evidence.sources.githistory import parse_git_date

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _scan_offline(root: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_scan(
        "acme/acme",
        "--offline",
        "--git-url",
        f"file://{root}/{{owner}}/{{repo}}",
        "--cache-dir",
        str(root.parent / "cache"),
        *extra,
        out=out,
    )


@pytest.mark.parametrize(
    ("date", "why"),
    [("1717000000 +9959", "zone +99:59"), ("287015000000 +0000", "year 11065"), ("-100 +0000", "negative")],
)
def test_a_head_commit_with_an_unreadable_date_spoils_itself_not_the_scan(tmp_path: Path, date: str, why: str) -> None:
    root = tmp_path / "org"
    repo = make_repo(root, "acme", "acme", [("2024-05-01T00:00:00+00:00", {"README.md": "# Acme\n"})])
    bad = plumbing_commit(repo, f"commit dated {why}", date)
    run = _scan_offline(root, tmp_path / "out", "--window", "2000")
    assert run.returncode == 0, run.stderr
    (scanned,) = run.report["repos"]
    assert scanned["sha"] == bad and scanned["committed_at"] is None  # read, but its date is not stated
    warnings = " ".join(run.report["warnings"])
    assert "unreadable date left out" in warnings and bad[:10] in warnings
    assert "unreadable date" in run.markdown  # in the report's header, not only on stderr
    assert "unreadable date" in run.stderr
    (top,) = findings(run.report, "activity.top_committers_include_maintainers")
    assert top["values"]["human_commits"] == 1  # the good commit counts; the spoiled one does not


def test_commit_text_cannot_inject_commits(tmp_path: Path) -> None:
    """Separator bytes the old parser split on (0x1e, 0x1f) and text shaped like a record are just a subject."""
    root = tmp_path / "org"
    repo = make_repo(root, "acme", "acme", [("2024-05-01T00:00:00+00:00", {"README.md": "# Acme\n"})])
    record = "\x1e{:040x}\x1fEve {}\x1feve{}@example.org\x1f2024-05-02T00:00:00+00:00"
    fake = "".join(record.format(n, n, n) for n in range(50))
    plumbing_commit(repo, f"innocent {fake}", "1714700000 +0000")
    run = _scan_offline(root, tmp_path / "out", "--as-of", "2024-06-01")
    assert run.returncode == 0, run.stderr
    (top,) = findings(run.report, "activity.top_committers_include_maintainers")
    assert top["values"]["human_commits"] == 2
    assert top["values"]["contributors"] == 2  # Ada and Mallory, no Eve


def test_odd_file_names_are_paths_not_records(tmp_path: Path) -> None:
    """File names holding what a raw diff line or a sha looks like, and newlines, stay file names."""
    root = tmp_path / "org"
    repo = make_repo(root, "acme", "acme", [("2024-05-01T00:00:00+00:00", {"README.md": "# Acme\n"})])
    blob = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-w", "--stdin"], input=b"x\n", capture_output=True, check=True
    ).stdout.decode()
    names = [
        ":100644 100644 " + "a" * 40 + " " + "b" * 40 + " M",
        "f" * 40,
        "MAINTAINERS.md\nGOVERNANCE.md",
        "\nleading-newline.md",
    ]
    entries = [line for line in git(repo, "ls-tree", "-z", "HEAD").split("\0") if line]
    entries += [f"100644 blob {blob.strip()}\t{name}" for name in names]
    tree = subprocess.run(
        ["git", "-C", str(repo), "mktree", "-z"], input=("\0".join(entries) + "\0").encode(), capture_output=True
    ).stdout.decode()
    head = plumbing_commit(repo, "odd names", "1714700000 +0000", tree=tree.strip())
    workspace = GitWorkspace(tmp_path / "cache", f"file://{root}/{{owner}}/{{repo}}")
    clone = workspace.open("acme", "acme")
    history = clone.history(head)
    assert [c.sha for c in history.commits][0] == head
    assert sorted(history.commits[0].paths) == sorted(names)
    assert {e.path for e in clone.tree(head)} == {"README.md", *names}
    workspace.close()


def test_tags_of_blobs_and_trees_are_no_releases(tmp_path: Path) -> None:
    root = tmp_path / "org"
    repo = make_repo(
        root,
        "acme",
        "acme",
        [("2024-01-10T00:00:00+00:00", {"README.md": "# Acme\n"}), ("2024-04-10T00:00:00+00:00", {"A.md": "a"})],
    )
    git(repo, "tag", "v1.0.0", "HEAD~1")
    git(repo, "tag", "-a", "v1.1.0", "-m", "release", date="2024-04-11T00:00:00+00:00")

    def blob(text: str) -> str:
        return (
            subprocess.run(
                ["git", "-C", str(repo), "hash-object", "-w", "--stdin"], input=text.encode(), capture_output=True
            )
            .stdout.decode()
            .strip()
        )

    git(repo, "tag", "v9.9.9", blob("2024-05-20T00:00:00+00:00\n"))  # a lightweight tag of a blob holding a date
    git(repo, "tag", "v9.9.8", blob("garbage\n"))
    git(repo, "tag", "-a", "v9.9.7", "-m", "a tree", git(repo, "rev-parse", "HEAD^{tree}").strip())
    git(repo, "tag", "-a", "v9.9.6", "-m", "a blob", blob("2024-05-21\n"))
    run = _scan_offline(root, tmp_path / "out", "--as-of", "2024-06-01")
    assert run.returncode == 0, run.stderr
    (history,) = findings(run.report, "releases.regular_history")
    assert history["outcome"] in ("true", "false")
    assert history["values"]["last_stable"]["name"] == "v1.1.0"
    assert "9.9" not in str(history["values"])
    workspace = GitWorkspace(tmp_path / "cache2", f"file://{root}/{{owner}}/{{repo}}")
    assert sorted(t.name for t in workspace.open("acme", "acme").tags()) == ["v1.0.0", "v1.1.0"]
    workspace.close()


def test_an_as_of_past_2099_scans_the_commit_the_report_states(tmp_path: Path) -> None:
    """git's date parser cannot read 2100 (it answered with today's tip); the commit is picked from timestamps."""
    root = tmp_path / "org"
    repo = make_repo(root, "acme", "acme", [("2024-05-01T00:00:00+00:00", {"README.md": "# Acme\n"})])
    first = git(repo, "rev-parse", "HEAD").strip()
    plumbing_commit(repo, "from the future", "4133980800 +0000")  # 2101-01-01
    run = _scan_offline(root, tmp_path / "out", "--as-of", "2100-01-01")
    assert run.returncode == 0, run.stderr
    assert run.report["as_of"] == "2100-01-01T00:00:00+00:00"
    (scanned,) = run.report["repos"]
    assert scanned["sha"] == first and scanned["committed_at"].startswith("2024-05-01")
    later = _scan_offline(root, tmp_path / "out-2102", "--as-of", "2102-01-01")
    assert later.report["repos"][0]["committed_at"].startswith("2101-01-01")


def test_dates_are_read_defensively() -> None:
    assert parse_git_date("1700000000 +0200").isoformat() == "2023-11-15T00:13:20+02:00"
    assert parse_git_date("1700000000 -0530").utcoffset().total_seconds() == -(5 * 3600 + 30 * 60)
    for bad in ("1700000000 +9959", "287015000000 +0000", "-100 +0000", "", "abc +0100", "1700000000", "1 +2400"):
        assert parse_git_date(bad) is None, bad


MAILMAP = """# a comment
Proper Ada <ada@example.org>
<bob@example.org> <BOB@old.example>
Carol Proper <carol@example.org> Carol Old <carol@old.example>
Dan Proper <dan@example.org> <dan@old.example>
  Eve Spaces   <eve@example.org>   # trailing words
Frank <frank@example.org> frank <FRANK@old.example>
Grace <grace@example.org> Grace Twice <grace@old.example>
Grace Again <grace2@example.org> Grace Twice <grace@old.example>
<> <empty@example.org>
Ivan <ivan@example.org> <>
not an entry at all
Judy <judy@example.org> <judy@old.example> extra <ignored@x>\r
"""
IDENTITIES = [
    ("ada", "ADA@example.org"),
    ("Bob", "bob@old.example"),
    ("Carol Old", "carol@old.example"),
    ("carol old", "CAROL@old.example"),
    ("Someone Else", "carol@old.example"),
    ("Dan", "dan@old.example"),
    ("E", "eve@example.org"),
    ("FRANK", "frank@old.example"),
    ("Grace Twice", "grace@old.example"),
    ("Heidi", "heidi@example.org"),
    ("Judy", "judy@old.example"),
    ("Ivan", "ivan@example.org"),
]


def test_the_mailmap_read_in_python_agrees_with_git(tmp_path: Path) -> None:
    """The history walk records identities as written; .mailmap is applied in Python, exactly as git does."""
    from dd_evidence.sources.githistory import Mailmap

    repo = make_repo(tmp_path, "acme", "acme", [("2024-01-01T00:00:00+00:00", {".mailmap": MAILMAP})])
    for index, (name, email) in enumerate(IDENTITIES):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"c{index}", author=name, email=email)
    expected = [tuple(line.split("\0")) for line in git(repo, "log", "--format=%aN%x00%aE").splitlines()]
    recorded = [tuple(line.split("\0")) for line in git(repo, "log", "--format=%an%x00%ae").splitlines()]
    mailmap = Mailmap.parse(MAILMAP)
    assert [mailmap.map(name, email) for name, email in recorded] == expected
    # And through the git source: the history a probe reads is mapped.
    workspace = GitWorkspace(tmp_path / "cache", f"file://{tmp_path}/{{owner}}/{{repo}}")
    clone = workspace.open("acme", "acme")
    sha = git(repo, "rev-parse", "HEAD").strip()
    assert [(c.author_name, c.author_email) for c in clone.log(sha)] == expected
    workspace.close()
