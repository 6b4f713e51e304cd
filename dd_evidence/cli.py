"""The command line: a thin layer over ``scan()`` and the renderers.

    python -m dd_evidence PROJECT [options]      scan and write reports
    python -m dd_evidence probes                 list the probes
    python -m dd_evidence criteria --level L     list the criteria of a level
    python -m dd_evidence schema                 print the JSON report schema
    python -m dd_evidence diff OLD.json NEW.json what changed between two JSON reports

Exit codes: 0 report written (whatever the criteria say); 1 with --fail-on when a required criterion has one
of the given statuses; 2 bad input; 3 could not scan at all; 4 network down; 130 interrupted (Ctrl-C), after
writing the partial report.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypedDict

from dd_evidence import __version__
from dd_evidence.context import DEFAULT_ACTIVITY_DAYS, DEFAULT_GITHUB_API, ScanConfig
from dd_evidence.errors import (
    EXIT_CANNOT_SCAN,
    EXIT_CRITERIA_NOT_MET,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    BadInput,
    DDError,
    ScanInterrupted,
)
from dd_evidence.inputs import check_url_template, check_writable_dir
from dd_evidence.isolation import DEFAULT_PROBE_TIMEOUT, stdout_dropped
from dd_evidence.model import CriterionStatus, Report, Requirement
from dd_evidence.outfiles import write_text_atomic
from dd_evidence.render import FORMATS, parse_formats, report_filename, write_reports
from dd_evidence.scrub import scrub, terminal_safe
from dd_evidence.timeutil import parse_as_of

if TYPE_CHECKING:
    from rich.console import Console

    from dd_evidence.resolve import ProjectRef
    from dd_evidence.scan import Notify

# The scanning machinery, the renderers and PyGithub load when a command needs them, not for --help.

COMMANDS = ("scan", "probes", "criteria", "schema", "diff")
_TOKEN_FILE_MAX = 4096
OUT_DEFAULT = ("md", "json")
"""What ``--out DIR`` writes when ``--format`` is not given: the DD draft and the JSON report."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every bad input takes the same one-line path."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(message)


def build_scan_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m dd_evidence",
        description="Gather the evidence for a CNCF TOC due-diligence review of PROJECT.",
        epilog="Other commands: probes, criteria [--level L], schema, diff OLD.json NEW.json. "
        "Exit codes: 0 written, 1 --fail-on matched, 2 bad input, 3 could not scan, 4 network down.",
    )
    parser.add_argument(
        "project",
        help="CNCF project name, GitHub org, owner/repo, repository URL or local path ('.' scans the working copy you "
        "are in as a self-check)",
    )
    parser.add_argument("--level", default="graduation", help="incubation or graduation (default: graduation)")
    parser.add_argument(
        "--as-of",
        help="scan the repos as they were at this UTC instant; YYYY-MM-DD means 00:00Z (default: their newest commits)",
    )
    parser.add_argument(
        "--format",
        help="comma list of: " + ", ".join(FORMATS) + f" (default: terminal; with --out: {','.join(OUT_DEFAULT)})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for the report files (default: the current folder when --format names a file format)",
    )
    parser.add_argument("--repos", help="comma list of repos (name or owner/name) (default: every repo of the org)")
    parser.add_argument("--offline", action="store_true", help="no network: local or cached git only (default: off)")
    parser.add_argument(
        "--git-url",
        help="clone URL template, e.g. 'file:///srv/{owner}/{repo}' (default: https://github.com/{owner}/{repo}.git, "
        "or the host of --github-api)",
    )
    parser.add_argument(
        "--web-url",
        help="permalink base template (default: https://github.com/{owner}/{repo}, or the host of --github-api; a "
        "local working copy: its origin remote, else paths relative to it)",
    )
    parser.add_argument(
        "--github-api",
        default=DEFAULT_GITHUB_API,
        help=f"GitHub (Enterprise) API base URL (default: {DEFAULT_GITHUB_API})",
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        help="file holding a GitHub token (default: $GITHUB_TOKEN, else $GH_TOKEN, else none)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="where clones, API answers and parsed documents are cached (default: $DD_EVIDENCE_CACHE, else "
        "$XDG_CACHE_HOME/dd-evidence, else ~/.cache/dd-evidence)",
    )
    parser.add_argument("--probes", help="comma list of probe ids or prefixes to run (default: all)")
    parser.add_argument(
        "--probes-dir", type=Path, action="append", default=[], help="load probes from *.py here (default: none)"
    )
    parser.add_argument(
        "--check-links", action="store_true", help="check external links in documents live (default: off)"
    )
    parser.add_argument(
        "--window",
        type=int,
        default=DEFAULT_ACTIVITY_DAYS,
        help=f"activity window in days, ending at the scanned instant; every activity figure uses it "
        f"(default: {DEFAULT_ACTIVITY_DAYS})",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one API answer (default: 30)")
    parser.add_argument(
        "--probe-timeout",
        type=float,
        default=DEFAULT_PROBE_TIMEOUT,
        help=f"seconds one probe may run before it is reported as an error (default: {DEFAULT_PROBE_TIMEOUT:g})",
    )
    parser.add_argument(
        "--fail-on",
        help="exit 1 when a required criterion has one of these statuses, e.g. not_met or not_met,partial "
        "(default: exit 0 whatever the criteria say)",
    )
    parser.add_argument(
        "--compare-to",
        type=Path,
        help="an earlier JSON report: print what changed (terminal) and write <report>-diff.md beside the reports "
        "(default: none)",
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="list every finding in the terminal (default: the summary)"
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress display (default: a progress bar on a terminal)"
    )
    parser.add_argument(
        "--record", type=Path, metavar="DIR", help="record every HTTP exchange of the scan here (default: none)"
    )
    parser.add_argument(
        "--replay", type=Path, metavar="DIR", help="answer every HTTP request from a --record (default: none)"
    )
    parser.add_argument("--version", action="version", version=f"dd-evidence {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (``python -m dd_evidence`` exits with it)."""
    from rich.console import Console

    args = list(sys.argv[1:] if argv is None else argv)
    err = Console(stderr=True, highlight=False)
    # Whatever an error line says passes through scrub() with these (the token once read joins them) and
    # loses its control characters: exception texts may quote a header, and a repo name may carry ESC codes.
    secrets: list[str | None] = [os.environ.get("GITHUB_TOKEN"), os.environ.get("GH_TOKEN")]

    def say(text: str) -> None:
        err.print(terminal_safe(scrub(text, secrets), keep_newlines=False), markup=False, soft_wrap=True)

    try:
        if args and args[0] in COMMANDS[1:]:
            return _run_command(args[0], args[1:])
        if args and args[0] == "scan":
            args = args[1:]
        return _scan(args, err, secrets, say)
    except DDError as exc:
        say(f"dd-evidence: error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        say("dd-evidence: interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("DD_EVIDENCE_DEBUG"):
            raise
        say(f"dd-evidence: internal error: {type(exc).__name__}: {exc} (set DD_EVIDENCE_DEBUG=1 for a traceback)")
        return EXIT_CANNOT_SCAN


def _scan(argv: list[str], err: Console, secrets: list[str | None], say: Callable[[str], None]) -> int:
    _quiet_library_logging()
    opts = build_scan_parser().parse_args(argv)
    from dd_evidence.diff import load_report_json
    from dd_evidence.recording import recording
    from dd_evidence.resolve import resolve_project
    from dd_evidence.scan import run_scan

    config = _config(opts)
    secrets.append(config.token)
    formats = output_formats(opts.format, opts.out, say)
    opts.out = opts.out if opts.out is not None else Path(".")
    _check_out_dir(opts.out, formats)
    if opts.cache_dir:
        check_writable_dir(opts.cache_dir, "--cache-dir")
    fail_on = _fail_on(opts.fail_on)
    # Read the earlier report before scanning, so a bad file fails fast rather than after a long scan.
    previous = load_report_json(opts.compare_to) if opts.compare_to else None
    ref = resolve_project(opts.project)
    show_progress = not opts.no_progress and err.is_terminal
    if opts.record and opts.replay:
        raise BadInput("--record and --replay exclude each other")
    mode, where = ("record", opts.record) if opts.record else ("replay", opts.replay) if opts.replay else (None, None)
    if mode is not None:
        config.workers = 1  # vcrpy records reliably only when one request runs at a time

    def notify(line: str) -> None:
        say(f"dd-evidence: warning: {line}")

    interrupted = False
    try:
        with recording(mode, where, ref.name, config.level):
            report = (
                _run_with_progress(config, ref, err, notify) if show_progress else run_scan(config, ref, notify=notify)
            )
    except ScanInterrupted as exc:
        # One Ctrl-C: stop probing, write what was done (unfinished probes are errors, their criteria unknown).
        report, interrupted = exc.report, True
    out = _stdout_console()
    if "terminal" in formats:
        from dd_evidence.render.terminal import render_terminal  # only when asked for: it loads rich's tables

        render_terminal(report, out, verbose=opts.verbose)
    files = [f for f in formats if f != "terminal"]
    written = write_reports(report, files, opts.out) if files else []
    for path in written:
        say(f"wrote {path}")
    if interrupted:
        say("dd-evidence: interrupted: the report holds what was done; unfinished probes are listed as errors")
        return EXIT_INTERRUPTED
    if previous is not None:
        _compare(previous, report, formats, opts.out, out, say)
    for warning in report.warnings:
        say(f"dd-evidence: warning: {warning}")
    if report.incomplete:
        return EXIT_INCOMPLETE
    return EXIT_CRITERIA_NOT_MET if fail_on and _required_with(report, fail_on) else EXIT_OK


def output_formats(given: str | None, out: Path | None, say: Callable[[str], None]) -> list[str]:
    """The formats to produce. ``--out`` alone asks for files, so it writes the draft and the JSON beside the
    terminal summary; ``--out`` with only terminal output writes nothing, and says so rather than stay silent."""
    if given is None:
        return ["terminal", *OUT_DEFAULT] if out is not None else ["terminal"]
    formats = parse_formats(given)
    if out is not None and formats == ["terminal"]:
        say(f"dd-evidence: warning: --out {out} ignored: --format terminal writes no files (add md,json to write them)")
    return formats


def _compare(
    previous: dict, report: Report, formats: list[str], out_dir: Path, out: Console, say: Callable[[str], None]
) -> None:
    """The diff from an earlier report: printed with the terminal format, written as Markdown with file formats."""
    from dd_evidence.diff import diff_reports, render_diff

    # Compare JSON with JSON, so values look the same on both sides (datetimes as ISO strings...).
    diff = diff_reports(previous, json.loads(report.to_json()))
    if "terminal" in formats:
        text = terminal_safe(render_diff(diff, "terminal"))
        out.print(text, markup=False, highlight=False, soft_wrap=True, end="")
    if [f for f in formats if f != "terminal"]:
        path = out_dir / (report_filename(report, "md").removesuffix(".md") + "-diff.md")
        try:
            write_text_atomic(path, render_diff(diff, "md"))
        except OSError as exc:
            raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None
        say(f"wrote {path}")


def _stdout_console() -> Console:
    """Rich decides colours (off when not a TTY or when NO_COLOR is set); a pipe gets 120 columns, not 80."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=120)
    return console


def _config(opts: argparse.Namespace) -> ScanConfig:
    from dd_evidence.catalogue import LEVELS
    from dd_evidence.scan import _git_url_for, _web_url_for

    if opts.level not in LEVELS:
        raise BadInput(f"unknown level {opts.level!r}: choose one of {', '.join(LEVELS)}")
    if opts.window <= 0:
        raise BadInput("--window must be a positive number of days")
    if not 0 < opts.timeout <= 600:
        raise BadInput("--timeout must be a number of seconds between 0 and 600")
    if not 0 < opts.probe_timeout <= 86400:
        raise BadInput("--probe-timeout must be a number of seconds between 0 and 86400")
    config = ScanConfig(
        level=opts.level,
        as_of=parse_as_of(opts.as_of) if opts.as_of else None,
        offline=opts.offline,
        git_url=opts.git_url or _git_url_for(opts.github_api),
        web_url=opts.web_url or _web_url_for(opts.github_api),
        github_api=opts.github_api,
        repos=_split(opts.repos),
        probes=_split(opts.probes),
        probes_dirs=list(opts.probes_dir),
        token=_token(opts.token_file),
        window_days=opts.window,
        check_links=opts.check_links,
        timeout=opts.timeout,
        probe_timeout=opts.probe_timeout,
    )
    if opts.cache_dir:
        config.cache_dir = opts.cache_dir
    check_url_template(config.git_url, "--git-url", git=True)
    check_url_template(config.web_url, "--web-url", git=False)
    return config


def _token(token_file: Path | None) -> str | None:
    """The token, stripped of surrounding whitespace and checked (see ``clean_token``); never echoed back."""
    from dd_evidence.sources.tokens import clean_token

    if token_file is not None:
        try:
            with token_file.open("rb") as handle:
                raw = handle.read(_TOKEN_FILE_MAX + 1)
        except OSError as exc:
            raise BadInput(f"cannot read token file {token_file}: {exc.strerror}") from None
        if len(raw) > _TOKEN_FILE_MAX:
            raise BadInput(f"token file {token_file} is too large to hold a GitHub token")
        token = clean_token(raw.decode("utf-8", errors="replace"), f"the token in {token_file}")
        if not token:
            raise BadInput(f"token file {token_file} is empty")
        return token
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        token = clean_token(os.environ.get(name), name)
        if token:
            return token
    return None


def _quiet_library_logging() -> None:
    """PyGithub and urllib3 log every retry and refusal; the scan reports them as one line per service instead
    (the report's errors), so their records never reach the terminal. DD_EVIDENCE_DEBUG=1 keeps them."""
    if os.environ.get("DD_EVIDENCE_DEBUG"):
        return
    for name in ("github", "urllib3", "requests", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


def _split(text: str | None) -> list[str] | None:
    items = [part.strip() for part in (text or "").split(",") if part.strip()]
    return items or None


def _fail_on(text: str | None) -> set[CriterionStatus]:
    statuses = set()
    for item in _split(text) or []:
        try:
            statuses.add(CriterionStatus(item))
        except ValueError:
            valid = ", ".join(s.value for s in CriterionStatus)
            raise BadInput(f"--fail-on: unknown status {item!r}; use {valid}") from None
    return statuses


def _check_out_dir(out: Path, formats: list[str]) -> None:
    """Fail before the scan, not after it, when the reports (or the diff) could not be written."""
    if [f for f in formats if f != "terminal"]:
        check_writable_dir(out, "--out")


def _required_with(report: Report, statuses: set[CriterionStatus]) -> bool:
    return any(r.requirement is Requirement.REQUIRED and r.status in statuses for r in report.criteria)


def _run_with_progress(config: ScanConfig, ref: ProjectRef, err: Console, notify: Notify | None = None) -> Report:
    from rich.progress import BarColumn, Progress, TaskID, TextColumn

    from dd_evidence.scan import run_scan

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, item: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            label = "cloning/reading" if phase == "repos" else "probing"
            # Repo names come from an org listing and probe ids from plugins: no escape codes on the terminal.
            shown = terminal_safe(f"{label} {item}".strip()[:200], keep_newlines=False)
            progress.update(tasks[phase], completed=done, total=total, description=shown)

        return run_scan(config, ref, progress=update, notify=notify)


def _run_command(command: str, argv: list[str]) -> int:
    from rich.console import Console

    from dd_evidence.render.json_report import load_schema

    out = Console(highlight=False)
    if command == "probes":
        return _list_probes(argv, out)
    if command == "criteria":
        return _list_criteria(argv, out)
    if command == "diff":
        return _diff(argv)
    parser = _Parser(prog="python -m dd_evidence schema", description="Print the JSON schema of the report.")
    parser.parse_args(argv)
    sys.stdout.write(json.dumps(load_schema(), indent=2) + "\n")
    return EXIT_OK


def _list_probes(argv: list[str], out: Console) -> int:
    from rich.table import Table
    from rich.text import Text

    from dd_evidence.catalogue import LEVELS, load_catalogue
    from dd_evidence.registry import load_probes

    parser = _Parser(prog="python -m dd_evidence probes", description="List every probe.")
    parser.add_argument("--probes-dir", type=Path, action="append", default=[])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    opts = parser.parse_args(argv)
    with stdout_dropped():  # a plugin that prints at import must not corrupt the listing (or its JSON)
        probe_set = load_probes(opts.probes_dir)
    informs: dict[str, list[str]] = {}
    for level in LEVELS:
        for probe_id, criteria in load_catalogue(level).probes_informing().items():
            informs.setdefault(probe_id, [])
            informs[probe_id] += [c for c in criteria if c not in informs[probe_id]]
    rows = [
        {**p.spec.to_dict(), "criteria": informs.get(p.spec.id, []), "origin": probe_set.origins[p.spec.id]}
        for p in sorted(probe_set.probes, key=lambda p: p.spec.id)
    ]
    if opts.json:
        sys.stdout.write(
            json.dumps({"probes": rows, "load_errors": [f.message for f in probe_set.load_errors]}, indent=2) + "\n"
        )
        return EXIT_OK
    table = Table(title=f"{len(rows)} probes")
    for column in ("id", "question", "sources", "criteria"):
        table.add_column(column, overflow="fold")
    # Plugins write these strings: as Text they are never read as console markup, and lose control characters.
    for row in rows:
        cells = (row["id"], row["title"], ", ".join(row["sources"]), ", ".join(row["criteria"]) or "-")
        table.add_row(*(Text(terminal_safe(cell, keep_newlines=False)) for cell in cells))
    out.print(table)
    for finding in probe_set.load_errors:
        message = terminal_safe(scrub(finding.message), keep_newlines=False)
        out.print(Text.assemble(("load error:", "red"), " ", message), soft_wrap=True)
    return EXIT_OK


class _CriterionRow(TypedDict):
    """One row of ``criteria``: the table's columns, and the JSON output's objects."""

    id: str
    section: str
    requirement: str
    title: str
    probes: list[str]
    supporting: list[str]
    decided_by: str


def _list_criteria(argv: list[str], out: Console) -> int:
    from rich.table import Table

    from dd_evidence.catalogue import load_catalogue

    parser = _Parser(prog="python -m dd_evidence criteria", description="List the criteria of a level.")
    parser.add_argument("--level", default="graduation")
    parser.add_argument("--as-of", help="the template revision in force at this instant")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    opts = parser.parse_args(argv)
    catalogue = load_catalogue(opts.level, parse_as_of(opts.as_of) if opts.as_of else None)
    rows: list[_CriterionRow] = [
        {
            "id": c.id,
            "section": c.section,
            "requirement": c.requirement.value,
            "title": c.title,
            "probes": list(c.rule.deciding_probes),
            "supporting": list(c.rule.supporting),
            "decided_by": "manual" if c.rule.is_manual else c.rule.mode,
        }
        for c in catalogue.criteria
    ]
    if opts.json:
        payload = {"level": catalogue.level, "revision": catalogue.revision, "criteria": rows}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    table = Table(title=f"{catalogue.level} criteria ({len(rows)}), TOC template revision {catalogue.revision}")
    for column in ("id", "section", "req.", "title", "decided by"):
        table.add_column(column, overflow="fold")
    for row in rows:
        decided = ", ".join(row["probes"]) or "manual"
        table.add_row(row["id"], row["section"], row["requirement"], row["title"], decided)
    out.print(table)
    return EXIT_OK


def _diff(argv: list[str]) -> int:
    from dd_evidence.diff import DIFF_FORMATS, diff_reports, load_report_json, render_diff

    parser = _Parser(
        prog="python -m dd_evidence diff",
        description="Show which criteria changed status and which findings appeared, went away or changed.",
    )
    parser.add_argument("old", type=Path, help="the earlier JSON report")
    parser.add_argument("new", type=Path, help="the later JSON report")
    parser.add_argument("--format", default="terminal", help="one of: " + ", ".join(DIFF_FORMATS))
    opts = parser.parse_args(argv)
    if opts.format not in DIFF_FORMATS:
        raise BadInput(f"unknown diff format {opts.format!r}: choose from {', '.join(DIFF_FORMATS)}")
    diff = diff_reports(load_report_json(opts.old), load_report_json(opts.new))
    sys.stdout.write(render_diff(diff, opts.format))
    return EXIT_OK
