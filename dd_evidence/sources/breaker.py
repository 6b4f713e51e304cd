"""A circuit breaker per API resource: once a resource cannot answer in this scan, stop asking it.

Two things open a resource's breaker:

- a primary rate limit whose reset lies beyond the wait we allow (GitHub's ``core`` or ``search`` quota, a service's
  per-IP limit): every later request would be refused too, and some services count refused requests against the
  limit, prolonging the block. Later requests fail at once with :class:`RateLimited` carrying the reset time.
- :data:`TIMEOUTS_TO_OPEN` timed-out answers in a row from a service: a service that keeps timing out would cost
  the scan one timeout (and its retry) per question. Later requests fail at once with :class:`SourceUnavailable`.

Each opening yields one warning line (:meth:`CircuitBreaker.warnings`), which the scan puts in the report and the
CLI prints, instead of one line per refused request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from dd_evidence.errors import RateLimited, SourceUnavailable

TIMEOUTS_TO_OPEN = 4
SERVICE = "*"  # the resource name that stands for the whole service (timeouts)


@dataclass(frozen=True)
class _Open:
    reason: str
    reset_at: float | None = None  # epoch seconds; None when the service timed out


class CircuitBreaker:
    """Open/closed state per resource of one service, for one scan. Thread-safe."""

    def __init__(
        self,
        source: str,
        now: Callable[[], float] = time.time,
        timeouts_to_open: int = TIMEOUTS_TO_OPEN,
        label: str | None = None,
    ):
        self.source = source
        self.label = label or source  # how warnings name the service (e.g. with its host)
        self._now = now
        self._timeouts_to_open = timeouts_to_open
        self._open: dict[str, _Open] = {}
        self._timeouts = 0
        self._refused = 0
        self._lock = threading.Lock()

    def check(self, resource: str) -> None:
        """Raise at once when ``resource`` (or the whole service) is open; count the request not sent."""
        with self._lock:
            state = self._open.get(resource) or self._open.get(SERVICE)
            if state is None:
                return
            self._refused += 1
        if state.reset_at is not None:
            raise _rate_limited(self.source, state.reset_at, self._now(), not_sent=True)
        raise SourceUnavailable(self.source, f"{state.reason}; not asked again in this scan")

    def rate_limited(self, resource: str, reset_at: float | None) -> RateLimited:
        """Open ``resource`` until ``reset_at`` (epoch seconds; unknown: until the scan ends); the error to raise."""
        with self._lock:
            if resource not in self._open:
                label = "the rate limit" if resource == SERVICE else f"the {resource} rate limit"
                self._open[resource] = _Open(f"{label} is exhausted", reset_at)
        return _rate_limited(self.source, reset_at, self._now())

    def timed_out(self) -> bool:
        """Count one timed-out answer; True when that opened the breaker for the whole service."""
        with self._lock:
            self._timeouts += 1
            if self._timeouts >= self._timeouts_to_open and SERVICE not in self._open:
                self._open[SERVICE] = _Open(f"{self._timeouts} answers in a row timed out")
                return True
            return False

    def answered(self) -> None:
        """An answer arrived in time: the run of timeouts is broken."""
        with self._lock:
            self._timeouts = 0

    def is_open(self, resource: str = SERVICE) -> bool:
        with self._lock:
            return resource in self._open or SERVICE in self._open

    @property
    def refused(self) -> int:
        """Requests not sent because a breaker was open."""
        with self._lock:
            return self._refused

    def warnings(self) -> list[str]:
        """One line per opened resource, for the report and the terminal."""
        with self._lock:
            opened = dict(self._open)
            refused = self._refused
        lines = []
        for resource, state in opened.items():
            what = self.label if resource == SERVICE else f"{self.label} {resource}"
            if state.reset_at is not None:
                lines.append(
                    f"{what}: {state.reason} until {_when(state.reset_at)}; no more requests to it in this scan "
                    f"({refused} not sent); the findings that needed it are not available"
                )
            else:
                lines.append(
                    f"{what}: {state.reason}; not asked again in this scan ({refused} not sent); "
                    "the findings that needed it are not available"
                )
        return lines


def _rate_limited(source: str, reset_at: float | None, now: float, not_sent: bool = False) -> RateLimited:
    reset_in = max(0.0, reset_at - now) if reset_at is not None else None
    error = RateLimited(source, reset_in, reset_at=_when(reset_at) if reset_at is not None else None)
    if not_sent:
        error.reason += "; not asked again in this scan"
        error.args = (f"{source}: {error.reason}",)
    return error


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
