"""Parsing the ``--as-of`` instant. A bare date means 00:00:00Z of that day, never "now, that day"."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dd_evidence.errors import BadInput

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(text: str) -> datetime:
    """Turn ``2025-09-15``, ``2025-09-15T00:00:00Z`` or ``2025-09-15T08:00:00+08:00`` into an aware UTC datetime.

    A time without a zone is taken as UTC so that the answer never depends on the machine's zone.
    """
    raw = text.strip()
    if len(raw) > 64:
        raise BadInput(f"cannot read time {text[:64]!r}...: use YYYY-MM-DD or an ISO 8601 instant")
    if _DATE.match(raw):
        raw += "T00:00:00+00:00"
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise BadInput(
            f"cannot read time {text!r}: use YYYY-MM-DD or an ISO 8601 instant such as 2025-09-15T00:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last instant Python can hold
        raise BadInput(f"cannot read time {text!r}: out of range") from None


def utcnow() -> datetime:
    """The current instant, aware, in UTC (the default clock of a scan)."""
    return datetime.now(UTC)
