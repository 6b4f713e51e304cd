"""``scan()``: resolve the project, open its repositories, run the probes, aggregate, return a Report.

The library entry point. It never prints or exits; progress goes to an optional callback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from dd_evidence import __version__
from dd_evidence.aggregate import aggregate
from dd_evidence.catalogue import load_catalogue
from dd_evidence.context import (
    DEFAULT_GIT_URL,
    DEFAULT_GITHUB_API,
    DEFAULT_WEB_URL,
    ScanConfig,
    ScanContext,
)
from dd_evidence.errors import (
    BadInput,
    BadToken,
    DDError,
    NetworkDown,
    ScanFailed,
    ScanInterrupted,
    SourceUnavailable,
    is_resource_exhaustion,
)
from dd_evidence.inputs import check_url_template
from dd_evidence.isolation import (
    DEFAULT_PROBE_TIMEOUT,
    Interrupted,
    TaskResult,
    run_with_deadlines,
    stdout_dropped,
    stdout_written,
)
from dd_evidence.model import Finding, Outcome, ProjectInfo, Report, RepoScan
from dd_evidence.probes.base import Probe
from dd_evidence.registry import ProbeSet, load_probes
from dd_evidence.repoview import DirectoryRepoView, GitRepoView, RepoView
from dd_evidence.resolve import ProjectRef, RepoRef, maturity_on, origin_web_url, repo_role, resolve_project
from dd_evidence.scrub import describe, scrub, scrub_value
from dd_evidence.sources.git import (
    MAX_FILE_BYTES,
    GitRepo,
    GitWorkspace,
    check_git,
    default_candidates,
    default_history_filter,
    refresh_failed,
)
from dd_evidence.sources.gitproc import redact
from dd_evidence.timeutil import parse_as_of, utcnow

if TYPE_CHECKING:  # PyGithub loads only when a scan talks to GitHub
    from dd_evidence.sources.github import GitHubSource

Progress = Callable[[str, str, int, int], None]
"""progress(phase, item, done, total): phase is "repos" or "probes"."""
Notify = Callable[[str], None]
"""notify(line): something the user should know now, before the scan ends (e.g. that a token is needed)."""

# Repositories opened at once. Opening one is a chain of short git processes and a round trip (fetch, resolve,
# list, check the prefetch) that mostly waits: with 4, a warm 10-repo scan left the CPU idle for a fifth of a
# second. Each worker holds one git process at a time (the object readers are a pool of their own).
CLONE_WORKERS = 8


def scan(
    project: str,
    *,
    level: str = "graduation",
    as_of: str | datetime | None = None,
    offline: bool = False,
    git_url: str | None = None,
    web_url: str | None = None,
    github_api: str = DEFAULT_GITHUB_API,
    cache_dir: Path | str | None = None,
    repos: list[str] | None = None,
    probes: list[str] | None = None,
    probes_dirs: Iterable[Path] = (),
    token: str | None = None,
    window_days: int = 180,
    check_links: bool = False,
    timeout: float = 30.0,
    probe_timeout: float = DEFAULT_PROBE_TIMEOUT,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = utcnow,
    notify: Notify | None = None,
) -> Report:
    """Scan a CNCF project (name, org, ``owner/repo``, URL or local path) and return its Report.

    ``notify`` receives lines worth showing at once (the same lines are in the report's ``errors``).
    Ctrl-C while the probes run raises :class:`~dd_evidence.errors.ScanInterrupted` (a KeyboardInterrupt)
    whose ``report`` holds what was done.
    """
    config = ScanConfig(
        level=level,
        as_of=parse_as_of(as_of) if isinstance(as_of, str) else as_of,
        offline=offline,
        git_url=git_url or _git_url_for(github_api),
        web_url=web_url or _web_url_for(github_api),
        github_api=github_api,
        repos=repos,
        probes=probes,
        probes_dirs=list(probes_dirs),
        token=token,
        window_days=window_days,
        check_links=check_links,
        timeout=timeout,
        probe_timeout=probe_timeout,
    )
    if cache_dir is not None:
        config.cache_dir = Path(cache_dir)
    return run_scan(config, resolve_project(project), progress=progress, clock=clock, notify=notify)


def run_scan(
    config: ScanConfig,
    ref: ProjectRef,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = utcnow,
    notify: Notify | None = None,
) -> Report:
    """Scan an already resolved project with a full configuration."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    # The CLI checked these already; a library caller gets the same refusal before anything runs.
    check_url_template(config.git_url, "git_url", git=True)
    check_url_template(config.web_url, "web_url", git=False)
    if ref.local_path is not None and (ref.local_path / ".git").exists():
        # A self-check cites its origin's web pages, or paths relative to the working copy: never made-up URLs.
        config = replace(config, web_url=local_web_url(config, ref.local_path))
    catalogue = load_catalogue(config.level, config.as_of)
    with stdout_dropped():  # a plugin printing at import must not write into the report on stdout
        probe_set = load_probes(config.probes_dirs)
    _check_selection(probe_set, config.probes)
    probe_set = probe_set.select(config.probes)

    mark = time.perf_counter()
    workspace = GitWorkspace(
        config.cache_dir,
        config.git_url,
        offline=config.offline,
        refresh=config.refresh,
        readers=config.git_readers,
    )
    # Offline nothing asks GitHub: no client, so PyGithub (a quarter of a second of imports) never loads.
    github = None if config.offline else _github_source(config)
    notices: list[str] = []

    def notice(line: str) -> None:
        notices.append(line)
        if notify is not None:
            notify(line)

    try:
        views, unreadable = open_repos(config, ref, workspace, progress, github, notice, clock=clock)
        timings["repos"] = round(time.perf_counter() - mark, 3)
        if not views:
            raise _nothing_readable(ref, unreadable)
        ctx = ScanContext(config, ref, views, unreadable, clock=clock)
        if github is not None:
            ctx.client("github", lambda: github)  # the listing's requests count with the probes' ones
        interrupted = False
        try:
            try:
                # Facts are prepared up front when this scan brought documents into the cache (a cold or moved
                # repository): they may need parsing in bulk. Otherwise they are parsed already, and the first probe
                # that asks builds the map while the probes that read git only go on beside it.
                fetched = bool(workspace.stats().get("git_prefetch"))
                probed = run_probes(ctx, probe_set.probes, timings, progress, prepare_facts=fetched)
            except ProbesInterrupted as exc:
                probed, interrupted = exc.findings, True
            findings = qualify_absences([*probe_set.load_errors, *probed], ctx)
        finally:
            requests = ctx.close_clients()
            # One line per service the scan stopped asking (rate limit, timeouts), instead of one per request.
            for line in ctx.client_warnings():
                notice(line)
    finally:
        workspace.close()
        if github is not None:
            github.close()  # closing twice is harmless; this covers a scan that failed before the context existed

    # Exception texts may quote a request header: nothing below may carry the token (or any GitHub token).
    secrets = [config.token]
    findings = scrub_findings(findings, secrets)
    unreadable = {name: scrub(reason, secrets) for name, reason in unreadable.items()}
    remediations = {p.spec.id: p.spec.remediation for p in probe_set.probes if p.spec.remediation}
    results = aggregate(catalogue, findings, remediations, project_subjects=(*ref.orgs, ref.name))
    # Maturity as of the scanned instant, like everything else: a 2025 scan of a project graduated in 2026 shows
    # the level it held in 2025 (None: not yet a CNCF project, a candidate).
    maturity, maturity_since = maturity_on(ref, (config.as_of or clock()).date())
    timings["total"] = round(time.perf_counter() - started, 3)
    errors = [f"{f.probe} ({f.subject}): {f.message}" for f in findings if f.outcome is Outcome.ERROR]
    errors += [f"{name}: {reason}" for name, reason in unreadable.items()]
    errors += [scrub(line, secrets) for line in notices]
    if interrupted:
        unfinished = sum(1 for f in findings if f.values.get("interrupted"))
        errors.insert(0, f"scan interrupted: {unfinished} probe(s) had not finished; their criteria are unknown")
    requests = {**requests, **{k: v for k, v in workspace.stats().items() if v}}
    exhausted = [f for f in findings if f.values.get("resource_exhausted")]
    exhausted_repos = [reason for reason in unreadable.values() if "resources:" in reason]
    warnings = [scrub(warning, secrets) for warning in workspace.warnings]
    if exhausted or exhausted_repos:
        warnings.append(
            f"the scan is incomplete: the machine ran out of a resource ({len(exhausted)} findings, "
            f"{len(exhausted_repos)} repositories affected); raise the limit (e.g. ulimit -n) and scan again"
        )
    report = Report(
        project=ProjectInfo(
            name=ref.name,
            display_name=ref.display_name,
            orgs=ref.orgs,
            maturity=maturity,
            homepage=ref.homepage,
            maturity_since=maturity_since,
        ),
        level=config.level,
        as_of=config.as_of,
        generated_at=clock(),
        tool_version=__version__,
        catalogue=catalogue.info,
        repos=tuple(v.scan for v in views) + tuple(_failed_scan(config, n, r) for n, r in unreadable.items()),
        criteria=tuple(results),
        findings=tuple(findings),
        errors=tuple(errors),
        timings=timings,
        requests=requests,
        options=config.public(),
        warnings=tuple(warnings),
        incomplete=bool(exhausted or exhausted_repos),
    )
    if interrupted:
        raise ScanInterrupted(report)
    return report


def scrub_findings(findings: Iterable[Finding], secrets: Iterable[str | None]) -> list[Finding]:
    """Findings whose messages and values carry no secret (see :func:`dd_evidence.scrub.scrub`)."""
    secrets = list(secrets)
    cleaned = []
    for finding in findings:
        message = scrub(finding.message, secrets)
        values = scrub_value(finding.values, secrets)
        if message != finding.message or values != finding.values:
            finding = replace(finding, message=message, values=values)
        cleaned.append(finding)
    return cleaned


class ProbesInterrupted(Exception):
    """Ctrl-C during the probes: ``findings`` has every probe's, the unfinished ones as interrupted errors."""

    def __init__(self, findings: list[Finding]):
        super().__init__("interrupted")
        self.findings = findings


def run_probes(
    ctx: ScanContext,
    probes: list[Probe],
    timings: dict[str, float] | None = None,
    progress: Progress | None = None,
    prepare_facts: bool = True,
) -> list[Finding]:
    """Run every probe; a probe that fails, exits, hangs or prints becomes a finding, so the rest of the report is
    still written.

    Probes run concurrently so that their waits on APIs and git overlap: wall time follows the slowest chain of
    requests, not their sum. Each has ``config.probe_timeout`` seconds; one still running then is left behind
    and becomes an error finding. Findings keep the probes' order whatever finishes first. Ctrl-C raises
    :class:`ProbesInterrupted` with the findings so far.

    With ``prepare_facts``, when a probe reads the repositories, the project map is built and its documents parsed
    in bulk before the probes start (:func:`_prepare_facts`).
    """
    deadline = ctx.config.probe_timeout
    tasks = [(lambda probe=probe: _run_quietly(ctx, probe)) for probe in probes]

    def done(index: int, count: int) -> None:
        if progress:
            progress("probes", _probe_id(probes[index]), count, len(probes))

    try:
        with stdout_dropped():  # stdout carries the report: a probe's print goes nowhere
            if prepare_facts and any("git" in getattr(getattr(p, "spec", None), "sources", ()) for p in probes):
                started = time.perf_counter()
                (prepared,) = run_with_deadlines([lambda: _prepare_facts(ctx)], 1, deadline)
                if prepared.timed_out:
                    # Left running: the probes that read the map fail at once rather than wait a deadline each.
                    _give_up_facts(ctx, deadline)
                if timings is not None:
                    timings["facts"] = round(time.perf_counter() - started, 3)
            results = run_with_deadlines(tasks, ctx.config.workers, deadline, done)
    except Interrupted as exc:
        # Interrupted while the facts were prepared, no probe had started.
        results = exc.outcomes if len(exc.outcomes) == len(probes) else [TaskResult(interrupted=True)] * len(probes)
        interrupted = True
    else:
        interrupted = False
    findings: list[Finding] = []
    for probe, result in zip(probes, results, strict=True):
        probe_id = _probe_id(probe)
        if timings is not None and not result.interrupted:
            timings[f"probe:{probe_id}"] = result.seconds
        if result.timed_out:
            message = f"probe did not finish within {deadline:g} s (--probe-timeout); left running, not waited for"
            findings.append(Finding(probe_id, _scan_subject(ctx), Outcome.ERROR, message, {"timed_out": True}))
        elif result.interrupted:
            message = "probe had not finished when the scan was interrupted"
            findings.append(Finding(probe_id, _scan_subject(ctx), Outcome.ERROR, message, {"interrupted": True}))
        elif result.value is None:
            message = "probe ended without an answer"
            findings.append(Finding(probe_id, _scan_subject(ctx), Outcome.ERROR, message))
        else:
            findings.extend(result.value)
    if interrupted:
        raise ProbesInterrupted(findings)
    return findings


def _prepare_facts(ctx: ScanContext) -> bool:
    """The project map and the bulk parse, before the probes that read them (see :func:`dd_evidence.facts.prepare`),
    under the same deadline as a probe: a repository that makes it hang costs that time once, then every probe
    that reads the map reports it."""
    from dd_evidence.facts import prepare

    prepare(ctx)
    return True


def _give_up_facts(ctx: ScanContext, deadline: float) -> None:
    from dd_evidence.facts.projectmap import MAP_KEY, PARSED_AHEAD_KEY

    error = TimeoutError(f"the project map was not built within {deadline:g} s (--probe-timeout)")
    for key in (MAP_KEY, PARSED_AHEAD_KEY):
        ctx.give_up(key, error)


def _run_quietly(ctx: ScanContext, probe: Probe) -> list[Finding]:
    """``run_probe``, plus an error finding when the probe printed (what it printed was dropped)."""
    before = stdout_written()
    found = run_probe(ctx, probe)
    printed = stdout_written() - before
    if printed:
        message = f"probe wrote {printed} characters to stdout, which carries the report; they were dropped"
        found.append(Finding(_probe_id(probe), _scan_subject(ctx), Outcome.ERROR, message, {"stdout_chars": printed}))
    return found


def _probe_id(probe: Probe) -> str:
    return str(getattr(getattr(probe, "spec", None), "id", None) or type(probe).__name__)


def _scan_subject(ctx: ScanContext) -> str:
    return ctx.project.orgs[0] if ctx.project.orgs else ctx.project.name


def qualify_absences(findings: list[Finding], ctx: ScanContext) -> list[Finding]:
    """Project-wide "not found" findings become not_available when a repository could not be read.

    A false finding with no evidence is an absence claim ("no roadmap in any repository"); if a repository of the
    project was unreadable, the thing may be exactly there, and "could not tell" must not read as "not met".
    False findings with evidence (an expiring invite at this line) and findings about one readable repository or
    file stay as they are: what was seen was seen.
    """
    if not ctx.unreadable:
        return findings
    readable = {r.full_name.lower() for r in ctx.repos} | {r.name.lower() for r in ctx.repos}
    # An org and its main repo often share a name ("acme" and acme/acme): the org's name means the project.
    project_wide = {o.lower() for o in ctx.project.orgs} | {ctx.project.name.lower()}
    names = ", ".join(sorted(ctx.unreadable))
    qualified = []
    for finding in findings:
        head = finding.subject.lower()
        about_readable = head not in project_wide and any(head == r or head.startswith(r + "/") for r in readable)
        if finding.outcome is Outcome.FALSE and not finding.evidence and not about_readable:
            finding = replace(
                finding,
                outcome=Outcome.NOT_AVAILABLE,
                message=f"{finding.message}; but {len(ctx.unreadable)} repositor"
                f"{'y' if len(ctx.unreadable) == 1 else 'ies'} could not be read ({names}), so it may be there",
                values={**finding.values, "unreadable_repos": sorted(ctx.unreadable)},
            )
        qualified.append(finding)
    return qualified


def run_probe(ctx: ScanContext, probe: Probe) -> list[Finding]:
    """One probe's findings, or one not_available/error finding saying why there are none."""
    probe_id = _probe_id(probe)
    subject = _scan_subject(ctx)
    secrets = [ctx.config.token]
    try:
        produced = list(probe.run(ctx) or [])
    except SourceUnavailable as exc:
        if is_resource_exhaustion(exc):
            # Not an answer about the project: the machine ran out of something; the scan says it is incomplete.
            message = f"probe could not finish: {describe(exc, secrets)}"
            return [Finding(probe_id, subject, Outcome.ERROR, message, {"resource_exhausted": True})]
        return [Finding(probe_id, subject, Outcome.NOT_AVAILABLE, scrub(str(exc), secrets))]
    except SystemExit as exc:  # sys.exit() in a plugin ends that probe, not the process
        return [Finding(probe_id, subject, Outcome.ERROR, f"probe called sys.exit({exc.code!r})")]
    except Exception as exc:  # a probe, built-in or third-party, must never stop the scan
        if is_resource_exhaustion(exc):
            message = f"probe could not finish: {describe(exc, secrets)}"
            return [Finding(probe_id, subject, Outcome.ERROR, message, {"resource_exhausted": True})]
        return [Finding(probe_id, subject, Outcome.ERROR, f"probe failed: {describe(exc, secrets)}")]
    bad = [f for f in produced if not isinstance(f, Finding)]
    if bad:
        return [Finding(probe_id, subject, Outcome.ERROR, f"probe returned {type(bad[0]).__name__}, not Finding")]
    return produced


def open_repos(
    config: ScanConfig,
    ref: ProjectRef,
    workspace: GitWorkspace,
    progress: Progress | None = None,
    github: GitHubSource | None = None,
    notify: Notify | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> tuple[list[RepoView], dict[str, str]]:
    """Open every repository of the project at the as-of commit and fetch, in bulk, the blobs the probes will
    read; failures are returned, not raised."""
    # The window starts at midnight UTC, so scans on the same day share the cached history walk.
    start = (config.as_of or clock()) - timedelta(days=max(config.history_days, config.window_days))
    since = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if ref.local_path is not None:
        return [_open_local(config, ref, workspace, since)], {}
    check_git()
    targets = discover_repos(config, ref, workspace, github)
    budget = github.budget_notice(len(targets)) if github is not None else None
    if budget and notify is not None:
        notify(budget)  # before the long part: an anonymous scan of a big org runs out of GitHub requests
    views: list[RepoView] = []
    unreadable: dict[str, str] = {}

    def open_one(target: RepoRef) -> RepoView:
        repo = workspace.open(target.owner, target.name)
        view = _git_view(config, target, repo, workspace.url(target.owner, target.name), since)
        _prefetch(view, workspace)
        return view

    with ThreadPoolExecutor(max_workers=CLONE_WORKERS) as pool:
        futures = {pool.submit(open_one, t): t for t in targets}
        for done, (future, target) in enumerate(futures.items()):
            if progress:
                progress("repos", target.full_name, done, len(targets))
            try:
                views.append(future.result())
            except DDError as exc:
                unreadable[target.full_name] = str(exc)
            except Exception as exc:  # one repository that breaks the reading spoils that repository only
                if is_resource_exhaustion(exc):
                    unreadable[target.full_name] = f"resources: {getattr(exc, 'strerror', None) or exc}"
                else:
                    unreadable[target.full_name] = f"could not be read: {type(exc).__name__}: {exc}"
    if progress:
        progress("repos", "", len(targets), len(targets))
    order = {t.full_name: i for i, t in enumerate(targets)}
    views.sort(key=lambda v: order[v.full_name])
    return views, unreadable


def discover_repos(
    config: ScanConfig, ref: ProjectRef, workspace: GitWorkspace, github: GitHubSource | None = None
) -> list[RepoRef]:
    """Which repositories to scan: ``--repos``; else every repo where the git URL template points (a local
    folder), the org's live repos on GitHub (archived repos and forks left out), or the clones in the cache."""
    main = ref.main_repo.name if ref.main_repo else None
    if config.repos:
        targets = [_parse_repo_arg(arg, ref) for arg in config.repos]
        return [RepoRef(t.owner, t.name, repo_role(t.owner, t.name, main)) for t in targets]
    names: list[tuple[str, str]] = []
    for owner in ref.orgs:
        listed = _list_local_template(config.git_url, owner)
        if listed is None and not config.offline and github is not None:
            listed = _list_github(github, owner, workspace)
        if listed is None:
            listed = _list_cached(config.cache_dir, owner)
        names += [(owner, n) for n in listed or []]
    if not names:
        known = [r for r in (ref.main_repo, *ref.extra_repos) if r is not None]
        names = [(r.owner, r.name) for r in known]
    if not names:
        raise BadInput(f"no repositories known for {ref.display_name}; name them with --repos")
    unique = list(dict.fromkeys(names))
    return [RepoRef(owner, name, repo_role(owner, name, main)) for owner, name in unique]


def _list_github(github: GitHubSource, owner: str, workspace: GitWorkspace) -> list[str] | None:
    """The live, non-fork repos of ``owner``; None (fall back to the cache or the index) when GitHub does not
    answer. A rejected token is not a fallback case: it is the user's to fix."""
    try:
        listing = github.org_repos(owner)
    except BadToken:
        raise
    except SourceUnavailable as exc:
        workspace.warnings.append(
            f"could not list the repositories of {owner} on GitHub ({exc}); scanning the cached or known ones"
        )
        return None
    return [r.name for r in listing if not r.archived and not r.fork]


def _list_local_template(template: str, owner: str) -> list[str] | None:
    """The repos of ``owner`` when the git URL template points at a local folder; None for remote URLs."""
    head = template.split("{repo}")[0].format(owner=owner)
    if head.startswith("file://"):
        head = urlparse(head).path
    elif not head.startswith("/"):
        return None
    folder = Path(head)
    if not folder.is_dir():
        return []
    suffix = template.split("{repo}")[1] if "{repo}" in template else ""
    found = []
    for child in sorted(folder.iterdir()):
        if (child / ".git").exists() or (child / "HEAD").is_file():
            name = child.name.removesuffix(suffix) if suffix else child.name
            found.append(name)
    return found


def _list_cached(cache_dir: Path, owner: str) -> list[str]:
    folder = cache_dir / "git" / owner
    if not folder.is_dir():
        return []
    return sorted(p.name.removesuffix(".git") for p in folder.glob("*.git") if (p / "HEAD").exists())


def _parse_repo_arg(arg: str, ref: ProjectRef) -> RepoRef:
    text = arg.strip().removesuffix(".git").rstrip("/")
    if "://" in text:
        parts = urlparse(text).path.strip("/").split("/")
        text = "/".join(parts[:2])
    if "/" in text:
        owner, name = text.split("/", 1)
    elif ref.orgs:
        owner, name = ref.orgs[0], text
    else:
        raise BadInput(f"cannot tell the owner of repo {arg!r}: write it as owner/repo")
    if not owner or not name or "/" in name:
        raise BadInput(f"cannot read repo {arg!r}: write it as owner/repo")
    return RepoRef(owner, name, "other")


def _prefetch_candidates(repo_role: str) -> Callable[[list[tuple[str, int | None]]], list[str]]:
    """What the project map will read, the community documents the link probes parse, and any other text document
    a probe may open: a blob missing here costs a round trip of its own later."""

    # The facts layer (and its Markdown parser) loads with the first scan, not for --help.
    from dd_evidence.facts.paths import candidate_document_paths
    from dd_evidence.facts.projectmap import is_community_document

    def candidates(paths_with_sizes: list[tuple[str, int | None]]) -> list[str]:
        community = [p for p, size in paths_with_sizes if is_community_document(p, repo_role) and _under_cap(size)]
        found = [*candidate_document_paths(paths_with_sizes), *default_candidates(paths_with_sizes), *community]
        return list(dict.fromkeys(found))

    return candidates


def _under_cap(size: int | None) -> bool:
    return size is None or size <= MAX_FILE_BYTES


def _prefetch_history(path: str) -> bool:
    """Older versions the history probes read: the rosters the map knows (whatever their name), and git's default."""
    from dd_evidence.facts.history import is_roster_path

    return is_roster_path(path) or default_history_filter(path)


# The code and data that decide which blobs a scan prefetches (a change to any of them prefetches again).
_PREFETCH_CODE = tuple(
    Path(__file__).resolve().parent / name
    for name in (
        "scan.py",
        "sources/git.py",
        "facts/paths.py",
        "facts/projectmap.py",
        "facts/history.py",
        "facts/ownership.py",
        "data/documents.yaml",
    )
)


def _prefetch_rules() -> str:
    from dd_evidence.parsecache import code_fingerprint

    return f"{__version__} {code_fingerprint(_PREFETCH_CODE)}"


def _prefetch(view: GitRepoView, workspace: GitWorkspace) -> None:
    """Fetch the blobs the probes will read in (at most) two requests; a failure leaves reads to fetch alone."""
    try:
        view.prefetch(_prefetch_candidates(view.role), _prefetch_history, _prefetch_rules())
    except SourceUnavailable as exc:
        if is_resource_exhaustion(exc):
            raise
        _warn_unfetched(workspace, view.full_name, exc.reason)
        return
    spoiled = view.history().spoiled
    if spoiled:
        shown = ", ".join(s[:10] for s in spoiled[:5]) + (" ..." if len(spoiled) > 5 else "")
        workspace.warnings.append(
            f"{view.full_name}: {len(spoiled)} commit(s) with an unreadable date left out of its history ({shown})"
        )


def _warn_unfetched(workspace: GitWorkspace, name: str, reason: str) -> None:
    """Say that ``name``'s documents could not be fetched: on the line that already says its clone could not be
    refreshed when that is the same failure (an origin that does not answer), so each repo costs one line."""
    stale = refresh_failed(name, reason)
    for index, line in enumerate(workspace.warnings):
        if line.startswith(stale):
            workspace.warnings[index] = f"{line}, without the documents it lacks (they could not be fetched either)"
            return
    workspace.warnings.append(f"{name}: could not fetch its documents up front ({reason})")


def _github_source(config: ScanConfig) -> GitHubSource:
    from dd_evidence.sources.github import GitHubSource

    return GitHubSource.from_config(config)


def _git_view(config: ScanConfig, target: RepoRef, repo: GitRepo, url: str, since: datetime | None) -> GitRepoView:
    resolved = repo.resolve(config.as_of)
    if resolved is None:
        when = f" before {config.as_of.isoformat()}" if config.as_of else ""
        raise SourceUnavailable("git", f"{target.full_name} has no commit{when}")
    sha, committed_at = resolved
    scan = RepoScan(
        owner=target.owner,
        name=target.name,
        role=target.role,
        url=redact(url),
        sha=sha,
        committed_at=committed_at,
        default_branch=repo.default_branch(),
    )
    return GitRepoView(scan, config.web_url.format(owner=target.owner, repo=target.name), repo, history_since=since)


def _open_local(config: ScanConfig, ref: ProjectRef, workspace: GitWorkspace, since: datetime) -> RepoView:
    path = ref.local_path
    assert path is not None
    owner = ref.orgs[0] if ref.orgs else "local"
    name = ref.main_repo.name if ref.main_repo else path.name
    if (path / ".git").exists():
        check_git()
        target = RepoRef(owner, name, "main")
        # Read through a view of our own: the working copy's config, hooks and remotes are never used.
        view = _git_view(config, target, workspace.open_local(path), path.as_uri(), since)
        _prefetch(view, workspace)
        return view
    scan = RepoScan(owner=owner, name=name, role="main", url=path.as_uri(), sha=None)
    return DirectoryRepoView(scan, path)


def local_web_url(config: ScanConfig, path: Path) -> str:
    """Where a working copy's permalinks point: an explicit ``--web-url``, else its origin on the forge
    (``https://github.com/o/r``), else nothing, so evidence cites paths relative to the repository root.

    The result is a URL, not a template: a fork's origin names the fork even when the directory resolved to the
    upstream CNCF project."""
    if config.web_url not in (DEFAULT_WEB_URL, _web_url_for(config.github_api)):
        return config.web_url
    return origin_web_url(path) or ""


# What git prints when the network, not the repository, is the problem (DNS, refused, unreachable, timeout).
_NETWORK_FAILURES = re.compile(
    r"could not resolve (host|proxy)[^;)]*|failed to connect to [^;)]*|connection (refused|timed out)"
    r"|network is unreachable|operation timed out",
    re.IGNORECASE,
)


def _nothing_readable(ref: ProjectRef, unreadable: dict[str, str]) -> ScanFailed:
    """The error for a scan that could read no repository: network down, or the per-repo reasons."""
    failures = [_NETWORK_FAILURES.search(reason) for reason in unreadable.values()]
    first = failures[0] if failures else None
    if first is not None and all(failures):
        cause = first.group(0).strip().rstrip(":")
        return NetworkDown(
            f"network down: no repository of {ref.display_name} could be fetched ({cause}); without network, "
            "scan local repositories with --offline --git-url 'file:///path/{owner}/{repo}'"
        )
    detail = "; ".join(f"{k}: {v}" for k, v in unreadable.items()) or "no repositories found"
    return ScanFailed(f"could not read any repository of {ref.display_name} ({detail})")


def _failed_scan(config: ScanConfig, full_name: str, reason: str) -> RepoScan:
    owner, _, name = full_name.partition("/")
    return RepoScan(
        owner=owner,
        name=name,
        role="other",
        url=redact(config.git_url.format(owner=owner, repo=name)),
        sha=None,
        error=reason,
    )


def _check_selection(probe_set: ProbeSet, wanted: list[str] | None) -> None:
    for item in wanted or []:
        if not probe_set.select([item]).probes:
            raise BadInput(f"no probe matches {item!r}; run 'python -m dd_evidence probes' to list them")


def _web_url_for(github_api: str) -> str:
    if github_api.rstrip("/") == DEFAULT_GITHUB_API:
        return DEFAULT_WEB_URL
    # GitHub Enterprise Server serves the API under /api/v3 on the same host as the web UI.
    parsed = urlparse(github_api)
    return f"{parsed.scheme}://{parsed.netloc}/{{owner}}/{{repo}}"


def _git_url_for(github_api: str) -> str:
    if github_api.rstrip("/") == DEFAULT_GITHUB_API:
        return DEFAULT_GIT_URL
    return _web_url_for(github_api) + ".git"
