"""Transitional re-exports of :mod:`dd_evidence.facts` (removed once every probe imports the facts layer)."""

from dd_evidence.facts import Doc as DocHit
from dd_evidence.facts import locate, real_documents
from dd_evidence.facts.paths import excluded


def is_generated_log(path: str) -> bool:
    return excluded(path) == "release notes"


__all__ = ["DocHit", "is_generated_log", "locate", "real_documents"]
