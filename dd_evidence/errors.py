"""Typed errors. The CLI turns each into one line and the exit code it carries; the library only raises."""

from __future__ import annotations

import errno
from typing import Any

EXIT_OK = 0
EXIT_CRITERIA_NOT_MET = 1
EXIT_BAD_INPUT = 2
EXIT_CANNOT_SCAN = 3
# Its own code, so a script can retry later on a network failure but not on a missing git or an empty org.
EXIT_NETWORK_DOWN = 4
# The report was written, but the machine ran out of a resource (open files, processes, memory, disk) on the way:
# some findings are errors for that reason alone. Retry with more resources (``ulimit -n``) for a full answer.
EXIT_INCOMPLETE = 5

# What a shell reports for a process ended by SIGINT (128 + 2): Ctrl-C, after the partial report was written.
EXIT_INTERRUPTED = 130


class DDError(Exception):
    """Base of every error dd-evidence raises on purpose. ``str(err)`` is a one-line message for a person."""

    exit_code = EXIT_CANNOT_SCAN


class BadInput(DDError):
    """The user asked for something we cannot do: a bad option, time, level or path."""

    exit_code = EXIT_BAD_INPUT


class ProjectNotFound(BadInput):
    """The name matched no CNCF project, org, repo URL or local path."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"unknown project {name!r}{hint} (give a CNCF project name, a GitHub org, owner/repo, a URL or a path)"
        )


class BadToken(BadInput):
    """GitHub refused the token we were given."""


class ScanFailed(DDError):
    """The scan could not run at all (nothing to read, git missing, network down for every source)."""


class GitMissing(ScanFailed):
    """git is not installed or too old."""


class NetworkDown(ScanFailed):
    """No repository could be reached over the network and nothing was cached."""

    exit_code = EXIT_NETWORK_DOWN


class SourceUnavailable(DDError):
    """One source did not answer (offline, network error, 404, malformed). Probes turn it into not_available."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class RateLimited(SourceUnavailable):
    """A service's rate limit was hit and the wait would exceed the bound we allow."""

    def __init__(self, source: str, reset_in: float | None = None, reset_at: str | None = None):
        self.reset_in = reset_in
        self.reset_at = reset_at
        when = f"; resets in {int(reset_in)} s" if reset_in is not None else ""
        if reset_at is not None:
            when = f"{when} (at {reset_at})" if when else f"; resets at {reset_at}"
        super().__init__(source, f"rate limit exceeded{when}")


class ResourceExhausted(SourceUnavailable):
    """The machine ran out of something the scan needs (open files, processes, memory, disk): the findings that
    needed it are errors, and the scan says it is incomplete (``EXIT_INCOMPLETE``)."""

    def __init__(self, reason: str):
        super().__init__("resources", reason)


RESOURCE_ERRNOS = frozenset({errno.ENFILE, errno.EMFILE, errno.ENOMEM, errno.EAGAIN, errno.ENOSPC})


def is_resource_exhaustion(exc: BaseException) -> bool:
    """True for an error that says the machine ran out of a resource rather than that something is wrong."""
    if isinstance(exc, ResourceExhausted | MemoryError):
        return True
    return isinstance(exc, OSError) and exc.errno in RESOURCE_ERRNOS


class ScanInterrupted(KeyboardInterrupt):
    """Ctrl-C while the probes ran. ``report`` holds what was done: the unfinished probes are error findings, so
    their criteria read unknown. A KeyboardInterrupt still, for callers that only want to stop."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, report: Any):
        super().__init__("scan interrupted")
        self.report = report
