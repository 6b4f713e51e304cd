"""The corpus runner's own behaviour: schema problems it names, mirror lookup, served copies, the ratchet, and one
end-to-end case over a synthetic mirror (no real copies needed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from corpusrun import load_runner

runner = load_runner()


def _case(**changes: object) -> dict:
    check = {
        "criterion": "gov-coc-adoption",
        "expect": ["met"],
        "evidence": {"repo": "acme/community", "sha": "abc1234", "file": "CODE_OF_CONDUCT.md", "says": "adopts it"},
        "reviewer": "ticked",
    }
    data = {
        "project": "cert-manager",
        "level": "graduation",
        "as_of": "2024-10-01T00:00:00Z",
        "instant": "findings-fixed",
        "review": {"path": "projects/x.md", "sha": "0af59ee7"},
        "repos": ["acme/community"],
        "checks": [
            {**check, "criterion": c}
            for c in ("gov-coc-adoption", "eng-roadmap", "sec-reporting-process", "eco-adopters-list", "a", "b")
        ],
    }
    data.update(changes)
    return data


def _problems(data: dict, name: str = "cert-manager-2024-10-01.yaml") -> list[str]:
    return runner.case_problems(Path(name), data, lambda level, as_of: {"gov-coc-adoption", "eng-roadmap"})


def test_a_sound_case_has_no_problems_but_ids_outside_the_catalogue() -> None:
    problems = _problems(_case())
    assert problems == [
        f"checks[{i}]: criterion {c!r} is not in the catalogue in force at as_of for this level"
        for i, c in [(2, "sec-reporting-process"), (3, "eco-adopters-list"), (4, "a"), (5, "b")]
    ]
    assert runner.case_problems(Path("cert-manager-2024-10-01.yaml"), _case()) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"level": "sandbox"}, "level 'sandbox' is not one of incubation, graduation"),
        ({"as_of": "2024-10-01"}, "as_of '2024-10-01' is not an explicit UTC instant"),
        ({"as_of": "2024-10-01T00:00:00+02:00"}, "is not an explicit UTC instant"),
        ({"instant": "later"}, "instant 'later' is not one of"),
        ({"repos": ["community"]}, "repo 'community' is not owner/name"),
        ({"repos": ["acme/community", "ACME/community"]}, "repos lists a repository twice"),
        ({"review": {"path": "x.md"}}, "review must have exactly path and sha"),
        ({"extra": 1}, "unknown key 'extra'"),
    ],
)
def test_top_level_problems_are_named(change: dict, problem: str) -> None:
    assert any(problem in p for p in runner.case_problems(Path("cert-manager-2024-10-01.yaml"), _case(**change)))


def test_file_name_must_match_project_and_as_of_date() -> None:
    problems = runner.case_problems(Path("certmanager-2024-10-02.yaml"), _case())
    assert problems == [
        "file slug 'certmanager' is not the project 'cert-manager' in lower case",
        "file date 2024-10-02 is not the as_of date 2024-10-01",
    ]


def test_check_problems_are_named() -> None:
    data = _case()
    data["checks"][0] = {**data["checks"][0], "expect": ["unknown", "maybe"]}
    data["checks"][1] = {**data["checks"][1], "evidence": {"repo": "other/repo", "sha": "xyz", "file": "", "says": "s"}}
    data["checks"][2] = {**data["checks"][2], "criterion": "gov-coc-adoption"}
    problems = runner.case_problems(Path("cert-manager-2024-10-01.yaml"), data)
    assert problems == [
        "checks[0]: expect holds unknown: a case never expects unknown",
        "checks[0]: expect: 'unknown' is not one of met, partial, not_met, manual",
        "checks[0]: expect: 'maybe' is not one of met, partial, not_met, manual",
        "checks[1]: evidence.repo 'other/repo' is not one of the case's repos",
        "checks[1]: evidence.sha 'xyz' is not a short hex sha",
        "checks[1]: evidence.file must be a non-empty string",
        "checks[2]: criterion 'gov-coc-adoption' is checked twice",
    ]


def test_check_count_and_manual_only_limits() -> None:
    data = _case()
    data["checks"] = data["checks"][:5]
    assert "5 checks: a case has 6 to 12" in runner.case_problems(Path("cert-manager-2024-10-01.yaml"), data)
    data = _case()
    for check in data["checks"][:3]:
        check["expect"] = ["manual"]
    assert "3 checks expect only manual: at most 2" in runner.case_problems(Path("cert-manager-2024-10-01.yaml"), data)


def test_yaml_timestamps_load_as_instants(tmp_path: Path) -> None:
    path = tmp_path / "cert-manager-2024-10-01.yaml"
    text = yaml.safe_dump(_case()).replace("'2024-10-01T00:00:00Z'", "2024-10-01T00:00:00Z")
    path.write_text(text)
    case = runner.load_case(path)
    assert case.as_of.isoformat() == "2024-10-01T00:00:00+00:00"
    assert case.slug == "cert-manager"


# ------------------------------------------------------------------------------------------- mirrors


def _git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _commit_repo(path: Path, files: dict[str, str], date: str = "2024-06-01T12:00:00Z") -> None:
    path.mkdir(parents=True)
    _git("init", "-q", "-b", "main", cwd=path)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    _git("add", "-A", cwd=path)
    env_date = ["-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(
        ["git", *env_date, "commit", "-q", "-m", "files"],
        cwd=path,
        check=True,
        capture_output=True,
        env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def mirrors(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "mirrors"
    # A work-tree layout (repo/.git) under a differently-cased owner, and a bare one.
    _commit_repo(
        root / "Acme+Community" / "repo",
        {
            "CODE_OF_CONDUCT.md": "# Code of Conduct\n\nWe follow the [CNCF Code of Conduct]"
            "(https://github.com/cncf/foundation/blob/main/code-of-conduct.md).\n\n"
            "Report incidents to conduct@acme.example.org.\n",
            "README.md": "# Community\n",
        },
    )
    _git("clone", "-q", "--bare", str(root / "Acme+Community" / "repo"), str(root / "acme+bare" / "repo"))
    return root


def test_find_mirror_ignores_case_and_knows_both_layouts(mirrors: Path) -> None:
    assert runner.find_mirror(mirrors, "acme/community") == mirrors / "Acme+Community" / "repo" / ".git"
    assert runner.find_mirror(mirrors, "ACME/bare") == mirrors / "acme+bare" / "repo"
    assert runner.find_mirror(mirrors, "acme/absent") is None


def test_served_copy_allows_partial_clones_and_is_reused(mirrors: Path, tmp_path: Path) -> None:
    source = runner.find_mirror(mirrors, "acme/community")
    copy = runner.served_copy(source, tmp_path / "served", "acme/community")
    assert copy == tmp_path / "served" / "acme+community" / "repo"
    config = subprocess.run(["git", "-C", str(copy), "config", "--list"], capture_output=True, text=True).stdout
    assert "uploadpack.allowfilter=true" in config and "uploadpack.allowanysha1inwant=true" in config
    marker = copy / "marker"
    marker.write_text("kept")
    assert runner.served_copy(source, tmp_path / "served", "acme/community") == copy
    assert marker.exists(), "a copy made from the same source is reused, not rebuilt"
    _git("clone", "-q", "--bare", "--filter=blob:none", f"file://{copy}", str(tmp_path / "partial"))


def test_served_copy_can_serve_another_branch_as_the_default(mirrors: Path, tmp_path: Path) -> None:
    work_tree = mirrors / "Acme+Community" / "repo"
    _git("branch", "old-history", cwd=work_tree)
    source = runner.find_mirror(mirrors, "acme/community")
    copy = runner.served_copy(source, tmp_path / "served", "acme/community", "old-history")
    head = subprocess.run(["git", "-C", str(copy), "symbolic-ref", "HEAD"], capture_output=True, text=True).stdout
    assert head.strip() == "refs/heads/old-history"
    copy = runner.served_copy(source, tmp_path / "served", "acme/community")  # the same source, HEAD again
    head = subprocess.run(["git", "-C", str(copy), "symbolic-ref", "HEAD"], capture_output=True, text=True).stdout
    assert head.strip() == "refs/heads/main"
    with pytest.raises(subprocess.CalledProcessError):
        runner.served_copy(source, tmp_path / "served", "acme/community", "no-such-branch")


def test_branches_key_is_checked_and_keeps_its_own_serving() -> None:
    path = Path("cert-manager-2024-10-01.yaml")
    assert runner.case_problems(path, _case(branches={"acme/community": "release-1.x"})) == []
    assert runner.case_problems(path, _case(branches={"acme/other": "-x"})) == [
        "branches: 'acme/other' is not one of the case's repos",
        "branches: '-x' is not a branch name",
    ]
    assert runner.case_problems(path, _case(branches=[])) == ["branches must map owner/name to a branch name"]


# ------------------------------------------------------------------------------------------- end to end


def _write_case(folder: Path, stem: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_run_case_scans_compares_and_reports_misses(mirrors: Path, tmp_path: Path) -> None:
    expectations = {
        "gov-coc-adoption": ["met"],  # the CoC adopts the CNCF one and names a contact
        "eco-adopters-list": ["met"],  # there is no adopters file: a miss
        "eng-roadmap": ["not_met", "partial"],
        "eng-release-process": ["not_met", "partial"],
        "gov-maintainers-list": ["not_met", "partial"],
        "sec-reporting-process": ["not_met", "partial"],
    }
    template = _case()["checks"][0]
    data = _case(checks=[{**template, "criterion": c, "expect": e} for c, e in expectations.items()])
    case = runner.load_case(_write_case(tmp_path / "cases", "cert-manager-2024-10-01", data))
    result = runner.run_case(case, mirrors, tmp_path / "work")
    assert result.state == "scanned", result.reason
    by_id = {c.criterion: c for c in result.checks}
    assert by_id["gov-coc-adoption"].agrees and by_id["gov-coc-adoption"].status == "met"
    assert not by_id["eco-adopters-list"].agrees and by_id["eco-adopters-list"].status == "not_met"
    assert by_id["eco-adopters-list"].rationale  # the tool's reason travels with the miss
    lines = runner.case_line(result)
    assert lines[0].startswith("cert-manager-2024-10-01") and f"{result.agreed}/6" in lines[0]
    assert any(line.startswith("    miss eco-adopters-list: tool not_met (expected met)") for line in lines)
    assert runner.serving_key(case) == ""
    assert (tmp_path / "work" / "mirrors" / "acme+community" / "repo" / "HEAD").is_file()
    summary = runner.summary_json([result])
    assert summary["projects"]["cert-manager"]["checks"] == 6
    assert summary["total"]["agreed"] == result.agreed


def test_missing_mirror_is_skipped_and_not_counted(mirrors: Path, tmp_path: Path) -> None:
    data = _case(repos=["acme/community", "acme/nowhere"])
    case = runner.load_case(_write_case(tmp_path / "cases", "cert-manager-2024-10-01", data))
    result = runner.run_case(case, mirrors, tmp_path / "work")
    assert (result.state, result.reason) == ("skipped", "no mirror of acme/nowhere")
    assert runner.per_project([result])["cert-manager"] == {"cases": 0, "skipped": 1, "checks": 0, "agreed": 0}
    assert runner.case_line(result) == ["cert-manager-2024-10-01            skipped: no mirror of acme/nowhere"]


def test_failed_scan_counts_every_check_as_a_miss(mirrors: Path, tmp_path: Path) -> None:
    # Nothing was committed before 2020: the scan cannot read any repository and fails.
    data = _case(as_of="2020-01-01T00:00:00Z")
    case = runner.load_case(_write_case(tmp_path / "cases", "cert-manager-2020-01-01", data))
    result = runner.run_case(case, mirrors, tmp_path / "work")
    assert result.state == "error" and "scan failed (exit 3)" in result.reason
    assert result.counted == 6 and result.agreed == 0


# ------------------------------------------------------------------------------------------- ratchet


def _result(case_id: str, agreeing: dict[str, bool], state: str = "scanned"):
    checks = [runner.CheckResult(c, ["met"], "met" if ok else "not_met", "", ok) for c, ok in agreeing.items()]
    kept = checks if state != "skipped" else []
    return runner.CaseResult(case_id, "p", "graduation", "", "review", state, checks=kept)


def test_ratchet_catches_a_check_that_stopped_agreeing_and_ignores_skipped_cases(tmp_path: Path) -> None:
    ratchet = {"a-2024-01-01:x", "a-2024-01-01:y", "b-2024-01-01:x"}
    results = [_result("a-2024-01-01", {"x": True, "y": False, "z": True}), _result("b-2024-01-01", {}, "skipped")]
    assert runner.ratchet_regressions(results, ratchet) == ["a-2024-01-01:y"]


def test_write_ratchet_keeps_entries_of_cases_that_did_not_run(tmp_path: Path) -> None:
    path = tmp_path / "agreement.json"
    path.write_text(json.dumps({"agree": ["a-2024-01-01:y", "b-2024-01-01:x"]}))
    results = [_result("a-2024-01-01", {"x": True, "y": False}), _result("b-2024-01-01", {}, "skipped")]
    runner.write_ratchet(path, results)
    assert json.loads(path.read_text()) == {"agree": ["a-2024-01-01:x", "b-2024-01-01:x"]}


def test_cli_prints_figures_writes_json_and_fails_on_a_ratchet_regression(
    mirrors: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expectations = {
        "gov-coc-adoption": ["met"],
        "eco-adopters-list": ["met"],
        **{c: ["not_met", "partial"] for c in ("eng-roadmap", "eng-release-process", "gov-maintainers-list")},
        "sec-reporting-process": ["not_met", "partial"],
    }
    template = _case()["checks"][0]
    checks = [{**template, "criterion": c, "expect": e} for c, e in expectations.items()]
    cases = tmp_path / "cases"
    _write_case(cases, "cert-manager-2024-10-01", _case(checks=checks))
    ratchet = tmp_path / "agreement.json"
    ratchet.write_text(json.dumps({"agree": ["cert-manager-2024-10-01:eco-adopters-list"]}))
    out = tmp_path / "summary.json"
    argv = ["--mirrors", str(mirrors), "--cases", str(cases), "--work", str(tmp_path / "work"), "--json", str(out)]
    assert runner.main([*argv, "--ratchet", str(ratchet)]) == 1  # no adopters file: that check cannot agree
    printed = capsys.readouterr().out
    assert "ratchet: cert-manager-2024-10-01:eco-adopters-list agreed before and no longer does" in printed
    assert "TOTAL" in printed and "slowest case: cert-manager-2024-10-01" in printed
    summary = json.loads(out.read_text())
    assert summary["total"]["checks"] == 6 and summary["cases"][0]["state"] == "scanned"
    assert runner.main([*argv, "--update-ratchet", str(ratchet)]) == 0
    assert "cert-manager-2024-10-01:gov-coc-adoption" in json.loads(ratchet.read_text())["agree"]
    assert runner.main([*argv, "--ratchet", str(ratchet)]) == 0
    assert runner.main(["--mirrors", str(tmp_path / "absent")]) == 2
