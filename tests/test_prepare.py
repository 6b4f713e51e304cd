"""The project map is built, and its documents parsed, before the probes that read them start; never for probes
that read no repository; and an interruption at that step is the whole scan's interruption."""

from __future__ import annotations

import importlib

import pytest
from memrepo import context

from dd_evidence.isolation import Interrupted, TaskResult
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.scan import ProbesInterrupted, run_probes

# The module (the package's attribute of that name is the function ``scan``).
scan_module = importlib.import_module("dd_evidence.scan")
MAP = "facts.project-map"


class SeesTheMap(Probe):
    """Says whether the project map was there when it started."""

    def __init__(self, probe_id: str, sources: tuple[str, ...]):
        self.spec = ProbeSpec(id=probe_id, title="t", motivation="m", sources=sources)

    def run(self, ctx):  # type: ignore[no-untyped-def]
        yield Finding(self.spec.id, "acme", Outcome.TRUE if ctx.remembers(MAP) else Outcome.FALSE, "map ready?")


def test_probes_that_read_repositories_find_the_map_built() -> None:
    ctx = context({"acme": {"GOVERNANCE.md": "# Governance\n", "README.md": "# Acme\n"}})
    timings: dict[str, float] = {}
    probes = [SeesTheMap(f"t.reads{i}", ("git",)) for i in range(3)]
    findings = run_probes(ctx, probes, timings)
    assert [f.outcome for f in findings] == [Outcome.TRUE] * 3
    assert "facts" in timings


def test_a_scan_that_fetched_nothing_lets_the_first_probe_build_the_map() -> None:
    ctx = context({"acme": {"GOVERNANCE.md": "# Governance\n"}})
    timings: dict[str, float] = {}
    findings = run_probes(ctx, [SeesTheMap("t.reads", ("git",))], timings, prepare_facts=False)
    assert [f.outcome for f in findings] == [Outcome.FALSE]
    assert "facts" not in timings


def test_probes_that_read_no_repository_build_nothing() -> None:
    ctx = context({"acme": {"README.md": "# Acme\n"}})
    timings: dict[str, float] = {}
    findings = run_probes(ctx, [SeesTheMap("t.api", ("github",))], timings)
    assert [f.outcome for f in findings] == [Outcome.FALSE]
    assert "facts" not in timings and not ctx.remembers(MAP)


def test_ctrl_c_while_the_facts_are_prepared_interrupts_every_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def interrupted(tasks, workers, deadline, on_done=None):  # type: ignore[no-untyped-def]
        calls.append(len(tasks))
        raise Interrupted([TaskResult(interrupted=True) for _ in tasks])

    monkeypatch.setattr(scan_module, "run_with_deadlines", interrupted)
    ctx = context({"acme": {"README.md": "# Acme\n"}})
    probes = [SeesTheMap(f"t.reads{i}", ("git",)) for i in range(2)]
    with pytest.raises(ProbesInterrupted) as caught:
        run_probes(ctx, probes)
    assert calls == [1]  # the preparation only: no probe was started
    assert [f.values.get("interrupted") for f in caught.value.findings] == [True, True]


def test_a_map_that_hangs_costs_one_deadline_not_one_per_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from dd_evidence.facts import projectmap

    release = threading.Event()

    def hangs(self, ctx):  # type: ignore[no-untyped-def]
        release.wait(30)  # a repository that makes the map take forever
        raise RuntimeError("released")

    monkeypatch.setattr(projectmap.ProjectMap, "__init__", hangs)

    class ReadsTheMap(SeesTheMap):
        def run(self, ctx):  # type: ignore[no-untyped-def]
            projectmap.project_map(ctx)
            return []

    ctx = context({"acme": {"README.md": "# Acme\n"}})
    ctx.config.probe_timeout = 0.5
    probes = [ReadsTheMap(f"t.reads{i}", ("git",)) for i in range(4)]
    started = time.monotonic()
    findings = run_probes(ctx, probes)
    elapsed = time.monotonic() - started
    release.set()
    assert elapsed < 1.5  # the preparation's deadline, then every probe fails at once (not 4 more deadlines)
    assert [f.outcome for f in findings] == [Outcome.ERROR] * 4
    assert all("project map was not built within 0.5 s" in f.message for f in findings)
