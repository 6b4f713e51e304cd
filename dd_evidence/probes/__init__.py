"""Probes judge raw facts into findings. This package holds the built-in probe families, one module each.

A probe is a class with a ``spec`` (a :class:`~dd_evidence.model.ProbeSpec`) and a ``run(ctx)`` that yields
:class:`~dd_evidence.model.Finding` objects. Built-in families are registered through the ``dd_evidence.probes``
entry-point group exactly like third-party ones (see ``dd_evidence.registry``).
"""

from dd_evidence.probes.base import Probe

__all__ = ["Probe"]
