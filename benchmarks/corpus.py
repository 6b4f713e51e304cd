"""Corpus benchmark: how often dd-evidence agrees with TOC due-diligence reviews, scanned offline.

    python benchmarks/corpus.py --mirrors /work/.mirror [--cases DIR ...] [--only SLUG[,SLUG]] [--json OUT]
                                [--work DIR] [--cold] [--case-timeout S]
                                [--ratchet FILE] [--update-ratchet FILE]

Each case (``tests/corpus/cases/<slug>-<YYYY-MM-DD>.yaml``, schema in ``tests/corpus/README.md``) names a
project, a level, an as-of instant, the repositories holding the evidence and the statuses a careful reviewer
could defend for 6-12 criteria. For every case the runner serves each repository from the mirrors through a
hard-linked bare copy that allows partial clones (``WORK/mirrors/{owner}+{repo}/repo``; a case's ``branches`` make
another branch the copy's default one, in ``WORK/mirrors-<key>``), scans it with
``python -m dd_evidence PROJECT --offline --git-url file://WORK/mirrors/{owner}+{repo}/repo --repos ...
--as-of ... --level ... --format json``, and compares each check's status with what the case expects.

It prints one line per case (agreement, seconds, then each miss with the tool's status and rationale), the
per-project and total figures, and writes a JSON summary with ``--json``. Cases whose repositories are not in
the mirrors are listed as skipped and never counted; a scan that fails counts all its checks as misses.

The scan runs the dd_evidence of the checkout this file lives in (its root goes first on PYTHONPATH), so a
branch measures its own code. Not a test: the pytest wrapper is ``tests/corpus/test_corpus.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = ROOT / "tests" / "corpus" / "cases"
DEFAULT_WORK = Path(tempfile.gettempdir()) / f"dd-evidence-corpus-{os.getuid()}"
MIRROR_TEMPLATE = "{owner}+{repo}"

STATUSES = ("met", "partial", "not_met", "manual")
INSTANTS = ("findings-open", "findings-fixed", "review")
LEVELS = ("incubation", "graduation")
MIN_CHECKS, MAX_CHECKS = 6, 12
MAX_MANUAL_ONLY = 2
CASE_FILE = re.compile(r"^(?P<slug>[a-z0-9][a-z0-9-]*?)-(?P<date>\d{4}-\d{2}-\d{2})$")
REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
SHORT_SHA = re.compile(r"^[0-9a-f]{7,40}$")
TOP_KEYS = {"project", "level", "as_of", "instant", "review", "repos", "checks"}
OPTIONAL_TOP_KEYS = {"branches"}
BRANCH_NAME = re.compile(r"^[A-Za-z0-9._][A-Za-z0-9._/-]*$")
CHECK_KEYS = {"criterion", "expect", "evidence", "reviewer", "note"}
EVIDENCE_KEYS = {"repo", "sha", "file", "says"}


# ---------------------------------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Check:
    criterion: str
    expect: tuple[str, ...]
    evidence: dict[str, Any]
    reviewer: str
    note: str | None = None


@dataclass(frozen=True)
class Case:
    """One project at one instant, as a case file states it."""

    id: str  # the file stem, unique over all case directories
    path: Path
    project: str
    level: str
    as_of: datetime
    instant: str
    review: dict[str, Any]
    repos: tuple[str, ...]
    checks: tuple[Check, ...]
    branches: tuple[tuple[str, str], ...] = ()  # (owner/name, branch) served as the default branch

    def branch(self, repo: str) -> str | None:
        return next((b for r, b in self.branches if r.lower() == repo.lower()), None)

    @property
    def slug(self) -> str:
        return CASE_FILE.match(self.id).group("slug") if CASE_FILE.match(self.id) else self.id


def parse_instant(value: Any) -> datetime | None:
    """An explicit UTC instant: a tz-aware YAML timestamp or an ISO string with Z / +00:00; None otherwise."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and re.search(r"T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value.strip()):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None or parsed.utcoffset().total_seconds() != 0:
        return None
    return parsed.astimezone(UTC)


def read_case_data(path: Path) -> Any:
    # A YAML timestamp with "Z" loads as an aware datetime; keep it, parse_instant accepts both forms.
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def case_problems(path: Path, data: Any, criteria_for: Any = None) -> list[str]:
    """Everything wrong with one case file (empty when it is sound).

    ``criteria_for(level, as_of) -> set of ids`` checks criterion ids against the catalogue in force; without it
    ids are not checked (the runner only needs the shape; tests/corpus/test_cases.py passes the catalogue).
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        return ["the file is not a YAML mapping"]
    problems += [f"unknown key {k!r}" for k in sorted(set(data) - TOP_KEYS - OPTIONAL_TOP_KEYS)]
    problems += [f"missing key {k!r}" for k in sorted(TOP_KEYS - set(data))]
    if problems:
        return problems
    project, level = data["project"], data["level"]
    if not isinstance(project, str) or not project.strip():
        problems.append("project must be a non-empty string")
    if level not in LEVELS:
        problems.append(f"level {level!r} is not one of {', '.join(LEVELS)}")
    as_of = parse_instant(data["as_of"])
    if as_of is None:
        problems.append(f"as_of {data['as_of']!r} is not an explicit UTC instant (e.g. 2024-10-01T00:00:00Z)")
    if data["instant"] not in INSTANTS:
        problems.append(f"instant {data['instant']!r} is not one of {', '.join(INSTANTS)}")
    match = CASE_FILE.match(path.stem)
    if not match:
        problems.append(f"file name {path.name!r} is not <project-slug>-<YYYY-MM-DD>.yaml")
    else:
        if isinstance(project, str) and match.group("slug") != project.lower():
            problems.append(f"file slug {match.group('slug')!r} is not the project {project!r} in lower case")
        if as_of is not None and match.group("date") != as_of.date().isoformat():
            problems.append(f"file date {match.group('date')} is not the as_of date {as_of.date().isoformat()}")
    review = data["review"]
    if not isinstance(review, dict) or set(review) != {"path", "sha"}:
        problems.append("review must have exactly path and sha")
    elif not (isinstance(review["path"], str) and review["path"]) or not SHORT_SHA.match(str(review["sha"])):
        problems.append("review.path must be a path and review.sha a short hex sha")
    repos = data["repos"]
    if not isinstance(repos, list) or not repos:
        problems.append("repos must be a non-empty list")
        repos = []
    for repo in repos:
        if not isinstance(repo, str) or not REPO_NAME.match(repo):
            problems.append(f"repo {repo!r} is not owner/name")
    if len({str(r).lower() for r in repos}) != len(repos):
        problems.append("repos lists a repository twice")
    if "branches" in data:
        problems += _branch_problems(data["branches"], repos)
    checks = data["checks"]
    if not isinstance(checks, list):
        return [*problems, "checks must be a list"]
    if not MIN_CHECKS <= len(checks) <= MAX_CHECKS:
        problems.append(f"{len(checks)} checks: a case has {MIN_CHECKS} to {MAX_CHECKS}")
    known = None
    if criteria_for is not None and level in LEVELS and as_of is not None:
        known = criteria_for(level, as_of)
    seen: set[str] = set()
    manual_only = 0
    for index, check in enumerate(checks):
        problems += [f"checks[{index}]: {p}" for p in _check_problems(check, repos, known)]
        if isinstance(check, dict):
            criterion = check.get("criterion")
            if criterion in seen:
                problems.append(f"checks[{index}]: criterion {criterion!r} is checked twice")
            seen.add(criterion)
            if check.get("expect") == ["manual"]:
                manual_only += 1
    if manual_only > MAX_MANUAL_ONLY:
        problems.append(f"{manual_only} checks expect only manual: at most {MAX_MANUAL_ONLY}")
    return problems


def _branch_problems(branches: Any, repos: list[str]) -> list[str]:
    """``branches`` maps a repo of the case to the branch that was its default branch at as_of."""
    if not isinstance(branches, dict) or not branches:
        return ["branches must map owner/name to a branch name"]
    problems = []
    names = {str(r).lower() for r in repos}
    for repo, branch in branches.items():
        if str(repo).lower() not in names:
            problems.append(f"branches: {repo!r} is not one of the case's repos")
        if not isinstance(branch, str) or not BRANCH_NAME.match(branch) or ".." in branch:
            problems.append(f"branches: {branch!r} is not a branch name")
    return problems


def _check_problems(check: Any, repos: list[str], known: set[str] | None) -> list[str]:
    if not isinstance(check, dict):
        return ["a check must be a mapping"]
    problems = [f"unknown key {k!r}" for k in sorted(set(check) - CHECK_KEYS)]
    problems += [f"missing key {k!r}" for k in ("criterion", "expect", "evidence", "reviewer") if k not in check]
    if problems:
        return problems
    criterion = check["criterion"]
    if known is not None and criterion not in known:
        problems.append(f"criterion {criterion!r} is not in the catalogue in force at as_of for this level")
    expect = check["expect"]
    if not isinstance(expect, list) or not expect:
        problems.append("expect must be a non-empty list of statuses")
    else:
        if "unknown" in expect:
            problems.append("expect holds unknown: a case never expects unknown")
        problems += [f"expect: {s!r} is not one of {', '.join(STATUSES)}" for s in expect if s not in STATUSES]
        if len(set(expect)) != len(expect):
            problems.append("expect repeats a status")
    evidence = check["evidence"]
    if not isinstance(evidence, dict):
        return [*problems, "evidence must be a mapping"]
    problems += [f"evidence: unknown key {k!r}" for k in sorted(set(evidence) - EVIDENCE_KEYS)]
    problems += [f"evidence: missing key {k!r}" for k in sorted(EVIDENCE_KEYS - set(evidence))]
    if "repo" in evidence and str(evidence["repo"]).lower() not in {str(r).lower() for r in repos}:
        problems.append(f"evidence.repo {evidence['repo']!r} is not one of the case's repos")
    if "sha" in evidence and not SHORT_SHA.match(str(evidence["sha"])):
        problems.append(f"evidence.sha {evidence['sha']!r} is not a short hex sha")
    for key in ("file", "says"):
        if key in evidence and not (isinstance(evidence[key], str) and evidence[key].strip()):
            problems.append(f"evidence.{key} must be a non-empty string")
    for key in ("reviewer", "note"):
        if key in check and not (isinstance(check[key], str) and check[key].strip()):
            problems.append(f"{key} must be a non-empty string")
    return problems


def load_case(path: Path) -> Case:
    """A case from its file; ValueError naming every problem when the shape is wrong."""
    data = read_case_data(path)
    problems = case_problems(path, data)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    checks = tuple(
        Check(
            criterion=c["criterion"],
            expect=tuple(c["expect"]),
            evidence=dict(c["evidence"]),
            reviewer=c["reviewer"],
            note=c.get("note"),
        )
        for c in data["checks"]
    )
    return Case(
        id=path.stem,
        path=path,
        project=data["project"],
        level=data["level"],
        as_of=parse_instant(data["as_of"]),  # type: ignore[arg-type]
        instant=data["instant"],
        review=dict(data["review"]),
        repos=tuple(data["repos"]),
        checks=checks,
        branches=tuple(sorted(data.get("branches", {}).items())),
    )


def case_files(directories: Iterable[Path]) -> list[Path]:
    files: dict[str, Path] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")):
            if path.stem in files:
                raise ValueError(f"case {path.stem} is in {files[path.stem].parent} and {directory}")
            files[path.stem] = path
    return [files[k] for k in sorted(files)]


def select(cases: list[Case], only: Sequence[str]) -> list[Case]:
    """Cases whose project slug or file stem is named in ``only`` (all when empty)."""
    wanted = {o.lower() for o in only}
    return [c for c in cases if not wanted or c.slug in wanted or c.id in wanted or c.project.lower() in wanted]


# ---------------------------------------------------------------------------------------------------- mirrors


def find_mirror(mirrors: Path, full_name: str) -> Path | None:
    """The git directory of ``owner/name`` under ``mirrors/<owner>+<name>/repo`` (bare or with ``.git``).

    Names are matched without regard to case: GitHub's are case-insensitive (cubeFS/cubefs).
    """
    owner, _, name = full_name.partition("/")
    wanted = MIRROR_TEMPLATE.format(owner=owner, repo=name).lower()
    try:
        entries = [p for p in mirrors.iterdir() if p.name.lower() == wanted]
    except OSError:
        return None
    for entry in sorted(entries):
        repo = entry / "repo"
        if (repo / ".git" / "HEAD").is_file():
            return repo / ".git"
        if (repo / "HEAD").is_file() and (repo / "objects").is_dir():
            return repo
    return None


def served_copy(source: Path, root: Path, full_name: str, branch: str | None = None) -> Path:
    """A hard-linked bare copy of ``source`` under ``root`` that answers partial clones, made once and reused.

    ``branch`` becomes the copy's default branch (HEAD): for a repository whose default branch was later
    replaced by an unrelated history, the branch that still holds the old one serves it as it was then.
    """
    owner, _, name = full_name.partition("/")
    dest = root / MIRROR_TEMPLATE.format(owner=owner, repo=name) / "repo"
    stamp = dest / "dd-corpus-source"
    origin = f"{source}@{branch or 'HEAD'}"
    if stamp.is_file() and stamp.read_text() == origin:
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    env = _git_env()
    subprocess.run(["git", "clone", "-q", "--bare", "--local", str(source), str(dest)], check=True, env=env)
    for key in ("uploadpack.allowFilter", "uploadpack.allowAnySHA1InWant"):
        subprocess.run(["git", "-C", str(dest), "config", key, "true"], check=True, env=env)
    if branch:
        ref = f"refs/heads/{branch}"
        subprocess.run(
            ["git", "-C", str(dest), "rev-parse", "--verify", "-q", ref], check=True, env=env, capture_output=True
        )
        subprocess.run(["git", "-C", str(dest), "symbolic-ref", "HEAD", ref], check=True, env=env)
    stamp.write_text(origin)
    return dest


def serving_key(case: Case) -> str:
    """Cases that serve some repository from another branch get their own served copies and clone cache: a
    cached clone keeps the default branch it was cloned with."""
    if not case.branches:
        return ""
    text = ";".join(f"{r.lower()}={b}" for r, b in case.branches)
    return "-" + hashlib.sha1(text.encode()).hexdigest()[:10]


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0")
    return env


# ---------------------------------------------------------------------------------------------------- scans


@dataclass
class CheckResult:
    criterion: str
    expect: list[str]
    status: str | None
    rationale: str
    agrees: bool


@dataclass
class CaseResult:
    id: str
    project: str
    level: str
    as_of: str
    instant: str
    state: str  # scanned | skipped | error
    reason: str = ""
    seconds: float = 0.0
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def agreed(self) -> int:
        return sum(1 for c in self.checks if c.agrees)

    @property
    def counted(self) -> int:
        return len(self.checks) if self.state != "skipped" else 0


def scan_command(case: Case, served: Path, out: Path, cache: Path) -> list[str]:
    template = f"file://{served}/{MIRROR_TEMPLATE}/repo"
    return [
        sys.executable,
        "-m",
        "dd_evidence",
        case.project,
        "--offline",
        "--git-url",
        template,
        "--repos",
        ",".join(case.repos),
        "--as-of",
        case.as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--level",
        case.level,
        "--format",
        "json",
        "--out",
        str(out),
        "--cache-dir",
        str(cache),
        "--no-progress",
    ]


def run_case(case: Case, mirrors: Path, work: Path, cold: bool = False, timeout: float = 600) -> CaseResult:
    result = CaseResult(case.id, case.project, case.level, _iso(case.as_of), case.instant, "scanned")
    missing = [r for r in case.repos if find_mirror(mirrors, r) is None]
    if missing:
        result.state, result.reason = "skipped", "no mirror of " + ", ".join(missing)
        return result
    key = serving_key(case)
    served = work / f"mirrors{key}"
    try:
        for repo in case.repos:
            served_copy(find_mirror(mirrors, repo), served, repo, case.branch(repo))  # type: ignore[arg-type]
    except subprocess.CalledProcessError as exc:
        return _failed(case, result, f"cannot serve a copy: {' '.join(exc.cmd[-3:])} failed", 0.0)
    out = work / "out" / case.id
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cache = work / f"cache{key}"
    if cold:
        cache = work / "cold-cache" / case.id
        shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            scan_command(case, served, out, cache), capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return _failed(case, result, f"scan did not finish in {timeout:g} s", time.perf_counter() - start)
    seconds = time.perf_counter() - start
    reports = sorted(out.glob("*.json"))
    if proc.returncode != 0 or len(reports) != 1:
        tail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return _failed(case, result, f"scan failed (exit {proc.returncode}): {tail}", seconds)
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    result.seconds = round(seconds, 1)
    result.checks = compare(case, report)
    return result


def _failed(case: Case, result: CaseResult, reason: str, seconds: float) -> CaseResult:
    result.state, result.reason, result.seconds = "error", reason, round(seconds, 1)
    result.checks = [CheckResult(c.criterion, list(c.expect), None, reason, False) for c in case.checks]
    return result


def compare(case: Case, report: dict[str, Any]) -> list[CheckResult]:
    by_id = {c["criterion"]: c for c in report.get("criteria", [])}
    results = []
    for check in case.checks:
        got = by_id.get(check.criterion)
        if got is None:
            results.append(CheckResult(check.criterion, list(check.expect), None, "not in the report", False))
            continue
        status = got["status"]
        results.append(
            CheckResult(check.criterion, list(check.expect), status, got.get("rationale", ""), status in check.expect)
        )
    return results


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------------- figures


def per_project(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for result in results:
        row = table.setdefault(result.project, {"cases": 0, "skipped": 0, "checks": 0, "agreed": 0})
        if result.state == "skipped":
            row["skipped"] += 1
            continue
        row["cases"] += 1
        row["checks"] += result.counted
        row["agreed"] += result.agreed
    return table


def percent(agreed: int, checks: int) -> str:
    return f"{100 * agreed / checks:.1f}%" if checks else "n/a"


def case_line(result: CaseResult) -> list[str]:
    if result.state == "skipped":
        return [f"{result.id:<34} skipped: {result.reason}"]
    head = f"{result.id:<34} {result.agreed:>2}/{len(result.checks):<2} {percent(result.agreed, result.counted):>6}"
    head += f"  {result.seconds:5.1f}s"
    if result.state == "error":
        return [f"{head}  ERROR {result.reason}"]
    lines = [head]
    for check in result.checks:
        if not check.agrees:
            expected = "|".join(check.expect)
            lines.append(f"    miss {check.criterion}: tool {check.status} (expected {expected}) - {check.rationale}")
    return lines


def summary_lines(results: list[CaseResult]) -> list[str]:
    table = per_project(results)
    lines = ["", f"{'project':<16} {'cases':>5} {'skipped':>7} {'checks':>6} {'agreed':>6} {'agreement':>9}"]
    for project in sorted(table):
        row = table[project]
        lines.append(
            f"{project:<16} {row['cases']:>5} {row['skipped']:>7} {row['checks']:>6} {row['agreed']:>6} "
            f"{percent(row['agreed'], row['checks']):>9}"
        )
    total = {k: sum(r[k] for r in table.values()) for k in ("cases", "skipped", "checks", "agreed")}
    lines.append(
        f"{'TOTAL':<16} {total['cases']:>5} {total['skipped']:>7} {total['checks']:>6} {total['agreed']:>6} "
        f"{percent(total['agreed'], total['checks']):>9}"
    )
    scanned = [r for r in results if r.state != "skipped"]
    if scanned:
        slowest = max(scanned, key=lambda r: r.seconds)
        lines.append(f"slowest case: {slowest.id} {slowest.seconds:.1f} s")
    return lines


def summary_json(results: list[CaseResult]) -> dict[str, Any]:
    table = per_project(results)
    checks = sum(r["checks"] for r in table.values())
    agreed = sum(r["agreed"] for r in table.values())
    return {
        "generated_at": _iso(datetime.now(UTC)),
        "code": _code_version(),
        "total": {
            "cases": sum(r["cases"] for r in table.values()),
            "skipped": sum(r["skipped"] for r in table.values()),
            "checks": checks,
            "agreed": agreed,
            "agreement": round(agreed / checks, 4) if checks else None,
        },
        "projects": {
            p: {**row, "agreement": round(row["agreed"] / row["checks"], 4) if row["checks"] else None}
            for p, row in sorted(table.items())
        },
        "cases": [
            {
                "id": r.id,
                "project": r.project,
                "level": r.level,
                "as_of": r.as_of,
                "instant": r.instant,
                "state": r.state,
                "reason": r.reason,
                "seconds": r.seconds,
                "agreed": r.agreed,
                "checks": [vars(c) for c in r.checks],
            }
            for r in results
        ],
    }


def _code_version() -> str:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, env=_git_env()
    )
    return f"{ROOT} @ {proc.stdout.strip() or 'unknown'}"


# ---------------------------------------------------------------------------------------------------- ratchet


def agreeing_checks(results: list[CaseResult]) -> set[str]:
    """``<case id>:<criterion>`` of every check that agrees."""
    return {f"{r.id}:{c.criterion}" for r in results for c in r.checks if c.agrees}


def read_ratchet(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    return set(json.loads(path.read_text(encoding="utf-8")).get("agree", []))


def ratchet_regressions(results: list[CaseResult], ratchet: set[str]) -> list[str]:
    """Checks the ratchet says agreed that now, in a case that was scanned, do not."""
    ran = {f"{r.id}:{c.criterion}" for r in results if r.state != "skipped" for c in r.checks}
    return sorted((ratchet & ran) - agreeing_checks(results))


def write_ratchet(path: Path, results: list[CaseResult]) -> set[str]:
    """Rewrite the ratchet: the agreeing checks of the cases that ran, the old entries of the cases that did not."""
    ran_cases = {r.id for r in results if r.state != "skipped"}
    kept = {key for key in read_ratchet(path) if key.split(":", 1)[0] not in ran_cases}
    entries = sorted(kept | agreeing_checks(results))
    path.write_text(json.dumps({"agree": entries}, indent=1) + "\n", encoding="utf-8")
    return set(entries)


# ---------------------------------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mirrors",
        type=Path,
        default=os.environ.get("DD_EVIDENCE_MIRRORS"),
        help="folder of <owner>+<name>/repo copies (default: $DD_EVIDENCE_MIRRORS)",
    )
    parser.add_argument(
        "--cases", type=Path, action="append", help=f"case folder, repeatable (default {DEFAULT_CASES})"
    )
    parser.add_argument("--only", action="append", default=[], help="project slugs or case ids, comma list")
    parser.add_argument("--json", type=Path, help="write the JSON summary here")
    parser.add_argument(
        "--work", type=Path, default=DEFAULT_WORK, help=f"served copies, cache, reports ({DEFAULT_WORK})"
    )
    parser.add_argument("--cold", action="store_true", help="an empty clone cache for every case (cold timings)")
    parser.add_argument("--case-timeout", type=float, default=600, help="seconds before a scan counts as failed")
    parser.add_argument(
        "--ratchet", type=Path, help="agreement.json: exit 1 when a check listed there no longer agrees"
    )
    parser.add_argument("--update-ratchet", type=Path, help="rewrite this agreement.json from the run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    opts = build_parser().parse_args(argv)
    if opts.mirrors is None or not Path(opts.mirrors).is_dir():
        print("corpus: --mirrors must name a folder of repository copies", file=sys.stderr)
        return 2
    only = [item.strip() for chunk in opts.only for item in chunk.split(",") if item.strip()]
    try:
        cases = select([load_case(p) for p in case_files(opts.cases or [DEFAULT_CASES])], only)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"corpus: {exc}", file=sys.stderr)
        return 2
    if not cases:
        print("corpus: no case matches", file=sys.stderr)
        return 2
    opts.work.mkdir(parents=True, exist_ok=True)
    print(f"corpus: {len(cases)} cases, code {_code_version()}", flush=True)
    results = []
    for case in cases:
        result = run_case(case, Path(opts.mirrors), opts.work, cold=opts.cold, timeout=opts.case_timeout)
        results.append(result)
        print("\n".join(case_line(result)), flush=True)
    print("\n".join(summary_lines(results)))
    if opts.json:
        opts.json.write_text(json.dumps(summary_json(results), indent=1) + "\n", encoding="utf-8")
    if opts.update_ratchet:
        entries = write_ratchet(opts.update_ratchet, results)
        print(f"ratchet: {len(entries)} agreeing checks written to {opts.update_ratchet}")
    if opts.ratchet:
        regressed = ratchet_regressions(results, read_ratchet(opts.ratchet))
        for key in regressed:
            print(f"ratchet: {key} agreed before and no longer does")
        if regressed:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
