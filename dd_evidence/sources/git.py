"""The git source: partial clones of every repo in a cache dir, read by commit. It costs no API quota.

Scanned repositories are untrusted input. Every git call runs without system/global config, with hooks,
fsmonitor and credential prompts disabled, and we only ever read objects (``ls-tree``, ``cat-file``, ``log``):
nothing from a scanned repository is checked out or executed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dd_evidence.errors import GitMissing, SourceUnavailable

MIN_GIT = (2, 25)
MAX_FILE_BYTES = 1_000_000
_SAFE_CONFIG = (
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.symlinks=false",
    "-c",
    "protocol.file.allow=always",
    "-c",
    "uploadpack.allowFilter=true",
    "-c",
    "credential.helper=",
)


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="true",
        LC_ALL="C",
    )
    return env


def check_git(git: str = "git") -> tuple[int, int]:
    """The installed git's (major, minor); GitMissing when absent or older than MIN_GIT."""
    if shutil.which(git) is None:
        raise GitMissing(f"git not found on PATH (need git >= {MIN_GIT[0]}.{MIN_GIT[1]})")
    out = subprocess.run([git, "--version"], capture_output=True, text=True, env=_git_env()).stdout
    match = re.search(r"(\d+)\.(\d+)", out)
    if not match:
        raise GitMissing(f"cannot read the git version from {out.strip()!r}")
    version = (int(match.group(1)), int(match.group(2)))
    if version < MIN_GIT:
        raise GitMissing(f"git {version[0]}.{version[1]} is too old (need >= {MIN_GIT[0]}.{MIN_GIT[1]})")
    return version


@dataclass(frozen=True)
class TreeEntry:
    """One path of a tree at a commit."""

    path: str
    mode: str
    oid: str

    @property
    def is_symlink(self) -> bool:
        return self.mode == "120000"

    @property
    def is_submodule(self) -> bool:
        return self.mode == "160000"


@dataclass(frozen=True)
class Commit:
    """One commit as ``git log`` reports it (author identity after ``.mailmap``)."""

    sha: str
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime
    subject: str
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tag:
    """A tag with the date that matters: the tagger date for annotated tags, else the commit date."""

    name: str
    date: datetime
    commit: str
    annotated: bool


class GitRepo:
    """One local bare (partial) clone, read at explicit commits."""

    def __init__(self, path: Path, git: str = "git"):
        self.path = path
        self._git = git
        self._lock = threading.Lock()
        self._batch: subprocess.Popen[bytes] | None = None

    def run(self, *args: str, check: bool = True) -> str:
        """Run one read-only git command in this repo and return its stdout."""
        return _run(self._git, ["-C", str(self.path), *args], check=check)

    def default_branch(self) -> str:
        ref = self.run("symbolic-ref", "--quiet", "HEAD", check=False).strip()
        return ref.removeprefix("refs/heads/") if ref else "HEAD"

    def resolve(self, as_of: datetime | None, ref: str = "HEAD") -> tuple[str, datetime] | None:
        """The last first-parent commit of ``ref`` committed before ``as_of`` (explicit UTC), or the tip."""
        args = ["rev-list", "-1", "--first-parent"]
        if as_of is not None:
            # An explicit ISO instant with its offset: git's approxidate would otherwise fill in today's time.
            args.append(f"--before={as_of.isoformat()}")
        sha = self.run(*args, ref, "--", check=False).strip()
        if not sha:
            return None
        date = self.run("show", "-s", "--format=%cI", sha).strip()
        return sha, datetime.fromisoformat(date)

    def tree(self, sha: str) -> list[TreeEntry]:
        out = self.run("ls-tree", "-r", "-z", "--full-tree", sha)
        entries = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, _type, oid = meta.split(" ")
            entries.append(TreeEntry(path=path, mode=mode, oid=oid))
        return entries

    def read_blob(self, oid: str, max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
        """A blob's bytes through one long-lived ``cat-file --batch``; None when missing or over the cap.

        ``oid`` may also be ``<commit>:<path>`` to read a file at an older commit.
        """
        if "\n" in oid:
            return None  # one request per line: a newline would desynchronise the batch protocol
        with self._lock:
            proc = self._batch_process()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(oid.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().decode(errors="replace").split()
            # "<name> missing" / "<name> ambiguous" for names that do not resolve (a name may hold spaces).
            if len(header) < 3 or header[-1] in ("missing", "ambiguous"):
                return None
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)  # the newline after each object
        return None if size > max_bytes else data

    def log(
        self,
        sha: str,
        paths: Iterable[str] = (),
        since: datetime | None = None,
        with_paths: bool = False,
        first_parent: bool = False,
        no_merges: bool = True,
    ) -> list[Commit]:
        """Commits reachable from ``sha`` (newest first), optionally touching ``paths`` or after ``since``."""
        fmt = "%x1e%H%x1f%aN%x1f%aE%x1f%aI%x1f%cI%x1f%s"
        args = ["-c", f"mailmap.blob={sha}:.mailmap", "log", f"--format={fmt}", "--no-renames"]
        if with_paths:
            args.append("--name-only")
        if first_parent:
            args.append("--first-parent")
        if no_merges:
            args.append("--no-merges")
        if since is not None:
            args.append(f"--since={since.isoformat()}")
        args += [sha, "--", *paths]
        out = self.run(*args)
        commits = []
        for chunk in out.split("\x1e")[1:]:
            head, _, rest = chunk.partition("\n")
            fields = head.split("\x1f")
            if len(fields) < 6:
                continue
            touched = tuple(p for p in rest.splitlines() if p.strip())
            commits.append(
                Commit(
                    sha=fields[0],
                    author_name=fields[1],
                    author_email=fields[2],
                    authored_at=datetime.fromisoformat(fields[3]),
                    committed_at=datetime.fromisoformat(fields[4]),
                    subject=fields[5],
                    paths=touched,
                )
            )
        return commits

    def tags(self) -> list[Tag]:
        fmt = "%(refname:short)%09%(objecttype)%09%(taggerdate:iso-strict)%09%(*objectname)%09%(objectname)"
        out = self.run("for-each-ref", "refs/tags", f"--format={fmt}")
        tags = []
        for line in out.splitlines():
            name, objtype, tagger_date, peeled, oid = (line.split("\t") + [""] * 5)[:5]
            commit = peeled or oid
            if objtype == "tag" and tagger_date:
                date = datetime.fromisoformat(tagger_date)
            else:
                raw = self.run("show", "-s", "--format=%cI", commit, check=False).strip()
                if not raw:
                    continue
                date = datetime.fromisoformat(raw)
            tags.append(Tag(name=name, date=date, commit=commit, annotated=objtype == "tag"))
        return tags

    def close(self) -> None:
        if self._batch is not None:
            if self._batch.stdin:
                self._batch.stdin.close()
            self._batch.wait(timeout=10)
            self._batch = None

    def _batch_process(self) -> subprocess.Popen[bytes]:
        if self._batch is None:
            self._batch = subprocess.Popen(
                [self._git, *_SAFE_CONFIG, "-C", str(self.path), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_git_env(),
            )
        return self._batch


class GitWorkspace:
    """A cache dir of bare partial clones, one per ``owner/repo``, cloned or refreshed on demand."""

    def __init__(
        self,
        cache_dir: Path,
        url_template: str = "https://github.com/{owner}/{repo}.git",
        offline: bool = False,
        refresh: bool = True,
        git: str = "git",
    ):
        self.cache_dir = cache_dir
        self.url_template = url_template
        self.offline = offline
        self.refresh = refresh
        self._git = git
        self._repos: dict[str, GitRepo] = {}
        self._lock = threading.Lock()
        self.warnings: list[str] = []

    def url(self, owner: str, repo: str) -> str:
        return self.url_template.format(owner=owner, repo=repo)

    def is_local_url(self, url: str) -> bool:
        return url.startswith("file://") or url.startswith("/") or Path(url).exists()

    def open(self, owner: str, repo: str) -> GitRepo:
        """The clone of ``owner/repo``, cloning it first or fetching its updates (not when offline)."""
        key = f"{owner}/{repo}"
        with self._lock:
            if key in self._repos:
                return self._repos[key]
        dest = self.cache_dir / "git" / owner / f"{repo}.git"
        url = self.url(owner, repo)
        may_use_network = not self.offline or self.is_local_url(url)
        if not (dest / "HEAD").exists():
            if not may_use_network:
                raise SourceUnavailable("git", f"{key} is not in the cache and --offline forbids cloning {url}")
            self._clone(url, dest)
        else:
            self._reuse(key, dest, url, may_use_network)
        repo_obj = GitRepo(dest, git=self._git)
        with self._lock:
            self._repos[key] = repo_obj
        return repo_obj

    def _reuse(self, key: str, dest: Path, url: str, may_use_network: bool) -> None:
        """Bring a cached clone up to date from ``url``, even when it was cloned from another URL.

        The cache is keyed by owner/repo, so a clone made from a mirror (``file://``) must not be refreshed from
        that mirror when the user now asks for github.com: the clone is pointed at the asked URL first, and its
        branches and tags are pruned to what that origin has.
        """
        cloned_from = _run(self._git, ["-C", str(dest), "config", "--get", "remote.origin.url"], check=False).strip()
        moved = bool(cloned_from) and cloned_from != url
        if not (self.refresh and may_use_network):
            if moved:
                self.warnings.append(f"{key}: the cached clone was made from {cloned_from}, not {url}; read as it is")
            return
        if moved:
            _run(self._git, ["-C", str(dest), "remote", "set-url", "origin", url])
        try:
            self._fetch(dest, prune_tags=moved)
        except SourceUnavailable as exc:
            # The cached clone still answers; the scan says it may be stale rather than losing the repo.
            origin_note = f", and it was made from {cloned_from}" if moved else ""
            self.warnings.append(
                f"{key}: could not refresh the cached clone ({exc.reason}){origin_note}; using the cache"
            )

    def close(self) -> None:
        for repo in self._repos.values():
            repo.close()

    def _clone(self, url: str, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            _run(self._git, ["clone", "--quiet", "--bare", "--filter=blob:none", url, str(tmp)])
            _run(self._git, ["-C", str(tmp), "config", "remote.origin.fetch", "+refs/heads/*:refs/heads/*"])
        except SourceUnavailable:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        tmp.rename(dest)

    def _fetch(self, dest: Path, prune_tags: bool = False) -> None:
        extra = ["--prune-tags"] if prune_tags else []
        _run(self._git, ["-C", str(dest), "fetch", "--quiet", "--prune", *extra, "--tags", "--force", "origin"])


def _run(git: str, args: list[str], check: bool = True) -> str:
    proc = subprocess.run(
        [git, *_SAFE_CONFIG, *args],
        capture_output=True,
        env=_git_env(),
        stdin=subprocess.DEVNULL,
    )
    if check and proc.returncode != 0:
        lines = [line.strip() for line in proc.stderr.decode(errors="replace").splitlines() if line.strip()]
        # git prints the cause on its "fatal:" line; the lines after it are advice.
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        reason = (fatal or lines or [f"git exited {proc.returncode}"])[0]
        raise SourceUnavailable("git", reason)
    return proc.stdout.decode(errors="replace")
