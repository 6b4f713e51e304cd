"""A maintainer's self-check, run as they would run it: ``python -m dd_evidence <working copy> --level incubation``.

A project outside the CNCF scans as a candidate applying for the chosen level; its evidence links to its real remote
(the working copy's origin) or, without one, to paths relative to the working copy, never to a made-up
``github.com/local/...``; criteria with nothing to judge say what is missing. Evidence never comes from example,
test and vendored trees (the project map never gives them a role).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gitfixture import git, make_repo

REPO_ROOT = Path(__file__).resolve().parents[2]
NOT_PROJECT_TREES = re.compile(r"(?:^|/)(?:examples?|tests?|testdata|fixtures|vendor|third_party)/")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is absent")

CANDIDATE = {
    "README.md": "# Quokka Widget\n\nQuokka Widget caches container images for clusters.\n\n"
    "## Community\n\n- Slack: [#quokka](https://slack.example.org/quokka)\n",
    "GOVERNANCE.md": "# Governance\n\nMaintainers decide by lazy consensus; a vote needs a two-thirds majority.\n",
    "MAINTAINERS.md": "| Name | GitHub | Company |\n| --- | --- | --- |\n| Ada Example | @ada | Acme |\n",
    "CODE_OF_CONDUCT.md": "We follow the [CNCF Code of Conduct](https://github.com/cncf/foundation/blob/main/"
    "code-of-conduct.md).\n",
    # Trees that are not the project's governance: an example report quoting another project's rules, test
    # fixtures and vendored code. Their text must never count as the candidate's evidence.
    "examples/sample-report.md": "# A sample report\n\nNo more than four active maintainers may be from the same "
    "company.\n\nOur decisions are free from the influence of any single company.\n",
    "tests/fixtures/ADOPTERS.md": "# Adopters\n\n- **Example Corp** - production\n",
    "vendor/lib/SECURITY.md": "# Security\n\nReport vulnerabilities to security@lib.example.\n",
}


def scan(path: Path, out: Path, cache: Path) -> dict[str, Any]:
    args = [sys.executable, "-m", "dd_evidence", str(path), "--level", "incubation", "--offline", "--no-progress"]
    args += ["--format", "md,json,sarif", "--out", str(out), "--cache-dir", str(cache)]
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN", "DD_EVIDENCE_CACHE")}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return {
        "md": next(out.glob("*.md")).read_text(encoding="utf-8"),
        "json": json.loads(next(out.glob("*.json")).read_text(encoding="utf-8")),
        "sarif": json.loads(next(out.glob("*.sarif")).read_text(encoding="utf-8")),
    }


def evidence_urls(report: dict[str, Any]) -> list[str]:
    return [e["url"] for f in report["json"]["findings"] for e in f["evidence"]]


def repo_paths(report: dict[str, Any], base: str | None) -> list[str]:
    """The repository paths the evidence cites: after ``<base>/blob/<sha>/``, or relative ones."""
    paths = []
    for url in evidence_urls(report):
        if base and url.startswith(base + "/blob/"):
            paths.append(url.split("/blob/", 1)[1].split("/", 1)[1])
        elif "://" not in url and not url.startswith("/"):
            paths.append(url)
    return [p.split("#", 1)[0] for p in paths]


@pytest.fixture(scope="module")
def candidate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("candidate")
    repo = make_repo(root, "widget-org", "quokka-widget", [("2025-05-01T00:00:00+00:00", CANDIDATE)])
    git(repo, "remote", "add", "origin", "https://github.com/widget-org/quokka-widget.git")
    report = scan(repo, tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("cache"))
    report["sha"] = git(repo, "rev-parse", "HEAD").strip()
    return report


@pytest.fixture(scope="module")
def unpublished(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    repo = make_repo(
        tmp_path_factory.mktemp("plain"), "me", "quokka-widget", [("2025-05-01T00:00:00+00:00", CANDIDATE)]
    )
    return scan(repo, tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git working copy")
    return scan(REPO_ROOT, tmp_path_factory.mktemp("out"), tmp_path_factory.mktemp("cache"))


def test_a_candidate_scans_as_one_applying_for_the_level(candidate: dict[str, Any]) -> None:
    assert candidate["json"]["project"]["maturity"] is None
    assert "scanned as a candidate applying for incubation." in candidate["md"]
    assert not candidate["json"]["errors"], candidate["json"]["errors"]


def test_candidate_permalinks_point_at_its_origin(candidate: dict[str, Any]) -> None:
    base = "https://github.com/widget-org/quokka-widget"
    urls = [u for u in evidence_urls(candidate) if u.startswith("https://github.com/")]
    assert urls and all(u.startswith(base + "/") for u in urls)
    assert f"{base}/blob/{candidate['sha']}/GOVERNANCE.md#L1" in urls
    assert "github.com/local" not in candidate["md"] + json.dumps(candidate["json"])
    # Code scanning places the SARIF results on the repository's files.
    run = candidate["sarif"]["runs"][0]
    assert {r["repositoryUri"] for r in run["versionControlProvenance"]} <= {base}


def test_without_a_remote_evidence_is_relative(unpublished: dict[str, Any]) -> None:
    text = unpublished["md"] + json.dumps(unpublished["json"])
    assert "github.com/local" not in text and "github.com/me" not in text
    relative = [u for u in evidence_urls(unpublished) if "://" not in u]
    assert "GOVERNANCE.md" in {u.split("#")[0] for u in relative}
    assert "](GOVERNANCE.md" in unpublished["md"]  # a relative link, which works where the draft is committed
    # SARIF results still land on the files, relative to the working copy.
    located = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in unpublished["sarif"]["runs"][0]["results"]
    ]
    assert located and all("://" not in uri and not uri.startswith("/") for uri in located)


def test_missing_roadmap_is_said_plainly_not_not_applicable(candidate: dict[str, Any]) -> None:
    (change,) = [c for c in candidate["json"]["criteria"] if c["criterion"] == "eng-roadmap-change-process"]
    assert change["status"] == "not_met" and "no roadmap" in change["rationale"]
    assert "not applicable" not in candidate["md"]


def test_candidate_evidence_never_comes_from_examples_tests_or_vendor(candidate: dict[str, Any]) -> None:
    paths = repo_paths(candidate, "https://github.com/widget-org/quokka-widget")
    assert paths
    assert [p for p in paths if NOT_PROJECT_TREES.search(p)] == []


def test_own_working_copy_self_check(own: dict[str, Any]) -> None:
    text = own["md"] + json.dumps(own["json"])
    assert "github.com/local" not in text
    assert not [e for e in own["json"]["errors"] if "probe failed" in e], own["json"]["errors"]
    assert "scanned as a candidate applying for incubation." in own["md"]


def test_own_working_copy_evidence_never_comes_from_examples_tests_or_vendor(own: dict[str, Any]) -> None:
    origin = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "remote", "get-url", "origin"], capture_output=True, text=True
    )
    base = origin.stdout.strip().removesuffix(".git") if origin.returncode == 0 else None
    paths = repo_paths(own, base)
    assert [p for p in paths if NOT_PROJECT_TREES.search(p)] == []


def test_the_example_workflow_runs_the_self_check_and_uploads_its_sarif() -> None:
    import shlex

    import yaml

    from dd_evidence.cli import build_scan_parser, output_formats

    workflow = yaml.safe_load((REPO_ROOT / "examples" / "dd-evidence-self-check.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as True
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["self-check"]["steps"]
    (scan_step,) = [s for s in steps if "dd_evidence" in s.get("run", "")]
    argv = shlex.split(scan_step["run"])
    assert argv[:3] == ["python", "-m", "dd_evidence"]
    opts = build_scan_parser().parse_args(argv[3:])
    assert opts.project == "." and opts.level == "incubation"
    assert "sarif" in output_formats(opts.format, opts.out, None)  # type: ignore[arg-type]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["with"]["sarif_file"] == str(opts.out)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the history is evidence
