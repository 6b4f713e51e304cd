"""Probe registration: entry points for built-ins and third parties, --probes-dir for loose modules."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

from dd_evidence.context import ScanConfig, ScanContext
from dd_evidence.errors import SourceUnavailable
from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.registry import ProbeSet, load_probes, load_probes_dir
from dd_evidence.resolve import ProjectRef
from dd_evidence.scan import run_probe

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_builtin_families_are_registered_as_entry_points() -> None:
    """Every built-in probe module is declared in the entry-point group, like a third-party one."""
    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["entry-points"][
        "dd_evidence.probes"
    ]
    import dd_evidence.probes as package

    modules = {m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "base"}
    assert {v.rsplit(".", 1)[-1] for v in declared.values()} == modules


def test_builtin_probes_load_with_unique_ids() -> None:
    probe_set = load_probes()
    assert not probe_set.load_errors
    ids = probe_set.ids()
    assert len(ids) == len(set(ids))
    assert "documents.governance_present" in ids
    assert all(p.spec.title.endswith("?") for p in probe_set.probes)


def test_example_probe_loads_from_the_probes_folder_by_path() -> None:
    probe_set = load_probes([REPO_ROOT / "probes"])
    assert "example.license_in_every_repo" in probe_set.ids()
    assert probe_set.origins["example.license_in_every_repo"].endswith("license_in_every_repo.py")


def test_broken_plugin_becomes_an_error_finding(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "dup.py").write_text(
        "from dd_evidence import Probe, ProbeSpec\n"
        "class Dup(Probe):\n"
        "    spec = ProbeSpec(id='documents.governance_present', title='Dup?')\n"
        "    def run(self, ctx):\n        return []\n"
    )
    probe_set = ProbeSet()
    load_probes_dir(probe_set, tmp_path)
    messages = [f.message for f in probe_set.load_errors]
    assert any("boom at import" in m for m in messages)
    assert all(f.outcome is Outcome.ERROR for f in probe_set.load_errors)
    full = load_probes([tmp_path])
    assert any("already registered" in f.message for f in full.load_errors)


def test_missing_probes_dir_is_reported(tmp_path: Path) -> None:
    probe_set = load_probes([tmp_path / "nope"])
    assert any("does not exist" in f.message for f in probe_set.load_errors)


def test_select_by_id_and_prefix() -> None:
    probe_set = load_probes()
    assert set(probe_set.select(["documents"]).ids()) == {i for i in probe_set.ids() if i.startswith("documents.")}
    assert probe_set.select(["ownership.codeowners_present"]).ids() == ["ownership.codeowners_present"]


class _Crash(Probe):
    spec = ProbeSpec(id="test.crash", title="Crash?")

    def run(self, ctx):
        raise KeyError("missing")


class _Gap(Probe):
    spec = ProbeSpec(id="test.gap", title="Gap?")

    def run(self, ctx):
        raise SourceUnavailable("github", "needs an org owner's token")


class _Junk(Probe):
    spec = ProbeSpec(id="test.junk", title="Junk?")

    def run(self, ctx):
        return ["not a finding"]


def _ctx() -> ScanContext:
    ref = ProjectRef(name="acme", display_name="Acme", orgs=("acme",), main_repo=None)
    return ScanContext(ScanConfig(), ref, repos=[])


def test_failing_probes_become_findings() -> None:
    ctx = _ctx()
    (crash,) = run_probe(ctx, _Crash())
    (gap,) = run_probe(ctx, _Gap())
    (junk,) = run_probe(ctx, _Junk())
    assert (crash.outcome, crash.probe) == (Outcome.ERROR, "test.crash")
    assert "KeyError" in crash.message
    assert gap.outcome is Outcome.NOT_AVAILABLE and "org owner" in gap.message
    assert junk.outcome is Outcome.ERROR


def test_a_good_probe_returns_its_findings() -> None:
    class Good(Probe):
        spec = ProbeSpec(id="test.good", title="Good?")

        def run(self, ctx):
            yield self.finding("acme", True, "fine")

    assert run_probe(_ctx(), Good()) == [Finding("test.good", "acme", Outcome.TRUE, "fine")]
