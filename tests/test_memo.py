"""ScanContext.memo: one computation per fact and scan, failures included."""

from __future__ import annotations

import threading

import pytest
from memrepo import context


def test_a_fact_is_computed_once_for_concurrent_askers() -> None:
    ctx = context({"acme": {"README.md": "# Acme\n"}})
    calls = []
    started = threading.Event()

    def compute() -> int:
        calls.append(1)
        started.wait(1)
        return 42

    threads = [threading.Thread(target=lambda: ctx.memo("fact", compute)) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join()
    assert ctx.memo("fact", compute) == 42
    assert len(calls) == 1


def test_a_fact_that_failed_fails_every_asker_without_being_computed_again() -> None:
    ctx = context({"acme": {"README.md": "# Acme\n"}})
    calls = []

    def compute() -> int:
        calls.append(1)
        raise ValueError("hostile input")

    for _ in range(3):
        with pytest.raises(ValueError, match="hostile input"):
            ctx.memo("map", compute)
    assert len(calls) == 1
    assert ctx.memo("other", lambda: "fine") == "fine"
