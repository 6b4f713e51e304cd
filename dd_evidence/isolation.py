"""Keeping probes (ours and third parties') from harming the scan: a deadline per probe, no exit, no stdout.

A probe runs in its own daemon thread: the scan waits for it until its deadline and then goes on without it
(Python cannot kill a thread; a daemon thread at least never keeps the process alive at exit). Whatever a
probe or a plugin import prints is dropped: stdout belongs to the report.
"""

from __future__ import annotations

import io
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TextIO, TypeVar

T = TypeVar("T")

DEFAULT_PROBE_TIMEOUT = 600.0
"""Seconds a probe may run. The slowest built-in probe takes well under a minute on a large org; a probe still
running after ten minutes is stuck (an endless loop, a request that never ends), not thorough."""


class _Discard(io.TextIOBase):
    """A text stream that accepts everything and keeps nothing but how much each thread wrote."""

    def __init__(self) -> None:
        super().__init__()
        self._counts = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._counts.value = getattr(self._counts, "value", 0) + len(text)
        return len(text)

    def written(self) -> int:
        return getattr(self._counts, "value", 0)


_stdout_lock = threading.Lock()
_stdout_users = 0
_stdout_saved: TextIO | None = None
_stdout_sink: _Discard | None = None


def stdout_written() -> int:
    """Characters the calling thread wrote to stdout while it was dropped (0 outside :func:`stdout_dropped`)."""
    sink = _stdout_sink
    return sink.written() if sink is not None else 0


@contextmanager
def stdout_dropped() -> Iterator[None]:
    """While inside, ``print`` and ``sys.stdout.write`` go nowhere, from any thread.

    Reference-counted, so that nested or concurrent uses (two scans in one process) restore the real stdout only
    when the last one leaves.
    """
    global _stdout_users, _stdout_saved, _stdout_sink
    with _stdout_lock:
        if _stdout_users == 0:
            _stdout_saved = sys.stdout
            _stdout_sink = _Discard()
            sys.stdout = _stdout_sink
        _stdout_users += 1
    try:
        yield
    finally:
        with _stdout_lock:
            _stdout_users -= 1
            if _stdout_users == 0:
                sys.stdout = _stdout_saved
                _stdout_saved = _stdout_sink = None


@dataclass
class TaskResult(Generic[T]):
    """What one task gave: its value, or None with ``timed_out`` or ``interrupted`` set."""

    value: T | None = None
    seconds: float = 0.0
    timed_out: bool = False
    interrupted: bool = False


class Interrupted(Exception):
    """Ctrl-C while tasks were running: ``outcomes`` holds every task, finished or not (``interrupted`` set)."""

    def __init__(self, outcomes: list[TaskResult]):
        super().__init__("interrupted")
        self.outcomes = outcomes


def run_with_deadlines(
    tasks: Sequence[Callable[[], T]],
    workers: int,
    deadline: float,
    on_done: Callable[[int, int], None] | None = None,
) -> list[TaskResult[T]]:
    """Run ``tasks`` on at most ``workers`` daemon threads, each for at most ``deadline`` seconds.

    A task past its deadline is abandoned (its thread runs on, its slot is given to the next task) and its
    outcome has ``timed_out``. ``on_done(index, count_done)`` is called in the calling thread as tasks finish.
    A task must not raise (wrap it); whatever it raises anyway, ``BaseException`` included, ends that task only
    and is its value's absence. On KeyboardInterrupt in the calling thread, raises :class:`Interrupted` with
    the outcomes so far.
    """
    outcomes: list[TaskResult[T] | None] = [None] * len(tasks)
    finished: queue.SimpleQueue[tuple[int, T | None, float]] = queue.SimpleQueue()
    pending = deque(range(len(tasks)))
    running: dict[int, float] = {}

    def body(index: int) -> None:
        started = time.perf_counter()
        value: T | None = None
        try:
            value = tasks[index]()
        except BaseException:  # a thread must end quietly whatever its task did (even sys.exit)
            value = None
        finished.put((index, value, time.perf_counter() - started))

    def settle(index: int, outcome: TaskResult[T]) -> None:
        outcomes[index] = outcome
        if on_done:
            on_done(index, sum(o is not None for o in outcomes))

    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                index = pending.popleft()
                running[index] = time.monotonic()
                threading.Thread(target=body, args=(index,), name=f"dd-evidence-task-{index}", daemon=True).start()
            wait = min(running.values()) + deadline - time.monotonic()
            try:
                index, value, seconds = finished.get(timeout=max(0.0, wait))
            except queue.Empty:
                now = time.monotonic()
                for index, started in list(running.items()):
                    if now - started >= deadline:
                        del running[index]
                        settle(index, TaskResult(seconds=round(now - started, 3), timed_out=True))
                continue
            if running.pop(index, None) is None:
                continue  # a late answer from a task already given up on
            settle(index, TaskResult(value, round(seconds, 3)))
    except KeyboardInterrupt:
        raise Interrupted([o if o is not None else TaskResult(interrupted=True) for o in outcomes]) from None
    return [o if o is not None else TaskResult(interrupted=True) for o in outcomes]
