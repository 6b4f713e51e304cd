"""Running git over untrusted repositories: a clean environment, every executing setting neutralised, only the
transports the user chose, a timeout and an output cap on every call, and a bounded pool of object readers.

What a scanned repository controls (its content, its history and, for a local working copy, its config) must
never make git run a program, reach the network on its own or stall the scan. Git reads settings from the
system and global files, the repository's own config and the command line; the command line wins, so every
setting that makes git execute something is overridden here, and the system and global files are not read.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from dd_evidence.errors import RESOURCE_ERRNOS, ResourceExhausted, SourceUnavailable

# Seconds for one local git command (log, ls-tree...); clones and fetches get the workspace's network timeout.
READ_TIMEOUT = 120.0
# The most one git command may print before it is stopped: a tree or a log of a hostile repo can be huge.
MAX_OUTPUT_BYTES = 512 * 1024 * 1024

# Transports a clone URL may use; ext::, fd:: and other remote helpers run programs and are never allowed.
TRANSPORTS = ("https", "http", "ssh", "git", "file")

# Settings that would run a program or hook, sign or verify, talk to a terminal or start background work.
# Passed with -c, so they win over anything a repository's config says (git 2.39 reads -c last).
SAFE_CONFIG: tuple[str, ...] = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.symlinks=false",
    "core.sshCommand=ssh -o BatchMode=yes",
    "core.askPass=true",
    "core.pager=cat",
    "credential.helper=",
    "log.showSignature=false",
    "gpg.program=false",
    "gpg.openpgp.program=false",
    "gpg.x509.program=false",
    "gpg.ssh.program=false",
    "gpg.ssh.defaultKeyCommand=false",
    "diff.external=false",
    "gc.auto=0",
    "maintenance.auto=false",
    "fetch.recurseSubmodules=false",
    "submodule.recurse=false",
    "fetch.writeCommitGraph=false",
    "protocol.allow=never",
)
# Note: git drops these -c settings (GIT_CONFIG_PARAMETERS) when it starts upload-pack for a file:// source;
# that upload-pack reads the source's own config and none of ours but the environment below (no system or
# global config, no lazy fetch), and git runs nothing from a repository's config in it (packObjectsHook is
# honoured from protected config only). A file:// source serves partial clones when its config allows it
# (``uploadpack.allowFilter``), as the fixture and the benchmark servers do.

# The user's own choices of how to reach servers stay; everything else named GIT_* is dropped.
_KEPT_ENV = ("GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_SSL_NO_VERIFY")


def git_env(transports: Iterable[str] = ()) -> dict[str, str]:
    """The environment of every git call: no inherited GIT_* (no GIT_DIR, no GIT_CONFIG_*), no system or global
    config, no prompts, no pager, no lazy fetch of missing objects, and only ``transports``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_ENV}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="true",
        SSH_ASKPASS="true",
        GIT_PAGER="cat",
        GIT_NO_LAZY_FETCH="1",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_ALLOW_PROTOCOL=":".join(transports) or "none",
        LC_ALL="C",
    )
    return env


def config_args(transports: Iterable[str] = ()) -> list[str]:
    """``-c key=value`` for every safe setting, then the one allowance per chosen transport."""
    args: list[str] = []
    for item in SAFE_CONFIG:
        args += ["-c", item]
    for transport in transports:
        args += ["-c", f"protocol.{transport}.allow=always"]
    return args


def transport_of(url: str) -> str | None:
    """The transport git would use for ``url``: https, http, ssh, git, file, or None for anything else
    (``ext::``, ``fd::``, other remote helpers, unknown schemes)."""
    if "::" in url.split("/", 1)[0]:
        return None  # <helper>::<address> runs git-remote-<helper>
    if "://" in url:
        scheme = url.split("://", 1)[0].lower()
        if scheme in ("ssh", "git+ssh", "ssh+git"):
            return "ssh"
        return scheme if scheme in TRANSPORTS else None
    if url.startswith(("/", "./", "../")):
        return "file"
    head = url.split("/", 1)[0]
    if ":" in head:
        return "ssh"  # scp-like user@host:path
    return "file"


def run_git(
    git: str,
    args: list[str],
    *,
    transports: Iterable[str] = (),
    timeout: float = READ_TIMEOUT,
    stdin: bytes | None = None,
    check: bool = True,
    max_output: int = MAX_OUTPUT_BYTES,
) -> bytes:
    """Run one git command in the sandbox and return its stdout; SourceUnavailable when it fails, times out or
    prints more than ``max_output`` bytes. The whole process group is killed on a timeout, so a stalled helper
    (ssh, a remote helper, upload-pack) cannot outlive the call."""
    transports = tuple(transports)
    cmd = [git, "--no-pager", *config_args(transports), *args]
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=git_env(transports),
            start_new_session=True,
        )
    except OSError as exc:
        raise _os_error(exc, f"git {args[0] if args else ''}") from None
    try:
        out, err = _collect(proc, stdin, timeout, max_output)
    except _Overflow:
        _kill(proc)
        raise SourceUnavailable("git", f"git {_verb(args)} printed more than {max_output // 2**20} MiB") from None
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise SourceUnavailable("git", f"git {_verb(args)} did not finish within {timeout:g} s") from None
    if check and proc.returncode != 0:
        raise SourceUnavailable("git", _reason(err, proc.returncode))
    return out


def _verb(args: list[str]) -> str:
    return next((a for a in args if not a.startswith("-") and "=" not in a and "/" not in a), "command")


def _reason(stderr: bytes, returncode: int) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    # git prints the cause on its "fatal:" line; the lines after it are advice.
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return redact((fatal or lines or [f"git exited {returncode}"])[0][:500])


_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact(text: str) -> str:
    """``https://user:token@host/...`` -> ``https://***@host/...``: a credential in a URL is never repeated."""
    return _USERINFO.sub("***@", text)


class _Overflow(Exception):
    pass


def _collect(proc: subprocess.Popen[bytes], stdin: bytes | None, timeout: float, limit: int) -> tuple[bytes, bytes]:
    """stdout and stderr of ``proc`` (stdin written from a thread), within ``timeout`` and ``limit`` bytes."""
    deadline = time.monotonic() + timeout
    writer = None
    if stdin is not None:
        assert proc.stdin is not None
        writer = threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True)
        writer.start()
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    sizes = dict.fromkeys(chunks, 0)
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stderr, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            for key, _ in selector.select(left):
                data = os.read(key.fd, 1 << 16)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                sizes[key.fd] += len(data)
                if sizes[key.fd] > limit:
                    raise _Overflow()
                chunks[key.fd].append(data)
    proc.wait(max(0.1, deadline - time.monotonic()))
    if writer is not None:
        writer.join(1)
    proc.stdout.close()
    proc.stderr.close()
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd])


def _feed(pipe: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(OSError):
        pipe.write(data)
    with contextlib.suppress(OSError):
        pipe.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(5)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def _os_error(exc: OSError, what: str) -> SourceUnavailable:
    if exc.errno in RESOURCE_ERRNOS:
        return ResourceExhausted(f"{what}: {exc.strerror or exc}")
    return SourceUnavailable("git", f"{what}: {exc.strerror or exc}")


# -- object readers ---------------------------------------------------------------------------------------------


class _Pipe:
    """Buffered reads from a process's stdout with a deadline on every read."""

    def __init__(self, fd: int, timeout: float):
        self.fd = fd
        self.timeout = timeout
        self.buffer = bytearray()

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        with selectors.DefaultSelector() as selector:
            selector.register(self.fd, selectors.EVENT_READ)
            if not selector.select(left):
                raise TimeoutError
        data = os.read(self.fd, 1 << 16)
        if not data:
            raise EOFError
        self.buffer += data

    def readline(self) -> bytes:
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buffer:
            if len(self.buffer) > 1 << 16:
                raise EOFError  # no header is this long: the protocol is out of step
            self._fill(deadline)
        line, _, rest = bytes(self.buffer).partition(b"\n")
        self.buffer = bytearray(rest)
        return line

    def read(self, size: int) -> bytes:
        deadline = time.monotonic() + self.timeout
        while len(self.buffer) < size:
            self._fill(deadline)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data


class ObjectReader:
    """One long-lived ``git cat-file`` over a git dir: the size first, the content only when under the cap.

    git >= 2.36 answers both with one ``--batch-command`` process; older git gets a ``--batch-check`` and a
    ``--batch`` process. The git dir it reads never fetches (see ``GitRepo``), so a missing object is
    reported as missing instead of starting a download.
    """

    def __init__(self, git: str, git_dir: Path, batch_command: bool, timeout: float = READ_TIMEOUT):
        self.git_dir = git_dir
        self.timeout = timeout
        self.batch_command = batch_command
        self.procs: list[subprocess.Popen[bytes]] = []
        self._pipes: list[_Pipe] = []
        modes = ["--batch-command"] if batch_command else ["--batch-check", "--batch"]
        # A git dir is named as such, so git never looks further up; a working copy of our own (tests) by -C.
        location = ["--git-dir", str(git_dir)] if (git_dir / "HEAD").is_file() else ["-C", str(git_dir)]
        for mode in modes:
            try:
                proc = subprocess.Popen(
                    [git, "--no-pager", *config_args(), *location, "cat-file", mode],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=git_env(),
                    start_new_session=True,
                )
            except OSError as exc:
                self.close()
                raise _os_error(exc, "git cat-file") from None
            assert proc.stdout is not None
            self.procs.append(proc)
            self._pipes.append(_Pipe(proc.stdout.fileno(), timeout))
        self.broken = False

    def info(self, name: str) -> tuple[str, str, int] | None:
        """(oid, type, size) of an object name (``<oid>`` or ``<commit>:<path>``); None when it does not exist."""
        if "\n" in name or "\r" in name:
            return None  # one request per line: a newline would desynchronise the protocol
        request = f"info {name}\n" if self.batch_command else f"{name}\n"
        header = self._ask(0, request.encode())
        return _header(header)

    def contents(self, oid: str, size: int) -> bytes | None:
        """The bytes of object ``oid`` of known ``size`` (from ``info``)."""
        index = 0 if self.batch_command else 1
        request = f"contents {oid}\n" if self.batch_command else f"{oid}\n"
        header = self._ask(index, request.encode())
        parsed = _header(header)
        if parsed is None:
            return None
        try:
            data = self._pipes[index].read(parsed[2])
            self._pipes[index].read(1)  # the newline after each object
        except (TimeoutError, EOFError, OSError):
            self._fail()
            raise SourceUnavailable("git", f"reading {oid} from {self.git_dir.name} stalled or failed") from None
        return data

    def _ask(self, index: int, request: bytes) -> bytes:
        if self.broken:
            raise SourceUnavailable("git", "the object reader stopped")
        proc = self.procs[index]
        assert proc.stdin is not None
        try:
            proc.stdin.write(request)
            proc.stdin.flush()
            return self._pipes[index].readline()
        except (TimeoutError, EOFError, OSError):
            self._fail()
            raise SourceUnavailable("git", f"git cat-file stopped answering in {self.git_dir.name}") from None

    def _fail(self) -> None:
        self.broken = True
        self.close()

    def close(self) -> None:
        for proc in self.procs:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                _kill(proc)
            if proc.stdout is not None:
                with contextlib.suppress(OSError):
                    proc.stdout.close()
        self.procs = []


def _header(line: bytes) -> tuple[str, str, int] | None:
    parts = line.decode(errors="replace").split()
    # "<name> missing" / "<name> ambiguous" for names that do not resolve (a name may hold spaces).
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


class ReaderPool:
    """At most ``size`` object readers open at once, whatever the number of repositories.

    A repository gets a reader when a probe reads one of its files, and gives it back after the read; an idle
    reader of another repository is closed (least recently used first) when the pool is full, and a reader
    is kept for the next read of the same repository. So a 1,000-repo org holds ``size`` processes at most.
    """

    def __init__(self, git: str = "git", size: int = 4, batch_command: bool = True, timeout: float = READ_TIMEOUT):
        self.git = git
        self.size = max(1, size)
        self.batch_command = batch_command
        self.timeout = timeout
        self._idle: dict[Path, ObjectReader] = {}  # insertion order = least recently used first
        self._busy = 0
        self._cond = threading.Condition()
        self.peak = 0
        self.started = 0

    @contextlib.contextmanager
    def reader(self, git_dir: Path) -> Iterator[ObjectReader]:
        reader = self._acquire(git_dir)
        try:
            yield reader
        finally:
            self._release(reader)

    def _acquire(self, git_dir: Path) -> ObjectReader:
        deadline = time.monotonic() + self.timeout
        with self._cond:
            while True:
                reader = self._idle.pop(git_dir, None)
                if reader is not None:
                    self._busy += 1
                    return reader
                if self._busy + len(self._idle) < self.size:
                    break
                if self._idle:
                    oldest = next(iter(self._idle))
                    self._idle.pop(oldest).close()
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SourceUnavailable("git", "no object reader became free in time")
                self._cond.wait(left)
            self._busy += 1
            self.peak = max(self.peak, self._busy + len(self._idle))
        try:
            reader = ObjectReader(self.git, git_dir, self.batch_command, self.timeout)
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise
        self.started += 1
        return reader

    def _release(self, reader: ObjectReader) -> None:
        with self._cond:
            self._busy -= 1
            if reader.broken:
                reader.close()
            else:
                previous = self._idle.pop(reader.git_dir, None)
                if previous is not None:
                    previous.close()  # two threads read the same repo at once: keep one reader
                self._idle[reader.git_dir] = reader
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            for reader in self._idle.values():
                reader.close()
            self._idle.clear()

    def discard(self, git_dir: Path) -> None:
        """Close the idle reader of ``git_dir`` (its probes are done, or its clone was replaced)."""
        with self._cond:
            reader = self._idle.pop(git_dir, None)
            if reader is not None:
                reader.close()
            self._cond.notify()
