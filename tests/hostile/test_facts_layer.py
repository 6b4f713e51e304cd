"""Hostile repository content where the facts layer (dd_evidence/facts: the project map, sites, rosters, titles)
reads it, through a real scan of a git repository.

One repository holds a case of each class issue 15 names, placed where the map looks: website generator configs
(Hugo, Docusaurus, MkDocs) that are billion-laughs YAML, runs of blank lines under the size cap, or symlinks out of
the repository; rosters that are binary, over the size cap, or billion-laughs YAML; front matter and headings
built to make patterns backtrack; Markdown nesting bombs; file names with newlines, escape codes and leading
dashes; governance files that are symlinks to a file outside the repository. The scan runs every probe offline
under CPU and memory limits (the harness's, not a stopwatch) and must write its report with no error finding,
read nothing outside the repository, and never judge a file it did not read.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from gitattack import findings, limits
from gitfixture import git
from hostile_limits import REPO_ROOT, killed_by_limit, limited_env
from test_yaml import billion_laughs

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SECRET = "OUTSIDE-SECRET-5c1e"  # the text of a file outside the repository: must never reach a report
BLANKS = " " * 400_000  # under the 1 MB cap; a lazy "(.+?)\s*$" needs hours on a line holding it
ODD_NAMES = [
    "docs/MAINTAINERS.md\nGOVERNANCE.md",
    "-rf GOVERNANCE.md",
    "docs/\x1b[31mGOVERNANCE.md",
    "docs/\u202edm.ECNANREVOG",
    "CODE_OF_CONDUCT.md ",
    "docs/" + "/".join(["deep"] * 40) + "/governance.md",
    "docs/" + "g" * 250 + ".md",
]


def _commit(repo: Path, files: dict[str, str | bytes]) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    for path, content in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)


def _hostile_site(root: Path) -> Path:
    """A second repository: a Hugo site (one generator per repository) whose config is a billion-laughs YAML
    with the base URL after 150k blank lines, and a page whose front matter is a bomb."""
    repo = root / "acme" / "site"
    lol = billion_laughs()
    _commit(
        repo,
        {
            "hugo.yaml": lol + "\n" * 150_000 + "baseURL: https://acme.example/\n",
            "content/en/_index.md": "---\ntitle: Home\n---\n\nWelcome.\n",
            "content/en/community/governance.md": "---\ntitle: a" + " " * 15_000 + "b\n" + lol + "---\n\n# Rules\n",
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "site", date="2024-05-01T00:00:00+00:00")
    return repo


def _hostile_repo(root: Path, outside: Path) -> Path:
    repo = root / "acme" / "acme"
    lol = billion_laughs()
    files: dict[str, str | bytes] = {
        "README.md": "# Acme\n\nAcme does widgets. See the [website](https://acme.example/).\n",
        # Site configs the map reads: YAML bombs (read with patterns, never parsed), blank-line runs under the cap.
        "website/docusaurus.config.js": "\n" * 190_000
        + "module.exports = {\n  url: 'https://docs.acme.example',\n};\n",
        "website/docs/intro.md": "# Intro\n\n" + "> " * 50_000 + "deep\n",
        # Rosters: binary, over the cap, billion laughs; patterns' hostile lines.
        "MAINTAINERS.md": b"# Maintainers\n\0\0\0" + bytes(range(256)) * 100,
        "CONTRIBUTING.md": "# Contributing\n\n" + ("Open a pull request. " * 60 + "\n") * 2000,  # ~2.5 MB
        "OWNERS": lol + "approvers:\n  - alice\n",
        ".project/maintainers.yaml": lol + "maintainers:\n  - github: alice\n",
        "SECURITY-INSIGHTS.yml": "header:\n  schema-version: 1.0.0\n" + lol,
        "SECURITY.md": "# a" + BLANKS + "b\n\nMail security@acme.example.\n",
        "CODEOWNERS": "# @alice - Acme" + BLANKS + "x\n* @alice\n",
        "docs/team.md": "# Team\n\nName: Alice" + BLANKS + "x\nGitHub: @alice\n",
        "ROADMAP.md": "---\n" + "title: x\n" * 5000 + "---\n# Roadmap\n\n" + "[" * 200_000 + "\n- " * 50_000,
        **{name: "# Governance\n\nOdd name.\n" for name in ODD_NAMES},
    }
    _commit(repo, files)
    # Symlinks out of the repository, named as the map's best sources.
    os.symlink(os.path.relpath(outside, repo), repo / "GOVERNANCE.md")
    os.symlink(outside, repo / "mkdocs.yml")
    (repo / "docs").mkdir(exist_ok=True)
    os.symlink("../../../outside", repo / "docs" / "community")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile content", date="2024-05-01T00:00:00+00:00")
    return repo


def _cited_paths(report: dict) -> set[str]:
    """The repository paths the findings' evidence permalinks point at."""
    found = set()
    for finding in report["findings"]:
        for evidence in finding.get("evidence") or []:
            match = re.search(r"/blob/[0-9a-f]{40}/([^#?]+)", evidence.get("url") or "")
            if match:
                found.add(unquote(match.group(1)))
    return found


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("facts")
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"# Governance\n\n{SECRET}\n\nsite_url: https://{SECRET}.example/\n")
    _hostile_repo(tmp / "org", outside / "secret.md")
    _hostile_site(tmp / "org")
    out = tmp / "out"
    proc = subprocess.run(
        [
            *("python", "-m", "dd_evidence", "acme/acme", "--offline", "--no-progress"),
            *("--git-url", f"file://{tmp}/org/{{owner}}/{{repo}}", "--cache-dir", str(tmp / "cache")),
            *("--format", "json,md,html", "--out", str(out)),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=limited_env(),
        timeout=600,
        preexec_fn=limits(3 * 2**30, None, cpu_seconds=120),
    )
    texts = {p.suffix: p.read_text(errors="replace") for p in out.glob("*.*")} if out.is_dir() else {}
    report = json.loads(texts[".json"]) if ".json" in texts else {}
    return {"proc": proc, "report": report, "texts": texts, "tmp": tmp}


def test_the_report_is_written_and_no_probe_errs(scanned: dict) -> None:
    proc = scanned["proc"]
    assert not killed_by_limit(proc), proc.stderr[-1000:]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert set(scanned["texts"]) == {".json", ".md", ".html"}
    errors = [(f["probe"], f["message"]) for f in scanned["report"]["findings"] if f["outcome"] == "error"]
    assert errors == []


def test_nothing_outside_the_repository_is_read(scanned: dict) -> None:
    for suffix, text in scanned["texts"].items():
        assert SECRET not in text, suffix
    assert SECRET not in scanned["proc"].stdout + scanned["proc"].stderr
    # The symlinked GOVERNANCE.md and mkdocs.yml are no documents and no site: nothing cites them.
    cited = _cited_paths(scanned["report"])
    assert cited  # the scan did cite files of the repository
    assert not cited & {"GOVERNANCE.md", "mkdocs.yml"} and not any(str(p).startswith("docs/community/") for p in cited)


def test_files_not_read_are_never_judged_false(scanned: dict) -> None:
    """The binary MAINTAINERS.md and the 2.5 MB CONTRIBUTING.md are not read: the findings that need them say so
    (not_available with the reason), or were decided by another readable document; none is false over them."""
    report = scanned["report"]
    for probe, path in (
        ("documents.maintainers_present", "MAINTAINERS.md"),
        ("documents.contributing_present", "CONTRIBUTING.md"),
    ):
        (finding,) = findings(report, probe)
        assert finding["outcome"] != "false", finding
        if finding["outcome"] == "not_available":
            assert path in finding["message"] and ("not read" in finding["message"] or "cap" in finding["message"])


MAP_OF_THE_CACHED_CLONE = """
import sys
from pathlib import Path
from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.facts import project_map
from dd_evidence.model import RepoScan
from dd_evidence.repoview import GitRepoView
from dd_evidence.resolve import ProjectRef, RepoRef
from dd_evidence.sources.git import GitWorkspace

cache, template = Path(sys.argv[1]), sys.argv[2]
workspace = GitWorkspace(cache, template)  # acme/acme from the scan's cache, acme/site cloned now
views = []
for name in ("acme", "site"):
    clone = workspace.open("acme", name)
    scan = RepoScan("acme", name, "main" if name == "acme" else "website", "", clone.head())
    views.append(GitRepoView(scan, f"https://github.com/acme/{name}", clone))
ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=RepoRef("acme", "acme", "main"))
pmap = project_map(ScanContext(ScanConfig(offline=True, parse_cache=False), ref, views))
for site in sorted(pmap.sites, key=lambda s: s.config):
    print("site", site.repo.name, site.generator, site.config, *sorted(site.hosts))
for role in ("governance", "maintainers", "security_policy"):
    print(role, repr(sorted(d.path for d in pmap.documents(role))))
workspace.close()
"""


def test_the_map_reads_site_configs_past_blank_runs_and_yaml_bombs(scanned: dict) -> None:
    """The project map over the scanned clone and the site repository, in a child under CPU and memory limits:
    the Hugo and Docusaurus base URLs written after 150k and 190k blank lines are read (linear patterns), the
    symlinked mkdocs.yml is no site, and no symlink or split odd name is a document."""
    tmp = scanned["tmp"]
    proc = subprocess.run(
        ["python", "-c", MAP_OF_THE_CACHED_CLONE, str(tmp / "cache"), f"file://{tmp}/org/{{owner}}/{{repo}}"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=limited_env(),
        timeout=300,
        preexec_fn=limits(2 * 2**30, None, cpu_seconds=60),
    )
    assert not killed_by_limit(proc), proc.stderr[-1000:]
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    sites = [line.split()[1:] for line in lines if line.startswith("site ")]
    assert ["acme", "docusaurus", "website/docusaurus.config.js", "docs.acme.example"] in sites
    assert ["site", "hugo", "hugo.yaml", "acme.example"] in sites
    assert not any(config == "mkdocs.yml" for _, _, config, *_ in sites)
    assert SECRET not in proc.stdout
    documents = {line.split(" ", 1)[0]: ast.literal_eval(line.split(" ", 1)[1]) for line in lines[len(sites) :]}
    assert documents["security_policy"] == ["SECURITY.md"]  # its title line of 400k blanks was read
    paths = {path for found in documents.values() for path in found}
    assert "docs/MAINTAINERS.md\nGOVERNANCE.md" in paths  # an odd name is one path
    assert not {"GOVERNANCE.md", "mkdocs.yml"} & paths and not any(p.startswith("docs/community/") for p in paths)


def test_odd_names_stay_file_names(scanned: dict) -> None:
    """A name holding a newline never splits into two paths; an escape code never reaches the terminal."""
    assert "\x1b" not in scanned["proc"].stdout + scanned["proc"].stderr
    assert "\x1b" not in scanned["texts"][".json"]  # JSON escapes it
    # The tail of "docs/MAINTAINERS.md\nGOVERNANCE.md" is no file of its own.
    assert "GOVERNANCE.md" not in _cited_paths(scanned["report"])


def test_odd_names_reach_no_report_raw(scanned: dict) -> None:
    """A file name holding an escape code or a newline is untrusted text: in the pasteable Markdown it should
    not colour a terminal that shows the file, nor start a new line (a forged bullet) of the draft."""
    for suffix in (".md", ".html"):
        assert "\x1b" not in scanned["texts"][suffix], suffix
    assert "\nGOVERNANCE.md, " not in scanned["texts"][".md"]


def test_a_governance_document_over_the_cap_is_never_judged_false(tmp_path: Path) -> None:
    """A GOVERNANCE.md over the 1 MB cap is found by name but not read: a probe that needs its text cannot tell
    (not_available, with the reason), it must not say "no heading or wording ... in GOVERNANCE.md"."""
    from dd_evidence.scan import scan

    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("# Acme\n\nWidgets.\n")
    filler = ("Filler text of the governance. " * 40 + "\n") * 1000  # 1.2 MB
    (project / "GOVERNANCE.md").write_text("# Governance\n\n## Voting\n\nA two-thirds majority decides.\n" + filler)
    report = scan(str(project), offline=True, cache_dir=tmp_path / "cache")
    judged = [
        (f.probe, f.message)
        for f in report.findings
        if f.outcome.value == "false" and "GOVERNANCE.md" in f.message and f.probe.startswith("decisions.")
    ]
    assert judged == []
