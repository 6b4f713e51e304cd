"""Finding probes: the ``dd_evidence.probes`` entry-point group (built-ins and third parties alike) and loose
modules from ``--probes-dir``. A plugin that fails to load becomes an error finding, never a crash."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import pkgutil
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from dd_evidence.model import Finding, Outcome, ProbeSpec
from dd_evidence.probes.base import Probe
from dd_evidence.scrub import describe

ENTRY_POINT_GROUP = "dd_evidence.probes"
BUILTIN_PACKAGE = "dd_evidence.probes"
# Seconds one plugin module may take to import (its top-level code runs then) before it is left behind as a load
# error: a plugin stuck at import must not stall every scan.
IMPORT_TIMEOUT = 60.0

T = TypeVar("T")


@dataclass
class ProbeSet:
    """The probes a scan will run, where each came from, and the plugins that failed to load."""

    probes: list[Probe] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    load_errors: list[Finding] = field(default_factory=list)

    def ids(self) -> list[str]:
        return [p.spec.id for p in self.probes]

    def get(self, probe_id: str) -> Probe | None:
        return next((p for p in self.probes if p.spec.id == probe_id), None)

    def add_module(self, module: ModuleType, origin: str) -> None:
        try:
            classes = probes_in_module(module)
        except _LOAD_FAILURES as exc:
            self.load_errors.append(_load_error(origin, _describe(exc)))
            return
        for probe_cls in classes:
            self.add_class(probe_cls, origin)

    def add_class(self, probe_cls: type[Probe], origin: str) -> None:
        """Instantiate and add one probe class; a constructor that fails or a malformed ``spec`` is a load error."""
        try:
            probe = probe_cls()
        except _LOAD_FAILURES as exc:
            self.load_errors.append(_load_error(origin, f"{probe_cls.__name__}() failed: {_describe(exc)}"))
            return
        self.add(probe, origin)

    def add(self, probe: Probe, origin: str) -> None:
        problem = _spec_problem(probe)
        if problem:
            self.load_errors.append(_load_error(origin, f"{type(probe).__name__}: {problem}"))
            return
        if probe.spec.id in self.origins:
            self.load_errors.append(
                _load_error(
                    origin,
                    f"probe id {probe.spec.id!r} is already registered by {self.origins[probe.spec.id]}",
                )
            )
            return
        self.probes.append(probe)
        self.origins[probe.spec.id] = origin

    def select(self, wanted: list[str] | None) -> ProbeSet:
        """Keep only the given ids or id prefixes (``governance`` keeps ``governance.*``)."""
        if not wanted:
            return self
        kept = ProbeSet(load_errors=list(self.load_errors))
        for probe in self.probes:
            if any(probe.spec.id == w or probe.spec.id.startswith(w.rstrip(".") + ".") for w in wanted):
                kept.probes.append(probe)
                kept.origins[probe.spec.id] = self.origins[probe.spec.id]
        return kept


def probes_in_module(module: ModuleType) -> list[type[Probe]]:
    """The concrete Probe subclasses a module defines (not the ones it merely imports)."""
    found = []
    for _name, obj in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(obj, Probe)
            and obj is not Probe
            and obj.__module__ == module.__name__
            and "spec" in vars(obj)
            and not inspect.isabstract(obj)
        ):
            found.append(obj)
    # A malformed spec must not break the sorting: it is reported when the class is added.
    return sorted(found, key=lambda cls: str(getattr(vars(cls)["spec"], "id", "")))


def load_probes(probes_dirs: list[Path] | None = None) -> ProbeSet:
    """Every registered probe: entry points first, then each ``--probes-dir``."""
    probe_set = ProbeSet()
    eps = list(entry_points(group=ENTRY_POINT_GROUP))
    builtin_seen = False
    for ep in sorted(eps, key=lambda e: e.name):
        builtin_seen |= ep.value.startswith(BUILTIN_PACKAGE + ".")
        try:
            loaded = _within_deadline(ep.load)
        except _LOAD_FAILURES as exc:  # a third-party plugin may be broken in any way, sys.exit() included
            probe_set.load_errors.append(_load_error(f"entry point {ep.name}", _describe(exc)))
            continue
        _add_loaded(probe_set, loaded, f"entry point {ep.name} ({ep.value})")
    if not builtin_seen:
        # Running from a source tree that was never installed has no entry-point metadata; the built-in
        # modules are then found by walking the package, so a checkout works the same as a wheel.
        _add_builtin_modules(probe_set)
    for directory in probes_dirs or []:
        load_probes_dir(probe_set, directory)
    return probe_set


def load_probes_dir(probe_set: ProbeSet, directory: Path) -> None:
    """Import every ``*.py`` in ``directory`` (not starting with ``_``) as a loose probe module."""
    if not directory.is_dir():
        probe_set.load_errors.append(_load_error(str(directory), "probes dir does not exist"))
        return
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module_name = f"dd_evidence_local_probes.{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot import {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            _within_deadline(functools.partial(spec.loader.exec_module, module))
        except _LOAD_FAILURES as exc:
            sys.modules.pop(module_name, None)
            probe_set.load_errors.append(_load_error(str(path), _describe(exc)))
            continue
        probe_set.add_module(module, str(path))


def _add_builtin_modules(probe_set: ProbeSet) -> None:
    package = importlib.import_module(BUILTIN_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        name = f"{BUILTIN_PACKAGE}.{info.name}"
        try:
            module = _within_deadline(functools.partial(importlib.import_module, name))
        except _LOAD_FAILURES as exc:
            probe_set.load_errors.append(_load_error(name, _describe(exc)))
            continue
        probe_set.add_module(module, name)


class ImportTimedOut(Exception):
    """A plugin module still importing at the deadline (left running on a daemon thread)."""


def _within_deadline(load: Callable[[], T], seconds: float | None = None) -> T:
    """``load()`` on a daemon thread, waited for at most ``seconds`` (:data:`IMPORT_TIMEOUT`): its value, what it
    raised (``sys.exit()`` included), or :class:`ImportTimedOut`."""
    limit = IMPORT_TIMEOUT if seconds is None else seconds
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, load()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, which decides
            outcome.append((False, exc))

    thread = threading.Thread(target=run, name="plugin-import", daemon=True)
    thread.start()
    thread.join(limit)
    if not outcome:
        raise ImportTimedOut(f"its import did not finish within {limit:g} s")
    ok, value = outcome[0]
    if ok:
        return value
    raise value


def _add_loaded(probe_set: ProbeSet, loaded: object, origin: str) -> None:
    if isinstance(loaded, ModuleType):
        probe_set.add_module(loaded, origin)
    elif inspect.isclass(loaded) and issubclass(loaded, Probe):
        probe_set.add_class(loaded, origin)
    else:
        probe_set.load_errors.append(_load_error(origin, "is neither a module nor a Probe subclass"))


def _load_error(origin: str, reason: str) -> Finding:
    return Finding(
        probe="registry.plugin_loads",
        subject=origin,
        outcome=Outcome.ERROR,
        message=f"probe plugin {origin} could not be loaded: {reason}",
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    return describe(exc)


def _spec_problem(probe: Any) -> str | None:
    """Why a probe's ``spec`` cannot be used (None when it can): the id keys findings, criteria and timings.

    ``probe`` is a plugin's object of unknown shape (hence ``Any``): its shape is what this function checks."""
    try:
        spec = probe.spec
    except Exception as exc:  # a property that raises is as broken as a missing spec
        return f"its spec cannot be read: {_describe(exc)}"
    if not isinstance(spec, ProbeSpec):
        return f"its spec is a {type(spec).__name__}, not a ProbeSpec"
    if not isinstance(spec.id, str) or not spec.id.strip() or len(spec.id) > 200 or not spec.id.isprintable():
        return f"its spec id {spec.id!r:.80} is not a short printable string"
    if not isinstance(spec.title, str) or not all(isinstance(s, str) for s in spec.sources):
        return "its spec title and sources must be strings"
    if not callable(getattr(probe, "run", None)):
        return "it has no run() method"
    return None


# What loading a plugin may raise and still only cost that plugin: any error, and sys.exit() at import.
# KeyboardInterrupt is the user's and goes through.
_LOAD_FAILURES = (Exception, SystemExit)
