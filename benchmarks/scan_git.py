"""Benchmark of the git side of a scan, against repositories served as github.com serves them.

    python benchmarks/scan_git.py fixture                  # the 10-repo Dragonfly fixture (needs ../shared)
    python benchmarks/scan_git.py mirror kubernetes/community   # a fetched copy under /work/.mirror
    python benchmarks/scan_git.py mirror istio/istio
    python benchmarks/scan_git.py synthetic --repos 200    # a generated org of small repos
    python benchmarks/scan_git.py synthetic --repos 1000 --nofile 256

Each repository is served by a loopback ``git daemon`` with ``uploadpack.allowFilter`` and
``uploadpack.allowAnySHA1InWant`` (a mirror is served from a hard-linked copy), so clones are blob-less partial
clones and explicit blob requests are answered, as on github.com; the org listing comes from a loopback fake of
the GitHub API. The scan runs as a user runs it (``python -m dd_evidence``): once cold (empty cache), then
warm ``--warm-runs`` times (the median is reported).
Only the probes that read git alone run by default (``--all-probes`` for every probe: the others would ask
services this machine may not reach).

Reported per run: wall time; fetch round trips (``git-upload-pack`` runs the daemon served, total and the most
for one repo); peak processes and open files of the scan's process tree (sampled every 50 ms); the scanning
Python process's peak RSS; and, beside it, the *floor* measured in the same run: per repo a blob-less clone,
one bulk fetch of the same candidate blobs and one ``git log`` over the same window, summed. Not a test: run
it by hand; the targets are issue 17's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from e2e.fakegithub import FakeGitHub  # noqa: E402
from gitfixture import GitDaemon  # noqa: E402

from dd_evidence.context import HISTORY_DAYS  # noqa: E402
from dd_evidence.registry import load_probes  # noqa: E402
from dd_evidence.sources.git import default_candidates  # noqa: E402

MIRRORS = Path("/work/.mirror")
SERVER_CONFIG = "[uploadpack]\n\tallowFilter = true\n\tallowAnySHA1InWant = true\n"

# Runs the CLI and prints the Python process's own peak RSS (KiB) as the last stderr line.
# An exit handler, not a ``finally``: ``python -m dd_evidence`` leaves by os._exit once the handlers have run.
MEASURED = (
    "import atexit, resource, runpy, sys\n"
    "atexit.register(lambda: print(f'peak-rss-kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', "
    "file=sys.stderr, flush=True))\n"
    "sys.argv = ['dd_evidence', *sys.argv[1:]]\n"
    "runpy.run_module('dd_evidence', run_name='__main__')\n"
)


# -- what is served -----------------------------------------------------------------------------------------


def serve_fixture(serve: Path) -> tuple[str, str, list[str]]:
    from realdata.conftest import build_dragonfly_org

    build_dragonfly_org(serve)
    names = sorted(p.name for p in (serve / "dragonflyoss").iterdir())
    return "dragonfly", "dragonflyoss", names


def serve_mirror(serve: Path, full_name: str) -> tuple[str, str, list[str]]:
    """A hard-linked copy of /work/.mirror/<owner>+<name>/repo with a server config of its own."""
    owner, name = full_name.split("/")
    source = MIRRORS / f"{owner}+{name}" / "repo"
    if not source.is_dir():
        raise SystemExit(f"{source} is absent: fetch {full_name} first")
    target = serve / owner / name
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    (target / "config").unlink(missing_ok=True)
    (target / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = true\n" + SERVER_CONFIG)
    return full_name, owner, [name]


def serve_synthetic(serve: Path, count: int) -> tuple[str, str, list[str]]:
    """``count`` small repos of the org "synth", each from one ``git fast-import`` stream: a README, a SECURITY.md,
    a MAINTAINERS.md changed twice, a few code files, tags."""
    names = [f"repo-{n:04d}" for n in range(count)]
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for index, name in enumerate(names):
        repo = serve / "synth" / name
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repo)], check=True, env=env)
        (repo / "config").write_text((repo / "config").read_text() + SERVER_CONFIG)
        subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=_stream(index), check=True, env=env)
    return f"synth/{names[0]}", "synth", names


def _stream(index: int) -> bytes:
    base = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) + index * 60
    lines: list[str] = []

    def blob(mark: int, text: str) -> None:
        data = text.removesuffix("\n").encode()
        lines.extend([f"blob\nmark :{mark}\ndata {len(data)}", data.decode().removesuffix("\n")])

    roster = "# Maintainers\n\n| GitHub | Name | Company |\n| --- | --- | --- |\n"
    people = [f"| @dev{index}-{n} | Dev {n} | Company {n % 3} |\n" for n in range(4)]
    blob(1, f"# Repo {index}\n\nSynthetic repository {index}.\n")
    blob(2, "# Security\n\nReport to security@example.org.\n")
    blob(3, roster + "".join(people[:3]))
    blob(4, roster + "".join(people))
    blob(5, "package main\n\nfunc main() {}\n" * 20)
    commits = [
        (1, {"README.md": 1, "SECURITY.md": 2, "main.go": 5, "cmd/tool/main.go": 5}),
        (2, {"MAINTAINERS.md": 3}),
        (3, {"MAINTAINERS.md": 4}),
    ]
    for number, (mark_offset, files) in enumerate(commits):
        when = base + number * 86400 * 30
        message = f"change {number}"
        lines.append(f"commit refs/heads/main\nmark :{100 + mark_offset}")
        lines.append(f"author Dev {index} <dev{index}@example.org> {when} +0000")
        lines.append(f"committer Dev {index} <dev{index}@example.org> {when} +0000")
        lines.append(f"data {len(message)}\n{message}")
        if number:
            lines.append(f"from :{100 + mark_offset - 1}")
        lines.extend(f"M 100644 :{mark} {path}" for path, mark in files.items())
    lines.append("reset refs/tags/v1.0.0\nfrom :102\n")
    return ("\n".join(lines) + "\n").encode()


# -- sampling the scan's process tree -----------------------------------------------------------------------


class TreeSampler:
    """Peak number of processes and open files of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_processes = 0
        self.peak_files = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            tree = self._tree()
            files = 0
            for pid in tree:
                with contextlib.suppress(OSError):
                    files += len(os.listdir(f"/proc/{pid}/fd"))
            self.peak_processes = max(self.peak_processes, len(tree))
            self.peak_files = max(self.peak_files, files)

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [pid for pid, parent in parents.items() if parent in frontier]
            tree += frontier
        return tree


# -- one scan -----------------------------------------------------------------------------------------------


def scan_once(
    project: str, repos_arg: list[str], daemon: GitDaemon, api: str, cache: Path, out: Path, args: argparse.Namespace
) -> dict[str, object]:
    command = [sys.executable, "-c", MEASURED, project, "--git-url", daemon.url_template, "--github-api", api]
    command += ["--cache-dir", str(cache), "--format", "json", "--out", str(out), "--no-progress", *repos_arg]
    if not args.all_probes:
        ids = sorted(p.spec.id for p in load_probes([]).probes if set(p.spec.sources) <= {"git"})
        command += ["--probes", ",".join(ids)]

    def limits() -> None:
        if args.nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (args.nofile, args.nofile))

    before = daemon.upload_packs()
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limits
    )
    with TreeSampler(proc.pid) as sampler:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    after = daemon.upload_packs()
    runs = {repo: after.get(repo, 0) - before.get(repo, 0) for repo in after}
    peak = None
    if "peak-rss-kib " in stderr:
        stderr, _, figure = stderr.rpartition("peak-rss-kib ")
        peak = int(figure.strip()) / 1024
    reports = sorted(out.glob("*.json"))
    report = json.loads(reports[0].read_text()) if reports else {}
    return {
        "exit": proc.returncode,
        "stderr": stderr.strip().splitlines()[-3:],
        "wall": wall,
        "upload_packs": sum(runs.values()),
        "upload_packs_max_per_repo": max(runs.values(), default=0),
        "processes_peak": sampler.peak_processes,
        "open_files_peak": sampler.peak_files,
        "rss_mb": peak,
        "repos_read": sum(1 for r in report.get("repos", []) if r.get("sha")),
        "requests": {k: v for k, v in report.get("requests", {}).items() if k.startswith("git_")},
        "timings": {k: v for k, v in report.get("timings", {}).items() if not k.startswith("probe:")},
        "incomplete": report.get("incomplete"),
    }


# -- the floor ----------------------------------------------------------------------------------------------


def floor(daemon: GitDaemon, owner: str, names: list[str], work: Path) -> dict[str, float]:
    """Per repo: a blob-less clone, one fetch of the candidate blobs at HEAD, one log over the history window."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_NO_LAZY_FETCH": "1"}
    since = int((datetime.now(UTC) - timedelta(days=HISTORY_DAYS)).timestamp())
    totals = {"clone": 0.0, "fetch": 0.0, "log": 0.0}
    for name in names:
        url = daemon.url_template.format(owner=owner, repo=name)
        dest = work / f"{name}.git"
        start = time.perf_counter()
        subprocess.run(["git", "clone", "-q", "--bare", "--filter=blob:none", url, str(dest)], check=True, env=env)
        totals["clone"] += time.perf_counter() - start
        listing = subprocess.run(
            ["git", "-C", str(dest), "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True, env=env
        ).stdout.decode(errors="replace")
        entries = {}
        for record in filter(None, listing.split("\0")):
            meta, _, path = record.partition("\t")
            entries[path] = meta.split(" ")[2]
        oids = [entries[p] for p in default_candidates((p, None) for p in entries)]
        start = time.perf_counter()
        if oids:
            subprocess.run(
                ["git", "-C", str(dest), "-c", "fetch.negotiationAlgorithm=noop", "fetch", "-q", "--no-tags"]
                + ["--no-write-fetch-head", "--filter=blob:none", "--stdin", "origin"],
                input="\n".join(oids).encode(),
                check=True,
                env=env,
            )
        totals["fetch"] += time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run(
            ["git", "-C", str(dest), "log", "-z", "--raw", "--no-renames", f"--since=@{since}", "HEAD"],
            stdout=subprocess.DEVNULL,
            check=True,
            env=env,
        )
        totals["log"] += time.perf_counter() - start
    totals["total"] = sum(totals.values())
    return totals


# -- the prefetch options ------------------------------------------------------------------------------------


def prefetch_options(daemon: GitDaemon, owner: str, name: str, work: Path) -> dict[str, tuple[float, int]]:
    """The ways to bring the candidate blobs of one repo into a blob-less clone: (seconds, upload-pack runs).

    ``lazy``: read them with ``cat-file --batch`` and let git fetch each missing blob (what reads did before);
    ``bulk``: list the missing ones (``cat-file --batch-check`` in a view that never fetches, as the scan does)
    and fetch them with one ``git fetch --stdin``. ``git backfill`` needs git >= 2.49 and is skipped when absent.
    """
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    url = daemon.url_template.format(owner=owner, repo=name)
    found: dict[str, tuple[float, int]] = {}
    for option in ("lazy", "bulk", "backfill"):
        dest = work / f"{option}.git"
        subprocess.run(["git", "clone", "-q", "--bare", "--filter=blob:none", url, str(dest)], check=True, env=env)
        listing = subprocess.run(
            ["git", "-C", str(dest), "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True, env=env
        ).stdout.decode(errors="replace")
        entries = dict(
            (record.partition("\t")[2], record.split(" ")[2].partition("\t")[0])
            for record in filter(None, listing.split("\0"))
        )
        oids = "\n".join(entries[p] for p in default_candidates((p, None) for p in entries)) + "\n"
        before = sum(daemon.upload_packs().values())
        start = time.perf_counter()
        if option == "lazy":
            subprocess.run(
                ["git", "-C", str(dest), "cat-file", "--batch"],
                input=oids.encode(),
                stdout=subprocess.DEVNULL,
                check=True,
                env=env,
            )
        elif option == "bulk":
            subprocess.run(
                ["git", "-C", str(dest), "-c", "fetch.negotiationAlgorithm=noop", "fetch", "-q", "--no-tags"]
                + ["--no-write-fetch-head", "--filter=blob:none", "--stdin", "origin"],
                input=oids.encode(),
                check=True,
                env=env,
            )
        else:
            done = subprocess.run(["git", "-C", str(dest), "backfill"], capture_output=True, env=env)
            if done.returncode != 0:
                continue
        found[option] = (time.perf_counter() - start, sum(daemon.upload_packs().values()) - before)
    return found


# -- main ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["fixture", "mirror", "synthetic"])
    parser.add_argument("name", nargs="?", help="owner/name of a mirror under /work/.mirror")
    parser.add_argument("--repos", type=int, default=200, help="repos of the synthetic org (default 200)")
    parser.add_argument("--nofile", type=int, help="RLIMIT_NOFILE of the scan (e.g. 256, the macOS default)")
    parser.add_argument("--all-probes", action="store_true", help="run every probe, not only the git ones")
    parser.add_argument("--no-floor", action="store_true", help="skip measuring the floor")
    parser.add_argument(
        "--prefetch-options", action="store_true", help="also time lazy vs bulk blob fetching (first repo)"
    )
    parser.add_argument("--warm-runs", type=int, default=5, help="warm scans to run; the median is reported (5)")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir, removed)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="dd-bench-git-"))
    serve = work / "serve"
    shutil.rmtree(serve, ignore_errors=True)
    serve.mkdir(parents=True)
    if args.kind == "fixture":
        project, owner, names = serve_fixture(serve)
    elif args.kind == "mirror":
        if not args.name:
            raise SystemExit("name the mirror: owner/name")
        project, owner, names = serve_mirror(serve, args.name)
    else:
        project, owner, names = serve_synthetic(serve, args.repos)
    listing = {
        f"{owner}/{n}": {"name": n, "default_branch": "main", "archived": False, "fork": False, "private": False}
        for n in names
    }
    data = {"orgs": {owner: {"login": owner, "name": owner}}, "repos": listing}
    repos_arg = ["--repos", ",".join(f"{owner}/{n}" for n in names)] if args.kind == "mirror" else []
    print(f"{args.kind} {args.name or ''}: {len(names)} repo(s) served from {serve}")
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    # Byte-compiled as an installed package is: pip writes the .pyc files, while a working copy run with
    # PYTHONDONTWRITEBYTECODE (set on some machines) compiles every changed module again on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "dd_evidence")], stdout=subprocess.DEVNULL)
    results = {}
    with GitDaemon(serve) as daemon, FakeGitHub(data, lifetime=7200) as gh:
        for label in ("cold", "warm"):
            runs = []
            for index in range(1 if label == "cold" else max(1, args.warm_runs)):
                out = work / f"out-{label}-{index}"
                shutil.rmtree(out, ignore_errors=True)
                runs.append(scan_once(project, repos_arg, daemon, gh.url, cache, out, args))
            # The median run by wall time (the warm runs differ by the machine's noise only).
            results[label] = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]  # type: ignore[arg-type,return-value]
            results[label]["walls"] = [round(r["wall"], 2) for r in runs]  # type: ignore[index,arg-type]
        if not args.no_floor:
            floor_dir = work / "floor"
            shutil.rmtree(floor_dir, ignore_errors=True)
            floor_dir.mkdir()
            results["floor"] = floor(daemon, owner, names, floor_dir)
        if args.prefetch_options:
            options_dir = work / "options"
            shutil.rmtree(options_dir, ignore_errors=True)
            options_dir.mkdir()
            results["options"] = prefetch_options(daemon, owner, names[0], options_dir)
    base = results.get("floor", {}).get("total")  # type: ignore[union-attr]
    for label in ("cold", "warm"):
        r = results[label]
        ratio = f" = {r['wall'] / base:.1f}x the floor" if base else ""  # type: ignore[operator]
        print(
            f"{label}: {r['wall']:.2f} s wall{ratio}, exit {r['exit']}, {r['repos_read']}/{len(names)} repos read, "
            f"{r['upload_packs']} upload-pack runs (max {r['upload_packs_max_per_repo']} per repo), "
            f"peak {r['processes_peak']} processes / {r['open_files_peak']} open files, "
            f"Python RSS {r['rss_mb'] or 0:.0f} MB; {r['requests']}; {r['timings']}"
            + (f"; median of {len(r['walls'])} runs {r['walls']}" if len(r["walls"]) > 1 else "")  # type: ignore[arg-type]
        )
        if r["exit"] != 0:
            print("   stderr:", *r["stderr"])
    if base:
        f = results["floor"]
        print(
            f"floor: {f['total']:.2f} s (blob-less clone {f['clone']:.2f} + one bulk fetch {f['fetch']:.2f} "  # type: ignore[index]
            f"+ one log {f['log']:.2f})"  # type: ignore[index]
        )
    for option, (seconds, runs) in results.get("options", {}).items():  # type: ignore[union-attr]
        print(f"prefetch option {option}: {seconds:.2f} s, {runs} upload-pack runs")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
