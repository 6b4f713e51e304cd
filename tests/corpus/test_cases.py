"""The corpus case files are sound: they parse, follow the schema, name criteria of the catalogue in force and
repositories as owner/name, never expect unknown; the ratchet names only checks that exist. Always runs.

With ``DD_EVIDENCE_MIRRORS`` set, each case's evidence is also held against the copies: the sha is the commit at
as_of and the file is there (or, marked ``(absent)``, is not).
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from corpusrun import CASES, RATCHET, load_runner

from dd_evidence.catalogue import load_catalogue
from dd_evidence.resolve import resolve_project

runner = load_runner()
CASE_FILES = sorted(CASES.glob("*.yaml"))


@cache
def criteria_ids(level: str, as_of: datetime) -> frozenset[str]:
    return frozenset(c.id for c in load_catalogue(level, as_of).criteria)


def test_the_corpus_has_cases() -> None:
    assert CASE_FILES, f"no case files in {CASES}"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_follows_the_schema(path: Path) -> None:
    problems = runner.case_problems(path, runner.read_case_data(path), criteria_ids)
    assert problems == []


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_project_resolves_offline(path: Path) -> None:
    case = runner.load_case(path)
    ref = resolve_project(case.project)
    assert ref.orgs, f"{case.project} resolves to no GitHub org"


def test_ratchet_names_existing_checks() -> None:
    entries = json.loads(RATCHET.read_text(encoding="utf-8"))["agree"]
    assert entries == sorted(set(entries)), "agreement.json is kept sorted and without duplicates"
    existing = {f"{c.id}:{k.criterion}" for c in map(runner.load_case, CASE_FILES) for k in c.checks}
    assert sorted(set(entries) - existing) == []


# ----------------------------------------------------------------- evidence against the copies (when present)

MIRRORS = Path(os.environ["DD_EVIDENCE_MIRRORS"]) if os.environ.get("DD_EVIDENCE_MIRRORS") else None


def _git(gitdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "--git-dir", str(gitdir), *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_evidence_is_in_the_copies(path: Path) -> None:
    if MIRRORS is None or not MIRRORS.is_dir():
        pytest.skip("DD_EVIDENCE_MIRRORS does not name a folder of repository copies")
    case = runner.load_case(path)
    before = case.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    problems = []
    for check in case.checks:
        gitdir = runner.find_mirror(MIRRORS, check.evidence["repo"])
        if gitdir is None:
            pytest.skip(f"no copy of {check.evidence['repo']}")
        ref = f"refs/heads/{case.branch(check.evidence['repo'])}" if case.branch(check.evidence["repo"]) else "HEAD"
        at_as_of = _git(gitdir, "rev-list", "-1", "--first-parent", f"--before={before}", ref).stdout.strip()
        sha = str(check.evidence["sha"])
        if not at_as_of.startswith(sha):
            problems.append(f"{check.criterion}: sha {sha} is not the commit at as_of ({at_as_of[:9]})")
            continue
        for file, absent in _files(check.evidence["file"]):
            found = _git(gitdir, "cat-file", "-e", f"{at_as_of}:{file}").returncode == 0
            if found == absent:
                problems.append(f"{check.criterion}: {file} is {'present' if found else 'absent'} at {sha}")
    assert problems == []


def _files(text: str) -> list[tuple[str, bool]]:
    """``a.md#L3-L9, docs/b.md (absent)`` -> [("a.md", False), ("docs/b.md", True)]."""
    out = []
    for item in text.split(","):
        item = item.strip()
        absent = item.endswith("(absent)")
        item = item.removesuffix("(absent)").strip().split("#", 1)[0].rstrip("/")
        if item:
            out.append((item, absent))
    return out


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_review_is_in_cncf_toc_at_its_sha(path: Path) -> None:
    if MIRRORS is None or runner.find_mirror(MIRRORS, "cncf/toc") is None:
        pytest.skip("no copy of cncf/toc under DD_EVIDENCE_MIRRORS")
    case = runner.load_case(path)
    gitdir = runner.find_mirror(MIRRORS, "cncf/toc")
    found = _git(gitdir, "cat-file", "-e", f"{case.review['sha']}:{case.review['path']}").returncode == 0
    assert found, f"{case.review['path']} is not in cncf/toc at {case.review['sha']} (give the path as it was then)"
