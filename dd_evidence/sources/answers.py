"""Answers of one source kept for one scan, failures included, so each question is asked at most once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from dd_evidence.errors import SourceUnavailable


class AnswerMemo:
    """``get(key, compute)`` computes once per key; a ``SourceUnavailable`` is kept and raised again, so probes
    that ask the same unanswerable question (two badge probes, every repo's Scorecard) wait for it only once."""

    def __init__(self) -> None:
        self._answers: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._answers:
                return _unwrap(self._answers[key])
        try:
            value: Any = compute()
        except SourceUnavailable as exc:
            value = exc
        with self._lock:
            return _unwrap(self._answers.setdefault(key, value))


def _unwrap(value: Any) -> Any:
    if isinstance(value, SourceUnavailable):
        raise value
    return value
